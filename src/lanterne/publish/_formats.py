"""The formats works are published in: one entry each (name, media type, extension, writer).

A writer streams: ``header()`` once, ``work(work)`` for each work (its text and the number of
triples it holds), ``footer()`` once. A dump and a content-negotiated answer use the same
writers, so a format added here (EDM, oai_dc: the crosswalks add theirs) is both downloadable
and negotiable. RDF/XML is only negotiated: rdflib writes it, one work at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from lanterne.profile import Work
from lanterne.publish._document import work_document
from lanterne.publish._ntriples import WorkLines
from lanterne.publish._triples import TURTLE_PREFIXES, TripleWriter, ntriples, turtle_block


class Writer(Protocol):
    def header(self) -> str: ...

    def work(self, work: Work) -> tuple[str, int]:
        """The text of one work and how many triples it holds."""
        ...

    def footer(self) -> str: ...


@dataclass(frozen=True)
class Format:
    name: str
    """The name on the command line (``--format nt``)."""
    media_type: str
    extension: str
    """The file extension of a dump and of a work's explicit variant (``/oeuvre/ID.ttl``)."""
    writer: Callable[[str], Writer]
    """Makes a writer for the base URI of the published entities."""
    dump: bool = True
    """Whether ``publish dump`` offers it (RDF/XML does not: see the module's docstring)."""


class _Counted:
    """Counts the triples of each work, numbering its blank nodes apart from the others'."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.triples = TripleWriter()
        self.seen = 0

    def _triples(self, work: Work) -> list[tuple[str, str, str]]:
        self.seen += 1
        return self.triples.triples(work_document(work, self.base), str(self.seen))


class NTriplesWriter:
    """The lines of ``ntriples(TripleWriter.triples(work_document(work)))``, written in one pass
    (``WorkLines``: the dump's hot path)."""

    def __init__(self, base: str) -> None:
        self.lines = WorkLines(base)
        self.seen = 0

    def header(self) -> str:
        return ""

    def work(self, work: Work) -> tuple[str, int]:
        self.seen += 1
        found = self.lines.lines(work, str(self.seen))
        return "".join(found), len(found)

    def footer(self) -> str:
        return ""


class TurtleWriter(_Counted):
    def header(self) -> str:
        return TURTLE_PREFIXES

    def work(self, work: Work) -> tuple[str, int]:
        found = self._triples(work)
        return turtle_block(found), len(found)

    def footer(self) -> str:
        return ""


class JsonLdWriter(_Counted):
    """A JSON array of the works' documents, one a line: valid JSON-LD as a whole (each
    document has its own context), and read a line at a time once the trailing comma goes."""

    def header(self) -> str:
        return "["

    def work(self, work: Work) -> tuple[str, int]:
        self.seen += 1
        doc = work_document(work, self.base)
        count = len(self.triples.triples(doc, str(self.seen)))
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        return ("\n" if self.seen == 1 else ",\n") + text, count

    def footer(self) -> str:
        return "\n]\n" if self.seen else "]\n"


class RdfXmlWriter(_Counted):
    """RDF/XML of one work at a time, through rdflib (a document per work: not for dumps)."""

    def header(self) -> str:
        return ""

    def work(self, work: Work) -> tuple[str, int]:
        import rdflib

        found = self._triples(work)
        graph = rdflib.Graph()
        graph.bind("schema", "http://schema.org/")
        graph.parse(data="".join(ntriples(found)), format="nt")
        return graph.serialize(format="xml"), len(found)

    def footer(self) -> str:
        return ""


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("jsonld", "application/ld+json", "jsonld", JsonLdWriter),
        Format("ttl", "text/turtle", "ttl", TurtleWriter),
        Format("nt", "application/n-triples", "nt", NTriplesWriter),
        Format("rdf", "application/rdf+xml", "rdf", RdfXmlWriter, dump=False),
    )
}
"""Every format by name; the order is the order of preference when a client accepts several
equally (after HTML, which the page serves itself)."""


def dump_formats() -> list[str]:
    return [name for name, f in FORMATS.items() if f.dump]


def one_work(fmt: Format, work: Work, base: str) -> str:
    """The whole document of one work in ``fmt`` (a single JSON-LD object, not an array)."""
    if fmt.name == "jsonld":
        return json.dumps(work_document(work, base), ensure_ascii=False, indent=1)
    writer = fmt.writer(base)
    text, _ = writer.work(work)
    return writer.header() + text + writer.footer()
