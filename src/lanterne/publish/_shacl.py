"""The SHACL shape of the profile (``data/work-shape.ttl``) and a work checked against it.

The shape says in SHACL what the description profile's model says in Python (a title, a type
among the profile's, an IRI naming the work, dates in the ISO forms, BCP 47 languages, prices
of zero or more, currencies of three capitals, coordinates in range…); it is published at
``BASE/shapes/work``. A work is checked as any consumer reads it: its schema.org JSON-LD
(``work_to_jsonld``) parsed by rdflib with the schema.org context inline — nothing is fetched,
rdflib would otherwise try ``https://schema.org/`` — then validated by pyshacl.
"""

from __future__ import annotations

import functools
import json
import warnings
from importlib import resources
from typing import Any

import msgspec

from lanterne.messages import Lang
from lanterne.profile import Work
from lanterne.publish._document import coercions as typed_terms

SHAPES_PATH = "/shapes/work"
"""Where the shape is published, under the base URI."""
SHAPES_MEDIA_TYPE = "text/turtle; charset=utf-8"
SCHEMA = "http://schema.org/"


class Violation(msgspec.Struct, frozen=True, kw_only=True):
    """One result of pyshacl: which node, which property, which value, and why."""

    focus: str
    """The node that breaks the shape (the work's IRI, or ``_:`` and a type for a nested node)."""
    path: str
    """The property, as ``schema:price`` (empty for a constraint on the node itself)."""
    value: str
    """The value at fault (empty when a value is missing)."""
    constraint: str
    """The SHACL constraint component (``MinInclusiveConstraintComponent``…)."""
    message_fr: str
    message_en: str

    def message(self, lang: Lang = "fr") -> str:
        return self.message_en if lang == "en" else self.message_fr

    def line(self, lang: Lang = "fr") -> str:
        """« schema:price « -1 » : un prix est un nombre positif ou nul » (the CLI's line)."""
        where = self.path or self.focus
        shown = f" « {self.value} »" if self.value else ""
        return f"{where}{shown} : {self.message(lang)}"


def shapes_uri(base: str) -> str:
    """The URI of the shape (``BASE/shapes/work``); its shapes are ``…#Work``, ``…#Offer``…"""
    return base.rstrip("/") + SHAPES_PATH


def shapes_turtle() -> str:
    """The shape as published (Turtle, relative IRIs resolved against ``shapes_uri``)."""
    return resources.files("lanterne.publish").joinpath("data/work-shape.ttl").read_text("utf-8")


@functools.cache
def shapes_graph(base: str) -> Any:
    """The shape parsed, its IRIs under ``base`` (an ``rdflib.Graph``, parsed once per base)."""
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=shapes_turtle(), format="turtle", publicID=shapes_uri(base))
    return graph


def _terms(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(key)
            _terms(value, found)
    elif isinstance(node, list):
        for item in node:
            _terms(item, found)


def inline_context(doc: dict[str, Any]) -> dict[str, Any]:
    """The context to read ``doc`` offline: ``@vocab`` schema.org and the coercions of the terms
    it uses — the graph the full schema.org context gives."""
    used: set[str] = set()
    _terms({k: v for k, v in doc.items() if k != "@context"}, used)
    coercions = typed_terms()
    context: dict[str, Any] = {"@vocab": SCHEMA}
    context.update({t: coercions[t] for t in sorted(used) if t in coercions})
    return context


def offline(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with its ``@context`` (the schema.org URL) replaced by ``inline_context``."""
    return {**doc, "@context": inline_context(doc)}


def work_graph(work: Work) -> Any:
    """The RDF graph of the work's schema.org JSON-LD, read offline (an ``rdflib.Graph``)."""
    from rdflib import Graph

    from lanterne.profile.schemaorg import work_to_jsonld

    graph = Graph()
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph, which it has deprecated.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=json.dumps(offline(work_to_jsonld(work))), format="json-ld")
    return graph


def shacl_check(work: Work, base: str = "http://localhost:8000/") -> list[Violation]:
    """What pyshacl finds wrong in ``work``'s JSON-LD against the profile's shape (empty: none)."""
    return validate_graph(work_graph(work), base)


def validate_graph(data: Any, base: str = "http://localhost:8000/") -> list[Violation]:
    """pyshacl's results for the graph ``data`` against the shape, as ``Violation``s."""
    from pyshacl import validate
    from rdflib import RDF, BNode, Literal, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    conforms, results, _text = validate(
        data, shacl_graph=shapes_graph(base), inference="none", advanced=False
    )
    if conforms:
        return []
    found: list[Violation] = []
    for result in results.subjects(RDF.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        value = results.value(result, sh.value)
        component = results.value(result, sh.sourceConstraintComponent)
        messages = {
            (m.language or ""): str(m)
            for m in results.objects(result, sh.resultMessage)
            if isinstance(m, Literal)
        }
        if isinstance(focus, BNode):
            kinds = sorted(_short(str(t)) for t in data.objects(focus, RDF.type))
            focus_text = "_:" + ("/".join(kinds) or "node")
        else:
            focus_text = str(focus)
        fallback = next(iter(messages.values()), "")
        found.append(
            Violation(
                focus=focus_text,
                path=_short(str(path)) if path is not None else "",
                value=str(value) if value is not None and not isinstance(value, BNode) else "",
                constraint=str(component).rpartition("#")[2] if component is not None else "",
                message_fr=messages.get("fr", fallback),
                message_en=messages.get("en", fallback),
            )
        )
    return sorted(found, key=lambda v: (v.focus, v.path, v.constraint, v.value))


def _short(iri: str) -> str:
    return "schema:" + iri[len(SCHEMA) :] if iri.startswith(SCHEMA) else iri


__all__ = [
    "SHAPES_MEDIA_TYPE",
    "SHAPES_PATH",
    "Violation",
    "inline_context",
    "offline",
    "shacl_check",
    "shapes_graph",
    "shapes_turtle",
    "shapes_uri",
    "validate_graph",
    "work_graph",
]
