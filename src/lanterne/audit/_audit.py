"""One audit: captures (and a catalogue) in, a reproducible report out."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import msgspec
import numpy as np
import numpy.typing as npt

from lanterne.audit._capture import Captures
from lanterne.audit._metrics import (
    Bootstrap,
    Interval,
    Weighting,
    entropy,
    lorenz,
    per_unit,
    permutation_test,
    slopes,
    units_for,
)
from lanterne.recommend._metrics import gini

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


class Drift(msgspec.Struct, kw_only=True):
    metric: str
    slope: Interval
    """Mean per-persona change per session (non-control personas)."""
    control_slope: Interval | None
    p_value: float | None
    """Permutation test: treated vs control slopes."""
    by_session: list[float]
    by_session_low: list[float]
    by_session_high: list[float]
    control_by_session: list[float]


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
    values = sorted({g for gs in genres for g in gs})
    index = {g: k for k, g in enumerate(values)}
    features = np.zeros((len(captures.items), len(values)))
    for i, gs in enumerate(genres):
        for g in gs:
            features[i, index[g]] = 1.0
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    features = np.divide(features, norms, out=np.zeros_like(features), where=norms > 0)
    # Mean pairwise cosine per list = (‖Σ f‖² − Σ ‖f‖²) / (n (n − 1)).
    n_lists = int(lst.max()) + 1
    square = np.zeros(n_lists)
    for col in range(len(values)):
        column = np.bincount(lst, weights=features[item, col], minlength=n_lists)
        square += column * column
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
    index = {g: k for k, g in enumerate(values)}
    dist = np.zeros((len(captures.items), len(values)))
    for i, name in enumerate(captures.items):
        gs = _genres(name, captures, lookup, catalogue_items)
        for g in gs:
            dist[i, index[g]] = 1.0 / len(gs)
    persona = a["list_persona"][a["list"]]
    n_p = len(captures.personas)
    shown = np.zeros((n_p, len(values)))
    for col in range(len(values)):
        shown[:, col] = np.bincount(persona, weights=w * dist[a["item"], col], minlength=n_p)
    scores = []
    for p, name in enumerate(captures.personas):
        history = histories.get(name)
        if not history or shown[p].sum() == 0:
            continue
        hist = np.zeros(len(values))
        for item in history:
            gs = _genres(item, captures, lookup, catalogue_items)
            for g in gs:
                hist[index[g]] += 1.0 / len(gs)
        if hist.sum() == 0:
            continue
        pdist = hist / hist.sum()
        q = (1 - alpha) * shown[p] / shown[p].sum() + alpha * pdist
        nz = pdist > 0
        scores.append(float((pdist[nz] * np.log(pdist[nz] / q[nz])).sum()))
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


def _genre_entropy(
    captures: Captures, item: Ints, cells: Ints, w: Floats, n_p: int, n_sessions: int
) -> Floats | None:
    """Per persona and session, the entropy (bits) of the genres shown, prominence-weighted: a
    persona whose home narrows to one genre drifts towards 0."""
    genres = [captures.item_attributes.get(i, {}).get("genre", set()) for i in captures.items]
    values = sorted({g for gs in genres for g in gs})
    if not values:
        return None
    index = {g: k for k, g in enumerate(values)}
    dist = np.zeros((len(captures.items), len(values)))
    for i, gs in enumerate(genres):
        for g in gs:
            dist[i, index[g]] = 1.0 / len(gs)
    mass = np.zeros((n_p * n_sessions, len(values)))
    for col in range(len(values)):
        mass[:, col] = np.bincount(cells, weights=w * dist[item, col], minlength=n_p * n_sessions)
    total = mass.sum(axis=1, keepdims=True)
    p = np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)
    logs = np.log2(p, out=np.zeros_like(p), where=p > 0)
    entropy_bits = -(p * logs).sum(axis=1)
    entropy_bits[total[:, 0] == 0] = np.nan
    return np.asarray(entropy_bits.reshape(n_p, n_sessions), dtype=np.float64)


def _drift(
    captures: Captures, a: dict[str, Ints], member: dict[str, Bools], w: Floats, config: AuditConfig
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
    out: list[Drift] = []
    cells = persona * n_sessions + row_session
    den = np.bincount(cells, weights=w, minlength=n_p * n_sessions).reshape(n_p, n_sessions)
    matrices: list[tuple[str, Floats]] = []
    for group in ("european-or-eof=true", "european=true", "eof=true"):
        if group in member:
            m = member[group][item]
            num = np.bincount(cells, weights=w * m, minlength=n_p * n_sessions)
            num = num.reshape(n_p, n_sessions)
            matrices.append(
                (group, np.divide(num, den, out=np.full_like(num, np.nan), where=den > 0))
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
        ctrl_means = [
            float(np.nanmean(share[control, s])) if control.any() else math.nan
            for s in range(n_sessions)
        ]
        out.append(
            Drift(
                metric=group,
                slope=boot_t.mean(treated, config.level),
                control_slope=boot_c.mean(ctrl, config.level) if boot_c else None,
                p_value=permutation_test(treated, ctrl, config.permutations, config.seed)
                if len(ctrl)
                else None,
                by_session=means,
                by_session_low=lows,
                by_session_high=highs,
                control_by_session=ctrl_means,
            )
        )
    return out


def _pct(x: float) -> str:
    return "—" if x is None or math.isnan(x) else f"{100 * x:.1f} %"


def summarise(report: Report) -> dict[str, list[str]]:
    """Plain-language sentences, French and English."""
    fr: list[str] = []
    en: list[str] = []
    c = report.counts
    fr.append(
        f"{c['lists']} listes vues par {c['personas']} profils ({c['rows_used']} emplacements ; "
        f"{c['rows_rejected']} lignes écartées)."
    )
    en.append(
        f"{c['lists']} lists seen by {c['personas']} personas ({c['rows_used']} slots; "
        f"{c['rows_rejected']} rows rejected)."
    )
    for s in report.shares.get("all", []):
        if s.group in ("european=true", "eof=true"):
            name_fr = (
                "européennes"
                if s.group.startswith("european")
                else "d'expression originale française"
            )
            name_en = "European" if s.group.startswith("european") else "original French-language"
            if not s.known:
                fr.append(f"Œuvres {name_fr} : attribut inconnu pour toutes les œuvres montrées.")
                en.append(f"{name_en} works: attribute unknown for every work shown.")
                continue
            fr.append(
                f"Œuvres {name_fr} : {_pct(s.exposure.value)} de l'exposition pondérée "
                "par la place "
                f"(intervalle {_pct(s.exposure.low)} – {_pct(s.exposure.high)})"
                + (f", {_pct(s.catalogue)} du catalogue." if s.catalogue is not None else ".")
            )
            en.append(
                f"{name_en} works: {_pct(s.exposure.value)} of position-weighted exposure "
                f"(interval {_pct(s.exposure.low)}–{_pct(s.exposure.high)})"
                + (f", {_pct(s.catalogue)} of the catalogue." if s.catalogue is not None else ".")
            )
    words_fr = {
        "met": "respecté",
        "not met": "non respecté",
        "uncertain": "incertain",
        "no data": "pas de données",
    }
    for v in report.verdicts:
        if v.verdict == "no data":
            continue
        assert v.value is not None
        fr.append(
            f"Règle {v.rule} (seuil {_pct(v.threshold)}) : {words_fr[v.verdict]}"
            f" ({_pct(v.value.value)})."
        )
        en.append(
            f"Rule {v.rule} (threshold {_pct(v.threshold)}): {v.verdict} ({_pct(v.value.value)})."
        )
    fr.append(
        f"Concentration de l'exposition : Gini {report.exposure_gini:.2f}"
        " (0 égale, 1 sur une seule œuvre)."
    )
    en.append(
        f"Exposure concentration: Gini {report.exposure_gini:.2f} (0 even, 1 all on one work)."
    )
    for d in report.drift[:1]:
        direction_fr = (
            "baisse"
            if d.slope.high < 0
            else "hausse"
            if d.slope.low > 0
            else "pas de tendance nette"
        )
        direction_en = (
            "falls" if d.slope.high < 0 else "rises" if d.slope.low > 0 else "no clear trend"
        )
        fr.append(
            f"Au fil des sessions, la part {d.metric} : {direction_fr}"
            f" ({100 * d.slope.value:+.2f} points par session"
            + (
                f", p = {d.p_value:.3f} contre les profils témoins)."
                if d.p_value is not None
                else ")."
            )
        )
        en.append(
            f"Across sessions, the {d.metric} share {direction_en}"
            f" ({100 * d.slope.value:+.2f} points per session"
            + (
                f", p = {d.p_value:.3f} against control personas)."
                if d.p_value is not None
                else ")."
            )
        )
    return {"fr": fr, "en": en}
