"""Availability gaps: the works of a reference catalogue that no platform offers online.

A work is available when its description carries an online offer (``offers`` with a URL), or
when a platform's catalogue file lists it: by its Lanterne id (``vod:194``), or by its id in the
one source the platform's ids belong to (``194`` of source ``vod``; a film's ``194`` is not a
book's). The gaps are counted by sector (the work's type), original language (or the language of
its texts) and territory (ISO 3166-2 code and name, « FR-GES Grand Est »).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import msgspec

from lanterne.errors import BadInput, InputNotFound
from lanterne.profile import CodeError, Territory, Work, normalise_subdivision
from lanterne.report import official_subdivision_names


class Platform(msgspec.Struct, kw_only=True):
    """A platform's catalogue file: its ids, and the catalogue source its raw ids belong to."""

    name: str
    ids: set[str]
    source: str | None = None
    inferred: bool = False
    """``source`` was found from the ids (the only source that has any of them)."""


class Gaps(msgspec.Struct, kw_only=True):
    works: int
    available: int
    missing: int
    by_platform: dict[str, int]
    """Works each platform offers (from its file or the works' offers)."""
    missing_by_type: dict[str, int]
    missing_by_language: dict[str, int]
    missing_by_territory: dict[str, int]
    missing_share_by_type: dict[str, float]
    sample: list[str]
    """The first missing works (ids), for a look."""
    platform_sources: dict[str, str | None] = {}
    """The source each platform's raw ids were matched in (``None``: full ids only)."""
    platform_inferred: dict[str, bool] = {}
    platform_ids: dict[str, int] = {}
    """Ids each platform's file lists (``by_platform`` counts those that are works)."""


def infer_source(
    name: str, ids: set[str], sources: dict[str, set[str]], given: str | None
) -> Platform:
    """The source a platform's raw ids belong to: ``given`` (``--source``), else the only
    source holding any of them; several such sources is bad input (name one)."""
    if given is not None:
        if given not in sources:
            raise BadInput("gaps.unknown_source", source=given, known=", ".join(sorted(sources)))
        return Platform(name=name, ids=ids, source=given)
    hits = {
        source: sum(1 for i in ids if f"{source}:{i}" in members)
        for source, members in sources.items()
    }
    found = {s: n for s, n in hits.items() if n}
    if len(found) > 1:
        listed = ", ".join(f"{s} {n}" for s, n in sorted(found.items(), key=lambda kv: -kv[1]))
        raise BadInput("gaps.ambiguous_source", platform=name, found=listed)
    if found:
        return Platform(name=name, ids=ids, source=next(iter(found)), inferred=True)
    return Platform(name=name, ids=ids)


def territory_label(territory: Territory, country: str | None = None) -> str | None:
    """One form for every territory: its ISO 3166-2 code and its name (« FR-GES Grand Est »);
    ``None`` for a place ISO 3166-2 does not code (a city)."""
    code = territory.code
    if code is None and territory.name and country:
        try:
            code = normalise_subdivision(territory.name, country)
        except CodeError:
            code = None
    if code is None:
        return None
    return f"{code} {_subdivision_names().get(code) or territory.name or code}"


def _subdivision_names() -> dict[str, str]:
    """Code → name: the project's own spelling first (« Grand Est »), else pycountry's."""
    global _NAMES
    if _NAMES is None:
        import pycountry

        names = dict(official_subdivision_names())
        for sub in pycountry.subdivisions:
            names.setdefault(sub.code, str(sub.name))
        _NAMES = names
    return _NAMES


_NAMES: dict[str, str] | None = None


def platform_catalogue(path: Path) -> dict[str, dict[str, set[str]]]:
    """A platform's catalogue: ``item,attribute,value`` rows (the recommender's attribute file),
    an ``item`` (or ``id``) column, or one id per line; item → attribute → values."""
    if not path.is_file():
        raise InputNotFound("input.not_found", path=path)
    items: dict[str, dict[str, set[str]]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        if header[:3] == ["item", "attribute", "value"]:
            for row in reader:
                if len(row) >= 3 and row[0]:
                    items.setdefault(row[0], {}).setdefault(row[1], set()).add(row[2])
            return items
        column = next((k for k, name in enumerate(header) if name in ("item", "id")), None)
        rows = list(reader) if column is not None else [header, *reader]
        for row in rows:
            key = column or 0
            if len(row) > key and row[key].strip():
                items.setdefault(row[key].strip(), {})
    return items


def platform_items(path: Path) -> set[str]:
    """The ids of a platform's catalogue (any form ``platform_catalogue`` reads)."""
    return set(platform_catalogue(path))


def find_gaps(works: Iterable[Work], platforms: Iterable[Platform], sample: int = 20) -> Gaps:
    total = available = 0
    by_platform: Counter[str] = Counter()
    missing_type: Counter[str] = Counter()
    all_type: Counter[str] = Counter()
    missing_language: Counter[str] = Counter()
    missing_territory: Counter[str] = Counter()
    first: list[str] = []
    listing = list(platforms)
    for work in works:
        total += 1
        kind = str(work.type)
        all_type[kind] += 1
        online = [o for o in work.offers if o.url]
        for offer in online:
            by_platform[offer.provider or "(offre)"] += 1
        listed = [
            p.name
            for p in listing
            if work.id in p.ids
            or (p.source == work.provenance.source and work.provenance.source_id in p.ids)
        ]
        for name in listed:
            by_platform[name] += 1
        if online or listed:
            available += 1
            continue
        missing_type[kind] += 1
        titled = sorted({t.lang.split("-")[0] for t in work.titles if t.lang})
        languages = work.diversity.original_languages or work.in_languages or titled or ["(?)"]
        for language in languages:
            missing_language[language] += 1
        # A department named without a code is coded in the work's country (or the country of
        # its coded region): « Oise » is FR-60.
        coded = [t.code.split("-")[0] for t in work.diversity.territories or [] if t.code]
        countries = work.diversity.countries or coded
        country = countries[0] if countries else None
        labels = {territory_label(t, country) for t in work.diversity.territories or []}
        for label in sorted(label for label in labels if label) or ["(?)"]:
            missing_territory[label] += 1
        if len(first) < sample:
            first.append(work.id)
    return Gaps(
        works=total,
        available=available,
        missing=total - available,
        by_platform=dict(by_platform.most_common()),
        missing_by_type=dict(missing_type.most_common()),
        missing_by_language=dict(missing_language.most_common()),
        missing_by_territory=dict(missing_territory.most_common()),
        missing_share_by_type={k: missing_type[k] / all_type[k] for k in all_type},
        sample=first,
        platform_sources={p.name: p.source for p in listing},
        platform_inferred={p.name: p.inferred for p in listing},
        platform_ids={p.name: len(p.ids) for p in listing},
    )
