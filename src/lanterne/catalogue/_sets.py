"""The sets a stored work counts in (``set_counts``, schema version 3): its source, its type and
the keys of its regions and provinces, read from its document without decoding all of it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import msgspec


class _Territory(msgspec.Struct):
    level: str | None = None
    name: str | None = None
    code: str | None = None


class _Diversity(msgspec.Struct):
    territories: list[_Territory] = msgspec.field(default_factory=list)


class _Sets(msgspec.Struct):
    diversity: _Diversity = msgspec.field(default_factory=_Diversity)


_decode = msgspec.json.Decoder(_Sets).decode
_LEVELS = ("region", "province")


def territory_keys(doc: bytes | str) -> set[str]:
    """A work's region and province keys, as the schema's ``_TERRITORIES`` query reads them
    (the code, else the name)."""
    keys = set()
    for t in _decode(doc).diversity.territories:
        key = t.code if t.code is not None else t.name
        if t.level in _LEVELS and key is not None:
            keys.add(key)
    return keys


def set_counts(works: Iterable[tuple[str, str, bytes | str]]) -> list[tuple[str, str, int]]:
    """``(kind, value, works)`` rows counting ``(source, type, doc)`` works, new live ones."""
    counts: Counter[tuple[str, str]] = Counter()
    for source, type_, doc in works:
        counts["source", source] += 1
        counts["type", type_] += 1
        for key in territory_keys(doc):
            counts["territory", key] += 1
    return [(kind, value, n) for (kind, value), n in counts.items()]
