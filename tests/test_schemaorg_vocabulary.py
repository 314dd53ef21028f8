"""The shipped schema.org 12.0 vocabulary and the strict JSON-LD checker built on it."""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import socket
from importlib import resources
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from lanterne.profile.schemaorg import (
    Vocabulary,
    check_document,
    local_context,
    local_name,
    schema_iri,
)


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.load()


# --- data files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "sha256"),
    [
        (
            "schemaorg-current-https.jsonld.gz",
            "8007e0ad351d2b28ec30dfbfa7335561c3523b3387e057ec8968ef3ce0b2647b",
        ),
        (
            "schemaorg-context.jsonld.gz",
            "fcccad793c7854913a91cd9e624697b3de56660c4fb2b581d868cf4590409bb2",
        ),
    ],
)
def test_data_files_match_the_licence_notice(filename: str, sha256: str) -> None:
    data = resources.files("lanterne.profile.schemaorg").joinpath("data", filename).read_bytes()
    assert hashlib.sha256(gzip.decompress(data)).hexdigest() == sha256
    notice = resources.files("lanterne.profile.schemaorg").joinpath("data", "LICENSE.md")
    text = notice.read_text(encoding="utf-8")
    assert sha256 in text
    assert "CC BY-SA 3.0" in text


def test_load_is_cached_and_versioned(vocab: Vocabulary) -> None:
    assert Vocabulary.load() is vocab
    assert vocab.version == "12.0"


# --- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Movie", "schema:Movie", "https://schema.org/Movie", "http://schema.org/Movie"]
)
def test_name_forms(vocab: Vocabulary, name: str) -> None:
    assert local_name(name) == "Movie"
    assert vocab.has_type(name)


@pytest.mark.parametrize(
    "name", ["dct:title", "https://example.org/Movie", "https://schema.org/", "", "a/b"]
)
def test_foreign_names_are_not_schema_terms(vocab: Vocabulary, name: str) -> None:
    assert local_name(name) is None
    assert not vocab.has_type(name)
    assert not vocab.has_property(name)


def test_schema_iri() -> None:
    assert schema_iri("schema:Movie") == "https://schema.org/Movie"
    with pytest.raises(ValueError, match=r"not a schema\.org term"):
        schema_iri("dct:title")


# --- vocabulary -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Movie", "Festival", "LandmarksOrHistoricalBuildings", "Drawing", "Painting", "Text", "Date"],
)
def test_types_that_exist(vocab: Vocabulary, name: str) -> None:
    assert vocab.has_type(name)


@pytest.mark.parametrize("name", ["Clothing", "Film", "movie", "director", "EventScheduled"])
def test_types_that_do_not_exist(vocab: Vocabulary, name: str) -> None:
    # Clothing came after 12.0; properties and enumeration members are not types.
    assert not vocab.has_type(name)


@pytest.mark.parametrize("name", ["director", "isbn", "address", "geo", "startDate", "directors"])
def test_properties_that_exist(vocab: Vocabulary, name: str) -> None:
    assert vocab.has_property(name)


@pytest.mark.parametrize("name", ["Movie", "realisateur", "Director", "altitude"])
def test_properties_that_do_not_exist(vocab: Vocabulary, name: str) -> None:
    assert not vocab.has_property(name)


@pytest.mark.parametrize(
    ("prop", "type_name", "fits"),
    [
        ("director", "Movie", True),
        ("director", "Book", False),
        ("isbn", "Book", True),
        ("isbn", "Movie", False),
        ("address", "Place", True),
        ("address", "LandmarksOrHistoricalBuildings", True),
        ("geo", "LandmarksOrHistoricalBuildings", True),
        ("startDate", "Event", True),
        ("startDate", "Festival", True),
        ("location", "TheaterEvent", True),
        ("price", "Offer", True),
        ("price", "Book", False),
        ("name", "Painting", True),
        ("startDate", "Clothing", False),
        ("colour", "Movie", False),
    ],
)
def test_property_fits(vocab: Vocabulary, prop: str, type_name: str, fits: bool) -> None:
    assert vocab.property_fits(prop, type_name) is fits


def test_inheritance(vocab: Vocabulary) -> None:
    assert vocab.is_subtype("Painting", "CreativeWork")
    assert vocab.is_subtype("TheaterEvent", "Event")
    assert vocab.is_subtype("schema:LandmarksOrHistoricalBuildings", "https://schema.org/Place")
    assert vocab.is_subtype("Movie", "Movie")
    assert not vocab.is_subtype("Event", "TheaterEvent")
    assert not vocab.is_subtype("Book", "Event")
    assert vocab.supertypes("TheaterEvent") == {"TheaterEvent", "Event", "Thing"}
    assert vocab.supertypes("Integer") == {"Integer", "Number"}
    assert vocab.supertypes("Clothing") == frozenset()


@pytest.mark.parametrize(
    ("name", "is_member"),
    [
        ("EventScheduled", True),
        ("InStock", True),
        ("https://schema.org/OfflineEventAttendanceMode", True),
        ("Dermatologic", True),
        ("True", False),  # an instance of the Boolean data type, not of an enumeration
        ("EventStatusType", False),
        ("Movie", False),
        ("Scheduled", False),
    ],
)
def test_enumeration_members(vocab: Vocabulary, name: str, is_member: bool) -> None:
    assert vocab.is_enumeration_member(name) is is_member


def test_supersession(vocab: Vocabulary) -> None:
    assert vocab.superseded_by("directors") == "director"
    assert vocab.superseded_by("Season") == "CreativeWorkSeason"
    assert vocab.superseded_by("director") is None


# --- valid documents --------------------------------------------------------------------------

MOVIE: dict[str, Any] = {
    "@context": "https://schema.org",
    "@type": "Movie",
    "@id": "https://example.org/work/1",
    "name": [{"@value": "La Haine", "@language": "fr"}, "Hate"],
    "director": {"@type": "Person", "name": "Mathieu Kassovitz", "sameAs": "https://viaf.org/1"},
    "dateCreated": "1995",
    "inLanguage": "fr",
    "countryOfOrigin": {"@type": "Country", "name": "France"},
    "genre": ["Drama", "Crime"],
}

EVENT: dict[str, Any] = {
    "@context": "http://schema.org/",
    "@graph": [
        {
            "@type": "TheaterEvent",
            "@id": "https://example.org/event/1",
            "name": "Cyrano",
            "startDate": "2024-05-01T20:00",
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "schema:OfflineEventAttendanceMode",
            "location": [
                {
                    "@type": "Place",
                    "name": "Théâtre du Nouveau Monde",
                    "address": {
                        "@type": "PostalAddress",
                        "streetAddress": "84, rue Sainte-Catherine Ouest",
                        "addressLocality": "Montréal",
                        "addressRegion": "QC",
                        "addressCountry": "CA",
                    },
                    "geo": {"@type": "GeoCoordinates", "latitude": 45.508, "longitude": -73.566},
                },
                {"@type": "PostalAddress", "addressLocality": "Montréal"},
            ],
            "offers": {
                "@type": "Offer",
                "price": 42.5,
                "priceCurrency": "CAD",
                "availability": {"@id": "https://schema.org/InStock"},
                "url": "https://example.org/tickets",
            },
            "workPerformed": {"@id": "https://example.org/work/2"},
        },
        {"@type": "Festival", "name": "Festival TransAmériques", "subEvent": {"@id": "#e1"}},
    ],
}

BOOK: dict[str, Any] = {
    "@context": ["https://schema.org", {"@language": "fr"}],
    "@type": "Book",
    "name": "L'Écume des jours",
    "isbn": "9782253140870",
    "author": [{"@type": "Person", "name": "Boris Vian"}, {"@id": "https://example.org/p/2"}],
    "bookFormat": "https://schema.org/Paperback",
    "workExample": {"@type": "Book", "bookEdition": "2", "numberOfPages": 320},
}

PAINTING: dict[str, Any] = {
    "@context": "https://schema.org/",
    "type": "Painting",  # the official context aliases "type" to @type
    "id": "https://example.org/work/3",
    "name": "La Ville de Montréal",
    "creator": {"@type": "Person", "name": "Marc-Aurèle Fortin"},
    "material": "Aquarelle",
    # width is a VisualArtwork property, and Painting is only a CreativeWork.
    "locationCreated": {"@type": "City", "name": "Montréal"},
    "keywords": {"@list": ["paysage", "ville"]},
}

LANDMARK: dict[str, Any] = {
    "@context": "https://schema.org",
    "@type": ["LandmarksOrHistoricalBuildings", "TouristAttraction"],
    "name": "Château Frontenac",
    "geo": {"@type": "GeoCoordinates", "latitude": "46.8119", "longitude": "-71.2053"},
    "address": {"@type": "PostalAddress", "addressLocality": "Québec"},
    "touristType": "Patrimoine",
    "@reverse": {"about": {"@type": "Article", "name": "Histoire du Château"}},
}

VALID = {"movie": MOVIE, "event": EVENT, "book": BOOK, "painting": PAINTING, "landmark": LANDMARK}


@pytest.mark.parametrize("doc", VALID.values(), ids=VALID.keys())
def test_valid_documents(doc: dict[str, Any]) -> None:
    assert check_document(doc) == []


def test_local_context_is_accepted_in_place_of_the_remote_one() -> None:
    doc = {**MOVIE, "@context": local_context()}
    assert check_document(doc) == []


# --- invalid documents ------------------------------------------------------------------------


def _with(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(doc)
    changed.update(changes)
    return changed


@pytest.mark.parametrize(
    ("doc", "problems"),
    [
        pytest.param(
            _with(MOVIE, **{"@type": "Clothing"}),
            ["$.@type: unknown schema.org type 'Clothing'"],
            id="unknown-type",
        ),
        pytest.param(
            _with(MOVIE, **{"@type": ["Movie", "Film"]}),
            ["$.@type[1]: unknown schema.org type 'Film'"],
            id="unknown-type-in-list",
        ),
        pytest.param(
            _with(MOVIE, realisateur="Kassovitz"),
            ["$.realisateur: unknown schema.org property 'realisateur'"],
            id="unknown-property",
        ),
        pytest.param(
            _with(MOVIE, **{"dct:title": "La Haine"}),
            ["$.dct:title: unknown schema.org property 'dct:title'"],
            id="foreign-property",
        ),
        pytest.param(
            _with(BOOK, director={"@type": "Person", "name": "X"}),
            ["$.director: property 'director' does not apply to type 'Book'"],
            id="property-on-wrong-type",
        ),
        pytest.param(
            _with(MOVIE, isbn="9782253140870"),
            ["$.isbn: property 'isbn' does not apply to type 'Movie'"],
            id="isbn-on-movie",
        ),
        pytest.param(
            _with(LANDMARK, startDate="1893"),
            [
                "$.startDate: property 'startDate' does not apply to types "
                "'LandmarksOrHistoricalBuildings', 'TouristAttraction'"
            ],
            id="property-on-wrong-types",
        ),
        pytest.param(
            _with(MOVIE, director={"@type": "Person", "name": "X", "price": 3}),
            ["$.director.price: property 'price' does not apply to type 'Person'"],
            id="nested-property-on-wrong-type",
        ),
        pytest.param(
            _with(MOVIE, director={"name": "Mathieu Kassovitz"}),
            ["$.director: node without @type"],
            id="nested-node-without-type",
        ),
        pytest.param(
            _with(MOVIE, director=[{"@type": "Person", "name": "A"}, {"@id": "x", "name": "B"}]),
            ["$.director[1]: node without @type"],
            id="node-without-type-in-list",
        ),
        pytest.param(
            _with(MOVIE, directors={"@type": "Person", "name": "X"}),
            ["$.directors: property 'directors' is superseded by 'director'"],
            id="superseded-property",
        ),
        pytest.param(
            _with(MOVIE, **{"@type": "Code"}),
            [
                "$.@type: type 'Code' is superseded by 'SoftwareSourceCode'",
                *[
                    f"$.{p}: property '{p}' does not apply to type 'Code'"
                    for p in ("director", "countryOfOrigin")
                ],
            ],
            id="superseded-type",
        ),
        pytest.param(
            _with(BOOK, bookFormat="https://schema.org/Pocket"),
            ["$.bookFormat: 'https://schema.org/Pocket' is not a schema.org enumeration member"],
            id="unknown-enumeration-member",
        ),
        pytest.param(
            _with(BOOK, bookFormat={"@id": "schema:InStock"}),
            ["$.bookFormat: 'InStock' is not a member of BookFormatType (range of 'bookFormat')"],
            id="member-of-another-enumeration",
        ),
        pytest.param(
            _with(MOVIE, **{"@context": "https://example.org/context"}),
            [
                "$.@context: unsupported @context 'https://example.org/context'; "
                "expected 'https://schema.org'"
            ],
            id="foreign-context",
        ),
        pytest.param(
            {"@type": "Movie", "name": "X"},
            ["$: no @context; expected 'https://schema.org'"],
            id="no-context",
        ),
        pytest.param(
            {"@context": "https://schema.org", "name": "X"},
            ["$: node without @type"],
            id="root-without-type",
        ),
        pytest.param(
            _with(LANDMARK, **{"@reverse": {"about": {"@type": "Person", "name": "X"}}}),
            ["$.@reverse.about: property 'about' does not apply to 'Person' (@reverse)"],
            id="reverse-property-on-wrong-type",
        ),
    ],
)
def test_invalid_documents(doc: dict[str, Any], problems: list[str]) -> None:
    assert check_document(doc) == problems


def test_problems_in_a_graph_have_graph_paths() -> None:
    event = copy.deepcopy(EVENT)
    event["@graph"][0]["eventStatus"] = "https://schema.org/EventPostponed"  # valid
    event["@graph"][0]["location"][0]["geo"]["elevation"] = 30  # valid
    event["@graph"][0]["offers"]["availability"] = "schema:EventCancelled"
    event["@graph"][0]["location"][1]["director"] = {"@id": "x"}
    event["@graph"][1]["isbn"] = "123"
    assert check_document(event) == [
        "$.@graph[0].location[1].director: property 'director' does not apply to type "
        "'PostalAddress'",
        "$.@graph[0].offers.availability: 'EventCancelled' is not a member of ItemAvailability "
        "(range of 'availability')",
        "$.@graph[1].isbn: property 'isbn' does not apply to type 'Festival'",
    ]


def test_text_values_of_enumerated_properties_are_not_members_checked() -> None:
    # schema.org lets any property take text: only schema.org IRIs claim to be members.
    assert check_document(_with(BOOK, bookFormat="Livre de poche")) == []


# --- offline JSON-LD processing ---------------------------------------------------------------


def test_local_context_is_the_schema_org_context() -> None:
    context = local_context()
    assert context["@vocab"] == "http://schema.org/"
    assert context["type"] == "@type"
    context["@vocab"] = "changed"
    assert local_context()["@vocab"] == "http://schema.org/"


# rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph, which it has deprecated itself.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_rdflib_parses_a_document_with_the_local_context(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object) -> None:
        raise AssertionError("network access while parsing")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    doc = {**MOVIE, "@context": local_context()}
    graph = Graph().parse(data=json.dumps(doc), format="json-ld")
    schema = "http://schema.org/"
    movie = URIRef("https://example.org/work/1")
    assert (movie, RDF.type, URIRef(schema + "Movie")) in graph
    directors = list(graph.objects(movie, URIRef(schema + "director")))
    assert len(directors) == 1
    assert (directors[0], RDF.type, URIRef(schema + "Person")) in graph
    # Movie: type, 2 names, director, dateCreated, inLanguage, countryOfOrigin, 2 genres (9);
    # director: type, name, sameAs (3); country: type, name (2).
    assert len(graph) == 14
