"""Exposure observatory: audit what a platform shows (docs/audit.md)."""

from typing import TYPE_CHECKING

from lanterne._exports import lazy_exports
from lanterne.audit._audit import run_audit
from lanterne.audit._capture import Capture, Captures, capture_schema, read_captures
from lanterne.audit._metrics import Bootstrap, Interval, gini, kl_divergence
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
    "Captures",
    "Interval",
    "ItemRights",
    "LanterneHTTP",
    "NotLoopback",
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
    "find_gaps",
    "gini",
    "infer_source",
    "kl_divergence",
    "platform_catalogue",
    "platform_items",
    "read_captures",
    "read_personas",
    "read_rights",
    "render_body",
    "render_html",
    "run_audit",
    "simulate",
    "write_jsonl",
]
