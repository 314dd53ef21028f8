"""One audit: captures (and a catalogue) in, a reproducible report out."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import msgspec
import numpy as np
import numpy.typing as npt

from lanterne.audit._capture import Captures
from lanterne.audit._drift import Drift, _drift
from lanterne.audit._metrics import (
    Bootstrap,
    Interval,
    Weighting,
    entropy,
    genre_distribution,
    grouped_sums,
    lorenz,
    per_unit,
    units_for,
)
from lanterne.audit._summary import summarise
from lanterne.recommend._metrics import gini
from lanterne.recommend._rerank import _kl

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

TRUE = frozenset({"true", "1", "yes", "oui", "vrai"})


class Quotas(msgspec.Struct, frozen=True, kw_only=True):
    """Thresholds of the verdicts (French SMAD rules by default: décret 2021-793)."""

    catalogue_european: float = 0.6
    catalogue_eof: float = 0.4
    home: float = 0.5
    """European or EOF share of the home surface's prominence-weighted slots ("a substantial
    proportion": the figure is a parameter, not in the decree)."""
    home_surface: str = "home"


class AuditConfig(msgspec.Struct, frozen=True, kw_only=True):
    weighting: Weighting = Weighting()
    quotas: Quotas = Quotas()
    resamples: int = 1000
    level: float = 0.95
    seed: int = 0
    permutations: int = 1000
    groups: tuple[str, ...] = (
        "european=true",
        "eof=true",
        "francophone=true",
        "independent=true",
    )


class Share(msgspec.Struct, kw_only=True):
    group: str
    exposure: Interval
    """Share of the prominence-weighted slots."""
    slots: float
    """Share of slots, unweighted."""
    catalogue: float | None = None
    """Share among the catalogue's works whose attribute is known."""
    known: float
    """Share of the slots whose item has this attribute at all."""


class Verdict(msgspec.Struct, kw_only=True):
    rule: str
    threshold: float
    value: Interval | None
    verdict: str
    """``met``, ``not met`` (the interval lies below), ``uncertain`` (it straddles) or
    ``no data``."""


class Report(msgspec.Struct, kw_only=True):
    parameters: dict[str, object]
    counts: dict[str, int]
    unit: str
    surfaces: dict[str, int]
    shares: dict[str, list[Share]]
    """Per surface (and ``all``)."""
    by_position: dict[str, list[float]]
    """Per group, its share of each position (1…), all surfaces."""
    exposure_gini: float
    exposure_entropy: float
    coverage: float | None
    long_tail_share: float
    intra_list_diversity: float | None
    miscalibration: Interval | None
    """Mean over personas of KL(p_history ‖ q̃_shown) over genres (Steck, α = 0.01)."""
    synthetic_or_unknown: Interval
    lorenz: tuple[list[float], list[float]]
    verdicts: list[Verdict]
    drift: list[Drift]
    countries: list[tuple[str, float]]
    territories: list[tuple[str, float]]
    summary: dict[str, list[str]]


def _truthy(values: set[str]) -> bool:
    return any(v.lower() in TRUE for v in values)


def item_masks(
    captures: Captures,
    groups: Sequence[str],
    lookup: Callable[[str], dict[str, set[str]]] | None = None,
) -> tuple[dict[str, Bools], dict[str, Bools]]:
    """Per group, which captured items belong and which have the attribute at all; attributes
    missing from a capture are read from ``lookup`` (a catalogue)."""
    n = len(captures.items)
    member = {g: np.zeros(n, dtype=np.bool_) for g in groups}
    known = {g: np.zeros(n, dtype=np.bool_) for g in groups}
    for i, item in enumerate(captures.items):
        attributes = captures.item_attributes.get(item, {})
        if lookup is not None:
            extra = lookup(item)
            attributes = {**extra, **attributes}
            captures.item_attributes[item] = attributes
        for g in groups:
            name, _, value = g.partition("=")
            values = attributes.get(name)
            if values is None and name == "francophone" and "language" in attributes:
                values = {
                    "true" if any(v.startswith("fr") for v in attributes["language"]) else "false"
                }
            if values is None:
                continue
            known[g][i] = True
            member[g][i] = _truthy(values) if value.lower() in TRUE else value in values
    return member, known


def run_audit(
    captures: Captures,
    config: AuditConfig | None = None,
    *,
    lookup: Callable[[str], dict[str, set[str]]] | None = None,
    catalogue_items: dict[str, dict[str, set[str]]] | None = None,
    histories: dict[str, list[str]] | None = None,
) -> Report:
    """``histories``: persona → the works it started from (or liked), for miscalibration."""
    config = config or AuditConfig()
    a = captures.arrays()
    rng = np.random.default_rng(config.seed)
    groups = list(config.groups)
    member, known = item_masks(
        captures, [*groups, "creation=synthetic", "creation=unknown"], lookup
    )
    eu, eof = member.get("european=true"), member.get("eof=true")
    either = np.zeros(len(captures.items), dtype=np.bool_)
    either_known = np.zeros(len(captures.items), dtype=np.bool_)
    if eu is not None:
        either |= eu
        either_known |= known["european=true"]
    if eof is not None:
        either |= eof
        either_known |= known["eof=true"]
    member["european-or-eof=true"], known["european-or-eof=true"] = either, either_known
    item, lst = a["item"], a["list"]
    w = config.weighting.weights(a["position"], a["row"], a["column"])
    n_lists = captures.n_lists
    unit_of_list, unit_kind = units_for(a["list_persona"], len(captures.personas), rng)
    n_units = int(unit_of_list.max()) + 1 if n_lists else 0
    boot = Bootstrap(n_units, config.resamples, config.seed)
    row_unit = unit_of_list[lst]
    row_surface = a["list_surface"][lst]

    def share(group: str, rows: Bools) -> Share:
        m = member[group][item]
        den = per_unit(row_unit[rows], w[rows], n_units)
        num = per_unit(row_unit[rows], (w * m)[rows], n_units)
        slots = float(m[rows].mean()) if rows.any() else math.nan
        return Share(
            group=group,
            exposure=boot.ratio(num, den, config.level),
            slots=slots,
            known=float(known[group][item][rows].mean()) if rows.any() else math.nan,
        )

    shares: dict[str, list[Share]] = {}
    everything = np.ones(len(item), dtype=np.bool_)
    for name, rows in [("all", everything)] + [
        (s, row_surface == k) for k, s in enumerate(captures.surfaces)
    ]:
        shares[name] = [share(g, rows) for g in [*groups, "european-or-eof=true"]]
    # Catalogue shares: among the works of the platform's catalogue whose attribute is known.
    if catalogue_items:
        for s in shares["all"]:
            name, _, value = s.group.partition("=")
            if s.group == "european-or-eof=true":
                flags = [
                    _truthy(v.get("european", set())) or _truthy(v.get("eof", set()))
                    for v in catalogue_items.values()
                    if "european" in v or "eof" in v
                ]
            else:
                flags = [
                    _truthy(v[name]) if value.lower() in TRUE else value in v[name]
                    for v in catalogue_items.values()
                    if name in v
                ]
            s.catalogue = float(np.mean(flags)) if flags else None
    # Share by position.
    max_pos = int(a["position"].max()) if len(item) else 0
    by_position: dict[str, list[float]] = {}
    for g in ("european=true", "eof=true", "european-or-eof=true"):
        if g not in member:
            continue
        m = member[g][item].astype(np.float64)
        counts = np.bincount(a["position"], minlength=max_pos + 1)[1:]
        hits = np.bincount(a["position"], weights=m, minlength=max_pos + 1)[1:]
        by_position[g] = [
            float(h / c) if c else math.nan for h, c in zip(hits, counts, strict=True)
        ]
    # Concentration over items (and the catalogue's unseen works).
    exposure = np.bincount(item, weights=w, minlength=len(captures.items))
    unseen = 0
    if catalogue_items:
        shown = set(captures.items)
        unseen = sum(1 for i in catalogue_items if i not in shown)
    full = np.concatenate([exposure, np.zeros(unseen)])
    order = np.sort(exposure)[::-1]
    head = max(1, math.ceil(0.2 * len(full)))
    long_tail = float(order[head:].sum() / order.sum()) if order.sum() else 0.0
    coverage = len(captures.items) / len(full) if catalogue_items else None
    # Intra-list diversity over genres (1 − mean pairwise cosine), when genres are known.
    ild = _ild(captures, lst, item)
    synthetic = (
        member["creation=synthetic"][item]
        | member["creation=unknown"][item]
        | ~known["creation=synthetic"][item]
    )
    synth = boot.ratio(
        per_unit(row_unit, w * synthetic, n_units), per_unit(row_unit, w, n_units), config.level
    )
    verdicts = _verdicts(config, shares, captures)
    drift = _drift(captures, a, member, w, config)
    countries = _breakdown(captures, item, w, "country")
    territories = _breakdown(captures, item, w, "territory")
    report = Report(
        parameters=msgspec.to_builtins(config),
        counts={
            "rows_read": captures.read,
            "rows_used": captures.n_rows,
            "rows_rejected": len(captures.rejected),
            "lists": n_lists,
            "personas": len(captures.personas),
            "sessions": len(captures.sessions),
            "items": len(captures.items),
            "units": n_units,
        },
        unit=unit_kind,
        surfaces={s: int((a["list_surface"] == k).sum()) for k, s in enumerate(captures.surfaces)},
        shares=shares,
        by_position=by_position,
        exposure_gini=gini(full),
        exposure_entropy=entropy(full),
        coverage=coverage,
        long_tail_share=long_tail,
        intra_list_diversity=ild,
        miscalibration=_miscalibration(captures, a, w, histories, lookup, catalogue_items, config),
        synthetic_or_unknown=synth,
        lorenz=lorenz(full),
        verdicts=verdicts,
        drift=drift,
        countries=countries,
        territories=territories,
        summary={},
    )
    report.summary = summarise(report)
    return report


def _ild(captures: Captures, lst: Ints, item: Ints) -> float | None:
    genres = [captures.item_attributes.get(i, {}).get("genre", set()) for i in captures.items]
    if not any(genres):
        return None
    features = genre_distribution(genres, sorted({g for gs in genres for g in gs}))
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    features = np.divide(features, norms, out=np.zeros_like(features), where=norms > 0)
    # Mean pairwise cosine per list = (‖Σ f‖² − Σ ‖f‖²) / (n (n − 1)).
    n_lists = int(lst.max()) + 1
    square = (grouped_sums(lst, item, None, features, n_lists) ** 2).sum(axis=1)
    self_sim = np.bincount(lst, weights=(features**2).sum(axis=1)[item], minlength=n_lists)
    n = np.bincount(lst, minlength=n_lists).astype(np.float64)
    pair = (square - self_sim) / np.maximum(n * (n - 1), 1)
    valid = n > 1
    return float(1.0 - pair[valid].mean()) if valid.any() else None


def _genres(
    item: str,
    captures: Captures,
    lookup: Callable[[str], dict[str, set[str]]] | None,
    catalogue_items: dict[str, dict[str, set[str]]] | None,
) -> set[str]:
    found = captures.item_attributes.get(item, {}).get("genre")
    if not found and catalogue_items:
        found = catalogue_items.get(item, {}).get("genre")
    if not found and lookup is not None:
        found = lookup(item).get("genre")
    return set(found or ())


def _miscalibration(
    captures: Captures,
    a: dict[str, Ints],
    w: Floats,
    histories: dict[str, list[str]] | None,
    lookup: Callable[[str], dict[str, set[str]]] | None,
    catalogue_items: dict[str, dict[str, set[str]]] | None,
    config: AuditConfig,
    alpha: float = 0.01,
) -> Interval | None:
    """How far the genres a persona was shown (prominence-weighted) are from the genres of its
    history: KL(p ‖ (1 − α)q + αp), averaged over personas with a history and genres."""
    if not histories:
        return None
    values = sorted(
        {g for i in captures.items for g in _genres(i, captures, lookup, catalogue_items)}
        | {
            g
            for items in histories.values()
            for i in items
            for g in _genres(i, captures, lookup, catalogue_items)
        }
    )
    if not values:
        return None
    dist = genre_distribution(
        [_genres(name, captures, lookup, catalogue_items) for name in captures.items], values
    )
    persona = a["list_persona"][a["list"]]
    shown = grouped_sums(persona, a["item"], w, dist, len(captures.personas))
    scores = []
    for p, name in enumerate(captures.personas):
        history = histories.get(name)
        if not history or shown[p].sum() == 0:
            continue
        hist = genre_distribution(
            [_genres(item, captures, lookup, catalogue_items) for item in history], values
        ).sum(axis=0)
        if hist.sum() == 0:
            continue
        scores.append(float(_kl(hist / hist.sum(), shown[p] / shown[p].sum(), alpha)))
    if not scores:
        return None
    values_arr = np.asarray(scores)
    return Bootstrap(len(values_arr), config.resamples, config.seed).mean(values_arr, config.level)


def _verdicts(
    config: AuditConfig, shares: dict[str, list[Share]], captures: Captures
) -> list[Verdict]:
    q = config.quotas
    out: list[Verdict] = []

    def judge(rule: str, threshold: float, value: Interval | None) -> Verdict:
        if value is None or math.isnan(value.value):
            return Verdict(rule=rule, threshold=threshold, value=None, verdict="no data")
        verdict = (
            "met"
            if value.low >= threshold
            else "not met"
            if value.high < threshold
            else "uncertain"
        )
        return Verdict(rule=rule, threshold=threshold, value=value, verdict=verdict)

    everything = {s.group: s for s in shares["all"]}
    for rule, group, threshold in (
        ("catalogue-european", "european=true", q.catalogue_european),
        ("catalogue-eof", "eof=true", q.catalogue_eof),
    ):
        s = everything.get(group)
        value = (
            None
            if s is None or s.catalogue is None
            else Interval(s.catalogue, s.catalogue, s.catalogue)
        )
        out.append(judge(rule, threshold, value))
    home = {s.group: s for s in shares.get(q.home_surface, [])}
    either = home.get("european-or-eof=true")
    out.append(judge("home-european-or-eof", q.home, either.exposure if either else None))
    return out


def _breakdown(
    captures: Captures, item: Ints, w: Floats, attribute: str, top: int = 10
) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    exposure = np.bincount(item, weights=w, minlength=len(captures.items))
    for i, name in enumerate(captures.items):
        for value in captures.item_attributes.get(name, {}).get(attribute, ()):
            totals[value] = totals.get(value, 0.0) + float(exposure[i])
    whole = float(w.sum()) or 1.0
    return sorted(((k, v / whole) for k, v in totals.items()), key=lambda kv: -kv[1])[:top]
