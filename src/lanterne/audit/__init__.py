"""Exposure observatory: audit what a platform shows (docs/audit.md)."""

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
    simulate,
    write_jsonl,
)
from lanterne.audit._weighting import Weighting
from lanterne.errors import NotLoopback
from lanterne.rejected import Rejected

__all__ = [
    "AuditConfig",
    "Bootstrap",
    "Capture",
    "Captures",
    "Interval",
    "LanterneHTTP",
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
    "kl_divergence",
    "read_captures",
    "run_audit",
    "simulate",
    "write_jsonl",
]
