"""The formats works are published in: one entry each (name, media type, extension, writer).

A writer streams: ``header()`` once, ``work(work)`` for each work (its text and the number of
statements it holds), ``footer()`` once; ``problems(work)`` first says why the format cannot
carry a work (only EDM has any: a dump leaves such a work out and counts it). A dump and a
content-negotiated answer use the same writers. RDF/XML is only negotiated: rdflib writes it,
one work at a time. EDM and oai_dc are dumped and served by OAI-PMH: they are the crosswalks'
records. A work's RDF/XML answer is its EDM record when EDM can carry the work and the client
does not ask for schema.org (``Accept-Profile``, W3C Content Negotiation by Profile); otherwise
it is the schema.org graph, and ``Content-Profile`` says which (``rdfxml_profiles``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

import msgspec
from lxml import etree

from lanterne.profile import Work
from lanterne.publish._dc import dc_text
from lanterne.publish._document import work_document
from lanterne.publish._edm import EdmOptions, Reason, _rdf, edm_problems, edm_record
from lanterne.publish._ntriples import WorkLines
from lanterne.publish._triples import TURTLE_PREFIXES, TripleWriter, ntriples, turtle_block
from lanterne.publish._xml import NS


class Writer(Protocol):
    def header(self) -> str: ...

    def problems(self, work: Work) -> list[Reason]:
        """Why the format cannot carry ``work`` (empty: ``work(work)`` may write it)."""
        ...

    def work(self, work: Work) -> tuple[str, int]:
        """The text of one work and how many statements (triples) it holds."""
        ...

    def footer(self) -> str: ...


class WriterFactory(Protocol):
    def __call__(self, base: str, edm: EdmOptions | None = None) -> Writer:
        """A writer for the base URI of the published entities (and, for EDM, the provider
        and the default rights; its base is ``base``)."""
        ...


@dataclass(frozen=True)
class Format:
    name: str
    """The name on the command line (``--format nt``)."""
    media_type: str
    extension: str
    """The file extension of a dump and of a work's explicit variant (``/oeuvre/ID.ttl``)."""
    writer: WriterFactory
    dump: bool = True
    """Whether ``publish dump`` offers it (RDF/XML does not: see the module's docstring)."""
    negotiated: bool = True
    """Whether a work's page serves it (``Accept`` or its extension); EDM and oai_dc are not."""
    vocabulary: str = "http://schema.org/"
    """The vocabulary its statements use (the dump description's ``void:vocabulary``)."""


class _Counted:
    """Counts the triples of each work, numbering its blank nodes apart from the others'."""

    def __init__(self, base: str, edm: EdmOptions | None = None) -> None:
        self.base = base
        self.triples = TripleWriter()
        self.seen = 0

    def problems(self, work: Work) -> list[Reason]:
        return []  # the schema.org graph carries every work

    def _triples(self, work: Work) -> list[tuple[str, str, str]]:
        self.seen += 1
        return self.triples.triples(work_document(work, self.base), str(self.seen))


class NTriplesWriter:
    """The lines of ``ntriples(TripleWriter.triples(work_document(work)))``, written in one pass
    (``WorkLines``: the dump's hot path)."""

    def __init__(self, base: str, edm: EdmOptions | None = None) -> None:
        self.lines = WorkLines(base)
        self.seen = 0

    def header(self) -> str:
        return ""

    def problems(self, work: Work) -> list[Reason]:
        return []

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


_EDM_NAMESPACES = {k: v for k, v in NS.items() if k != "oai_dc"}
"""Those the root of a record (``_rdf``) declares: its children, cut from it, rely on them."""


class EdmWriter:
    """One ``rdf:RDF`` document: each work's record as the OAI-PMH ``edm`` format has it
    (``edm:ProvidedCHO``, its ``edm:WebResource``s, contextual entities, ``ore:Aggregation``),
    one after the other under a root declaring the namespaces once. A work ``edm_problems``
    refuses has no record: ``problems`` gives the reasons, and ``work`` must not be asked."""

    def __init__(self, base: str, edm: EdmOptions | None = None) -> None:
        self.options = msgspec.structs.replace(edm or EdmOptions(), base=base)
        self.start = "<rdf:RDF" + "".join(
            f' xmlns:{prefix}="{uri}"' for prefix, uri in sorted(_EDM_NAMESPACES.items())
        )

    def header(self) -> str:
        return "<?xml version='1.0' encoding='UTF-8'?>\n" + self.start + ">\n"

    def problems(self, work: Work) -> list[Reason]:
        return edm_problems(work, self.options)

    def work(self, work: Work) -> tuple[str, int]:
        root = _rdf(work, self.options)
        # The record's root declares the namespaces the dump's does: its children, written
        # inside it, declare none of their own; the root's own tags are cut off.
        text = str(etree.tostring(root, encoding="unicode", pretty_print=True))
        body = text[text.index(">") + 1 : text.rindex("</rdf:RDF>")].lstrip("\n")
        # Every child is one resource (its rdf:type) whose property elements are one triple
        # each: the crosswalk nests no node inside another.
        return body, sum(1 + len(node) for node in root)

    def footer(self) -> str:
        return "</rdf:RDF>\n"


class OaiDcWriter:
    """One XML document of ``oai_dc:dc`` records, one a line (Dublin Core carries every work).
    No standard wraps several: the root is ``<records>``, in no namespace, declaring those of
    the records. A work's statements are its Dublin Core elements."""

    def __init__(self, base: str, edm: EdmOptions | None = None) -> None:
        self.base = base

    def header(self) -> str:
        return (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            f'<records xmlns:oai_dc="{NS["oai_dc"]}" xmlns:dc="{NS["dc"]}" '
            f'xmlns:xsi="{NS["xsi"]}">\n'
        )

    def problems(self, work: Work) -> list[Reason]:
        return []

    def work(self, work: Work) -> tuple[str, int]:
        text = dc_text(work, self.base)
        # Element text is escaped (« < » as &lt;): each « </dc: » closes one element.
        return text + "\n", text.count("</dc:")

    def footer(self) -> str:
        return "</records>\n"


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("jsonld", "application/ld+json", "jsonld", JsonLdWriter),
        Format("ttl", "text/turtle", "ttl", TurtleWriter),
        Format("nt", "application/n-triples", "nt", NTriplesWriter),
        Format("rdf", "application/rdf+xml", "rdf", RdfXmlWriter, dump=False),
        Format(
            "edm",
            "application/rdf+xml",
            "rdf",
            EdmWriter,
            negotiated=False,
            vocabulary=NS["edm"],
        ),
        Format(
            "oai_dc", "application/xml", "xml", OaiDcWriter, negotiated=False, vocabulary=NS["dc"]
        ),
    )
}
"""Every format by name; the order of the negotiated ones is the order of preference when a
client accepts several equally (after HTML, which the page serves itself)."""


def dump_formats() -> list[str]:
    return [name for name, f in FORMATS.items() if f.dump]


def negotiated_formats() -> list[Format]:
    """The formats a work's page serves, in the order of preference."""
    return [f for f in FORMATS.values() if f.negotiated]


SCHEMA_PROFILE = "http://schema.org/"
"""The profile of the work's published graph (every negotiated format can carry it)."""
EDM_PROFILE = NS["edm"]
"""The profile of the work's EDM record (RDF/XML only: what Europeana harvests)."""


def rdfxml_profiles(work: Work, options: EdmOptions) -> tuple[list[str], list[Reason]]:
    """The profiles a work's RDF/XML answer can have, the server's preference first (EDM,
    then schema.org), and why EDM is not among them when it is not (``edm_problems``)."""
    reasons = edm_problems(work, options)
    return ([SCHEMA_PROFILE] if reasons else [EDM_PROFILE, SCHEMA_PROFILE]), reasons


def one_work(
    fmt: Format,
    work: Work,
    base: str,
    profile: str = SCHEMA_PROFILE,
    edm: EdmOptions | None = None,
) -> str:
    """The whole document of one work in ``fmt`` (a single JSON-LD object, not an array); in
    RDF/XML with ``profile`` ``EDM_PROFILE``, its EDM record (``edm``'s provider and default
    rights, under ``base``), which the caller has checked EDM can carry."""
    if fmt.name == "rdf" and profile == EDM_PROFILE:
        options = msgspec.structs.replace(edm or EdmOptions(), base=base)
        record = edm_record(work, options)
        if record.xml is None:
            raise ValueError(f"EDM cannot carry {work.id}: {record.reasons}")
        return record.xml.decode()
    if fmt.name == "jsonld":
        return json.dumps(work_document(work, base), ensure_ascii=False, indent=1)
    writer = fmt.writer(base)
    text, _ = writer.work(work)
    return writer.header() + text + writer.footer()
