"""The identifiers of a stored work's agents and places: what ``entity_works`` finds works by.

Read from the work's document without decoding all of it, as ``_sets`` reads its territories:
an agent is a contributor's, a place the work's own or one of its events'. Every identifier is
kept, whatever its scheme: which ones name an entity across sources is for the reader to say
(publishing names agents and places by ISNI, Wikidata…).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import msgspec

EntityKind = Literal["agent", "place"]
ENTITY_KINDS: tuple[EntityKind, ...] = ("agent", "place")


class _Identifier(msgspec.Struct):
    scheme: str = ""
    value: str = ""


class _Entity(msgspec.Struct):
    identifiers: list[_Identifier] = msgspec.field(default_factory=list)


class _Contribution(msgspec.Struct):
    agent: _Entity = msgspec.field(default_factory=_Entity)


class _Event(msgspec.Struct):
    place: _Entity | None = None


class _Entities(msgspec.Struct):
    contributors: list[_Contribution] = msgspec.field(default_factory=list)
    places: list[_Entity] = msgspec.field(default_factory=list)
    events: list[_Event] = msgspec.field(default_factory=list)


_decode = msgspec.json.Decoder(_Entities).decode


def entity_identifiers(doc: bytes | str) -> set[tuple[EntityKind, str, str]]:
    """``(kind, scheme, value)`` of each identifier of the work's agents and places, each once
    (an empty scheme or value names nothing). The schema's SQL for PostgreSQL reads the same."""
    found = _decode(doc)
    places = [*found.places, *(e.place for e in found.events if e.place is not None)]
    rows: set[tuple[EntityKind, str, str]] = set()
    kinds: list[tuple[EntityKind, list[_Entity]]] = [
        ("agent", [c.agent for c in found.contributors]),
        ("place", places),
    ]
    for kind, entities in kinds:
        for entity in entities:
            for i in entity.identifiers:
                if i.scheme and i.value:
                    rows.add((kind, i.scheme, i.value))
    return rows


def entity_rows(works: Iterable[tuple[int, bytes | str]]) -> list[tuple[str, str, str, int]]:
    """``(kind, scheme, value, work)`` rows of ``(work position, document)`` pairs."""
    return [(k, s, v, work) for work, doc in works for k, s, v in entity_identifiers(doc)]
