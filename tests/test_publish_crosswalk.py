"""The Dublin Core and EDM crosswalks (publish/data/crosswalk.toml), written and read back."""

from __future__ import annotations

import pytest
from lxml import etree

from lanterne.diagnose._targets import edm_type as diagnose_edm_type
from lanterne.profile import (
    Agent,
    Contribution,
    CreationLabel,
    CreationLabelValue,
    FuzzyDate,
    GeoPoint,
    Identifier,
    IdentifierScheme,
    LangText,
    Media,
    MediaKind,
    Place,
    Provenance,
    Rights,
    Role,
    Term,
    TextKind,
    Title,
    Work,
    WorkType,
)
from lanterne.publish import (
    EdmOptions,
    agent_uri,
    edm_problems,
    edm_record,
    edm_type,
    europeana_rights,
    read_dc,
    read_edm,
    work_to_dc,
    work_uri,
)

BASE = "https://lanterne.example/"
OPTIONS = EdmOptions(base=BASE)


def painting(**changes: object) -> Work:
    work = Work(
        id="joconde:M0324:OA 1",
        type=WorkType.PAINTING,
        titles=[
            Title(value="La Baie d'Ajaccio", lang="fr"),
            Title(value="The Bay of Ajaccio", lang="en", kind=TextKind.ALTERNATIVE_TITLE),
        ],
        descriptions=[LangText(value="Huile sur toile.", lang="fr")],
        in_languages=["fr-FR"],
        created=FuzzyDate(earliest="1801-01-01", latest="1825-12-31", precision="range"),
        published=FuzzyDate(earliest="1830-01-01", latest="1830-12-31", precision="year"),
        genres=[Term(label="Marine", lang="fr")],
        subjects=[
            Term(
                label="mer",
                lang="fr",
                vocabulary="http://data.culture.fr/thesaurus/resource/ark:/67717/T523",
                term_id="http://data.culture.fr/thesaurus/resource/ark:/67717/T523-1",
            )
        ],
        identifiers=[
            Identifier(scheme=IdentifierScheme.INVENTORY, value="OA 1"),
            Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q1"),
        ],
        contributors=[
            Contribution(
                agent=Agent(
                    name="Jean Dupont",
                    identifiers=[Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q42")],
                ),
                role=Role.AUTHOR,
            ),
            Contribution(agent=Agent(name="Musée Fesch"), role=Role.PUBLISHER),
            Contribution(agent=Agent(name="Anne Traductrice"), role=Role.TRANSLATOR),
        ],
        places=[
            Place(
                name="Ajaccio",
                geo=GeoPoint(lat=41.9, lon=8.7),
                identifiers=[Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q40104")],
            ),
            Place(name="Corse"),
        ],
        media=[
            Media(
                kind=MediaKind.IMAGE,
                url="https://img.example/1.jpg",
                licence="https://creativecommons.org/licenses/by/4.0/deed.fr",
                caption="Vue d'ensemble",
            ),
            Media(kind=MediaKind.IMAGE, url="https://img.example/2.jpg"),
        ],
        rights=Rights(
            licence="https://creativecommons.org/publicdomain/mark/1.0/",
            statement="Domaine public",
            holder="Musée Fesch",
        ),
        creation_label=CreationLabel(value=CreationLabelValue.HUMAN),
        url="https://musee.example/oeuvre/1",
        duration_minutes=None,
        provenance=Provenance(
            source="joconde", source_id="M0324:OA 1", attribution="Musée Fesch, Ajaccio"
        ),
    )
    return msgspec_replace(work, **changes)


def msgspec_replace(work: Work, **changes: object) -> Work:
    import msgspec

    return msgspec.structs.replace(work, **changes)


# Rights --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # Publishers' spellings → the exact statement Europeana's Schematron matches.
        (
            "https://creativecommons.org/licenses/by/4.0/",
            "http://creativecommons.org/licenses/by/4.0/",
        ),
        (
            "https://creativecommons.org/licenses/by-sa/4.0/deed.fr",
            "http://creativecommons.org/licenses/by-sa/4.0/",
        ),
        (
            "http://creativecommons.org/licenses/by-nc/3.0/fr/legalcode",
            "http://creativecommons.org/licenses/by-nc/3.0/fr/",
        ),
        (
            "https://creativecommons.org/publicdomain/zero/1.0",
            "http://creativecommons.org/publicdomain/zero/1.0/",
        ),
        (
            "https://rightsstatements.org/page/InC/1.0/?language=fr",
            "http://rightsstatements.org/vocab/InC/1.0/",
        ),
        (
            "http://rightsstatements.org/vocab/inc-edu/1.0/",
            "http://rightsstatements.org/vocab/InC-EDU/1.0/",
        ),
    ],
)
def test_licences_become_europeanas_exact_statements(given: str, expected: str) -> None:
    assert europeana_rights(given).uri == expected


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (None, "publish.rights_missing"),
        (
            "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            "publish.rights_licence_ouverte",
        ),
        # rightsstatements.org statements Europeana does not take, and CC 4.0 with a port.
        ("http://rightsstatements.org/vocab/InC-NC/1.0/", "publish.rights_not_europeana"),
        ("https://creativecommons.org/licenses/by/4.0/fr/", "publish.rights_not_europeana"),
        ("https://example.org/licence", "publish.rights_not_europeana"),
    ],
)
def test_licences_europeana_does_not_take_are_refused_with_a_reason(
    given: str | None, reason: str
) -> None:
    assert europeana_rights(given) == (None, reason)


# EDM ----------------------------------------------------------------------------------------


def test_every_work_type_has_the_diagnosis_edm_type() -> None:
    for work_type in WorkType:
        assert edm_type(work_type) == diagnose_edm_type(work_type), work_type


def _edm(work: Work, options: EdmOptions = OPTIONS) -> etree._Element:
    record = edm_record(work, options)
    assert record.xml is not None, record.reasons
    return etree.fromstring(record.xml)


NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
RES = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"


def test_edm_record_has_one_cho_one_aggregation_and_the_entities_it_links() -> None:
    root = _edm(painting())
    assert len(root.findall("edm:ProvidedCHO", NS)) == 1
    assert len(root.findall("ore:Aggregation", NS)) == 1
    cho = root.find("edm:ProvidedCHO", NS)
    assert cho is not None
    assert cho.get(f"{{{NS['rdf']}}}about") == work_uri(BASE, "joconde:M0324:OA 1")
    assert cho.get(f"{{{NS['rdf']}}}about") == (
        "https://lanterne.example/id/work/joconde%3AM0324%3AOA%201"
    )
    assert cho.findtext("edm:type", namespaces=NS) == "IMAGE"
    creator = cho.find("dc:creator", NS)
    assert creator is not None and creator.get(RES) == agent_uri(BASE, "wikidata:Q42")
    # A contributor without identifier stays a literal; a translator is a dc:contributor.
    assert cho.findtext("dc:contributor", namespaces=NS) == "Anne Traductrice"
    assert cho.findtext("dc:publisher", namespaces=NS) == "Musée Fesch"
    assert cho.findtext("dc:language", namespaces=NS) == "fr"  # ISO 639
    assert cho.findtext("dcterms:created", namespaces=NS) == "1801/1825"
    assert cho.findtext("dcterms:issued", namespaces=NS) == "1830"
    assert [e.tag.split("}")[1] for e in root] == [
        "ProvidedCHO",
        "WebResource",
        "WebResource",
        "Agent",
        "Place",
        "Concept",
        "Aggregation",
    ]
    agg = root.find("ore:Aggregation", NS)
    assert agg is not None
    rights = agg.find("edm:rights", NS)
    assert rights is not None
    assert rights.get(RES) == "http://creativecommons.org/publicdomain/mark/1.0/"
    assert agg.findtext("edm:dataProvider", namespaces=NS) == "Musée Fesch, Ajaccio"
    # No provider set: the data provider delivers its records itself.
    assert agg.findtext("edm:provider", namespaces=NS) == "Musée Fesch, Ajaccio"
    shown_by = agg.find("edm:isShownBy", NS)
    assert shown_by is not None and shown_by.get(RES) == "https://img.example/1.jpg"
    first = root.find("edm:WebResource", NS)
    assert first is not None
    source = first.find("schema:digitalSourceType", NS)
    assert source is not None
    assert source.get(RES) == "https://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
    media_rights = first.find("edm:rights", NS)
    assert media_rights is not None
    assert media_rights.get(RES) == "http://creativecommons.org/licenses/by/4.0/"


def test_provider_and_base_come_from_the_options() -> None:
    root = _edm(painting(), EdmOptions(base="http://x.test", provider="Lanterne Corse"))
    agg = root.find("ore:Aggregation", NS)
    assert agg is not None
    assert agg.findtext("edm:provider", namespaces=NS) == "Lanterne Corse"
    cho = root.find("edm:ProvidedCHO", NS)
    assert cho is not None
    assert cho.get(f"{{{NS['rdf']}}}about") == "http://x.test/id/work/joconde%3AM0324%3AOA%201"


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"rights": None, "media": []}, ["publish.rights_missing"]),
        (
            {"rights": Rights(licence="https://www.etalab.gouv.fr/licence-ouverte-open-licence/")},
            ["publish.rights_licence_ouverte"],
        ),
        ({"type": WorkType.FESTIVAL}, ["publish.no_edm_type"]),
        ({"type": WorkType.BOOK, "in_languages": []}, ["publish.no_language"]),
        ({"url": None, "media": []}, ["publish.no_link"]),
        (
            {"creation_label": CreationLabel(value=CreationLabelValue.SYNTHETIC)},
            ["publish.ai_media"],
        ),
        ({"titles": [Title(value="   ")], "descriptions": []}, ["publish.no_title"]),
    ],
)
def test_a_work_europeana_would_refuse_is_excluded_with_its_reasons(
    changes: dict[str, object], reasons: list[str]
) -> None:
    work = painting(**changes)
    record = edm_record(work, OPTIONS)
    assert record.xml is None
    assert [r.key for r in record.reasons] == reasons
    assert [r.key for r in edm_problems(work, OPTIONS)] == reasons


def test_default_rights_apply_only_to_works_that_state_none() -> None:
    cne = "http://rightsstatements.org/vocab/CNE/1.0/"
    none = painting(rights=None, media=[])
    assert edm_record(none, EdmOptions(rights=cne)).xml is not None
    stated = painting(rights=Rights(licence="https://example.org/licence"))
    assert [r.key for r in edm_problems(stated, EdmOptions(rights=cne))] == [
        "publish.rights_not_europeana"
    ]


def test_text_nobody_sees_in_xml_is_dropped_not_a_crash() -> None:
    work = painting(descriptions=[LangText(value="a\x0bb\x00c", lang="fr")])
    root = _edm(work)
    assert root.findtext("edm:ProvidedCHO/dc:description", namespaces=NS) == "abc"


def test_edm_round_trip_keeps_what_edm_carries() -> None:
    work = painting()
    back = read_edm(edm_record(work, OPTIONS).xml or b"")
    assert back.id == work.id
    assert back.type is WorkType.PAINTING
    assert back.titles == [
        Title(value="La Baie d'Ajaccio", lang="fr"),
        Title(value="The Bay of Ajaccio", lang="en", kind=TextKind.ALTERNATIVE_TITLE),
    ]
    assert back.descriptions == work.descriptions
    assert back.in_languages == ["fr"]
    assert back.created == work.created
    assert back.published == work.published
    assert back.genres == work.genres
    assert back.subjects == work.subjects
    assert back.identifiers == work.identifiers
    # Roles come back as Dublin Core's three groups; identifiers and names are kept.
    assert [(c.agent.name, c.role) for c in back.contributors] == [
        ("Jean Dupont", Role.CREATOR),
        ("Anne Traductrice", Role.CONTRIBUTOR),
        ("Musée Fesch", Role.PUBLISHER),
    ]
    assert back.contributors[0].agent.identifiers == work.contributors[0].agent.identifiers
    assert back.places == [
        Place(
            name="Ajaccio",
            geo=GeoPoint(lat=41.9, lon=8.7),
            identifiers=[Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q40104")],
        ),
        Place(name="Corse"),
    ]
    assert [(m.kind, m.url, m.caption) for m in back.media] == [
        (m.kind, m.url, m.caption) for m in work.media
    ]
    assert back.media[0].licence == "http://creativecommons.org/licenses/by/4.0/"
    assert back.rights == Rights(
        licence="http://creativecommons.org/publicdomain/mark/1.0/",
        statement="Domaine public",
        holder="Musée Fesch",
    )
    assert back.creation_label == CreationLabel(value=CreationLabelValue.HUMAN)
    assert back.url == work.url
    assert back.provenance == Provenance(
        source="joconde", source_id="M0324:OA 1", attribution="Musée Fesch, Ajaccio"
    )
    # Written again, the record read back gives the same record.
    assert edm_record(back, OPTIONS).xml == edm_record(work, OPTIONS).xml


@pytest.mark.parametrize(
    "bad", [b"", b"<x", b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>"]
)
def test_reading_what_is_not_an_edm_record_is_a_value_error(bad: bytes) -> None:
    with pytest.raises(ValueError):
        read_edm(bad)


def test_reading_refuses_entities() -> None:
    # An XML bomb or an external entity is never expanded (the parser reads no DTD).
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:edm="http://www.europeana.eu/schemas/edm/" '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b'<edm:ProvidedCHO rdf:about="x"><dc:title>&x;</dc:title></edm:ProvidedCHO></rdf:RDF>'
    )
    with pytest.raises(ValueError):
        read_edm(doc)  # the entity stays unexpanded: the title is empty


# Dublin Core --------------------------------------------------------------------------------


def test_oai_dc_record_holds_the_fifteen_elements_as_literals() -> None:
    root = etree.fromstring(work_to_dc(painting(), BASE))
    dc = "{http://purl.org/dc/elements/1.1/}"
    found = [(e.tag.removeprefix(dc), e.text) for e in root]
    assert ("identifier", "https://lanterne.example/id/work/joconde%3AM0324%3AOA%201") in found
    assert ("creator", "Jean Dupont") in found  # a literal, not a link, in simple DC
    assert ("type", "Image") in found  # DCMI Type Vocabulary
    assert ("date", "1801/1825") in found and ("date", "1830") in found
    assert ("language", "fr") in found
    assert ("rights", "https://creativecommons.org/publicdomain/mark/1.0/") in found
    assert ("coverage", "Ajaccio") in found
    assert ("relation", "https://musee.example/oeuvre/1") in found
    assert found[0] == ("title", "La Baie d'Ajaccio")


def test_dc_round_trip_keeps_what_dublin_core_carries() -> None:
    work = painting()
    back = read_dc(work_to_dc(work, BASE))
    assert back.id == work.id
    assert back.type is WorkType.VISUAL_ARTWORK  # DCMI « Image »: the first type it names
    assert [t.value for t in back.titles] == [t.value for t in work.titles]
    assert back.descriptions == work.descriptions
    assert back.created == work.created  # one dc:date kind: the first
    assert back.identifiers == work.identifiers
    assert [c.agent.name for c in back.contributors] == [
        "Jean Dupont",
        "Anne Traductrice",
        "Musée Fesch",
    ]
    assert back.rights == Rights(
        licence="https://creativecommons.org/publicdomain/mark/1.0/",
        statement="Domaine public",
        holder="Musée Fesch",
    )
    assert back.url == work.url
    assert [g.label for g in back.genres] == ["Marine"]


def test_every_work_can_be_written_in_dublin_core() -> None:
    bare = Work(
        id="x:1",
        type=WorkType.FESTIVAL,
        titles=[Title(value="Fête")],
        provenance=Provenance(source="x", source_id="1"),
    )
    back = read_dc(work_to_dc(bare))
    assert (back.id, back.title, back.type) == ("x:1", "Fête", WorkType.EVENT)


def test_read_dc_takes_languages_as_repositories_write_them() -> None:
    # A real DSpace record (pyoai's Erasmus capture) writes « en_US »: reading it raised.
    record = (
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title xml:lang="fr_CA">Kamouraska'
        "</dc:title><dc:language>en_US</dc:language><dc:language>fre</dc:language>"
        "<dc:language>pas une langue</dc:language></oai_dc:dc>"
    )
    work = read_dc(record)
    assert work.in_languages == ["en-US", "fr"]
    assert work.titles[0].lang == "fr-CA"
