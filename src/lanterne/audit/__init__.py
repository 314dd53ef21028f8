"""Exposure observatory: audit what a platform shows (docs/audit.md)."""

from typing import TYPE_CHECKING

from lanterne._exports import lazy_exports
from lanterne.audit._audit import prepare, report_from_parts, run_audit
from lanterne.audit._capture import Capture, Captures, capture_schema, read_captures
from lanterne.audit._fields import CaptureLimits
from lanterne.audit._metrics import Bootstrap, Interval, gini, kl_divergence
from lanterne.audit._parquet import (
    check_table,
    first_order,
    new_coders,
    pair_codes,
    parquet_columns,
)
from lanterne.audit._parts import Items, Lists, Parts, list_blocks, n_blocks, partial, unit_kind
from lanterne.audit._report import AuditConfig, Quotas, Report
from lanterne.audit._simulate import (
    LanterneHTTP,
    Persona,
    Platform,
    Shown,
    SimulationLimits,
    check_loopback,
    read_personas,
    simulate,
    write_jsonl,
)
from lanterne.audit._weighting import Weighting
from lanterne.errors import NotLoopback
from lanterne.rejected import Rejected

if TYPE_CHECKING:
    from lanterne.audit._gaps import find_gaps, infer_source, platform_catalogue, platform_items
    from lanterne.audit._render import render_body, render_html
    from lanterne.audit._rights import ItemRights, PlatformRights, read_rights
else:
    # The report's charts load matplotlib, the gaps the profile: what does not draw a report
    # or count gaps (every command's --help reading the weightings) does not pay for them.
    __getattr__ = lazy_exports(
        __name__,
        {
            "._gaps": ("find_gaps", "infer_source", "platform_catalogue", "platform_items"),
            "._render": ("render_body", "render_html"),
            "._rights": ("ItemRights", "PlatformRights", "read_rights"),
        },
    )

__all__ = [
    "AuditConfig",
    "Bootstrap",
    "Capture",
    "CaptureLimits",
    "Captures",
    "Interval",
    "ItemRights",
    "Items",
    "LanterneHTTP",
    "Lists",
    "NotLoopback",
    "Parts",
    "Persona",
    "Platform",
    "PlatformRights",
    "Quotas",
    "Rejected",
    "Report",
    "Shown",
    "SimulationLimits",
    "Weighting",
    "capture_schema",
    "check_loopback",
    "check_table",
    "find_gaps",
    "first_order",
    "gini",
    "infer_source",
    "kl_divergence",
    "list_blocks",
    "n_blocks",
    "new_coders",
    "pair_codes",
    "parquet_columns",
    "partial",
    "platform_catalogue",
    "platform_items",
    "prepare",
    "read_captures",
    "read_personas",
    "read_rights",
    "render_body",
    "render_html",
    "report_from_parts",
    "run_audit",
    "simulate",
    "unit_kind",
    "write_jsonl",
]
