"""Dumps: the whole catalogue (or one source) in one file, streamed in constant memory, and
its DCAT/VoID description beside it.

Works are read one at a time (``iter_works``) and written as they come, so memory does not grow
with the catalogue. The file is written under a temporary name in the same folder and renamed
when complete: an interrupted dump (an error, Ctrl-C, a killed process) never leaves a partial
file under the final name, and a reader of the final name sees the previous dump or the new
one, whole. A name ending in ``.gz`` is gzip-compressed. A work the format cannot carry (EDM
without the rights Europeana requires…) is left out and counted, by reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, cast

import msgspec

from lanterne.catalogue import Catalogue
from lanterne.errors import BadInput
from lanterne.publish._edm import EdmOptions
from lanterne.publish._formats import FORMATS, dump_formats
from lanterne.publish._triples import iri, literal
from lanterne.publish._uris import work_uri

MAX_KEPT = 20
"""Distinct licences and attributions kept per source for the description (memory bound)."""
GZIP_LEVEL = 6
"""zlib's own default, as ``gzip`` (the command) uses: on an N-Triples dump, 97 % of level 9's
compression (ratio 12.0 against 12.4) in half its time (level 9, ``GzipFile``'s default, took
as long as writing the triples); levels 1 and 3 are twice as fast again but make the file 25 to
40 % larger, for every download."""


class SourceFacts(msgspec.Struct, kw_only=True):
    works: int = 0
    triples: int = 0
    licences: list[str] = []
    attributions: list[str] = []
    modified: str | None = None


class DumpSummary(msgspec.Struct, kw_only=True):
    format: str
    path: str
    description: str
    works: int
    triples: int
    issued: str
    modified: str | None
    sources: dict[str, SourceFacts]
    withheld: int = 0
    """Works left out because text and data mining is reserved on them (``respect_tdm``)."""
    excluded: int = 0
    """Works left out because the format cannot carry them (EDM: ``edm_problems``)."""
    by_reason: dict[str, int] = {}
    """Excluded works by reason (message id), most frequent first; a work may have several."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@contextlib.contextmanager
def atomic_file(path: Path, *, binary: bool = True) -> Iterator[IO[bytes]]:
    """A file written under a temporary name beside ``path``, renamed to it only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), 0o644)  # mkstemp's 0600 would hide it from a web server
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
        raise


def dump(
    catalogue: Catalogue,
    format: str,
    out: Path,
    *,
    base: str,
    source: str | None = None,
    download_url: str | None = None,
    progress: Callable[[int], None] | None = None,
    respect_tdm: bool = False,
    edm: EdmOptions | None = None,
) -> DumpSummary:
    """Write the catalogue's works (of ``source`` only, if given) to ``out`` in ``format``, and
    the description to ``out`` + ``.void.ttl``. ``progress`` is called with the count of works
    written after each one (an exception it raises interrupts the dump, leaving nothing).
    ``respect_tdm``: leave out the works whose text and data mining is reserved (TDMRep 1).
    ``edm``: EDM's provider and default rights (its base is ``base``). Works read = ``works``
    + ``withheld`` + ``excluded``."""
    fmt = FORMATS.get(format)
    if fmt is None or not fmt.dump:
        raise BadInput("publish.unknown_format", name=format, known=", ".join(dump_formats()))
    issued = _now()
    sources: dict[str, SourceFacts] = {}
    works = triples = withheld = excluded = 0
    reasons: Counter[str] = Counter()
    writer = fmt.writer(base, edm)
    first: str | None = None
    with atomic_file(out) as raw:
        packed: IO[bytes] = raw
        if out.name.endswith(".gz"):
            packed = cast(
                IO[bytes],
                gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0),
            )
        text = io.TextIOWrapper(packed, encoding="utf-8", newline="\n")
        text.write(writer.header())
        for work in catalogue.iter_works(source):
            if respect_tdm and work.tdm is not None and work.tdm.reserved:
                withheld += 1
                continue
            problems = writer.problems(work)
            if problems:
                excluded += 1
                reasons.update({r.key for r in problems})
                continue
            body, count = writer.work(work)
            text.write(body)
            works += 1
            triples += count
            first = first or work.id
            facts = sources.setdefault(work.provenance.source, SourceFacts())
            facts.works += 1
            facts.triples += count
            for kept, value in (
                (facts.licences, work.provenance.licence),
                (facts.attributions, work.provenance.attribution),
            ):
                if value and value not in kept and len(kept) < MAX_KEPT:
                    kept.append(value)
            if progress is not None:
                progress(works)
        text.write(writer.footer())
        text.flush()
        text.detach()  # the raw file stays open, for ``atomic_file`` to sync and rename
        if packed is not raw:
            packed.close()  # the gzip trailer
    modified = _last_changes(catalogue, sources, source)
    summary = DumpSummary(
        format=fmt.name,
        path=str(out),
        description=str(out) + ".void.ttl",
        works=works,
        triples=triples,
        issued=issued,
        modified=modified,
        sources=dict(sorted(sources.items())),
        withheld=withheld,
        excluded=excluded,
        by_reason=dict(reasons.most_common()),
    )
    description = describe(
        summary,
        base=base,
        media_type=fmt.media_type,
        vocabulary=fmt.vocabulary,
        download_url=download_url or out.name,
        byte_size=out.stat().st_size,
        example=work_uri(base, first) if first else None,
    )
    with atomic_file(Path(summary.description)) as handle:
        handle.write(description.encode("utf-8"))
    return summary


def _last_changes(
    catalogue: Catalogue, sources: dict[str, SourceFacts], only: str | None
) -> str | None:
    """The latest change of the dumped works, per source and overall (a scan of the states)."""
    latest: str | None = None
    after = 0
    while batch := catalogue.work_states(after, 5000):
        after = batch[-1].position
        for state in batch:
            facts = sources.get(state.source)
            if state.deleted or facts is None or (only and state.source != only):
                continue
            if facts.modified is None or state.modified > facts.modified:
                facts.modified = state.modified
            if latest is None or state.modified > latest:
                latest = state.modified
    return latest


DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"


def describe(
    summary: DumpSummary,
    *,
    base: str,
    media_type: str,
    download_url: str,
    byte_size: int,
    example: str | None,
    vocabulary: str = "http://schema.org/",
) -> str:
    """The DCAT/VoID description of a dump, in Turtle. ``download_url`` may be relative: it is
    then read against the description's own address, which is beside the dump."""
    root = base.rstrip("/")
    lines = [
        f"@prefix dcat: <{DCAT}> .",
        f"@prefix void: <{VOID}> .",
        f"@prefix dcterms: <{DCTERMS}> .",
        f"@prefix xsd: <{XSD}> .",
        "",
        f"<{root}/donnees-ouvertes#catalogue> a dcat:Dataset, void:Dataset ;",
        "    dcterms:title "
        + literal(f"Catalogue Lanterne : {summary.works} œuvres", language="fr")
        + ", "
        + literal(f"Lanterne catalogue: {summary.works} works", language="en")
        + " ;",
        "    dcterms:issued " + literal(summary.issued, XSD + "dateTime") + " ;",
    ]
    if summary.modified:
        lines.append("    dcterms:modified " + literal(summary.modified, XSD + "dateTime") + " ;")
    lines += [
        f"    void:triples {summary.triples} ;",
        f"    void:entities {summary.works} ;",
        f"    void:vocabulary {iri(vocabulary)} ;",
        f"    void:uriSpace {literal(root + '/id/')} ;",
        f"    void:dataDump {iri(download_url)} ;",
        f"    dcat:landingPage {iri(root + '/donnees-ouvertes')} ;",
        f"    void:rootResource {iri(root + '/sitemap.xml')} ;",
    ]
    if example:
        lines.append(f"    void:exampleResource {iri(example)} ;")
    lines += [
        "    dcat:distribution [ a dcat:Distribution ;",
        f"        dcat:downloadURL {iri(download_url)} ;",
        f"        dcat:mediaType {iri(MEDIA_TYPES + media_type)} ;",
    ]
    if summary.path.endswith(".gz"):
        lines.append(f"        dcat:compressFormat {iri(MEDIA_TYPES + 'application/gzip')} ;")
    lines += [
        f"        dcat:byteSize {literal(str(byte_size), XSD + 'nonNegativeInteger')} ] ,",
        "      [ a dcat:Distribution ;",
        "        dcterms:description "
        + literal(
            "Chaque œuvre à son URI (BASE/id/work/ID), qui mène par une redirection 303 à un "
            "document en HTML, JSON-LD, Turtle, N-Triples ou RDF/XML selon l'en-tête Accept.",
            language="fr",
        )
        + ", "
        + literal(
            "Each work at its URI (BASE/id/work/ID), which leads by a 303 redirect to a "
            "document in HTML, JSON-LD, Turtle, N-Triples or RDF/XML by the Accept header.",
            language="en",
        )
        + " ;",
        f"        dcat:accessURL {iri(root + '/id/work/')} ]",
    ]
    subsets = []
    for name, facts in summary.sources.items():
        part = [
            "[ a dcat:Dataset, void:Dataset ;",
            f"        dcterms:source {literal(name)} ;",
            f"        dcterms:title {literal(name)} ;",
            f"        void:entities {facts.works} ;",
            f"        void:triples {facts.triples}",
        ]
        part += [f"        ; dcterms:license {iri(lic)}" for lic in facts.licences]
        part += [
            f"        ; dcterms:bibliographicCitation {literal(a)}" for a in facts.attributions
        ]
        if facts.modified:
            part.append(f"        ; dcterms:modified {literal(facts.modified, XSD + 'dateTime')}")
        subsets.append("\n".join(part) + " ]")
    if subsets:
        lines[-1] += " ;"
        lines.append("    void:subset " + ",\n      ".join(subsets))
    return "\n".join(lines) + " .\n"
