"""Drift and filter bubbles: how what each persona is shown changes over its sessions."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from lanterne.audit._capture import Captures
from lanterne.audit._metrics import (
    Bootstrap,
    genre_distribution,
    grouped_sums,
    permutation_test,
    slopes,
)
from lanterne.audit._report import AuditConfig, Drift

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def _genre_entropy(
    captures: Captures, item: Ints, cells: Ints, w: Floats, n_p: int, n_sessions: int
) -> Floats | None:
    """Per persona and session, the entropy (bits) of the genres shown, prominence-weighted: a
    persona whose home narrows to one genre drifts towards 0."""
    genres = [captures.item_attributes.get(i, {}).get("genre", set()) for i in captures.items]
    values = sorted({g for gs in genres for g in gs})
    if not values:
        return None
    dist = genre_distribution(genres, values)
    mass = grouped_sums(cells, item, w, dist, n_p * n_sessions)
    total = mass.sum(axis=1, keepdims=True)
    p = np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)
    logs = np.log2(p, out=np.zeros_like(p), where=p > 0)
    entropy_bits = -(p * logs).sum(axis=1)
    entropy_bits[total[:, 0] == 0] = np.nan
    return np.asarray(entropy_bits.reshape(n_p, n_sessions), dtype=np.float64)


def _drift(
    captures: Captures,
    a: dict[str, Ints],
    member: dict[str, Bools],
    known: dict[str, Bools],
    w: Floats,
    config: AuditConfig,
) -> list[Drift]:
    """Per persona and session: the protected share of what it was shown; its trend over
    sessions (slope per session), against control personas."""
    lst, item = a["list"], a["item"]
    persona = a["list_persona"][lst]
    n_p = len(captures.personas)
    # Each persona's sessions numbered in the order of their first list (timestamps order lists).
    times = np.asarray(captures.list_times)
    order = np.argsort(times, kind="stable")
    pair = a["list_persona"] * (len(captures.sessions) + 1) + a["list_session"]
    pairs, first = np.unique(pair[order], return_index=True)
    pair_persona = pairs // (len(captures.sessions) + 1)
    by = np.lexsort((first, pair_persona))  # pairs sorted by persona, then first appearance
    starts = np.searchsorted(pair_persona[by], pair_persona[by], side="left")
    rank_sorted = np.arange(len(by)) - starts
    rank = np.empty(len(by), dtype=np.int64)
    rank[by] = rank_sorted
    list_session_index = rank[np.searchsorted(pairs, pair)]
    row_session = list_session_index[lst]
    n_sessions = int(row_session.max()) + 1 if len(row_session) else 0
    if n_sessions < 2:
        return []
    control = np.array([g == "control" for g in captures.persona_group], dtype=np.bool_)
    if control.all():
        return []  # only controls: no treated trend to measure (and no NaN in the report)
    out: list[Drift] = []
    cells = persona * n_sessions + row_session
    den = np.bincount(cells, weights=w, minlength=n_p * n_sessions).reshape(n_p, n_sessions)
    matrices: list[tuple[str, Floats]] = []
    for group in ("european-or-eof=true", "european=true", "eof=true"):
        k = known[group][item]
        if not k.any():
            continue  # never known: no trend to draw, rather than a flat 0 %
        m = member[group][item]
        num = np.bincount(cells, weights=w * m, minlength=n_p * n_sessions)
        num = num.reshape(n_p, n_sessions)
        seen_w = np.bincount(cells, weights=w * k, minlength=n_p * n_sessions)
        seen_w = seen_w.reshape(n_p, n_sessions)
        matrices.append(
            (group, np.divide(num, den, out=np.full_like(num, np.nan), where=seen_w > 0))
        )
    diversity = _genre_entropy(captures, item, cells, w, n_p, n_sessions)
    if diversity is not None:
        matrices.append(("genre-entropy", diversity))
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
