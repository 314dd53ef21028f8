"""A work's published JSON-LD: the schema.org crosswalk's document, named by HTTP URIs and with
its context inline, so that any JSON-LD reader (rdflib offline included) reads the same graph.

``work_to_jsonld`` names a work ``urn:lanterne:ID`` and points to the remote schema.org context;
what is published instead:

- the work's ``@id`` is its HTTP URI (``work_uri``); an agent or a place with an identifier of a
  global scheme (ISNI, Wikidata, ARK…; not INSEE, a commune's code) gets one too (``agent_uri``,
  ``place_uri`` of ``scheme:value``); one without stays a blank node, since the profile gives
  agents and places no id of their own and a name is no identity;
- the context holds ``@vocab`` and only the term definitions the document uses that coerce their
  values (``url`` is an IRI, ``dateCreated`` a ``schema:Date``), copied from the shipped
  schema.org context: the graph is the one the full context gives, in a few hundred bytes;
- a value of an IRI-valued term that is not an absolute IRI (a vocabulary named « rameau »)
  is written as a plain literal, where a reader would otherwise resolve it against wherever it
  read the document; characters no IRI may hold (a space) are percent-encoded;
- a float with no fractional part is written as an integer, which is what JSON-LD reads it as
  (rdflib alone reads ``45.0`` as a double).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from lanterne.profile import Work
from lanterne.profile.schemaorg import local_context, work_to_jsonld
from lanterne.publish._uris import agent_uri, entity_key, place_uri, work_uri

SCHEMA = "http://schema.org/"
"""The namespace the schema.org JSON-LD context maps terms to (http, as schema.org ships it)."""

_AGENT_TYPES = {"Person", "Organization", "PerformingGroup"}
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def work_page(base: str, work_id: str) -> str:
    """The document a work's URI leads to (its page, which also serves the RDF formats)."""
    return base.rstrip("/") + "/oeuvre/" + quote(work_id, safe="")


@functools.cache
def coercions() -> dict[str, dict[str, str]]:
    """Term → its definition, for the schema.org terms whose values are coerced (``@type``)."""
    found: dict[str, dict[str, str]] = {}
    for term, definition in local_context().items():
        if isinstance(definition, dict) and "@type" in definition:
            kind = str(definition["@type"])
            found[term] = {
                "@id": SCHEMA + term,
                "@type": kind if kind == "@id" or ":" in kind else SCHEMA + kind,
            }
    return found


def coercion(term: str) -> str | None:
    """``"@id"`` when the term's values are IRIs, a datatype IRI, or ``None``."""
    definition = coercions().get(term)
    return None if definition is None else definition["@type"]


def identifier_pairs(identifiers: list[Any]) -> Iterator[tuple[object, object]]:
    """``(propertyID, value)`` of a JSON-LD node's ``identifier`` list, for ``entity_key``."""
    for identifier in identifiers:
        yield identifier.get("propertyID"), identifier.get("value")


def work_document(work: Work, base: str) -> dict[str, Any]:
    """The published JSON-LD document of ``work`` under the base URI ``base``."""
    doc = work_to_jsonld(work)
    doc.pop("@context", None)
    doc["@id"] = work_uri(base, work.id)
    body = _published(doc, base)
    used = sorted({term for term in _terms(body) if term in coercions()})
    context: dict[str, Any] = {"@vocab": SCHEMA}
    context.update({term: coercions()[term] for term in used})
    return {"@context": context, **body}


def _published(node: dict[str, Any], base: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("@"):
            out[key] = value
            continue
        iri = coercion(key) == "@id"
        values = [_value(v, base, iri) for v in (value if isinstance(value, list) else [value])]
        out[key] = values if isinstance(value, list) else values[0]
    types = node.get("@type")
    if "@id" not in node and isinstance(types, str) and isinstance(node.get("identifier"), list):
        entity = entity_key(identifier_pairs(node["identifier"]))
        if entity is not None and types in _AGENT_TYPES:
            out = {"@id": agent_uri(base, entity), **out}
        elif entity is not None and types == "Place":
            out = {"@id": place_uri(base, entity), **out}
    return out


def _value(value: Any, base: str, iri: bool) -> Any:
    if isinstance(value, dict):
        return value if "@value" in value else _published(value, base)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if iri and isinstance(value, str):
        if not _ABSOLUTE.match(value):
            return {"@value": value}
        return _NOT_IN_IRI.sub(lambda m: quote(m.group(0), safe=""), value)
    return value


def _terms(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _terms(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("@"):
                yield key
                yield from _terms(value)
