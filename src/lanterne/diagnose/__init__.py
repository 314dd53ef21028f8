"""Discoverability diagnosis: per-record targets and score, the next best action, reports."""

from typing import TYPE_CHECKING

from lanterne._exports import lazy_exports
from lanterne.diagnose._diagnosis import apply_action, compare, diagnose, next_best_action, targets
from lanterne.diagnose._language import detect_language
from lanterne.diagnose._registry import Fix, Rule, fixes, register_fix, register_rule, rules
from lanterne.diagnose._report import CatalogueReport, ReportBuilder, build_report
from lanterne.diagnose._results import (
    Action,
    ArtsdataResult,
    ContentTier,
    Diagnosis,
    EdmValidity,
    Lift,
    MetadataTier,
    RichResult,
    Targets,
)
from lanterne.diagnose._targets import (
    artsdata,
    content_tier,
    europeana_edm,
    image_licence,
    licence_class,
    metadata_tier,
    rich_result,
)

if TYPE_CHECKING:
    from lanterne.diagnose._render import chromium, render_body, render_html, write_pdf
else:
    # The report's templates load jinja2: a diagnosis in JSON, or a search, does not need them.
    __getattr__ = lazy_exports(
        __name__, {"._render": ("chromium", "render_body", "render_html", "write_pdf")}
    )

__all__ = [
    "Action",
    "ArtsdataResult",
    "CatalogueReport",
    "ContentTier",
    "Diagnosis",
    "EdmValidity",
    "Fix",
    "Lift",
    "MetadataTier",
    "ReportBuilder",
    "RichResult",
    "Rule",
    "Targets",
    "apply_action",
    "artsdata",
    "build_report",
    "chromium",
    "compare",
    "content_tier",
    "detect_language",
    "diagnose",
    "europeana_edm",
    "fixes",
    "image_licence",
    "licence_class",
    "metadata_tier",
    "next_best_action",
    "register_fix",
    "register_rule",
    "render_body",
    "render_html",
    "rich_result",
    "rules",
    "targets",
    "write_pdf",
]
