"""EDM and oai_dc for the five real catalogues of ../shared/data: every EDM record passes the
XSD and Europeana's Schematron or is left out with a reason; every oai_dc record passes its XSD;
so do the records of their dumps (``publish dump --format edm|oai_dc``)."""

from __future__ import annotations

import copy
import gzip
import itertools
from pathlib import Path

import msgspec
import pytest
import rdflib
from lxml import etree

from helpers import write_works
from lanterne.catalogue import SqliteCatalogue
from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
from lanterne.profile import Rights, Work
from lanterne.publish import (
    EdmOptions,
    Standards,
    Validator,
    check,
    dump,
    edm_problems,
    edm_record,
    read_edm,
    work_uri,
)
from lanterne.publish._edm import work_id_from_uri
from lanterne.publish._xml import parse

ROOT = Path(__file__).resolve().parents[2] / "shared"
SHARED = ROOT / "data"
STANDARDS = ROOT / "standards"

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not SHARED.is_dir(), reason=f"real datasets not found at {SHARED}"),
    pytest.mark.skipif(
        not (STANDARDS / "edm").is_dir(), reason=f"standards' files not found at {STANDARDS}"
    ),
]

CATALOGUES = [
    "festivals-france",
    "joconde-costumes",
    "scenes-francophones-events",
    "movielens-latest-small",
    "goodbooks-10k-books",
]
CNE = "http://rightsstatements.org/vocab/CNE/1.0/"


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("publish-five")
    paths = {}
    for name in CATALOGUES:
        path = folder / f"{name}.sqlite"
        with SqliteCatalogue(path) as db:
            ingest(db, SHARED / name, load_mapping_profile(name), IngestOptions(workers=2))
        paths[name] = path
    return paths


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(Standards.find(STANDARDS))


def _works(path: Path) -> list[Work]:
    with SqliteCatalogue(path) as db:
        return list(db.iter_works())


@pytest.mark.parametrize("rights", ["", CNE])
@pytest.mark.parametrize("name", CATALOGUES)
def test_every_edm_record_is_valid_or_excluded_with_a_reason(
    catalogues: dict[str, Path], validator: Validator, name: str, rights: str
) -> None:
    works = _works(catalogues[name])
    report = check(works, "edm", validator, EdmOptions(rights=rights))
    print(
        f"\n{name} rights={rights or '-'}: {report.total} works, {report.valid} valid, "
        f"{report.excluded} excluded {report.by_reason}, {report.invalid} invalid"
    )
    assert report.total == len(works) > 0
    assert report.valid + report.excluded + report.invalid == report.total
    assert report.invalid == 0, [w for w in report.works if w.status == "invalid"][:3]
    assert all(w.reasons for w in report.works if w.status == "excluded")
    if not rights:
        # No record of the five states the rights of its work: none can go to Europeana.
        assert report.by_reason["publish.rights_missing"] == report.total
    if name == "goodbooks-10k-books" and rights:
        assert report.valid > 0.5 * report.total  # covers with a language, under CNE


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_oai_dc_record_passes_the_oai_dc_xsd(
    catalogues: dict[str, Path], validator: Validator, name: str
) -> None:
    report = check(_works(catalogues[name]), "oai_dc", validator)
    assert report.invalid == 0, [w for w in report.works if w.status == "invalid"][:3]
    assert report.valid == report.total > 0


@pytest.mark.parametrize("name", CATALOGUES)
def test_real_works_given_rights_a_page_and_a_language_make_valid_edm_that_reads_back(
    catalogues: dict[str, Path], validator: Validator, name: str
) -> None:
    # What the real fields (places with museum ids, Wikidata agents, thesaurus terms, odd
    # characters) become once a work has what Europeana asks: each record must pass both files.
    options = EdmOptions(base="https://lanterne.example/")
    written = 0
    for work in itertools.islice(_works(catalogues[name]), 150):
        given = msgspec.structs.replace(
            work,
            rights=Rights(licence="https://creativecommons.org/licenses/by-sa/4.0/"),
            url=work.url or "https://example.org/page",
            in_languages=work.in_languages or ["fr"],
        )
        record = edm_record(given, options)
        if record.xml is None:
            assert [r.key for r in record.reasons] == ["publish.no_edm_type"]
            continue
        written += 1
        assert validator.edm(record.xml) == [], work.id
        back = read_edm(record.xml)
        assert back.id == work.id
        assert [t.value for t in back.titles] == [t.value for t in work.titles]
        assert back.identifiers == work.identifiers
        assert [c.agent.name for c in back.contributors] == [
            c.agent.name for c in work.contributors
        ] or len(back.contributors) < len(work.contributors)  # same agent twice: once in DC
    if name not in ("festivals-france", "scenes-francophones-events"):
        assert written == 150


def _records(root: etree._Element) -> list[list[etree._Element]]:
    """The EDM dump's records: each work's elements, from its edm:ProvidedCHO to its
    ore:Aggregation (the order the crosswalk writes them in)."""
    records: list[list[etree._Element]] = []
    current: list[etree._Element] = []
    for element in root:
        current.append(element)
        if element.tag == "{http://www.openarchives.org/ore/terms/}Aggregation":
            records.append(current)
            current = []
    assert current == []  # nothing after the last record
    return records


def _alone(root: etree._Element, elements: list[etree._Element]) -> bytes:
    record = etree.Element(root.tag, nsmap=root.nsmap)
    record.extend(copy.deepcopy(e) for e in elements)
    return bytes(etree.tostring(record, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("given", ["as stored", "given a page and a language"])
@pytest.mark.parametrize("name", CATALOGUES)
def test_publish_dump_had_no_edm_now_each_record_passes_the_edm_xsd_and_rdflib_reads_it(
    catalogues: dict[str, Path], validator: Validator, name: str, given: str, tmp_path: Path
) -> None:
    path = catalogues[name]
    if given != "as stored":
        # Only goodbooks' books have what Europeana asks as stored (a cover, a language): the
        # first works of the others, given a page and a language, bring their places with
        # museum ids, Wikidata agents and thesaurus terms into the dump.
        works = [
            msgspec.structs.replace(
                w, url=w.url or "https://example.org/page", in_languages=w.in_languages or ["fr"]
            )
            for w in itertools.islice(_works(path), 400)
        ]
        path = write_works(tmp_path / "given.sqlite", works)
    out = tmp_path / f"{name}.rdf.gz"
    options = EdmOptions(rights=CNE)
    with SqliteCatalogue(path) as db:
        summary = dump(db, "edm", out, base=options.base, edm=options)
        carried = [w.id for w in db.iter_works() if not edm_problems(w, options)]
        total = db.count()
    print(
        f"\n{name} ({given}): {summary.works} written, {summary.excluded} excluded "
        f"{summary.by_reason}, {summary.triples} triples"
    )
    assert summary.works + summary.excluded == total > 0
    assert summary.works == len(carried)
    assert sum(summary.by_reason.values()) >= summary.excluded
    with gzip.open(out) as f:
        data = f.read()
    root = parse(data)
    records = _records(root)
    assert len(records) == summary.works
    about = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
    assert [work_id_from_uri(r[0].get(about) or "") for r in records] == carried
    for elements in records:
        assert validator.edm_xsd(_alone(root, elements)) == [], elements[0].get(about)
    for elements in records[:: max(1, len(records) // 5)]:  # Schematron: ~0.1 s a record
        assert validator.edm(_alone(root, elements)) == [], elements[0].get(about)
    assert validator.edm_xsd(data) == []  # the whole file too: EDM's rdf:RDF takes many
    graph = rdflib.Graph().parse(data=data, format="xml")
    edm = rdflib.Namespace("http://www.europeana.eu/schemas/edm/")
    chos = set(graph.subjects(rdflib.RDF.type, edm.ProvidedCHO))
    assert chos == {rdflib.URIRef(work_uri(options.base, w)) for w in carried}
    # Works share named entities (an agent with its Wikidata id): the graph is at most what
    # was written, each record's statements counted once in it.
    assert len(graph) <= summary.triples
    assert (len(graph) > 0) == (summary.works > 0)


@pytest.mark.parametrize("name", CATALOGUES)
def test_publish_dump_had_no_oai_dc_now_each_record_passes_the_oai_dc_xsd(
    catalogues: dict[str, Path], validator: Validator, name: str, tmp_path: Path
) -> None:
    out = tmp_path / f"{name}.xml.gz"
    with SqliteCatalogue(catalogues[name]) as db:
        summary = dump(db, "oai_dc", out, base="https://lanterne.example/")
        total = db.count()
    assert (summary.works, summary.excluded) == (total, 0)
    with gzip.open(out) as f:
        root = parse(f.read())
    records = list(root)
    assert len(records) == total
    for record in records:
        text = bytes(etree.tostring(record, encoding="UTF-8"))
        assert validator.oai_dc(text) == [], text[:200]
