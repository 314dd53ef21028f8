"""The schema.org crosswalk: valid schema.org for every work type, and read(write(w)) == w."""

from __future__ import annotations

import copy
import datetime as dt
import json
import socket
from typing import Any

import msgspec
import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from lanterne.profile import (
    Address,
    Agent,
    AgentKind,
    AttendanceMode,
    Contribution,
    CreationLabel,
    CreationLabelValue,
    DatePrecision,
    Diversity,
    Event,
    EventStatus,
    FuzzyDate,
    GeoPoint,
    Identifier,
    IdentifierScheme,
    LabelMethod,
    LangText,
    Media,
    MediaKind,
    Offer,
    OfferCategory,
    Place,
    Provenance,
    Rights,
    Role,
    TdmReservation,
    Term,
    Territory,
    TerritoryLevel,
    TextKind,
    Title,
    Work,
    WorkType,
)
from lanterne.profile.schemaorg import (
    Vocabulary,
    check_document,
    local_context,
    node_to_fields,
    work_from_jsonld,
    work_to_jsonld,
)

ALL_TYPES = list(WorkType)
PREFIX = "lanterne:"
SCHEMA_HTTP = "http://schema.org/"  # the namespace of the shipped context's @vocab


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.load()


# --- fixtures: a rich work and a minimal work of each type ------------------------------------


PROVENANCE = Provenance(
    source="bnf",
    source_id="cb12345678",
    profile="bnf-marc",
    url="https://catalogue.bnf.fr/ark:/12148/cb12345678",
    licence="https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    attribution="Bibliothèque nationale de France",
)

HUGO = Agent(
    name="Victor Hugo",
    identifiers=[
        Identifier(scheme=IdentifierScheme.ISNI, value="0000000121200982"),
        Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q535"),
    ],
    gender="male",
    gender_source="wikidata",
)

THEATRE = Place(
    name="Théâtre du Nouveau Monde",
    address=Address(
        street="84, rue Sainte-Catherine Ouest",
        locality="Montréal",
        postal_code="H2X 1Z6",
        region="QC",
        country="CA",
    ),
    geo=GeoPoint(lat=45.5081, lon=-73.5660),
    identifiers=[Identifier(scheme=IdentifierScheme.ARTSDATA, value="K2-1234")],
)

CHATEAU = Place(
    name="Château de Brest",
    address=Address(locality="Brest", postal_code="29200", region="Bretagne", country="FR"),
    geo=GeoPoint(lat=48.3794, lon=-4.4960),
    identifiers=[Identifier(scheme=IdentifierScheme.MERIMEE, value="PA00089867")],
)


def _event(day: int, place: Place = THEATRE) -> Event:
    return Event(
        start=f"2024-07-{day:02d}T20:30:00-04:00",
        end=f"2024-07-{day:02d}T22:45:00-04:00",
        place=place,
        status=EventStatus.SCHEDULED,
        attendance=AttendanceMode.OFFLINE,
        url=f"https://tnm.qc.ca/evenements/{day}",
    )


def rich_work(work_type: WorkType) -> Work:
    """Every field filled, with values that fit the type and values that do not."""
    identifiers = [
        Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q180736"),
        Identifier(scheme=IdentifierScheme.ARK, value="ark:/12148/cb12345678"),
        Identifier(scheme=IdentifierScheme.LOCAL, value="BNF-0001"),
    ]
    if work_type is WorkType.BOOK:
        identifiers.insert(1, Identifier(scheme=IdentifierScheme.ISBN, value="9782070409228"))
    # Two editions for a festival exercise the record; one occurrence for the others.
    events = [_event(14), _event(15, CHATEAU)] if work_type is WorkType.FESTIVAL else [_event(14)]
    return Work(
        id=f"bnf:{work_type.value}/cb12345678",
        type=work_type,
        titles=[
            Title(value="Les Misérables", lang="fr"),
            Title(value="Les Misérables (édition québécoise)", lang="fr-CA"),
            Title(value="The Wretched", lang="en"),
            Title(value="Les Misérables, roman", lang="fr", kind=TextKind.ALTERNATIVE_TITLE),
            Title(value="Les Misérables", lang="fr", kind=TextKind.ORIGINAL_TITLE),
        ],
        descriptions=[
            LangText(value="Roman de Victor Hugo, publié en 1862.", lang="fr"),
            LangText(value="A novel by Victor Hugo.", lang="en"),
            LangText(value="Sans langue déclarée."),
        ],
        in_languages=["fr", "fr-CA", "en"],
        created=FuzzyDate(
            earliest="1801-01-01",
            latest="1900-12-31",
            precision=DatePrecision.CENTURY,
            text="XIXe siècle",
            approximate=True,
        ),
        published=FuzzyDate(
            earliest="1862-04-03", latest="1862-04-03", precision=DatePrecision.DAY
        ),
        genres=[
            Term(label="roman", lang="fr", vocabulary="https://data.bnf.fr/rameau", term_id="R1"),
            Term(label="drame"),
        ],
        subjects=[
            Term(label="Paris", vocabulary="http://www.wikidata.org/", term_id="Q90"),
            Term(label="pauvreté", lang="fr"),
        ],
        identifiers=identifiers,
        contributors=[
            Contribution(agent=HUGO, role=Role.AUTHOR),
            Contribution(agent=Agent(name="Robert Hossein"), role=Role.DIRECTOR),
            Contribution(agent=Agent(name="Gustave Brion"), role=Role.ILLUSTRATOR),
            Contribution(
                agent=Agent(name="Les Grands Ballets", kind=AgentKind.PERFORMING_GROUP),
                role=Role.PERFORMER,
            ),
            Contribution(
                agent=Agent(name="Pathé", kind=AgentKind.ORGANIZATION),
                role=Role.PRODUCTION_COMPANY,
            ),
            Contribution(agent=Agent(name="TNM", kind=AgentKind.ORGANIZATION), role=Role.ORGANIZER),
            Contribution(agent=Agent(name="Claude-Michel Schönberg"), role=Role.COMPOSER),
            Contribution(agent=Agent(name="Isabel F. Hapgood"), role=Role.TRANSLATOR),
            Contribution(
                agent=Agent(name="Lacroix", kind=AgentKind.ORGANIZATION),
                role=Role.PUBLISHER,
                note="Bruxelles, A. Lacroix, Verboeckhoven et Cie",
            ),
        ],
        places=[CHATEAU],
        events=events,
        media=[
            Media(
                kind=MediaKind.IMAGE,
                url="https://upload.wikimedia.org/cosette.jpg",
                width=430,
                height=600,
                licence="https://creativecommons.org/publicdomain/mark/1.0/",
                caption="Cosette, par Émile Bayard",
            ),
            Media(kind=MediaKind.IIIF_MANIFEST, url="https://gallica.bnf.fr/iiif/manifest.json"),
        ],
        rights=Rights(
            licence="https://creativecommons.org/licenses/by-sa/4.0/",
            statement="Domaine public ; notice sous Licence Ouverte",
            holder="BnF",
        ),
        offers=[
            Offer(
                category=OfferCategory.TICKET,
                url="https://tnm.qc.ca/billets",
                price=0,
                currency="CAD",
                is_free=True,
                availability="InStock",
            ),
            Offer(
                category=OfferCategory.STREAMING,
                url="https://www.tv5unis.ca/les-miserables",
                provider="TV5 Unis",
                price=4.99,
                currency="CAD",
                availability="https://schema.org/PreOrder",
                territories=["CA", "FR", "BE"],
            ),
        ],
        diversity=Diversity(
            original_languages=["fr"],
            countries=["FR", "SUHH"],
            eof=True,
            european=True,
            territories=[
                Territory(level=TerritoryLevel.COUNTRY, code="FR"),
                Territory(level=TerritoryLevel.REGION, code="FR-BRE", name="Bretagne"),
                Territory(level=TerritoryLevel.MUNICIPALITY, name="Brest"),
            ],
            independent=False,
        ),
        creation_label=CreationLabel(
            value=CreationLabelValue.HUMAN,
            declared_by="BnF",
            method=LabelMethod.DECLARATION,
            date="2024-01-15T10:00:00Z",
        ),
        tdm=TdmReservation(
            reserved=True, policy="https://bnf.fr/tdm-policy.json", declared_by="BnF"
        ),
        url="https://catalogue.bnf.fr/ark:/12148/cb12345678",
        duration_minutes=142.5,
        provenance=PROVENANCE,
    )


def minimal_work(work_type: WorkType) -> Work:
    return Work(
        id=f"bnf:{work_type.value}-1",
        type=work_type,
        titles=[Title(value="Les Misérables", lang="fr")],
        provenance=Provenance(source="bnf", source_id="1"),
    )


def record_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The Lanterne record's entries (``lanterne:`` keys stripped, values decoded)."""
    record = doc.get("subjectOf")
    if record is None:
        return {}
    assert record["@type"] == "Dataset"
    assert record["additionalType"] == "https://w3id.org/lanterne/profile#Record"
    out = {}
    for pv in record["variableMeasured"]:
        assert pv["@type"] == "PropertyValue"
        assert pv["propertyID"].startswith(PREFIX)
        out[pv["propertyID"][len(PREFIX) :]] = json.loads(pv["value"])
    return out


# --- every type: valid schema.org, and the round trip ------------------------------------------


@pytest.mark.parametrize("work_type", ALL_TYPES, ids=str)
def test_rich_work_writes_valid_schema_org_and_round_trips(work_type: WorkType) -> None:
    work = rich_work(work_type)
    doc = work_to_jsonld(work)
    assert check_document(doc) == []
    assert work_from_jsonld(doc) == work
    # The document is plain JSON: the round trip also holds through text.
    assert work_from_jsonld(json.loads(json.dumps(doc))) == work


@pytest.mark.parametrize("work_type", ALL_TYPES, ids=str)
def test_minimal_work_round_trips_with_only_provenance_in_the_record(work_type: WorkType) -> None:
    work = minimal_work(work_type)
    doc = work_to_jsonld(work)
    assert check_document(doc) == []
    assert work_from_jsonld(doc) == work
    assert record_of(doc) == {"provenance": {"source": "bnf", "source_id": "1"}}
    assert doc["name"] == {"@value": "Les Misérables", "@language": "fr"}


@pytest.mark.parametrize("work_type", ALL_TYPES, ids=str)
def test_written_type_is_the_works_own_type(work_type: WorkType) -> None:
    for work in (rich_work(work_type), minimal_work(work_type)):
        doc = work_to_jsonld(work)
        assert doc["@type"] == work_type.value
        assert doc["@context"] == "https://schema.org"


def test_landmark_is_never_written_as_an_artwork() -> None:
    doc = work_to_jsonld(rich_work(WorkType.LANDMARK))
    assert doc["@type"] == "LandmarksOrHistoricalBuildings"
    assert "VisualArtwork" not in json.dumps(doc)
    # A place: its address and geo are its own, not a creative work's.
    assert doc["address"]["addressLocality"] == "Brest"
    assert doc["geo"] == {"@type": "GeoCoordinates", "latitude": 48.3794, "longitude": -4.496}
    for creative_work_only in ("inLanguage", "genre", "offers", "license", "author"):
        assert creative_work_only not in doc
    assert work_to_jsonld(rich_work(WorkType.PAINTING))["@type"] == "Painting"


# --- native properties: what search engines see -----------------------------------------------

# Properties the rich work fills that schema.org can say on some types.
_NATIVE_IF_FITS = (
    "name",
    "alternateName",
    "description",
    "identifier",
    "sameAs",
    "image",
    "url",
    "inLanguage",
    "datePublished",
    "genre",
    "about",
    "license",
    "offers",
    "countryOfOrigin",
    "duration",
)


@pytest.mark.parametrize("work_type", ALL_TYPES, ids=str)
def test_rich_work_uses_native_properties_wherever_they_fit(
    work_type: WorkType, vocab: Vocabulary
) -> None:
    work = rich_work(work_type)
    doc = work_to_jsonld(work)
    t = work_type.value
    for prop in _NATIVE_IF_FITS:
        assert (prop in doc) == vocab.property_fits(prop, t), prop
    for contribution in work.contributors:
        role = contribution.role.value
        native = vocab.property_fits(role, t) and contribution.note is None
        assert (role in doc) == native, role
    if work_type is WorkType.BOOK:
        assert doc["isbn"] == "9782070409228"
    if work_type.is_event and work_type is not WorkType.FESTIVAL:
        assert doc["startDate"] == "2024-07-14T20:30:00-04:00"
        assert doc["location"]["name"] == "Théâtre du Nouveau Monde"
        assert doc["eventStatus"] == "https://schema.org/EventScheduled"
        assert doc["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    if "offers" in doc:
        paid = doc["offers"][1]
        assert paid["price"] == 4.99
        assert paid["priceCurrency"] == "CAD"
        assert paid["availability"] == "https://schema.org/PreOrder"
        assert paid["offeredBy"] == {"@type": "Organization", "name": "TV5 Unis"}
        assert paid["eligibleRegion"][0] == {"@type": "Country", "identifier": "CA"}
    assert doc["image"][0]["width"] == 430
    assert doc["sameAs"] == "http://www.wikidata.org/entity/Q180736"
    if work_type is WorkType.FESTIVAL:
        # Two editions: schema.org has no place for them on the node, so the record holds them.
        assert "startDate" not in doc
        assert "location" not in doc
        assert len(record_of(doc)["events"]) == 2
    # What schema.org cannot say is in the record, whatever the type.
    record = record_of(doc)
    for field in ("provenance", "creation_label", "tdm", "diversity.eof", "diversity.european"):
        assert field in record, field


def test_movie_director_and_countries_are_native_not_in_the_record() -> None:
    work = Work(
        id="cnc:1",
        type=WorkType.MOVIE,
        titles=[Title(value="Quand passent les cigognes", lang="fr")],
        contributors=[
            Contribution(agent=Agent(name="Mikhaïl Kalatozov"), role=Role.DIRECTOR),
            Contribution(agent=Agent(name="Tatiana Samoïlova"), role=Role.ACTOR),
        ],
        diversity=Diversity(
            original_languages=["ru"], countries=["SUHH"], eof=False, european=True
        ),
        duration_minutes=97,
        provenance=Provenance(source="cnc", source_id="1"),
    )
    doc = work_to_jsonld(work)
    assert check_document(doc) == []
    assert doc["director"] == [{"@type": "Person", "name": "Mikhaïl Kalatozov"}]
    assert doc["actor"] == [{"@type": "Person", "name": "Tatiana Samoïlova"}]
    assert doc["countryOfOrigin"] == [{"@type": "Country", "identifier": "SUHH"}]
    assert doc["duration"] == "PT97M"
    record = record_of(doc)
    assert set(record) == {
        "diversity.eof",
        "diversity.european",
        "diversity.original_languages",
        "provenance",
    }
    assert record["diversity.eof"] is False
    assert work_from_jsonld(doc) == work


def test_book_isbn_is_native() -> None:
    work = Work(
        id="bnf:2",
        type=WorkType.BOOK,
        titles=[Title(value="Vendredi ou les Limbes du Pacifique", lang="fr")],
        identifiers=[Identifier(scheme=IdentifierScheme.ISBN, value="9782070367771")],
        contributors=[Contribution(agent=Agent(name="Michel Tournier"), role=Role.AUTHOR)],
        published=FuzzyDate(earliest="1967-01-01", latest="1967-12-31", precision="year"),
        provenance=Provenance(source="bnf", source_id="2"),
    )
    doc = work_to_jsonld(work)
    assert doc["isbn"] == "9782070367771"
    assert doc["datePublished"] == "1967"
    assert doc["author"] == [{"@type": "Person", "name": "Michel Tournier"}]
    assert set(record_of(doc)) == {"provenance"}
    assert work_from_jsonld(doc) == work


def test_event_occurrence_and_offer_are_native() -> None:
    work = Work(
        id="artsdata:K1",
        type=WorkType.THEATER_EVENT,
        titles=[Title(value="Le Dîner de cons", lang="fr")],
        events=[
            Event(
                start="2024-10-12T20:00:00-04:00",
                end="2024-10-12T22:00:00-04:00",
                place=THEATRE,
                status=EventStatus.POSTPONED,
                attendance=AttendanceMode.MIXED,
                url="https://tnm.qc.ca/diner",
            )
        ],
        offers=[
            Offer(
                category=OfferCategory.TICKET,
                url="https://tnm.qc.ca/billets",
                price=42.5,
                currency="CAD",
                availability="InStock",
            )
        ],
        contributors=[
            Contribution(agent=Agent(name="TNM", kind=AgentKind.ORGANIZATION), role=Role.ORGANIZER),
        ],
        provenance=Provenance(source="artsdata", source_id="K1"),
    )
    doc = work_to_jsonld(work)
    assert check_document(doc) == []
    assert doc["startDate"] == "2024-10-12T20:00:00-04:00"
    assert doc["endDate"] == "2024-10-12T22:00:00-04:00"
    assert doc["url"] == "https://tnm.qc.ca/diner"
    assert doc["location"]["address"]["postalCode"] == "H2X 1Z6"
    assert doc["location"]["geo"]["latitude"] == 45.5081
    assert doc["eventStatus"] == "https://schema.org/EventPostponed"
    assert doc["offers"] == [
        {
            "@type": "Offer",
            "category": "ticket",
            "url": "https://tnm.qc.ca/billets",
            "price": 42.5,
            "priceCurrency": "CAD",
            "availability": "https://schema.org/InStock",
        }
    ]
    # The event's url is the page's url: it is read back as the event's, not the work's.
    assert set(record_of(doc)) == {"events", "url", "provenance"}
    assert record_of(doc)["url"] is None
    assert work_from_jsonld(doc) == work

    without_url = msgspec.structs.replace(
        work, events=[msgspec.structs.replace(work.events[0], url=None)]
    )
    doc = work_to_jsonld(without_url)
    assert set(record_of(doc)) == {"provenance"}
    assert work_from_jsonld(doc) == without_url


def test_dates_schema_org_cannot_say_stay_out_of_native_properties() -> None:
    base = minimal_work(WorkType.PAINTING)
    cases = {
        "-0750": FuzzyDate(earliest="-0750-01-01", latest="-0750-12-31", precision="year"),
        "century": FuzzyDate(
            earliest="1801-01-01", latest="1900-12-31", precision="century", text="XIXe siècle"
        ),
        "approximate": FuzzyDate(
            earliest="1888-01-01", latest="1888-12-31", precision="year", approximate=True
        ),
    }
    for name, date in cases.items():
        work = msgspec.structs.replace(base, created=date)
        doc = work_to_jsonld(work)
        assert "dateCreated" not in doc, name
        assert record_of(doc)["created"] == msgspec.to_builtins(date)
        assert work_from_jsonld(doc) == work


def test_small_durations_are_written_without_exponent() -> None:
    work = msgspec.structs.replace(minimal_work(WorkType.MOVIE), duration_minutes=1e-05)
    doc = work_to_jsonld(work)
    assert doc["duration"] == "PT0.00001M"
    assert "duration_minutes" not in record_of(doc)
    assert work_from_jsonld(doc) == work


def test_unknown_availability_is_not_written_as_a_schema_org_member() -> None:
    offer = Offer(category=OfferCategory.BUY, availability="https://schema.org/EnStock")
    work = msgspec.structs.replace(minimal_work(WorkType.BOOK), offers=[offer])
    doc = work_to_jsonld(work)
    assert check_document(doc) == []
    assert "availability" not in doc["offers"][0]
    assert work_from_jsonld(doc) == work


# --- rdflib reads the document offline ----------------------------------------------------------


# rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph, which it has deprecated itself.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("work_type", ALL_TYPES, ids=str)
def test_rdflib_parses_the_document_offline(
    work_type: WorkType, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object) -> None:
        raise AssertionError("network access while parsing")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    doc = work_to_jsonld(rich_work(work_type))
    doc["@context"] = local_context()
    graph = Graph().parse(data=json.dumps(doc), format="json-ld")
    assert len(graph) > 50
    predicates = set(graph.predicates())
    assert RDF.type in predicates
    others = {str(p) for p in predicates if p != RDF.type}
    assert {p for p in others if not p.startswith(SCHEMA_HTTP)} == set()
    subject = URIRef(doc["@id"])
    assert (subject, RDF.type, URIRef(SCHEMA_HTTP + work_type.value)) in graph
    records = list(graph.objects(subject, URIRef(SCHEMA_HTTP + "subjectOf")))
    assert len(records) == 1
    assert (records[0], RDF.type, URIRef(SCHEMA_HTTP + "Dataset")) in graph


# --- random works -------------------------------------------------------------------------------

LANGUAGES = ["fr", "fr-CA", "fr-BE", "en", "en-GB", "oc", "br", "wa", "gsw", "es-419", "zh-Hant"]
COUNTRIES = [*sorted(c.alpha_2 for c in pycountry.countries), "SUHH", "DDDE", "YUCS", "XK"]
TERRITORIES = [
    Territory(level=TerritoryLevel.COUNTRY, code="CA"),
    Territory(level=TerritoryLevel.PROVINCE, code="CA-NB", name="Nouveau-Brunswick"),
    Territory(level=TerritoryLevel.REGION, code="FR-BRE"),
    Territory(level=TerritoryLevel.DEPARTMENT, code="29", name="Finistère"),
    Territory(level=TerritoryLevel.MUNICIPALITY, name="Moncton"),
]

texts = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12)
maybe_texts = st.none() | texts
langs = st.sampled_from(LANGUAGES)
countries = st.sampled_from(COUNTRIES)
urls = st.sampled_from(["https://example.org/", "http://www.wikidata.org/entity/Q1"]) | texts
finite = {"allow_nan": False, "allow_infinity": False}


@st.composite
def fuzzy_dates(draw: st.DrawFn) -> FuzzyDate:
    form = draw(st.sampled_from(["day", "year", "month", "span", "bce"]))
    if form == "day":
        earliest = latest = draw(st.dates()).isoformat()
        precision = DatePrecision.DAY
    elif form == "year":
        year = draw(st.integers(1, 9999))
        earliest, latest, precision = f"{year:04d}-01-01", f"{year:04d}-12-31", DatePrecision.YEAR
    elif form == "month":
        earliest = latest = draw(st.dates()).isoformat()[:7]
        precision = DatePrecision.MONTH
    elif form == "span":
        a, b = sorted(draw(st.lists(st.dates(), min_size=2, max_size=2)))
        earliest, latest = a.isoformat(), b.isoformat()
        precision = draw(st.sampled_from(DatePrecision))
    else:
        year = draw(st.integers(1, 3000))
        earliest, latest, precision = f"-{year:04d}-01-01", f"-{year:04d}-12-31", DatePrecision.YEAR
    return FuzzyDate(
        earliest=earliest,
        latest=latest,
        precision=precision,
        text=draw(maybe_texts),
        approximate=draw(st.booleans()),
    )


@st.composite
def datetimes(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(min_value=dt.datetime(1000, 1, 1)))
    form = draw(st.sampled_from(["date", "minutes", "seconds", "Z", "offset"]))
    if form == "date":
        return moment.date().isoformat()
    if form == "minutes":
        return moment.isoformat(timespec="minutes")
    if form == "seconds":
        return moment.isoformat(timespec="seconds")
    if form == "Z":
        return moment.isoformat(timespec="seconds") + "Z"
    return moment.isoformat(timespec="seconds") + draw(st.sampled_from(["+02:00", "-0400"]))


identifiers = st.builds(Identifier, scheme=st.sampled_from(IdentifierScheme), value=texts) | (
    st.builds(
        Identifier,
        scheme=st.just(IdentifierScheme.WIKIDATA),
        value=st.from_regex(r"Q[1-9][0-9]{0,6}", fullmatch=True),
    )
)
terms = st.builds(
    Term, label=texts, lang=st.none() | langs, vocabulary=maybe_texts, term_id=maybe_texts
)
agents = st.builds(
    Agent,
    name=texts,
    kind=st.sampled_from(AgentKind),
    identifiers=st.lists(identifiers, max_size=2),
    gender=st.none() | st.sampled_from(["female", "male", "Q6581072"]),
    gender_source=st.none() | st.just("wikidata"),
)
places = st.builds(
    Place,
    name=maybe_texts,
    address=st.none()
    | st.builds(
        Address,
        street=maybe_texts,
        locality=maybe_texts,
        postal_code=maybe_texts,
        region=maybe_texts,
        country=st.none() | countries,
    ),
    geo=st.none()
    | st.builds(
        GeoPoint,
        lat=st.floats(-90, 90, **finite) | st.integers(-90, 90),
        lon=st.floats(-180, 180, **finite),
    ),
    identifiers=st.lists(identifiers, max_size=1),
)
events = st.builds(
    Event,
    start=st.none() | datetimes(),
    end=st.none() | datetimes(),
    period=st.none() | fuzzy_dates(),
    place=st.none() | places,
    status=st.none() | st.sampled_from(EventStatus),
    attendance=st.none() | st.sampled_from(AttendanceMode),
    url=st.none() | urls,
)
media = st.builds(
    Media,
    kind=st.sampled_from(MediaKind),
    url=urls,
    width=st.none() | st.integers(1, 10_000),
    height=st.none() | st.integers(1, 10_000),
    licence=st.none() | urls,
    caption=maybe_texts,
)
offers = st.builds(
    Offer,
    category=st.sampled_from(OfferCategory),
    url=st.none() | urls,
    provider=maybe_texts,
    price=st.none() | st.floats(0, 1e6, **finite) | st.integers(0, 500),
    currency=st.none() | st.sampled_from(["EUR", "CAD", "USD", "XOF"]),
    is_free=st.none() | st.booleans(),
    availability=st.none()
    | st.sampled_from(["InStock", "SoldOut", "https://schema.org/InStock", "bientôt"]),
    territories=st.lists(countries, max_size=3),
)
diversities = st.builds(
    Diversity,
    original_languages=st.lists(langs, max_size=2),
    countries=st.lists(countries, max_size=3),
    eof=st.none() | st.booleans(),
    european=st.none() | st.booleans(),
    territories=st.lists(st.sampled_from(TERRITORIES), max_size=2),
    independent=st.none() | st.booleans(),
)


@st.composite
def works(draw: st.DrawFn) -> Work:
    def some(strategy: st.SearchStrategy[Any], size: int = 3) -> Any:
        return draw(st.lists(strategy, max_size=size))

    def maybe(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(st.none() | strategy)

    return Work(
        id=draw(texts),
        type=draw(st.sampled_from(WorkType)),
        titles=draw(
            st.lists(
                st.builds(
                    Title, value=texts, lang=st.none() | langs, kind=st.sampled_from(TextKind)
                ),
                min_size=1,
                max_size=3,
            )
        ),
        descriptions=some(st.builds(LangText, value=texts, lang=st.none() | langs), 2),
        in_languages=some(langs, 2),
        created=maybe(fuzzy_dates()),
        published=maybe(fuzzy_dates()),
        genres=some(terms, 2),
        subjects=some(terms, 2),
        identifiers=some(identifiers),
        contributors=some(
            st.builds(
                Contribution, agent=agents, role=st.sampled_from(Role), note=st.none() | texts
            )
        ),
        places=some(places, 2),
        events=some(events, 2),
        media=some(media, 2),
        rights=maybe(
            st.builds(Rights, licence=maybe_texts, statement=maybe_texts, holder=maybe_texts)
        ),
        offers=some(offers, 2),
        diversity=draw(diversities),
        creation_label=maybe(
            st.builds(
                CreationLabel,
                value=st.sampled_from(CreationLabelValue),
                declared_by=maybe_texts,
                method=st.none() | st.sampled_from(LabelMethod),
                date=st.none() | datetimes(),
            )
        ),
        tdm=maybe(st.builds(TdmReservation, reserved=st.booleans(), policy=maybe_texts)),
        url=maybe(urls),
        duration_minutes=maybe(
            st.floats(min_value=1e-6, max_value=1e7, **finite) | st.integers(1, 10_000)
        ),
        provenance=draw(st.builds(Provenance, source=texts, source_id=texts, url=st.none() | urls)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(works())
def test_random_works_round_trip_and_write_valid_schema_org(work: Work) -> None:
    # Random works are built in Python, where msgspec does not check constraints: decoding their
    # JSON proves they are valid works first.
    assert msgspec.json.decode(msgspec.json.encode(work), type=Work) == work
    doc = work_to_jsonld(work)
    assert check_document(doc) == []
    assert work_from_jsonld(json.loads(json.dumps(doc))) == work


# --- a foreign publisher's node -----------------------------------------------------------------

ARTSDATA_EVENT: dict[str, Any] = {
    "@context": "https://schema.org/",
    "@id": "http://kg.artsdata.ca/resource/K11-211",
    "@type": "TheaterEvent",
    "name": [
        {"@value": "Le Dîner de cons", "@language": "fr"},
        {"@value": "The Dinner Game", "@language": "en"},
    ],
    "alternateName": "Diner de cons",
    "description": {"@value": "Comédie de Francis Veber.", "@language": "fr"},
    "startDate": "2024-10-12T20:00:00-04:00",
    "endDate": {"@value": "2024-10-12T22:00:00-04:00", "@type": "http://schema.org/DateTime"},
    "eventStatus": "http://schema.org/EventScheduled",
    "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
    "isAccessibleForFree": "True",
    "inLanguage": "fr",
    "url": {"@id": "https://rideauvert.qc.ca/diner"},
    "sameAs": ["http://www.wikidata.org/entity/Q123456", "https://example.org/elsewhere"],
    "image": {
        "@type": "ImageObject",
        "url": "https://rideauvert.qc.ca/affiche.jpg",
        "width": "430",
        "height": "600",
        "caption": {"@value": "Affiche", "@language": "fr"},
    },
    "location": {
        "@type": "Place",
        "@id": "http://kg.artsdata.ca/resource/K11-1",
        "name": "Théâtre du Rideau Vert",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "4664, rue Saint-Denis",
            "addressLocality": "Montréal",
            "postalCode": "H2J 2L3",
            "addressRegion": "QC",
            "addressCountry": "CA",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": "45.5283", "longitude": "-73.5860"},
    },
    "offers": {
        "@type": "Offer",
        "url": "https://billets.rideauvert.qc.ca/diner",
        "availability": "http://schema.org/InStock",
        "price": "0",
        "priceCurrency": "CAD",
    },
    "performer": {
        "@type": "Person",
        "@id": "http://kg.artsdata.ca/resource/K12-1",
        "name": "Marie Tremblay",
        "identifier": {"@type": "PropertyValue", "propertyID": "isni", "value": "0000000012345678"},
    },
    "organizer": {
        "@type": "Organization",
        "name": {"@value": "Théâtre du Rideau Vert", "@language": "fr"},
        "url": "https://rideauvert.qc.ca",
    },
}


def test_node_to_fields_reads_an_artsdata_event() -> None:
    fields = node_to_fields(copy.deepcopy(ARTSDATA_EVENT))
    assert fields == {
        "type": "TheaterEvent",
        "titles": [
            {"value": "Le Dîner de cons", "lang": "fr"},
            {"value": "The Dinner Game", "lang": "en"},
            {"value": "Diner de cons", "kind": "alternative"},
        ],
        "descriptions": [{"value": "Comédie de Francis Veber.", "lang": "fr"}],
        "in_languages": ["fr"],
        "identifiers": [{"scheme": "wikidata", "value": "Q123456"}],
        "contributors": [
            {
                "agent": {
                    "name": "Marie Tremblay",
                    "identifiers": [{"scheme": "isni", "value": "0000000012345678"}],
                },
                "role": "performer",
            },
            {
                "agent": {"name": "Théâtre du Rideau Vert", "kind": "Organization"},
                "role": "organizer",
            },
        ],
        "events": [
            {
                "start": "2024-10-12T20:00:00-04:00",
                "end": "2024-10-12T22:00:00-04:00",
                "place": {
                    "name": "Théâtre du Rideau Vert",
                    "address": {
                        "street": "4664, rue Saint-Denis",
                        "locality": "Montréal",
                        "postal_code": "H2J 2L3",
                        "region": "QC",
                        "country": "CA",
                    },
                    "geo": {"lat": 45.5283, "lon": -73.586},
                },
                "status": "EventScheduled",
                "attendance": "OfflineEventAttendanceMode",
            }
        ],
        "media": [
            {
                "kind": "image",
                "url": "https://rideauvert.qc.ca/affiche.jpg",
                "width": 430,
                "height": 600,
                "caption": "Affiche",
            }
        ],
        "offers": [
            {
                "category": "ticket",
                "url": "https://billets.rideauvert.qc.ca/diner",
                "price": 0.0,
                "currency": "CAD",
                "availability": "InStock",
                "is_free": True,
            }
        ],
        "url": "https://rideauvert.qc.ca/diner",
    }
    # With the id and provenance the ingest pipeline adds, the fields make a valid Work.
    work = msgspec.convert(
        {
            **fields,
            "id": "artsdata:K11-211",
            "provenance": {"source": "artsdata", "source_id": "K11-211"},
        },
        Work,
    )
    assert work.title == "Le Dîner de cons"
    assert work.events[0].place is not None
    assert work.events[0].place.geo == GeoPoint(lat=45.5283, lon=-73.586)


def test_node_to_fields_free_event_without_offers_gets_a_free_offer() -> None:
    node = {"@type": "Event", "name": "Concert au parc", "isAccessibleForFree": True}
    assert node_to_fields(node)["offers"] == [{"category": "free", "is_free": True}]
    node = {"@type": "Event", "name": "Concert", "isAccessibleForFree": "False"}
    assert "offers" not in node_to_fields(node)


def test_node_to_fields_tolerates_what_it_cannot_read() -> None:
    node = {
        "@type": "Event",
        "name": "Spectacle",
        "image": {"@type": "ImageObject", "contentUrl": "https://x.org/a.jpg", "width": "430px"},
        "location": [
            {"@type": "VirtualLocation", "url": "https://x.org/live"},
            {
                "@type": "Place",
                "name": "Salle",
                "address": {"@type": "PostalAddress", "addressCountry": {"@type": "Country"}},
                "geo": {"latitude": "n/a", "longitude": "-73.5"},
            },
        ],
        "offers": [
            {"@type": "Offer", "price": "Gratuit", "priceCurrency": "CAD"},
            {"@type": "Offer", "price": 10**400, "url": {"@id": "https://x.org/billets"}},
        ],
    }
    fields = node_to_fields(node)
    assert fields["media"] == [{"kind": "image", "url": "https://x.org/a.jpg"}]
    assert fields["events"] == [{"place": {"name": "Salle"}}]
    assert fields["offers"] == [
        {"category": "ticket", "currency": "CAD"},
        {"category": "ticket", "url": "https://x.org/billets"},
    ]
