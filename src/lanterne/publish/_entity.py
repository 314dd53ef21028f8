"""Agents and places as published things: their key, what the catalogue's works say of them,
and their document (``/id/agent/KEY`` and ``/id/place/KEY`` lead to it).

The profile gives agents and places no id of their own: one is named by its best identifier of
a global scheme (``entity_key``, ``isni:0000000121032683``), and what is known of it is what
the works that carry that identifier say — its name, kind, coordinates and other identifiers,
read from the first of them (the catalogue's ``entity_works``, in the order works were stored).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from lanterne.profile import Agent, Identifier, Place, Work
from lanterne.publish._crosswalk import identifier_uri, place_name, table
from lanterne.publish._document import SCHEMA, coercions
from lanterne.publish._triples import TURTLE_PREFIXES, TripleWriter, ntriples, turtle_block
from lanterne.publish._uris import GLOBAL_SCHEMES, agent_uri, place_uri

Kind = Literal["agent", "place"]


@functools.cache
def entity_schemes() -> tuple[str, ...]:
    """The schemes a published agent or place URI may be keyed by: the published graph's, and
    the EDM table's (which names places by their INSEE code too)."""
    return tuple(dict.fromkeys([*GLOBAL_SCHEMES, *table()["entity_schemes"]]))


def read_key(key: str) -> tuple[str, str] | None:
    """``isni:0000 0001`` → ``("isni", "0000 0001")``; ``None`` for what no published URI is
    keyed by (no scheme, an empty value, a scheme of one source only such as ``local``)."""
    scheme, sep, value = key.partition(":")
    if not sep or not value or scheme not in entity_schemes():
        return None
    return scheme, value


class Entity(msgspec.Struct, frozen=True, kw_only=True):
    """An agent or a place as the catalogue's works describe it."""

    kind: Kind
    key: str
    """``scheme:value``: the identifier it was asked by (its URI's last segment)."""
    name: str | None
    type: str
    """Its schema.org type: ``Person``, ``Organization``, ``PerformingGroup`` or ``Place``."""
    identifiers: list[Identifier]
    same_as: list[str]
    """The identifiers' URIs (Wikidata, ISNI…), each once."""
    lat: float | None = None
    lon: float | None = None


def _carries(identifiers: Sequence[Identifier], scheme: str, value: str) -> bool:
    return any(i.scheme.value == scheme and i.value == value for i in identifiers)


def _agents(work: Work) -> list[Agent]:
    return [c.agent for c in work.contributors]


def _places(work: Work) -> list[Place]:
    return [*work.places, *(e.place for e in work.events if e.place is not None)]


def find_entity(kind: Kind, key: str, works: Sequence[Work]) -> Entity | None:
    """The agent or place ``key`` as the first of ``works`` carrying it describes it, with the
    identifiers every one of them gives it; ``None`` when none carries it."""
    found = read_key(key)
    if found is None:
        return None
    scheme, value = found
    first: Agent | Place | None = None
    identifiers: dict[tuple[str, str], Identifier] = {}
    for work in works:
        for entity in _agents(work) if kind == "agent" else _places(work):
            if _carries(entity.identifiers, scheme, value):
                first = first or entity
                identifiers.update({(i.scheme.value, i.value): i for i in entity.identifiers})
    if first is None:
        return None
    ids = list(identifiers.values())
    same = [identifier_uri(i.scheme.value, i.value) for i in ids]
    common: dict[str, Any] = {
        "kind": kind,
        "key": key,
        "identifiers": ids,
        "same_as": list(dict.fromkeys(u for u in same if u)),
    }
    if isinstance(first, Agent):
        return Entity(name=first.name, type=first.kind.value, **common)
    geo = first.geo
    return Entity(
        name=place_name(first),
        type="Place",
        lat=geo.lat if geo else None,
        lon=geo.lon if geo else None,
        **common,
    )


def entity_uri(base: str, entity: Entity) -> str:
    return (agent_uri if entity.kind == "agent" else place_uri)(base, entity.key)


def entity_document(entity: Entity, base: str) -> dict[str, Any]:
    """The JSON-LD of an agent or a place at its URI, with its context inline (as
    ``work_document``'s: rdflib reads it offline)."""
    body: dict[str, Any] = {"@id": entity_uri(base, entity), "@type": entity.type}
    if entity.name:
        body["name"] = entity.name
    if entity.lat is not None and entity.lon is not None:
        body["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": _number(entity.lat),
            "longitude": _number(entity.lon),
        }
    body["identifier"] = [
        {"@type": "PropertyValue", "propertyID": i.scheme.value, "value": i.value}
        for i in entity.identifiers
    ]
    if entity.same_as:
        body["sameAs"] = entity.same_as
    context: dict[str, Any] = {"@vocab": SCHEMA}
    context.update({t: coercions()[t] for t in sorted(body) if t in coercions()})
    return {"@context": context, **body}


def _number(value: float) -> float | int:
    # JSON-LD reads 45.0 as an integer: written so, as ``work_document`` does.
    return int(value) if value.is_integer() and abs(value) < 1e21 else value


def entity_text(fmt: str, entity: Entity, base: str) -> str:
    """The document of an agent or a place in one of the negotiated formats (``jsonld``,
    ``ttl``, ``nt``, ``rdf``), by the writers of the works' documents."""
    doc = entity_document(entity, base)
    if fmt == "jsonld":
        return json.dumps(doc, ensure_ascii=False, indent=1)
    found = TripleWriter().triples(doc, "e")
    if fmt == "ttl":
        return TURTLE_PREFIXES + turtle_block(found)
    lines = "".join(ntriples(found))
    if fmt == "nt":
        return lines
    import rdflib

    graph = rdflib.Graph()
    graph.bind("schema", SCHEMA)
    return str(graph.parse(data=lines, format="nt").serialize(format="xml"))


__all__ = [
    "Entity",
    "entity_document",
    "entity_schemes",
    "entity_text",
    "entity_uri",
    "find_entity",
    "read_key",
]
