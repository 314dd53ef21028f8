"""Drift and filter bubbles: how what each persona is shown changes over its sessions."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from lanterne.audit._metrics import Bootstrap, permutation_test, slopes
from lanterne.audit._parts import QUOTA_GROUPS, Parts
from lanterne.audit._report import AuditConfig, Drift

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def drift_from_cells(parts: Parts, persona_group: list[str], config: AuditConfig) -> list[Drift]:
    """Per persona and session: the protected share of what it was shown; its trend over
    sessions (slope per session), against control personas. Each persona's sessions are
    numbered in the order of their first list (by time, then reading order)."""
    persona = parts.cell_persona
    n_p = len(persona_group)
    time = np.asarray(parts.cell_time, dtype=np.str_)
    by = np.lexsort((parts.cell_order, time, persona))
    starts = np.searchsorted(persona[by], persona[by], side="left")
    rank = np.empty(len(by), dtype=np.int64)
    rank[by] = np.arange(len(by)) - starts
    n_sessions = int(rank.max()) + 1 if len(rank) else 0
    if n_sessions < 2:
        return []
    control = np.array([g == "control" for g in persona_group], dtype=np.bool_)
    if control.all():
        return []  # only controls: no treated trend to measure (and no NaN in the report)
    out: list[Drift] = []
    cells = persona * n_sessions + rank

    def matrix(values: Floats, fill: float = 0.0) -> Floats:
        m = np.full(n_p * n_sessions, fill)
        m[cells] = values
        return m.reshape(n_p, n_sessions)

    den = matrix(parts.cell_weight)
    matrices: list[tuple[str, Floats]] = []
    for group in ("european-or-eof=true", "european=true", "eof=true"):
        q = QUOTA_GROUPS.index(group)
        if not parts.quota_seen[q]:
            continue  # never known: no trend to draw, rather than a flat 0 %
        num = matrix(parts.cell_hits[q])
        seen_w = matrix(parts.cell_seen[q])
        matrices.append(
            (group, np.divide(num, den, out=np.full_like(num, np.nan), where=seen_w > 0))
        )
    if not np.isnan(parts.cell_entropy).all():
        matrices.append(("genre-entropy", matrix(parts.cell_entropy, np.nan)))
    for group, share in matrices:
        per_persona = slopes(share)
        treated = per_persona[~control]
        ctrl = per_persona[control]
        boot_t = Bootstrap(len(treated), config.resamples, config.seed)
        boot_c = Bootstrap(len(ctrl), config.resamples, config.seed + 1) if len(ctrl) else None
        # Session means with intervals (over treated personas; one set of resamples for all).
        means, lows, highs = [], [], []
        for s in range(n_sessions):
            col = share[~control, s]
            seen = (~np.isnan(col)).astype(np.float64)
            iv = boot_t.ratio(np.nan_to_num(col), seen, config.level)
            means.append(iv.value)
            lows.append(iv.low)
            highs.append(iv.high)
        ctrl_means: list[float | None] = []
        for s in range(n_sessions):
            col = share[control, s]
            col = col[~np.isnan(col)]
            ctrl_means.append(float(col.mean()) if len(col) else None)
        out.append(
            Drift(
                metric=group,
                slope=boot_t.mean(treated, config.level),
                control_slope=boot_c.mean(ctrl, config.level) if boot_c else None,
                p_value=permutation_test(treated, ctrl, config.permutations, config.seed)
                if len(ctrl)
                else None,
                by_session=_missing(means),
                by_session_low=_missing(lows),
                by_session_high=_missing(highs),
                control_by_session=ctrl_means,
            )
        )
    return out


def _missing(values: list[float]) -> list[float | None]:
    """NaN as ``None``: JSON has no NaN, and a report must read back."""
    return [None if math.isnan(v) else v for v in values]
