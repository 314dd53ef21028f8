"""Exposure observatory: audit what a platform shows (docs/audit.md)."""

from lanterne.audit._audit import AuditConfig, Quotas, Report, run_audit
from lanterne.audit._capture import Capture, Captures, capture_schema, read_captures
from lanterne.audit._metrics import Bootstrap, Interval, Weighting
from lanterne.audit._simulate import (
    LanterneHTTP,
    LanterneLocal,
    Persona,
    Platform,
    Shown,
    SimulationLimits,
    check_loopback,
    simulate,
    write_jsonl,
)
from lanterne.errors import NotLoopback
from lanterne.recommend._data import Rejected
from lanterne.recommend._metrics import gini

__all__ = [
    "AuditConfig",
    "Bootstrap",
    "Capture",
    "Captures",
    "Interval",
    "LanterneHTTP",
    "LanterneLocal",
    "NotLoopback",
    "Persona",
    "Platform",
    "Quotas",
    "Rejected",
    "Report",
    "Shown",
    "SimulationLimits",
    "Weighting",
    "capture_schema",
    "check_loopback",
    "gini",
    "read_captures",
    "run_audit",
    "simulate",
    "write_jsonl",
]
