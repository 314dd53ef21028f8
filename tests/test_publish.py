"""Publishing: URIs, content negotiation, dumps and their description, sitemaps (issue 17).

Real parts throughout: catalogues written through the store, the five ../shared/data catalogues
ingested, rdflib reading what is written, lxml validating sitemaps against the protocol's XSDs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
from click.testing import CliRunner
from fastapi.testclient import TestClient
from lxml import etree
from rdflib.compare import isomorphic

from lanterne.catalogue import SqliteCatalogue, StoredWork
from lanterne.cli._main import cli
from lanterne.errors import BadInput
from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
from lanterne.profile import (
    Agent,
    Contribution,
    Identifier,
    Provenance,
    Rights,
    Role,
    Title,
    Work,
    WorkType,
    encode_work,
)
from lanterne.publish import (
    EDM_PROFILE,
    FORMATS,
    SCHEMA_PROFILE,
    EdmOptions,
    Standards,
    Validator,
    agent_uri,
    choose,
    choose_profile,
    dump,
    edm_record,
    negotiated_formats,
    place_uri,
    update_sitemaps,
    work_document,
    work_uri,
)
from lanterne.web._app import create_app
from lanterne.web._site import Site

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards" / "sitemaps"
BASE = "http://example.org/"
SHARED_STANDARDS = Path(__file__).resolve().parents[2] / "shared" / "standards"
CATALOGUES = [
    "festivals-france",
    "joconde-costumes",
    "scenes-francophones-events",
    "movielens-latest-small",
    "goodbooks-10k-books",
]
PARSER = {"nt": "nt", "ttl": "turtle", "jsonld": "json-ld"}

# rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph, which it has deprecated itself.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def work(source_id: str, title: str = "Titre", **extra: object) -> Work:
    return Work(
        id=f"src:{source_id}",
        type=WorkType.MOVIE,
        titles=[Title(value=title, lang="fr")],
        provenance=Provenance(
            source="src",
            source_id=source_id,
            licence="https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            attribution="Ministère de la Culture",
        ),
        **extra,  # type: ignore[arg-type]
    )


def stored(w: Work) -> StoredWork:
    doc = encode_work(w)
    return StoredWork(
        id=w.id,
        source=w.provenance.source,
        source_id=w.provenance.source_id,
        type=w.type.value,
        doc=doc,
        digest=hashlib.blake2b(doc, digest_size=16).digest(),
    )


def write(db: SqliteCatalogue, works: list[Work], delete: list[str] = ()) -> None:  # type: ignore[assignment]
    run = db.begin_run("src", "p", []).id
    db.write_batch(run, [stored(w) for w in works], delete_ids=list(delete))
    db.finish_run(run, "completed", {})


def graph_of_document(doc: dict[str, object]) -> rdflib.Graph:
    return rdflib.Graph().parse(data=json.dumps(doc), format="json-ld")


# URIs and negotiation ------------------------------------------------------------------------


def test_uris_percent_encode_the_whole_id_under_the_base() -> None:
    assert work_uri("http://h/", "src:a/b c") == "http://h/id/work/src%3Aa%2Fb%20c"
    assert work_uri("http://h", "x") == "http://h/id/work/x"
    assert agent_uri("http://h/", "isni:0000 0001") == "http://h/id/agent/isni%3A0000%200001"
    assert place_uri("http://h//", "insee:75056") == "http://h/id/place/insee%3A75056"


OFFERED = ["text/html", "application/ld+json", "text/turtle"]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "text/html"),
        ("", "text/html"),
        ("*/*", "text/html"),
        ("text/turtle", "text/turtle"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
        ("text/*;q=0.9, text/html;q=0.1", "text/turtle"),  # the most specific range wins
        ("application/ld+json;q=0, */*;q=0.2", "text/html"),
        ("image/png", None),
        ("text/html;q=0, text/turtle;q=0", None),
        ("text/turtle;q=abc, application/ld+json;q=0.1", "application/ld+json"),
        ("TEXT/TURTLE", "text/turtle"),
    ],
)
def test_accept_q_values_choose_the_media_type(accept: str | None, chosen: str | None) -> None:
    assert choose(accept, OFFERED) == chosen


def test_agents_with_a_global_identifier_get_a_uri_the_others_stay_blank() -> None:
    w = work(
        "1",
        contributors=[
            Contribution(
                agent=Agent(
                    name="Anne Hébert",
                    identifiers=[
                        Identifier(scheme="local", value="7"),  # type: ignore[arg-type]
                        Identifier(scheme="isni", value="0000000121478925"),  # type: ignore[arg-type]
                    ],
                ),
                role=Role.AUTHOR,
            ),
            Contribution(agent=Agent(name="Sans identifiant"), role=Role.AUTHOR),
        ],
    )
    doc = work_document(w, BASE)
    authors = doc["author"]
    assert isinstance(authors, list)
    assert authors[0]["@id"] == agent_uri(BASE, "isni:0000000121478925")
    assert "@id" not in authors[1]
    assert doc["@id"] == work_uri(BASE, "src:1")
    # The context is inline: rdflib reads it offline, with the schema.org namespace.
    graph = graph_of_document(doc)
    subject = rdflib.URIRef(work_uri(BASE, "src:1"))
    assert (subject, rdflib.RDF.type, rdflib.URIRef("http://schema.org/Movie")) in graph


# Dumps -----------------------------------------------------------------------------------------


class Real:
    """The real catalogues, each ingested the first time a test asks for it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: dict[str, Path] = {}

    def __getitem__(self, name: str) -> Path:
        if name not in self.paths:
            path = self.folder / f"{name}.sqlite"
            with SqliteCatalogue(path) as db:
                ingest(db, SHARED / name, load_mapping_profile(name), IngestOptions(workers=0))
            self.paths[name] = path
        return self.paths[name]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Real:
    if not SHARED.is_dir():
        pytest.skip(f"real datasets not found at {SHARED} (../shared/data)")
    return Real(tmp_path_factory.mktemp("real"))


def _lines(path: Path) -> Iterator[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        yield from f


PARSED = 150_000
"""Lines of a dump parsed back with rdflib (about a minute per 400,000 on a busy machine): the
three small catalogues whole, the first works of the larger ones."""
WORK_SUBJECT = "<" + BASE + "id/work/"
RDF_TYPE = " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "


def _head(path: Path, most: int) -> list[str]:
    """The dump's lines up to ``most``, cut before the first line of the work it would split
    (a work's triples are contiguous and begin with its ``rdf:type``)."""
    lines: list[str] = []
    start = 0
    subject = None
    for line in _lines(path):
        if line.startswith(WORK_SUBJECT) and RDF_TYPE in line:
            here = line.split(" ", 1)[0]
            if here != subject:
                subject, start = here, len(lines)
        lines.append(line)
        if len(lines) > most:
            return lines[:start]
    return lines


@pytest.mark.parametrize("name", CATALOGUES)
def test_nt_dump_of_a_real_catalogue_parses_back_and_each_work_matches_its_own_jsonld(
    real: Real, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "d.nt.gz"
    with SqliteCatalogue(real[name]) as db:
        summary = dump(db, "nt", out, base=BASE)
        assert summary.works == db.count() > 0
        assert summary.triples == sum(1 for _ in _lines(out))
        lines = _head(out, PARSED)
        graph = rdflib.Graph().parse(data="".join(lines), format="nt")
        # Works share named nodes (an agent with its ISNI): the graph is at most what was read.
        assert 0 < len(graph) <= len(lines)
        parsed = {rdflib.URIRef(s) for s in graph.subjects(rdflib.RDF.type, None)}
        works = [w for w in db.iter_works() if rdflib.URIRef(work_uri(BASE, w.id)) in parsed]
    assert len(works) == summary.works or len(lines) >= PARSED // 2
    for w in works[:: max(1, len(works) // 40)]:
        own = graph_of_document(work_document(w, BASE))
        subject = rdflib.URIRef(work_uri(BASE, w.id))
        # What the work says through its blank nodes is exactly its own document's graph...
        assert isomorphic(_through_blanks(graph, subject), _through_blanks(own, subject)), w.id
        # ... and what it says of a named agent or place is in the dump (with other works').
        for node in set(own.subjects()) - {subject}:
            if isinstance(node, rdflib.URIRef):
                for triple in own.triples((node, None, None)):
                    if not isinstance(triple[2], rdflib.BNode):
                        assert triple in graph, (w.id, triple)


def _through_blanks(graph: rdflib.Graph, subject: rdflib.term.Node) -> rdflib.Graph:
    """What ``subject`` says, and what the blank nodes it points to say, recursively."""
    out = rdflib.Graph()
    todo, seen = [subject], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, p, o in graph.triples((node, None, None)):
            out.add((node, p, o))
            if isinstance(o, rdflib.BNode):
                todo.append(o)
    return out


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_turtle_and_jsonld_dumps_hold_the_same_graph_as_the_nt_dump(
    real: Real, tmp_path: Path, fmt: str
) -> None:
    with SqliteCatalogue(real["scenes-francophones-events"]) as db:
        dump(db, "nt", tmp_path / "a.nt.gz", base=BASE)
        summary = dump(db, fmt, tmp_path / f"a.{fmt}.gz", base=BASE)
    nt = rdflib.Graph().parse(data="".join(_lines(tmp_path / "a.nt.gz")), format="nt")
    other = rdflib.Graph().parse(data="".join(_lines(tmp_path / f"a.{fmt}.gz")), format=PARSER[fmt])
    assert summary.works > 0
    assert len(nt) == len(other)

    def named(g: rdflib.Graph) -> set[tuple[rdflib.term.Node, ...]]:
        return {t for t in g if not any(isinstance(x, rdflib.BNode) for x in t)}

    assert named(nt) == named(other)
    # Whole-graph isomorphism is too slow with thousands of blank nodes: work by work.
    works = sorted(set(nt.subjects(rdflib.RDF.type, None)) - {None})
    for subject in [w for w in works if str(w).startswith(BASE + "id/work/")][::7]:
        assert isomorphic(_through_blanks(nt, subject), _through_blanks(other, subject))


def test_a_source_alone_and_its_description(real: Real, tmp_path: Path) -> None:
    with SqliteCatalogue(real["festivals-france"]) as db:
        summary = dump(
            db,
            "nt",
            tmp_path / "f.nt.gz",
            base=BASE,
            source="festivals-france",
            download_url="https://data.example.org/f.nt.gz",
        )
        assert summary.works == db.count("festivals-france")
        empty = dump(db, "nt", tmp_path / "none.nt", base=BASE, source="nulle-part")
        assert (empty.works, (tmp_path / "none.nt").read_text()) == (0, "")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    g = rdflib.Graph().parse(summary.description, format="turtle")
    dataset = rdflib.URIRef("http://example.org/donnees-ouvertes#catalogue")
    assert g.value(dataset, void.triples).toPython() == summary.triples
    assert g.value(dataset, void.entities).toPython() == summary.works
    assert g.value(dataset, void.dataDump) == rdflib.URIRef("https://data.example.org/f.nt.gz")
    subset = g.value(dataset, void.subset)
    assert str(g.value(subset, dcterms.source)) == "festivals-france"
    licences = set(g.objects(subset, dcterms.license))
    assert licences and all(str(x).startswith("http") for x in licences)
    assert g.value(subset, dcterms.modified) is not None
    size = g.value(g.value(dataset, dcat.distribution) or dataset, dcat.byteSize)
    sizes = [o.toPython() for o in g.objects(None, dcat.byteSize)]
    assert (tmp_path / "f.nt.gz").stat().st_size in sizes, size


CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def shown(source_id: str, **extra: object) -> Work:
    """A work EDM can carry: a film (VIDEO needs no language) with its page and a licence."""
    return work(
        source_id, url=f"https://example.org/{source_id}", rights=Rights(licence=CC_BY), **extra
    )


@pytest.mark.parametrize("fmt", ["nt", "ttl", "jsonld", "edm", "oai_dc"])
def test_an_interrupted_dump_leaves_no_file_under_its_name_and_the_last_one_intact(
    tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"c.{fmt}.gz"
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        write(db, [shown(str(i)) for i in range(10)])
        first = dump(db, fmt, out, base=BASE)
        before = out.read_bytes()
        write(db, [shown(str(i)) for i in range(10, 20)])

        def stop(done: int) -> None:
            if done == 5:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            dump(db, fmt, out, base=BASE, progress=stop)
        assert out.read_bytes() == before  # the previous dump, whole
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
        out.unlink()
        with pytest.raises(KeyboardInterrupt):
            dump(db, fmt, tmp_path / f"new.{fmt}.gz", base=BASE, progress=stop)
        assert not (tmp_path / f"new.{fmt}.gz").exists()
        assert not (tmp_path / f"new.{fmt}.gz.void.ttl").exists()
    assert first.works == 10


def test_publish_dump_had_no_edm_it_leaves_out_and_counts_by_reason_what_edm_cannot_carry(
    tmp_path: Path,
) -> None:
    # Five works: three EDM carries; « 3 » states no rights; « 4 » states none and has no page.
    # Written 3 + excluded 2 = 5; by reason: rights_missing 2 (« 3 », « 4 »), no_link 1 (« 4 »).
    works = [shown("0"), shown("1"), shown("2"), work("3", url="https://example.org/3"), work("4")]
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        write(db, works)
        summary = dump(db, "edm", tmp_path / "c.rdf", base=BASE)
        # LANTERNE_EDM_RIGHTS' statement for works that state none: « 3 » goes in, « 4 » not.
        given = dump(
            db,
            "edm",
            tmp_path / "g.rdf",
            base=BASE,
            edm=EdmOptions(rights="http://rightsstatements.org/vocab/CNE/1.0/"),
        )
    assert (summary.works, summary.excluded) == (3, 2)
    assert summary.by_reason == {"publish.rights_missing": 2, "publish.no_link": 1}
    assert (given.works, given.excluded, given.by_reason) == (4, 1, {"publish.no_link": 1})
    graph = rdflib.Graph().parse(tmp_path / "c.rdf", format="xml")
    edm = rdflib.Namespace("http://www.europeana.eu/schemas/edm/")
    chos = set(graph.subjects(rdflib.RDF.type, edm.ProvidedCHO))
    assert chos == {rdflib.URIRef(work_uri(BASE, f"src:{i}")) for i in "012"}
    assert len(graph) == summary.triples  # the count is the graph's: no statement twice
    void = rdflib.Graph().parse(summary.description, format="turtle")
    vocabulary = rdflib.URIRef("http://rdfs.org/ns/void#vocabulary")
    assert set(void.objects(None, vocabulary)) == {rdflib.URIRef(str(edm))}


def test_publish_dump_had_no_oai_dc_it_writes_one_dc_record_a_line_for_every_work(
    tmp_path: Path,
) -> None:
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        write(db, [shown("0"), work("1", "Les <Misérables> & co"), work("2")])
        summary = dump(db, "oai_dc", tmp_path / "c.xml.gz", base=BASE)
    with gzip.open(tmp_path / "c.xml.gz") as f:
        root = etree.parse(f).getroot()
    records = root.findall("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc")
    assert (summary.works, summary.excluded, len(records)) == (3, 0, 3)
    titles = [r.findtext("{http://purl.org/dc/elements/1.1/}title") for r in records]
    assert titles == ["Titre", "Les <Misérables> & co", "Titre"]
    # A statement per Dublin Core element: what the VoID description counts as triples.
    assert summary.triples == sum(len(r) for r in records)


def test_an_unknown_dump_format_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    with SqliteCatalogue(tmp_path / "c.sqlite") as db, pytest.raises(BadInput) as caught:
        dump(db, "rdf", tmp_path / "x.rdf", base=BASE)
    assert "nt" in caught.value.message("en") and not (tmp_path / "x.rdf").exists()


# Content negotiation over HTTP ---------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[TestClient, SqliteCatalogue]]:
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        write(db, [work("1", "Kamouraska"), work("2"), work("a/b")])
        write(db, [], delete=["src:2"])
        site = Site(tmp_path / "c.sqlite", base_uri=BASE)
        yield TestClient(create_app(site)), db


def page(work_id: str) -> str:
    return "/oeuvre/" + quote(work_id, safe="")


def test_the_entity_uri_answers_303_to_the_works_page(served: tuple[TestClient, object]) -> None:
    client, _ = served
    answer = client.get("/id/work/src%3A1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == page("src:1")
    assert client.get("/id/work/src%3Anone", follow_redirects=False).status_code == 404
    slash = client.get("/id/work/" + quote("src:a/b", safe=""), follow_redirects=False)
    assert slash.headers["location"] == page("src:a/b")
    assert client.get(slash.headers["location"]).status_code == 200


@pytest.mark.parametrize("fmt", sorted(f.name for f in negotiated_formats()))
def test_each_rdf_format_by_accept_and_by_extension_holds_the_works_graph(
    served: tuple[TestClient, SqliteCatalogue], fmt: str
) -> None:
    client, db = served
    found = db.get("src:1")
    assert found is not None
    expected = graph_of_document(work_document(found, BASE))
    media = FORMATS[fmt].media_type
    by_accept = client.get(page("src:1"), headers={"Accept": f"text/html;q=0.5, {media}"})
    by_extension = client.get(page("src:1") + "." + FORMATS[fmt].extension)
    parser = {"nt": "nt", "ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}[fmt]
    for answer in (by_accept, by_extension):
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(media)
        assert "Accept" in answer.headers["vary"].split(", ")  # and Accept-Encoding (gzip)
        # src:1 has no page nor rights: EDM cannot carry it, RDF/XML is schema.org too.
        assert answer.headers["content-profile"] == f"<{SCHEMA_PROFILE}>"
        graph = rdflib.Graph().parse(data=answer.text, format=parser)
        assert isomorphic(graph, expected)
    assert (
        f'<{page("src:1")}.ttl>; rel="alternate"; type="text/turtle"' in (by_accept.headers["link"])
    )


@pytest.mark.parametrize(
    ("asked", "chosen"),
    [
        (None, EDM_PROFILE),
        ("", EDM_PROFILE),
        ("garbage", EDM_PROFILE),  # names no profile: the server chooses
        (f"<{SCHEMA_PROFILE}>", SCHEMA_PROFILE),
        (f"<{EDM_PROFILE}>;q=0.4, <{SCHEMA_PROFILE}>;q=0.9", SCHEMA_PROFILE),
        (f"<{SCHEMA_PROFILE}>;q=0.5, <{EDM_PROFILE}>;q=0.5", EDM_PROFILE),  # tie: server's order
        ("<http://example.org/other>", None),
        (f"<{EDM_PROFILE}>;q=0", None),
        (f"<{EDM_PROFILE}>;q=abc, <{SCHEMA_PROFILE}>;q=0.1", SCHEMA_PROFILE),
    ],
)
def test_accept_profile_chooses_among_the_offered_profiles(
    asked: str | None, chosen: str | None
) -> None:
    assert choose_profile(asked, [EDM_PROFILE, SCHEMA_PROFILE]) == chosen


def test_rdfxml_of_a_work_was_schema_org_it_is_its_edm_record_when_edm_can_carry_it(
    tmp_path: Path,
) -> None:
    """Issue 17 asks RDF/XML (EDM) by Accept; the page answered schema.org in RDF/XML."""
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        write(db, [shown("1"), work("2")])
        carried, refused = db.get("src:1"), db.get("src:2")
    assert carried is not None and refused is not None
    client = TestClient(create_app(Site(tmp_path / "c.sqlite", base_uri=BASE)))
    rdf = FORMATS["rdf"].media_type

    by_accept = client.get(page("src:1"), headers={"Accept": rdf})
    by_extension = client.get(page("src:1") + ".rdf")
    record = edm_record(carried, EdmOptions(base=BASE)).xml
    assert record is not None
    for answer in (by_accept, by_extension):
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(rdf)
        assert answer.headers["content-profile"] == f"<{EDM_PROFILE}>"
        assert f'<{EDM_PROFILE}>; rel="profile"' in answer.headers["link"]
        assert "Accept-Profile" in answer.headers["vary"].split(", ")
        assert answer.content == record
    if (SHARED_STANDARDS / "edm").is_dir():
        assert Validator(Standards.find(SHARED_STANDARDS)).edm(by_accept.content) == []
    graph = rdflib.Graph().parse(data=by_accept.content, format="xml")
    edm = rdflib.Namespace(EDM_PROFILE)
    assert (rdflib.URIRef(work_uri(BASE, "src:1")), rdflib.RDF.type, edm.ProvidedCHO) in graph

    # Asked for schema.org, the same page gives the work's published graph.
    schema = client.get(
        page("src:1"), headers={"Accept": rdf, "Accept-Profile": f"<{SCHEMA_PROFILE}>"}
    )
    assert schema.headers["content-profile"] == f"<{SCHEMA_PROFILE}>"
    expected = graph_of_document(work_document(carried, BASE))
    assert isomorphic(rdflib.Graph().parse(data=schema.text, format="xml"), expected)

    # A work EDM cannot carry (no page, no rights): schema.org, and the answer says so...
    fallback = client.get(page("src:2"), headers={"Accept": rdf})
    assert fallback.status_code == 200
    assert fallback.headers["content-profile"] == f"<{SCHEMA_PROFILE}>"
    expected = graph_of_document(work_document(refused, BASE))
    assert isomorphic(rdflib.Graph().parse(data=fallback.text, format="xml"), expected)
    # ... and asking for EDM alone is 406, naming what is offered.
    only_edm = client.get(
        page("src:2") + ".rdf",
        headers={"Accept-Profile": f"<{EDM_PROFILE}>", "Accept-Language": "en"},
    )
    assert only_edm.status_code == 406
    assert SCHEMA_PROFILE in only_edm.text and "publish check" in only_edm.text


def test_the_page_is_html_by_default_and_links_its_alternates(
    served: tuple[TestClient, object],
) -> None:
    client, _ = served
    answer = client.get(page("src:1"), headers={"Accept": "text/html,*/*;q=0.8"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "Accept" in answer.headers["vary"].split(", ")  # and Accept-Encoding (gzip)
    tree = etree.HTML(answer.text)
    links = {
        (e.get("type"), e.get("href")) for e in tree.iter("link") if e.get("rel") == "alternate"
    }
    assert links == {(f.media_type, f"{page('src:1')}.{f.extension}") for f in negotiated_formats()}


def test_nothing_acceptable_is_406_a_deleted_work_410_an_unknown_one_404(
    served: tuple[TestClient, object],
) -> None:
    client, _ = served
    assert client.get(page("src:1"), headers={"Accept": "image/png"}).status_code == 406
    assert client.get(page("src:2")).status_code == 410
    assert client.get(page("src:2") + ".nt").status_code == 410
    assert client.get(page("src:2"), headers={"Accept": "text/turtle"}).status_code == 410
    assert client.get(page("src:none")).status_code == 404
    assert client.get(page("src:none") + ".ttl").status_code == 404


def test_the_api_answers_410_for_a_deleted_work_as_its_uri_does(
    served: tuple[TestClient, object],
) -> None:
    """/api/works/ID said 404 for a work the catalogue deleted, while /oeuvre/ID said 410."""
    client, _ = served
    assert client.get("/api/works/" + quote("src:1", safe="")).status_code == 200
    gone = client.get("/api/works/" + quote("src:2", safe=""))
    assert gone.status_code == 410 and "retirée" in gone.text
    assert client.get("/api/works/" + quote("src:none", safe="")).status_code == 404


def test_the_open_data_page_lists_formats_and_licences_in_french_and_english(
    served: tuple[TestClient, object],
) -> None:
    client, _ = served
    fr = client.get("/donnees-ouvertes")
    en = client.get("/donnees-ouvertes?lang=en")
    assert fr.status_code == en.status_code == 200
    assert "Données ouvertes" in fr.text and "Open data" in en.text
    for text in (fr.text, en.text):
        assert "text/turtle" in text and "/sitemap.xml" in text
        assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in text
    assert 'href="/donnees-ouvertes"' in client.get(page("src:1")).text


# Sitemaps ------------------------------------------------------------------------------------


def _schema(name: str) -> etree.XMLSchema:
    if not (STANDARDS / name).is_file():
        pytest.skip(f"the sitemaps XSDs are not at {STANDARDS} (../shared/standards)")
    return etree.XMLSchema(etree.parse(str(STANDARDS / name)))


def _locs(path: Path) -> list[str]:
    tree = etree.parse(str(path))
    return [e.text or "" for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def _valid(folder: Path) -> None:
    urlset, index = _schema("sitemap.xsd"), _schema("siteindex.xsd")
    index.assertValid(etree.parse(str(folder / "sitemap.xml")))
    for path in (folder / "sitemaps").glob("*.xml"):
        urlset.assertValid(etree.parse(str(path)))


def test_sitemaps_validate_are_rewritten_only_where_works_changed_and_drop_deleted_works(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        write(db, [work(str(i)) for i in range(8)])  # positions 1…8: sitemaps 0, 1, 2
        first = update_sitemaps(db, out, BASE, limit=3)
        assert (first.full, first.written, first.sitemaps) == (True, [0, 1, 2], 3)
        _valid(out)
        assert _locs(out / "sitemaps" / "0.xml") == [
            BASE + "oeuvre/src%3A0",
            BASE + "oeuvre/src%3A1",
            BASE + "oeuvre/src%3A2",
        ]
        assert _locs(out / "sitemap.xml") == [BASE + f"sitemaps/{n}.xml" for n in range(3)]
        untouched = (out / "sitemaps" / "0.xml").stat().st_mtime_ns

        write(db, [work("4", "Nouveau titre")], delete=["src:7"])  # sitemaps 1 and 2
        again = update_sitemaps(db, out, BASE, limit=3)
        assert (again.full, again.written, again.removed) == (False, [1, 2], [])
        assert (out / "sitemaps" / "0.xml").stat().st_mtime_ns == untouched
        assert BASE + "oeuvre/src%3A7" not in _locs(out / "sitemaps" / "2.xml")
        changed = db.work_state("src:4")
        assert changed is not None
        lastmods = {
            e.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"): e.findtext(
                "{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod"
            )
            for e in etree.parse(str(out / "sitemaps" / "1.xml")).getroot()
        }
        assert lastmods[BASE + "oeuvre/src%3A4"] == changed.modified
        _valid(out)

        write(db, [], delete=["src:6"])  # sitemap 2 is left empty: it goes
        gone = update_sitemaps(db, out, BASE, limit=3)
        assert (gone.removed, gone.sitemaps) == ([2], 2)
        assert not (out / "sitemaps" / "2.xml").exists()
        assert _locs(out / "sitemap.xml") == [BASE + f"sitemaps/{n}.xml" for n in range(2)]
        assert update_sitemaps(db, out, BASE, limit=3).written == []  # nothing changed
        # Another limit: everything again, the files of the old layout gone.
        other = update_sitemaps(db, out, BASE, limit=50)
        assert (other.full, other.sitemaps) == (True, 1)
        assert sorted(p.name for p in (out / "sitemaps").iterdir()) == ["0.xml"]
        _valid(out)


def test_the_server_serves_valid_sitemaps_and_robots_txt(
    served: tuple[TestClient, object], tmp_path: Path
) -> None:
    client, _ = served
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and f"Sitemap: {BASE}sitemap.xml" in robots.text
    index = client.get("/sitemap.xml")
    assert index.headers["content-type"].startswith("application/xml")
    _schema("siteindex.xsd").assertValid(etree.fromstring(index.content))
    urls = client.get("/sitemaps/0.xml")
    _schema("sitemap.xsd").assertValid(etree.fromstring(urls.content))
    locs = [e.text for e in etree.fromstring(urls.content).iter("{*}loc")]
    assert locs == [BASE + "oeuvre/src%3A1", BASE + "oeuvre/src%3Aa%2Fb"]  # src:2 was deleted
    assert client.get("/sitemaps/1.xml").status_code == 404
    assert client.get("/sitemaps/-1.xml").status_code == 404


# Command line --------------------------------------------------------------------------------


def test_publish_dump_and_sitemap_commands(tmp_path: Path) -> None:
    catalogue = tmp_path / "c.sqlite"
    with SqliteCatalogue(catalogue) as db:
        write(db, [work(str(i)) for i in range(4)])
    runner = CliRunner()
    out = tmp_path / "c.ttl.gz"
    done = runner.invoke(
        cli,
        [
            "--lang",
            "en",
            "publish",
            "dump",
            "--catalogue",
            str(catalogue),
            "--format",
            "ttl",
            "-o",
            str(out),
            "--base-uri",
            BASE,
        ],
    )
    assert done.exit_code == 0, done.output
    assert "4 works" in done.output
    graph = rdflib.Graph().parse(data="".join(_lines(out)), format="turtle")
    assert len(set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("http://schema.org/Movie")))) == 4
    site = tmp_path / "site"
    done = runner.invoke(
        cli,
        [
            "publish",
            "sitemap",
            "--catalogue",
            str(catalogue),
            "-o",
            str(site),
            "--base-uri",
            BASE,
            "--limit",
            "3",
        ],
    )
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (site / "sitemaps").iterdir()) == ["0.xml", "1.xml"]
    refused = runner.invoke(
        cli, ["publish", "dump", "--catalogue", str(catalogue), "--format", "rdf", "-o", "x"]
    )
    assert refused.exit_code == 2 and "edm" in refused.output  # among the formats offered


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", ["3 œuvres laissées de côté : le format edm", "3  aucune licence", "1 œuvres,"]),
        ("en", ["3 works left out: the edm format cannot carry them", "3  no licence", "1 works,"]),
    ],
)
def test_publish_dump_edm_says_how_many_works_it_left_out_and_why(
    tmp_path: Path, lang: str, said: list[str]
) -> None:
    catalogue = tmp_path / "c.sqlite"
    with SqliteCatalogue(catalogue) as db:
        write(db, [shown("0"), *(work(str(i)) for i in range(1, 4))])
    args = ["--lang", lang, "publish", "dump", "--catalogue", str(catalogue), "--format", "edm"]
    done = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "c.rdf"), "--base-uri", BASE])
    assert done.exit_code == 0, done.output
    for text in said:
        assert text in done.output, done.output
