"""The triples of a published document, written directly (no RDF library on the dump's path).

A published document (``work_document``) uses a small part of JSON-LD: nodes with ``@id`` or
none (a blank node), ``@type``, properties under ``@vocab`` whose values are strings, numbers,
booleans, value objects (``@value`` with ``@language`` or ``@type``) and nested nodes, and the
coercions of its inline context (``@id``, a datatype). This module turns exactly that into
N-Triples terms, as the JSON-LD to RDF algorithm does (JSON-LD 1.1 §8.6: an integer is an
``xsd:integer``, any other number an ``xsd:double`` in canonical form, ``true`` an
``xsd:boolean``); tests check that rdflib reads the same graph from the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lanterne.publish._document import SCHEMA, coercion

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"

Triple = tuple[str, str, str]
"""Subject, predicate and object, each as written in N-Triples."""

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TO_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_LANGUAGE = re.compile(r"[A-Za-z]+(-[A-Za-z0-9]+)*")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def literal(text: str, datatype: str | None = None, language: str | None = None) -> str:
    """An N-Triples literal."""
    quoted = '"' + _TO_ESCAPE.sub(_escape, text) + '"'
    if language:
        return quoted + "@" + language
    if datatype and datatype != XSD + "string":
        return quoted + "^^<" + datatype + ">"
    return quoted


_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri(value: str) -> str:
    """An N-Triples IRI; characters no IRI may hold (a space) percent-encoded."""
    if _NOT_IN_IRI.search(value):
        value = _NOT_IN_IRI.sub(lambda m: f"%{ord(m.group(0)):02X}", value)
    return "<" + value + ">"


def _vocab(term: str) -> str:
    return term if ":" in term else SCHEMA + term


def canonical_double(value: float) -> str:
    """The canonical ``xsd:double`` form: ``4.55E1``, ``1.0E-4``, ``INF``, ``NaN``.

    Read from ``repr``, the shortest decimal that reads back as the float (what ``Decimal`` of
    it normalises, without building one: a dump writes two a festival)."""
    text = repr(value)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    if text == "nan":
        return "NaN"
    if text == "inf":
        return sign + "INF"
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    # The first significant digit's power of ten: its place in ``whole`` and the exponent.
    power = len(whole) - 1 - (len(whole) + len(fraction) - len(digits))
    digits = digits.rstrip("0")
    if not digits:
        return sign + "0.0E0"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{power + int(exponent or 0)}"


class TripleWriter:
    """Triples of published documents; blank nodes labelled ``_:b<prefix>n<k>``, unique for
    each ``prefix`` (one per work in a dump)."""

    def __init__(self) -> None:
        self._blank = 0
        self._prefix = ""

    def triples(self, document: dict[str, Any], prefix: str = "") -> list[Triple]:
        """The triples of one document."""
        self._blank = 0
        self._prefix = prefix
        out: list[Triple] = []
        self._node(document, out)
        # A graph is a set: a node named twice (one place for two events) is said once.
        return list(dict.fromkeys(out))

    def _new_blank(self) -> str:
        self._blank += 1
        return f"_:b{self._prefix}n{self._blank}"

    def _node(self, node: dict[str, Any], out: list[Triple]) -> str:
        subject = iri(node["@id"]) if "@id" in node else self._new_blank()
        types = node.get("@type")
        for t in types if isinstance(types, list) else [types] if types else []:
            out.append((subject, RDF_TYPE, iri(_vocab(t))))
        for key, value in node.items():
            if key.startswith("@"):
                continue
            predicate = iri(_vocab(key))
            kind = coercion(key)
            for item in value if isinstance(value, list) else [value]:
                obj = self._object(item, kind, out)
                if obj is not None:
                    out.append((subject, predicate, obj))
        return subject

    def _object(self, value: Any, kind: str | None, out: list[Triple]) -> str | None:
        if value is None:
            return None
        if isinstance(value, dict):
            if "@value" in value:
                return self._value_object(value)
            if set(value) == {"@id"}:
                return iri(value["@id"])
            return self._node(value, out)
        if isinstance(value, bool):
            return literal("true" if value else "false", XSD + "boolean")
        if isinstance(value, int):
            return literal(str(value), XSD + "integer")
        if isinstance(value, float):
            if value.is_integer() and abs(value) < 1e21:
                return literal(str(int(value)), XSD + "integer")
            return literal(canonical_double(value), XSD + "double")
        text = str(value)
        if kind == "@id":
            return iri(text)
        return literal(text, kind)

    def _value_object(self, value: dict[str, Any]) -> str | None:
        raw = value["@value"]
        if raw is None:
            return None
        language = value.get("@language")
        if isinstance(language, str) and _LANGUAGE.fullmatch(language):
            return literal(str(raw), language=language.lower())
        datatype = value.get("@type")
        if isinstance(datatype, str):
            return literal(str(raw), _vocab(datatype))
        return self._object(raw, None, [])


def ntriples(triples: list[Triple]) -> Iterator[str]:
    """N-Triples lines."""
    for s, p, o in triples:
        yield f"{s} {p} {o} .\n"


TURTLE_PREFIXES = (
    "@prefix schema: <http://schema.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n\n"
)
_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _short(term: str) -> str:
    """``schema:name`` for a schema.org IRI whose local name needs no escaping."""
    if term.startswith("<" + SCHEMA) and _LOCAL.fullmatch(term[len(SCHEMA) + 1 : -1]):
        return "schema:" + term[len(SCHEMA) + 1 : -1]
    if term.startswith("<" + XSD):
        return term  # kept whole: literals carry their datatype IRIs as in N-Triples
    return term


def turtle_block(triples: list[Triple]) -> str:
    """One block of Turtle per subject (``;`` between its predicates), the prefixes of
    ``TURTLE_PREFIXES`` assumed; subjects in the order they first appear."""
    by_subject: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, []).append((p, o))
    blocks = []
    for subject, pairs in by_subject.items():
        lines = []
        for p, o in pairs:
            verb = "a" if p == RDF_TYPE else _short(p)
            lines.append(f"    {verb} {_short(o) if p == RDF_TYPE else o}")
        blocks.append(subject + "\n" + " ;\n".join(lines) + " .\n")
    return "\n".join(blocks) + "\n"
