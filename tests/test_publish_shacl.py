"""The profile's SHACL shape: it says what the model says, pyshacl finds each fault of a broken
work, none in the real catalogues' works, and nothing is fetched."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from lanterne.catalogue import SqliteCatalogue, StoredWork
from lanterne.cli import cli
from lanterne.diagnose import diagnose
from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
from lanterne.profile import (
    MAX_TEXT,
    AgentKind,
    DatePrecision,
    Event,
    FuzzyDate,
    GeoPoint,
    IdentifierScheme,
    Media,
    MediaKind,
    Offer,
    OfferCategory,
    Place,
    Provenance,
    TextKind,
    Title,
    Work,
    WorkType,
    decode_work,
    encode_work,
)
from lanterne.profile.schemaorg import local_context, work_to_jsonld
from lanterne.publish import check, shacl_check, shapes_turtle, shapes_uri
from lanterne.publish._shacl import offline, shapes_graph, work_graph

SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("http://schema.org/")
BASE = "https://lanterne.example/"
ROOT = Path(__file__).resolve().parents[2] / "shared"
SHARED = ROOT / "data"
CATALOGUES = [
    "festivals-france",
    "joconde-costumes",
    "scenes-francophones-events",
    "movielens-latest-small",
    "goodbooks-10k-books",
]
SAMPLE = 300
"""Works checked per catalogue (spread over it): pyshacl takes ~10 ms a work."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _shape(name: str) -> URIRef:
    return URIRef(shapes_uri(BASE) + "#" + name)


def _property(shape: URIRef, path: URIRef) -> Any:
    graph = shapes_graph(BASE)
    for prop in [*graph.objects(shape, SH.property)]:
        if graph.value(prop, SH.path) == path:
            return prop
    raise AssertionError(f"{shape} has no property {path}")


def _value(node: Any, key: URIRef) -> Any:
    found = shapes_graph(BASE).value(node, key)
    assert found is not None, (node, key)
    return found.toPython() if isinstance(found, Literal) else found


def _in(node: Any) -> list[str]:
    graph = shapes_graph(BASE)
    return [str(x) for x in Collection(graph, graph.value(node, SH["in"]))]


def _meta(struct: type, field: str) -> msgspec.inspect.Type:
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    found = next(f.type for f in info.fields if f.name == field)
    if isinstance(found, msgspec.inspect.UnionType):  # ``X | None``
        found = next(t for t in found.types if not isinstance(t, msgspec.inspect.NoneType))
    return found


def test_the_shape_says_what_the_model_says() -> None:
    graph = shapes_graph(BASE)
    targets = {str(t) for t in graph.objects(_shape("Work"), SH.targetClass)}
    assert targets == {str(SCHEMA[t.value]) for t in WorkType}
    agents = {str(t) for t in graph.objects(_shape("Agent"), SH.targetClass)}
    assert agents == {str(SCHEMA[k.value]) for k in AgentKind}
    scheme = _property(_shape("Identifier"), SCHEMA.propertyID)
    assert _in(scheme) == [s.value for s in IdentifierScheme]
    category = _property(_shape("Offer"), SCHEMA.category)
    assert _in(category) == [c.value for c in OfferCategory]

    price, currency = _meta(Offer, "price"), _meta(Offer, "currency")
    assert isinstance(price, msgspec.inspect.FloatType)
    assert isinstance(currency, msgspec.inspect.StrType)
    assert _value(_property(_shape("Offer"), SCHEMA.price), SH.minInclusive) == price.ge
    assert _value(_property(_shape("Offer"), SCHEMA.priceCurrency), SH.pattern) == currency.pattern
    for field, prop in (("lat", SCHEMA.latitude), ("lon", SCHEMA.longitude)):
        bound = _meta(GeoPoint, field)
        assert isinstance(bound, msgspec.inspect.FloatType)
        shape = _property(_shape("GeoCoordinates"), prop)
        assert (_value(shape, SH.minInclusive), _value(shape, SH.maxInclusive)) == (
            bound.ge,
            bound.le,
        )
    for field, prop in (("width", SCHEMA.width), ("height", SCHEMA.height)):
        size = _meta(Media, field)
        assert isinstance(size, msgspec.inspect.IntType)
        assert _value(_property(_shape("ImageObject"), prop), SH.minExclusive) == size.gt
    for name in ("name", "alternateName", "description"):
        assert _value(_shape(name), SH.maxLength) == MAX_TEXT
        assert _value(_shape(name), SH.minLength) == 1


def test_the_shape_is_published_under_the_base_uri_with_messages_in_both_languages() -> None:
    graph = shapes_graph("https://autre.example/base/")
    assert (URIRef("https://autre.example/base/shapes/work#Work"), RDF.type, SH.NodeShape) in graph
    messages = [m for m in graph.objects(None, SH.message) if isinstance(m, Literal)]
    assert {m.language for m in messages} == {"fr", "en"}
    french = sum(1 for m in messages if m.language == "fr")
    assert french == sum(1 for m in messages if m.language == "en") > 10
    assert shapes_turtle().startswith("# Lanterne")


def _event() -> Work:
    return Work(
        id="test:1",
        type=WorkType.THEATER_EVENT,
        titles=[Title(value="Les Fourberies de Scapin", lang="fr")],
        in_languages=["fr"],
        events=[
            Event(
                start="2025-03-14T20:00-04:00",
                place=Place(name="Théâtre", geo=GeoPoint(lat=46.8, lon=-71.2)),
            )
        ],
        media=[Media(kind=MediaKind.IMAGE, url="https://example.org/a.jpg", width=640, height=480)],
        offers=[Offer(category=OfferCategory.TICKET, price=25.0, currency="CAD")],
        provenance=Provenance(source="test", source_id="1"),
    )


def test_a_sound_work_conforms(no_network: None) -> None:
    assert shacl_check(_event(), BASE) == []


def test_a_work_named_only_by_another_title_conforms() -> None:
    work = msgspec.structs.replace(
        _event(), titles=[Title(value="Scapin", lang="fr", kind=TextKind.ALTERNATIVE_TITLE)]
    )
    assert "name" not in work_to_jsonld(work)
    assert shacl_check(work, BASE) == []


def test_a_broken_work_gets_each_expected_violation_and_the_model_refuses_it_too(
    no_network: None,
) -> None:
    sound = _event()
    broken = msgspec.structs.replace(
        sound,
        offers=[Offer(category=OfferCategory.TICKET, price=-1.0, currency="eur")],
        events=[Event(start="hier", place=Place(name="Nulle part", geo=GeoPoint(lat=200, lon=10)))],
        media=[Media(kind=MediaKind.IMAGE, url="https://example.org/a.jpg", width=0, height=480)],
    )
    broken.in_languages = ["français"]  # past the model's check, as a careless writer would
    found = {(v.path, v.constraint, v.value) for v in shacl_check(broken, BASE)}
    assert found == {
        ("schema:price", "MinInclusiveConstraintComponent", "-1.0"),
        ("schema:priceCurrency", "PatternConstraintComponent", "eur"),
        ("schema:latitude", "MaxInclusiveConstraintComponent", "200"),
        ("schema:startDate", "PatternConstraintComponent", "hier"),
        ("schema:width", "MinExclusiveConstraintComponent", "0"),
        ("schema:inLanguage", "PatternConstraintComponent", "français"),
    }
    with pytest.raises((msgspec.ValidationError, ValueError)):
        decode_work(encode_work(broken))
    report = check([sound, broken], "shacl")
    assert (report.valid, report.invalid) == (1, 1)
    lines = report.works[1].errors
    assert "schema:price « -1.0 » : un prix est un nombre positif ou nul" in lines
    english = check([broken], "shacl", lang="en").works[0].errors
    assert "schema:price « -1.0 » : a price is a number, zero or more" in english


def test_a_creation_date_that_is_no_date_is_a_violation() -> None:
    # The model's pattern takes « 1850-13-45 » (four digits, two, two); the shape asks for a
    # month and a day that exist, as xsd:date does.
    book = Work(
        id="test:2",
        type=WorkType.BOOK,
        titles=[Title(value="Un livre", lang="fr")],
        created=FuzzyDate(earliest="1850-13-45", latest="1850-13-45", precision=DatePrecision.DAY),
        provenance=Provenance(source="test", source_id="2"),
    )
    assert work_to_jsonld(book)["dateCreated"] == "1850-13-45"
    found = [(v.path, v.value) for v in shacl_check(book, BASE)]
    assert found == [("schema:dateCreated", "1850-13-45")]
    fixed = msgspec.structs.replace(
        book,
        created=FuzzyDate(earliest="1850-12-31", latest="1850-12-31", precision=DatePrecision.DAY),
    )
    assert shacl_check(fixed, BASE) == []


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_the_inline_context_gives_the_graph_of_the_full_schema_org_context() -> None:
    doc = work_to_jsonld(_event())
    assert doc["@context"] == "https://schema.org"  # what rdflib would fetch
    small = offline(doc)["@context"]
    assert small["@vocab"] == "http://schema.org/"
    assert small["contentUrl"] == {"@id": "http://schema.org/contentUrl", "@type": "@id"}
    full = Graph().parse(data=json.dumps({**doc, "@context": local_context()}), format="json-ld")
    assert isomorphic(work_graph(_event()), full)


# The five real catalogues --------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("shacl-five")
    paths = {}
    for name in CATALOGUES:
        path = folder / f"{name}.sqlite"
        with SqliteCatalogue(path) as db:
            ingest(db, SHARED / name, load_mapping_profile(name), IngestOptions(workers=2))
        paths[name] = path
    return paths


def _rated_valid(work: Work) -> bool:
    """« Rated valid »: the diagnosis judges only records the profile accepts — the model's
    validation (``decode_work`` of the canonical JSON, what ingest applies before storing and
    the diagnosis relies on) passes, and the diagnosis runs on the record. Its rules are scores
    (a missing image lowers it), not validity: no rule is required."""
    try:
        decode_work(encode_work(work))
    except (msgspec.ValidationError, ValueError):
        return False
    diagnose(work, actions=False)
    return True


@pytest.mark.shared_data
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"real datasets not found at {SHARED}")
@pytest.mark.parametrize("name", CATALOGUES)
def test_pyshacl_finds_no_violation_in_the_works_the_diagnosis_rates_valid(
    catalogues: dict[str, Path], name: str, no_network: None
) -> None:
    with SqliteCatalogue(catalogues[name]) as db:
        works = list(db.iter_works())
    step = max(1, len(works) // SAMPLE)
    sample = works[::step][:SAMPLE]
    rated = [w for w in sample if _rated_valid(w)]
    print(f"\n{name}: {len(works)} works, {len(sample)} sampled, {len(rated)} rated valid")
    assert len(rated) == len(sample) > 0  # every stored work passed the model
    faults = {w.id: shacl_check(w, BASE) for w in rated}
    assert {k: v for k, v in faults.items() if v} == {}


def test_publish_check_shacl_reports_each_work_and_the_totals(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    works = [_event(), msgspec.structs.replace(_event(), id="test:2", offers=[])]
    with SqliteCatalogue(path) as db:
        run = db.begin_run("test", "p", ["f.csv"]).id
        stored = []
        for work in works:
            doc = encode_work(work)
            digest = hashlib.blake2b(doc, digest_size=16).digest()
            stored.append(
                StoredWork(
                    id=work.id,
                    source="test",
                    source_id=work.provenance.source_id,
                    type=work.type.value,
                    doc=doc,
                    digest=digest,
                )
            )
        db.write_batch(run, stored)
        db.finish_run(run, "completed", {})
    runner = CliRunner()
    args = ["publish", "check", "--catalogue", str(path), "--format", "shacl", "--all"]
    french = runner.invoke(cli, ["--lang", "fr", *args])
    assert french.exit_code == 0, french.output
    assert "valide    test:1" in french.output.splitlines()
    assert "shacl : 2 œuvres — 2 valides, 0 exclues, 0 invalides" in french.output
    english = runner.invoke(cli, ["--lang", "en", *args, "--json"])
    assert json.loads(english.stdout)["valid"] == 2
