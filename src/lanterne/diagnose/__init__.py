"""Discoverability diagnosis: per-record targets and score, the next best action, reports."""

from lanterne.diagnose._diagnosis import apply_action, compare, diagnose, next_best_action, targets
from lanterne.diagnose._language import detect_language
from lanterne.diagnose._registry import Fix, Rule, fixes, register_fix, register_rule, rules
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

__all__ = [
    "Action",
    "ArtsdataResult",
    "ContentTier",
    "Diagnosis",
    "EdmValidity",
    "Fix",
    "Lift",
    "MetadataTier",
    "RichResult",
    "Rule",
    "Targets",
    "apply_action",
    "artsdata",
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
    "rich_result",
    "rules",
    "targets",
]
