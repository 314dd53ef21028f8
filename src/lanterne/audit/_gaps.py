"""Availability gaps: the works of a reference catalogue that no platform offers online.

A work is available when its description carries an online offer (``offers`` with a URL), or
when a platform's catalogue file lists it. The gaps are counted by sector (the work's type),
original language (or the language of its texts) and territory.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import msgspec

from lanterne.errors import InputNotFound
from lanterne.profile import Work


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


def find_gaps(works: Iterable[Work], platforms: dict[str, set[str]], sample: int = 20) -> Gaps:
    total = available = 0
    by_platform: Counter[str] = Counter()
    missing_type: Counter[str] = Counter()
    all_type: Counter[str] = Counter()
    missing_language: Counter[str] = Counter()
    missing_territory: Counter[str] = Counter()
    first: list[str] = []
    for work in works:
        total += 1
        kind = str(work.type)
        all_type[kind] += 1
        online = [o for o in work.offers if o.url]
        for offer in online:
            by_platform[offer.provider or "(offre)"] += 1
        listed = [
            name
            for name, items in platforms.items()
            if work.id in items or work.provenance.source_id in items
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
        for territory in work.diversity.territories or []:
            missing_territory[territory.code or territory.name or "(?)"] += 1
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
    )
