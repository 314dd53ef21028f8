"""A work's N-Triples in one pass over its schema.org document, without building the published
document first: the dump's hot path.

The lines are those of ``TripleWriter.triples(work_document(work, base))`` written by
``ntriples``, in the same order, with the same blank node labels (tests check it on the real
catalogues and on generated works). What ``work_document`` does to the crosswalk's document is
done here as each value is met: the work named by its HTTP URI, an agent or place with a global
identifier by its own, a float with no fractional part written as an integer, an IRI-valued
term's value that is not an absolute IRI written as a plain literal; the inline context, which
adds nothing to the graph, is not built. Each term's predicate and coercion are looked up once
per writer, and literals are escaped by ``str.replace`` unless a rarer control character needs
the general rule.
"""

from __future__ import annotations

import re
from typing import Any

from lanterne.profile import Work
from lanterne.profile.schemaorg import work_to_jsonld
from lanterne.publish._document import _ABSOLUTE, _AGENT_TYPES, coercion, identifier_pairs
from lanterne.publish._triples import (
    _LANGUAGE,
    _TO_ESCAPE,
    RDF_TYPE,
    XSD,
    _escape,
    _vocab,
    canonical_double,
    iri,
)
from lanterne.publish._uris import agent_uri, entity_key, place_uri, work_uri

_RARE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""The characters ``_TO_ESCAPE`` holds beyond those ``quoted`` replaces one by one."""
_TYPE = " " + RDF_TYPE + " "
_END = " .\n"
_INTEGER = "^^<" + XSD + "integer>"
_DOUBLE = "^^<" + XSD + "double>"
_TRUE = '"true"^^<' + XSD + "boolean>"
_FALSE = '"false"^^<' + XSD + "boolean>"


def quoted(text: str) -> str:
    """``text`` as an N-Triples string (``literal`` without datatype or language, faster)."""
    if _TO_ESCAPE.search(text) is None:
        return '"' + text + '"'
    if _RARE.search(text) is not None:
        return '"' + _TO_ESCAPE.sub(_escape, text) + '"'  # ``literal``'s own rule (``\\u0001``)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


class WorkLines:
    """N-Triples lines of works under the base URI ``base``."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._terms: dict[str, tuple[str, str | None, str]] = {}
        self._types: dict[str, str] = {}
        self._blank = 0
        self._label = ""

    def lines(self, work: Work, prefix: str = "") -> list[str]:
        """The distinct lines of one work, its blank nodes labelled ``_:b<prefix>n<k>``."""
        doc = work_to_jsonld(work)
        doc.pop("@context", None)
        doc["@id"] = work_uri(self.base, work.id)
        self._blank = 0
        self._label = "_:b" + prefix + "n"
        out: list[str] = []
        self._node(doc, iri(doc["@id"]), out)
        # A graph is a set: a node named twice (one place for two events) is said once.
        return list(dict.fromkeys(out))

    def _term(self, key: str) -> tuple[str, str | None, str]:
        """`` <predicate> ``, the term's coercion, and the datatype suffix of its literals."""
        found = self._terms.get(key)
        if found is None:
            kind = coercion(key)
            suffix = "^^<" + kind + ">" if kind and kind != "@id" and kind != XSD + "string" else ""
            found = self._terms[key] = (" " + iri(_vocab(key)) + " ", kind, suffix)
        return found

    def _type(self, name: str) -> str:
        found = self._types.get(name)
        if found is None:
            found = self._types[name] = _TYPE + iri(_vocab(name)) + _END
        return found

    def _node(self, node: dict[str, Any], subject: str, out: list[str]) -> None:
        types = node.get("@type")
        if types:
            if isinstance(types, list):
                for name in types:
                    out.append(f"{subject}{self._type(name)}")
            else:
                out.append(f"{subject}{self._type(types)}")
        terms = self._terms
        search = _TO_ESCAPE.search
        for key, value in node.items():
            if key.startswith("@"):
                continue
            found = terms.get(key)
            predicate, kind, suffix = self._term(key) if found is None else found
            for item in value if isinstance(value, list) else (value,):
                # A plain string, the commonest object, written here; any other in ``_object``.
                if kind is None and isinstance(item, str) and search(item) is None:
                    out.append(f'{subject}{predicate}"{item}" .\n')
                    continue
                obj = self._object(item, kind, suffix, out)
                if obj is not None:
                    out.append(f"{subject}{predicate}{obj} .\n")

    def _object(self, value: Any, kind: str | None, suffix: str, out: list[str]) -> str | None:
        if isinstance(value, str):
            if kind == "@id":
                # Not an absolute IRI: a plain literal, not a reference a reader would resolve.
                return iri(value) if _ABSOLUTE.match(value) else quoted(value)
            return quoted(value) + suffix
        if isinstance(value, dict):
            if "@value" in value:
                return self._value_object(value, out)
            if len(value) == 1 and "@id" in value:
                return iri(value["@id"])
            return self._nested(value, out)
        if value is None:
            return None
        if isinstance(value, bool):
            return _TRUE if value else _FALSE
        if isinstance(value, int):
            return '"' + str(value) + '"' + _INTEGER
        if isinstance(value, float):
            if value.is_integer() and abs(value) < 1e21:
                return '"' + str(int(value)) + '"' + _INTEGER
            return '"' + canonical_double(value) + '"' + _DOUBLE
        text = str(value)
        return iri(text) if kind == "@id" else quoted(text) + suffix

    def _nested(self, node: dict[str, Any], out: list[str]) -> str:
        """A node's subject (named as ``work_document`` names it, or a new blank node), after
        its triples."""
        subject: str | None = None
        if "@id" in node:
            subject = iri(node["@id"])
        else:
            types = node.get("@type")
            identifiers = node.get("identifier")
            if isinstance(types, str) and isinstance(identifiers, list):
                entity = entity_key(identifier_pairs(identifiers))
                if entity is not None and types in _AGENT_TYPES:
                    subject = iri(agent_uri(self.base, entity))
                elif entity is not None and types == "Place":
                    subject = iri(place_uri(self.base, entity))
        if subject is None:
            self._blank += 1
            subject = self._label + str(self._blank)
        self._node(node, subject, out)
        return subject

    def _value_object(self, value: dict[str, Any], out: list[str]) -> str | None:
        raw = value["@value"]
        if raw is None:
            return None
        language = value.get("@language")
        if isinstance(language, str) and _LANGUAGE.fullmatch(language):
            return quoted(str(raw)) + "@" + language.lower()
        datatype = value.get("@type")
        if isinstance(datatype, str):
            full = _vocab(datatype)
            return quoted(str(raw)) + ("" if full == XSD + "string" else "^^<" + full + ">")
        # As ``TripleWriter``: what a value holds is a term, its own triples are not said.
        return self._object(raw, None, "", [])
