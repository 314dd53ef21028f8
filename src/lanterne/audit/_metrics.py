"""Exposure metrics over captured lists, with bootstrap confidence intervals; the statistics of
exposure (Gini, KL divergence, entropy) that the recommender's evaluation also reports live here,
so that an auditor never depends on what it audits.

Every share is a ratio of sums over lists (exposure of a group / all exposure), so a bootstrap
resamples *units* (personas when there are enough of them, since one persona's lists are not
independent; lists otherwise, gathered into at most ``MAX_UNITS`` random blocks of equal size,
whose totals are independent) and recomputes the ratio from the units' sums: 1,000 resamples of
a million lists cost one matrix product.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import msgspec
import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

MAX_UNITS = 10_000
MIN_PERSONAS = 30


class Interval(msgspec.Struct, frozen=True):
    value: float
    low: float
    high: float


def units_for(list_persona: Ints, n_personas: int, rng: np.random.Generator) -> tuple[Ints, str]:
    """The resampling unit of each list: its persona, or a random block of lists."""
    if n_personas >= MIN_PERSONAS:
        return list_persona.astype(np.int64), "persona"
    n = len(list_persona)
    blocks = min(n, MAX_UNITS)
    return (rng.permutation(n) % blocks).astype(np.int64), "list"


class Bootstrap:
    """Resampling weights over units, drawn once and shared by every metric of a report."""

    def __init__(self, n_units: int, resamples: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.resamples = resamples if n_units else 0
        self.counts = np.zeros((0, n_units))
        if self.resamples:
            # Each resample draws n units with replacement; counts[b, u] = times u was drawn.
            draws = rng.integers(0, n_units, size=(resamples, n_units), dtype=np.int64)
            draws += (np.arange(resamples, dtype=np.int64) * n_units)[:, None]
            self.counts = (
                np.bincount(draws.ravel(), minlength=resamples * n_units)
                .reshape(resamples, n_units)
                .astype(np.float64)
            )

    def ratio(self, numerator: Floats, denominator: Floats, level: float = 0.95) -> Interval:
        """Σ numerator / Σ denominator over units, with a percentile interval."""
        total = float(denominator.sum())
        value = float(numerator.sum()) / total if total else math.nan
        if self.resamples == 0 or not total:
            return Interval(value, value, value)
        num = self.counts @ numerator
        den = self.counts @ denominator
        reps = np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0)
        tail = (1.0 - level) / 2.0
        low, high = np.nanquantile(reps, [tail, 1.0 - tail])
        return Interval(value, float(low), float(high))

    def mean(self, values: Floats, level: float = 0.95) -> Interval:
        return self.ratio(values, np.ones(len(values)), level)


def per_unit(unit: Ints, values: Floats, n_units: int) -> Floats:
    return np.bincount(unit, weights=values, minlength=n_units).astype(np.float64)


def genre_distribution(genres: Sequence[Iterable[str]], values: Sequence[str]) -> Floats:
    """Items × genre values: an item's genres share its weight (rows sum to 1, or 0)."""
    index = {g: k for k, g in enumerate(values)}
    out = np.zeros((len(genres), len(values)))
    for i, item_genres in enumerate(genres):
        present = [index[g] for g in item_genres]
        if present:
            out[i, present] = 1.0 / len(present)
    return out


def grouped_sums(
    groups: Ints, item: Ints, weights: Floats | None, matrix: Floats, n_groups: int
) -> Floats:
    """Per group, Σ weight × matrix[item] over the rows of each group, column by column (no
    rows × columns copy: ten million rows stay ten million numbers at a time)."""
    out = np.zeros((n_groups, matrix.shape[1]))
    for col in range(matrix.shape[1]):
        column = matrix[item, col] if weights is None else weights * matrix[item, col]
        out[:, col] = np.bincount(groups, weights=column, minlength=n_groups)
    return out


def lorenz(values: Floats, points: int = 101) -> tuple[list[float], list[float]]:
    """The Lorenz curve: share of items (poorest first) → share of exposure."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    if len(v) == 0 or v.sum() == 0:
        return [0.0, 1.0], [0.0, 1.0]
    cumulative = np.concatenate([[0.0], np.cumsum(v) / v.sum()])
    x = np.linspace(0.0, 1.0, points)
    y = np.interp(x, np.linspace(0.0, 1.0, len(cumulative)), cumulative)
    return [float(a) for a in x], [float(b) for b in y]


def gini(values: Floats) -> float:
    """Gini coefficient of non-negative values (0: all equal; → 1: all on one)."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    n = len(v)
    total = v.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2.0 * (ranks * v).sum()) / (n * total) - (n + 1.0) / n)


def kl_divergence(p: Floats, q: Floats, alpha: float) -> Floats:
    """KL(p ‖ (1 − α)q + αp) along the last axis (Steck's smoothing keeps it finite)."""
    smoothed = (1.0 - alpha) * q + alpha * p
    p = np.broadcast_to(p, smoothed.shape)
    ratio = np.divide(p, smoothed, out=np.ones_like(smoothed), where=(p > 0) & (smoothed > 0))
    terms = p * np.log(ratio)
    return np.asarray(terms.sum(axis=-1), dtype=np.float64)


def entropy(values: Floats) -> float:
    """Shannon entropy (bits) of the exposure distribution."""
    total = float(values.sum())
    if total == 0:
        return 0.0
    p = values[values > 0] / total
    return float(-(p * np.log2(p)).sum())


def slope(x: Floats, y: Floats) -> float:
    """Least-squares slope of y on x (0 with fewer than two distinct x)."""
    if len(x) < 2 or np.ptp(x) == 0:
        return 0.0
    xc = x - x.mean()
    return float((xc * (y - y.mean())).sum() / (xc * xc).sum())


def permutation_test(a: Floats, b: Floats, rounds: int, seed: int) -> float:
    """Two-sided p-value of the difference of means of a and b (label permutations)."""
    if len(a) == 0 or len(b) == 0:
        return math.nan
    rng = np.random.default_rng(seed)
    observed = abs(a.mean() - b.mean())
    pooled = np.concatenate([a, b])
    n, total = len(a), float(pooled.sum())
    hits = 0
    for start in range(0, rounds, 100):  # 100 permutations at a time
        size = min(100, rounds - start)
        shuffled = rng.permuted(np.broadcast_to(pooled, (size, len(pooled))), axis=1)
        first = shuffled[:, :n].sum(axis=1)
        diff = np.abs(first / n - (total - first) / (len(pooled) - n))
        hits += int((diff >= observed - 1e-12).sum())
    return (hits + 1) / (rounds + 1)


def slopes(values: Floats) -> Floats:
    """Per row, the least-squares slope of the non-missing values on their column index."""
    x = np.broadcast_to(np.arange(values.shape[1], dtype=np.float64), values.shape)
    ok = ~np.isnan(values)
    n = ok.sum(axis=1)
    y = np.where(ok, values, 0.0)
    xs = np.where(ok, x, 0.0)
    mx = np.divide(xs.sum(axis=1), n, out=np.zeros(len(n)), where=n > 0)
    my = np.divide(y.sum(axis=1), n, out=np.zeros(len(n)), where=n > 0)
    dx = np.where(ok, x - mx[:, None], 0.0)
    sxx = (dx * dx).sum(axis=1)
    sxy = (dx * (y - my[:, None]) * ok).sum(axis=1)
    return np.asarray(np.divide(sxy, sxx, out=np.zeros(len(n)), where=sxx > 0), dtype=np.float64)
