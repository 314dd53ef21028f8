"""One audit: captures (and a catalogue) in, a reproducible report out."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import msgspec
import numpy as np
import numpy.typing as npt

from lanterne.audit._capture import Captures
from lanterne.audit._drift import drift_from_cells
from lanterne.audit._metrics import (
    Bootstrap,
    Interval,
    entropy,
    genre_distribution,
    gini,
    kl_divergence,
    lorenz,
)
from lanterne.audit._parts import (
    QUOTA_GROUPS,
    Items,
    Lists,
    Parts,
    list_blocks,
    n_blocks,
    partial,
    unit_kind,
)
from lanterne.audit._report import (
    AuditConfig,
    Compliance,
    Join,
    Report,
    Share,
    Verdict,
)
from lanterne.audit._summary import summarise

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

TRUE = frozenset({"true", "1", "yes", "oui", "vrai"})
RULE_GROUPS = ("european=true", "eof=true")
"""The quota rules read these whatever groups a report shows."""
HISTOGRAM_BINS = 10

Lookup = Callable[[str], dict[str, set[str]] | None]
"""A catalogue: an id → the work's attributes, or ``None`` when it has no such work."""


def resolve(item: str, source: str | None) -> str:
    """The catalogue id of a captured id: with ``source``, a raw ``194`` is ``vod:194``."""
    if source is None or item.startswith(f"{source}:"):
        return item
    return f"{source}:{item}"


def find(lookup: Lookup, item: str, source: str | None) -> dict[str, set[str]] | None:
    """The attributes of a captured id: read as ``source``'s first, else as a full id."""
    found = lookup(resolve(item, source))
    if found is None and source is not None and resolve(item, source) != item:
        found = lookup(item)
    return found


def _truthy(values: set[str]) -> bool:
    return any(v.lower() in TRUE for v in values)


def item_masks(
    captures: Captures,
    groups: Sequence[str],
    lookup: Lookup | None = None,
    source: str | None = None,
) -> tuple[dict[str, Bools], dict[str, Bools], list[str]]:
    """Per group, which captured items belong and which have the attribute at all; attributes
    missing from a capture are read from ``lookup`` (a catalogue, raw ids read as ``source``'s);
    the captured ids the catalogue does not have."""
    n = len(captures.items)
    member = {g: np.zeros(n, dtype=np.bool_) for g in groups}
    known = {g: np.zeros(n, dtype=np.bool_) for g in groups}
    unmatched: list[str] = []
    for i, item in enumerate(captures.items):
        attributes = captures.item_attributes.get(item, {})
        if lookup is not None:
            extra = find(lookup, item, source)
            if extra is None:
                unmatched.append(item)
                extra = {}
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
    return member, known, unmatched


def complete_catalogue(
    items: dict[str, dict[str, set[str]]], lookup: Lookup, source: str | None
) -> tuple[dict[str, dict[str, set[str]]], int]:
    """A platform catalogue whose ids come without attributes (one id per line) takes them
    from the Lanterne catalogue; the completed copy and how many ids the catalogue has."""
    out: dict[str, dict[str, set[str]]] = {}
    found = 0
    for item, attributes in items.items():
        extra = find(lookup, item, source)
        if extra is not None:
            found += 1
        out[item] = {**(extra or {}), **attributes}
    return out, found


def prepare(
    captures: Captures,
    config: AuditConfig,
    *,
    lookup: Lookup | None = None,
    source: str | None = None,
    catalogue_items: dict[str, dict[str, set[str]]] | None = None,
    histories: dict[str, list[str]] | None = None,
) -> tuple[Items, Join | None, dict[str, dict[str, set[str]]] | None]:
    """What each captured item counts as (``captures`` needs only its items and their
    attributes, which the catalogue completes), how the items met the catalogue, and the
    platform catalogue completed from it."""
    groups = list(config.groups)
    wanted = list(dict.fromkeys([*groups, *RULE_GROUPS, "creation=synthetic", "creation=unknown"]))
    member, known, unmatched = item_masks(captures, wanted, lookup, source)
    join = None
    if lookup is not None:
        join, catalogue_items = _join(captures, unmatched, lookup, source, catalogue_items)
    _add_european_or_eof(member, known)
    genres = [captures.item_attributes.get(i, {}).get("genre", set()) for i in captures.items]
    values = sorted({g for gs in genres for g in gs})
    genre_dist = genre_distribution(genres, values) if values else None
    taste, taste_values = _tastes(captures, histories, lookup, catalogue_items)
    items = Items(
        list(captures.items),
        member,
        known,
        [*groups, "european-or-eof=true"],
        genre_dist,
        taste,
        taste_values,
    )
    return items, join, catalogue_items


def run_audit(
    captures: Captures,
    config: AuditConfig | None = None,
    *,
    lookup: Lookup | None = None,
    source: str | None = None,
    catalogue_items: dict[str, dict[str, set[str]]] | None = None,
    histories: dict[str, list[str]] | None = None,
) -> Report:
    """``lookup``: the Lanterne catalogue, for attributes a capture lacks (raw ids read as
    ``source``'s, ``194`` → ``vod:194``); ``catalogue_items``: the platform's catalogue (ids
    without attributes take them from ``lookup``); ``histories``: persona → the works it
    started from (or liked), for miscalibration."""
    config = config or AuditConfig()
    items, join, catalogue_items = prepare(
        captures,
        config,
        lookup=lookup,
        source=source,
        catalogue_items=catalogue_items,
        histories=histories,
    )
    a = captures.arrays()
    n_lists, n_personas = captures.n_lists, len(captures.personas)
    kind = unit_kind(n_personas)
    if kind == "persona":
        unit, n_units = a["list_persona"], n_personas
    else:
        keys = [
            (
                captures.platforms[p],
                captures.surfaces[s],
                captures.personas[q],
                captures.sessions[t],
                time,
            )
            for (p, s, q, t), time in zip(
                np.stack(
                    [a["list_platform"], a["list_surface"], a["list_persona"], a["list_session"]],
                    axis=1,
                ).tolist(),
                captures.list_times,
                strict=True,
            )
        ]
        n_units = n_blocks(n_lists)
        unit = list_blocks(keys, config.seed, n_units) if n_lists else a["list_persona"]
    lists = Lists(
        a["list_surface"],
        a["list_persona"],
        a["list_session"],
        unit.astype(np.int64),
        captures.list_times,
        np.arange(n_lists, dtype=np.int64),
    )
    home = config.quotas.home_surface
    parts = partial(
        {k: a[k] for k in ("item", "list", "position", "row", "column")},
        lists,
        items,
        config,
        n_units=n_units,
        n_personas=n_personas,
        n_surfaces=len(captures.surfaces),
        home=captures.surfaces.index(home) if home in captures.surfaces else None,
    )
    return report_from_parts(
        parts,
        items,
        config,
        captures=captures,
        kind=kind,
        sessions=len(captures.sessions),
        rejected=len(captures.rejected),
        source=source,
        catalogue_items=catalogue_items,
        histories=histories,
        lookup=lookup,
        join=join,
    )


def report_from_parts(
    parts: Parts,
    items: Items,
    config: AuditConfig,
    *,
    captures: Captures,
    kind: str,
    sessions: int,
    rejected: int,
    source: str | None = None,
    catalogue_items: dict[str, dict[str, set[str]]] | None = None,
    histories: dict[str, list[str]] | None = None,
    lookup: Lookup | None = None,
    join: Join | None = None,
) -> Report:
    """The report drawn from the merged parts. ``captures`` names the personas (with their
    group), surfaces and items the parts' codes index, and holds the items' attributes and
    the rows read; it needs no rows."""
    # Units no list fell in (blocks a hash left empty) are not units.
    present = parts.lists_per_unit > 0
    n_units = int(present.sum())
    boot = Bootstrap(n_units, config.resamples, config.seed)
    weight = parts.weight[present]
    surfaces = captures.surfaces

    def share(g: int, group: str, columns: slice | int) -> Share:
        n = float(np.sum(parts.rows_per_surface[columns]))
        k = float(np.sum(parts.seen[g, columns]))
        if not k:
            return Share(group=group, exposure=None, slots=None, known=0.0)
        den = _by_unit(weight, columns)
        num = _by_unit(parts.hits[g][present], columns)
        upper = None
        if k < n:
            upper = boot.ratio(_by_unit(parts.most[g][present], columns), den, config.level)
        return Share(
            group=group,
            exposure=boot.ratio(num, den, config.level),
            slots=float(np.sum(parts.slots[g, columns])) / n,
            known=k / n,
            upper=upper,
        )

    shares: dict[str, list[Share]] = {}
    for name, columns in [("all", slice(None))] + [(s, k) for k, s in enumerate(surfaces)]:
        shares[name] = [share(g, group, columns) for g, group in enumerate(items.share_groups)]
    if catalogue_items:
        _catalogue_shares(shares["all"], catalogue_items)
    exposure = parts.exposure
    unseen = 0
    if catalogue_items:
        shown = set(captures.items)
        unseen = sum(1 for i in catalogue_items if i not in shown)
    full = np.concatenate([exposure, np.zeros(unseen)])
    n_lists = int(parts.lists_per_surface.sum())
    ild_sum, ild_lists = parts.ild
    report = Report(
        parameters={**msgspec.to_builtins(config), **({"source": source} if source else {})},
        counts={
            "rows_read": captures.read,
            "rows_used": parts.rows,
            "rows_rejected": rejected,
            "lists": n_lists,
            "personas": len(captures.personas),
            "sessions": sessions,
            "items": len(captures.items),
            "units": n_units,
        },
        unit=kind,
        surfaces={s: int(parts.lists_per_surface[k]) for k, s in enumerate(surfaces)},
        shares=shares,
        by_position=_by_position(parts.by_position),
        exposure_gini=gini(full),
        exposure_entropy=entropy(full),
        coverage=len(captures.items) / len(full) if catalogue_items else None,
        long_tail_share=_long_tail(exposure, len(full)),
        # Intra-list diversity over genres (1 − mean pairwise cosine), when genres are known.
        intra_list_diversity=(
            float(1.0 - ild_sum / ild_lists) if items.features is not None and ild_lists else None
        ),
        miscalibration=_miscalibration(
            parts, items, captures, histories, lookup, catalogue_items, config
        ),
        synthetic_or_unknown=boot.ratio(parts.synthetic[present], weight.sum(axis=1), config.level),
        lorenz=lorenz(full),
        verdicts=_verdicts(config, shares, catalogue_items),
        drift=drift_from_cells(parts, captures.persona_group, config),
        countries=_breakdown(captures, exposure, "country"),
        territories=_breakdown(captures, exposure, "territory"),
        summary={},
        compliance=_compliance(config, surfaces, parts.home),
        join=join,
    )
    report.summary = summarise(report)
    return report


def _by_unit(sums: Floats, columns: slice | int) -> Floats:
    """Units × surfaces → per unit, over the surfaces ``columns`` names."""
    if isinstance(columns, int):
        return np.ascontiguousarray(sums[:, columns])
    return np.asarray(sums[:, columns].sum(axis=1), dtype=np.float64)


def _join(
    captures: Captures,
    unmatched: list[str],
    lookup: Lookup,
    source: str | None,
    catalogue_items: dict[str, dict[str, set[str]]] | None,
) -> tuple[Join, dict[str, dict[str, set[str]]] | None]:
    """How many captured items (and platform catalogue ids) the Lanterne catalogue has; the
    platform catalogue completed from it."""
    join = Join(
        items=len(captures.items),
        found=len(captures.items) - len(unmatched),
        source=source,
        example=unmatched[0] if unmatched else None,
    )
    if catalogue_items:
        catalogue_items, found = complete_catalogue(catalogue_items, lookup, source)
        join.platform_items, join.platform_found = len(catalogue_items), found
    return join, catalogue_items


def _add_european_or_eof(member: dict[str, Bools], known: dict[str, Bools]) -> None:
    """European or EOF: known to belong when either flag says so, known not to when both say
    no."""
    either = member["european=true"] | member["eof=true"]
    either_known = either | (known["european=true"] & known["eof=true"])
    member["european-or-eof=true"], known["european-or-eof=true"] = either, either_known


def _catalogue_shares(shares: list[Share], catalogue_items: dict[str, dict[str, set[str]]]) -> None:
    """Each group's share among the works of the platform's catalogue whose attribute is
    known."""
    for s in shares:
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


def _by_position(sums: Floats) -> dict[str, list[float | None]]:
    """The quota groups' share at each position, among the slots whose attribute is known
    (``sums``: slots, then known slots and in-group slots of each quota group, per
    position)."""
    counts = sums[0, 1:]
    by_position: dict[str, list[float | None]] = {}
    for q, g in enumerate(QUOTA_GROUPS):
        seen, hits = sums[1 + q, 1:], sums[1 + len(QUOTA_GROUPS) + q, 1:]
        by_position[g] = [
            float(h / c) if s else None for h, s, c in zip(hits, seen, counts, strict=True)
        ]
    return by_position


def _long_tail(exposure: Floats | Ints, n_works: int) -> float:
    """The exposure share of all but the 20 % most exposed works (of ``n_works``)."""
    order = np.sort(exposure)[::-1]
    head = max(1, math.ceil(0.2 * n_works))
    return float(order[head:].sum() / order.sum()) if order.sum() else 0.0


def _genres(
    item: str,
    captures: Captures,
    lookup: Lookup | None,
    catalogue_items: dict[str, dict[str, set[str]]] | None,
) -> set[str]:
    found = captures.item_attributes.get(item, {}).get("genre")
    if not found and catalogue_items:
        found = catalogue_items.get(item, {}).get("genre")
    if not found and lookup is not None:
        found = (lookup(item) or {}).get("genre")
    return set(found or ())


def _tastes(
    captures: Captures,
    histories: dict[str, list[str]] | None,
    lookup: Lookup | None,
    catalogue_items: dict[str, dict[str, set[str]]] | None,
) -> tuple[Floats | None, list[str]]:
    """Items × genre values of the captured items and the histories' works, for
    miscalibration (``None`` without histories or genres)."""
    if not histories:
        return None, []
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
        return None, []
    dist = genre_distribution(
        [_genres(name, captures, lookup, catalogue_items) for name in captures.items], values
    )
    return dist, values


def _miscalibration(
    parts: Parts,
    items: Items,
    captures: Captures,
    histories: dict[str, list[str]] | None,
    lookup: Lookup | None,
    catalogue_items: dict[str, dict[str, set[str]]] | None,
    config: AuditConfig,
    alpha: float = 0.01,
) -> Interval | None:
    """How far the genres a persona was shown (prominence-weighted) are from the genres of its
    history: KL(p ‖ (1 − α)q + αp), averaged over personas with a history and genres."""
    shown = parts.shown
    if not histories or shown is None:
        return None
    values = items.taste_values
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
        scores.append(float(kl_divergence(hist / hist.sum(), shown[p] / shown[p].sum(), alpha)))
    if not scores:
        return None
    values_arr = np.asarray(scores)
    return Bootstrap(len(values_arr), config.resamples, config.seed).mean(values_arr, config.level)


def _judge(
    rule: str,
    threshold: float,
    value: Interval | None,
    upper: Interval | None = None,
    known: float | None = None,
) -> Verdict:
    """``met`` only when the share counting unknown slots out clears the threshold, ``not
    met`` only when the share counting them in stays below it: an unknown is never a no."""
    if value is None or math.isnan(value.value):
        return Verdict(rule=rule, threshold=threshold, value=None, verdict="no data", known=known)
    top = upper or value
    verdict = (
        "met" if value.low >= threshold else "not met" if top.high < threshold else "uncertain"
    )
    return Verdict(
        rule=rule, threshold=threshold, value=value, verdict=verdict, known=known, upper=upper
    )


def _verdicts(
    config: AuditConfig,
    shares: dict[str, list[Share]],
    catalogue_items: dict[str, dict[str, set[str]]] | None,
) -> list[Verdict]:
    q = config.quotas
    out: list[Verdict] = []
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
        name = group.partition("=")[0]
        known = (
            sum(1 for v in catalogue_items.values() if v.get(name)) / len(catalogue_items)
            if catalogue_items
            else None
        )
        out.append(_judge(rule, threshold, value, known=known))
    home = {s.group: s for s in shares.get(q.home_surface, [])}
    either = home.get("european-or-eof=true")
    out.append(
        _judge(
            "home-european-or-eof",
            q.home,
            either.exposure if either else None,
            either.upper if either else None,
            either.known if either else None,
        )
    )
    return out


def _compliance(config: AuditConfig, surfaces: list[str], home: Floats) -> list[Compliance]:
    """The home rule persona by persona: each persona's prominence-weighted share of European
    or EOF works on the home surface, against the threshold (``home``: per persona, Σ weight,
    in-group, counting unknown slots in, known)."""
    q = config.quotas
    if q.home_surface not in surfaces:
        return []
    den, num, most, seen = home
    n = len(den)
    shown = den > 0
    data = shown & (seen > 0)
    low = np.divide(num, den, out=np.zeros(n), where=shown)
    high = np.divide(most, den, out=np.zeros(n), where=shown)
    met = data & (low >= q.home)
    not_met = data & (high < q.home)
    values = low[data]
    quantiles = (
        [float(v) for v in np.quantile(values, [0.0, 0.25, 0.5, 0.75, 1.0])] if len(values) else []
    )
    bins = np.minimum((values * HISTOGRAM_BINS).astype(np.int64), HISTOGRAM_BINS - 1)
    return [
        Compliance(
            rule="home-european-or-eof",
            threshold=q.home,
            personas=int(shown.sum()),
            met=int(met.sum()),
            not_met=int(not_met.sum()),
            undetermined=int((data & ~met & ~not_met).sum()),
            no_data=int((shown & ~data).sum()),
            quantiles=quantiles,
            histogram=[int(c) for c in np.bincount(bins, minlength=HISTOGRAM_BINS)],
        )
    ]


def _breakdown(
    captures: Captures, exposure: Floats, attribute: str, top: int = 10
) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    for i, name in enumerate(captures.items):
        for value in captures.item_attributes.get(name, {}).get(attribute, ()):
            totals[value] = totals.get(value, 0.0) + float(exposure[i])
    whole = float(exposure.sum()) or 1.0
    return sorted(((k, v / whole) for k, v in totals.items()), key=lambda kv: -kv[1])[:top]
