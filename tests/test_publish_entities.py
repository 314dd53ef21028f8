"""Agents and places at their URIs (issue 17): ``/id/agent/KEY`` and ``/id/place/KEY`` were
404 while the published graph named them; now 303 to their document, served by content
negotiation, with the catalogue's works that name them. Real parts: a catalogue written through
the store, the app called in process, rdflib reading what it serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
from fastapi.testclient import TestClient
from lxml import etree
from rdflib.compare import isomorphic

from helpers import write_works
from lanterne.catalogue import open_catalogue
from lanterne.profile import (
    Agent,
    Contribution,
    Event,
    GeoPoint,
    Identifier,
    IdentifierScheme,
    Place,
    Provenance,
    Role,
    Title,
    Work,
    WorkType,
)
from lanterne.publish import (
    agent_uri,
    entity_document,
    find_entity,
    negotiated_formats,
    place_uri,
    work_document,
)
from lanterne.web._app import create_app
from lanterne.web._publish import ENTITY_WORKS
from lanterne.web._site import Site

BASE = "http://example.org/"
ZOLA = Agent(
    name="Émile Zola",
    identifiers=[
        Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q504"),
        Identifier(scheme=IdentifierScheme.ISNI, value="0000000121032683"),
    ],
)
HALL = Place(
    name="Théâtre de l'Odéon",
    geo=GeoPoint(lat=48.8497, lon=2.3389),
    identifiers=[Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q1191558")],
)
ZOLA_KEY = "isni:0000000121032683"  # ISNI before Wikidata: the URI the works' graph uses
HALL_KEY = "wikidata:Q1191558"
PARSER = {"nt": "nt", "ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def work(n: int, kind: WorkType = WorkType.BOOK, **extra: object) -> Work:
    return Work(
        id=f"src:{n}",
        type=kind,
        titles=[Title(value=f"Roman {n}", lang="fr")],
        provenance=Provenance(source="src", source_id=str(n)),
        **extra,  # type: ignore[arg-type]
    )


# Works 0…59 are Zola's (more than a page lists); 0 is at the Odéon (its place: EDM names it
# there), 1 is a play there (its event's place: the schema.org graph names it there);
# 60 names « Émile Zola » with no identifier (a name is no identity); 3 is deleted afterwards.
WORKS = [
    *(
        work(n, contributors=[Contribution(agent=ZOLA, role=Role.AUTHOR)])
        for n in range(2, ENTITY_WORKS + 10)
    ),
    work(0, contributors=[Contribution(agent=ZOLA, role=Role.AUTHOR)], places=[HALL]),
    work(
        1,
        WorkType.THEATER_EVENT,
        contributors=[Contribution(agent=ZOLA, role=Role.AUTHOR)],
        events=[Event(place=HALL)],
    ),
    work(60, contributors=[Contribution(agent=Agent(name="Émile Zola"), role=Role.AUTHOR)]),
]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    path = write_works(tmp_path / "c.sqlite", WORKS)
    with open_catalogue(path) as db:
        run = db.begin_run("src", "test", []).id
        db.write_batch(run, [], delete_ids=["src:3"])
    yield TestClient(create_app(Site(path, base_uri=BASE)))


def page(kind: str, key: str) -> str:
    return {"agent": "/agent/", "place": "/lieu/"}[kind] + quote(key, safe="")


def test_agent_and_place_uris_answer_303_to_their_document_where_they_were_404(
    client: TestClient,
) -> None:
    for kind, key in (("agent", ZOLA_KEY), ("place", HALL_KEY), ("agent", "wikidata:Q504")):
        answer = client.get(f"/id/{kind}/{quote(key, safe='')}", follow_redirects=False)
        assert answer.status_code == 303, (kind, key)
        assert answer.headers["location"] == page(kind, key)
        assert client.get(answer.headers["location"]).status_code == 200
    # The URIs the works' own published graphs name resolve, every one (a book names its
    # author, a play its venue).
    named: set[str] = set()
    for w in WORKS[-3:-1]:
        graph = rdflib.Graph().parse(data=json.dumps(work_document(w, BASE)), format="json-ld")
        named |= {str(o) for o in graph.objects() if str(o).startswith(BASE + "id/")}
    assert named == {agent_uri(BASE, ZOLA_KEY), place_uri(BASE, HALL_KEY)}
    for uri in named:
        assert (
            client.get(uri.removeprefix(BASE.rstrip("/")), follow_redirects=False).status_code
            == 303
        )


@pytest.mark.parametrize(
    "path",
    [
        "/id/agent/isni%3A999",  # no work names it
        "/id/place/" + quote(ZOLA_KEY, safe=""),  # an agent's identifier, not a place's
        "/id/agent/local%3A1",  # a source's own id names nothing across sources
        "/id/agent/Zola",  # no scheme
        "/agent/isni%3A999",
        "/agent/isni%3A999.ttl",
    ],
)
def test_an_unknown_agent_or_place_is_404_with_the_error_page(
    client: TestClient, path: str
) -> None:
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 404
    if not path.endswith(".ttl"):
        assert answer.headers["content-type"].startswith("text/html")
        assert "ne nomme cet agent ou ce lieu" in answer.text
    english = client.get("/agent/isni%3A999?lang=en")
    assert "No work of this catalogue names this agent or place" in english.text


@pytest.mark.parametrize("fmt", [f.name for f in negotiated_formats()])
@pytest.mark.parametrize(("kind", "key"), [("agent", ZOLA_KEY), ("place", HALL_KEY)])
def test_each_format_by_accept_and_by_extension_holds_the_entitys_graph(
    client: TestClient, fmt: str, kind: str, key: str
) -> None:
    found = find_entity(kind, key, WORKS)  # type: ignore[arg-type]
    assert found is not None
    expected = rdflib.Graph().parse(data=json.dumps(entity_document(found, BASE)), format="json-ld")
    media = next(f.media_type for f in negotiated_formats() if f.name == fmt)
    by_accept = client.get(page(kind, key), headers={"Accept": f"text/html;q=0.5, {media}"})
    by_extension = client.get(page(kind, key) + "." + {"jsonld": "jsonld"}.get(fmt, fmt))
    for answer in (by_accept, by_extension):
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(media)
        assert "Accept" in answer.headers["vary"].split(", ")
        assert (
            f'<{page(kind, key)}.ttl>; rel="alternate"; type="text/turtle"'
            in (answer.headers["link"])
        )
        graph = rdflib.Graph().parse(data=answer.text, format=PARSER[fmt])
        assert isomorphic(graph, expected)
    subject = rdflib.URIRef((agent_uri if kind == "agent" else place_uri)(BASE, key))
    schema = rdflib.Namespace("http://schema.org/")
    assert (subject, schema.sameAs, rdflib.URIRef("http://www.wikidata.org/entity/Q504")) in (
        expected
    ) or kind == "place"
    assert client.get(page(kind, key), headers={"Accept": "image/png"}).status_code == 406


def test_the_agents_page_names_it_lists_its_works_bounded_with_the_count_and_its_identifiers(
    client: TestClient,
) -> None:
    answer = client.get(page("agent", ZOLA_KEY))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    tree = etree.HTML(answer.text)
    assert tree.findtext(".//h1") == "Émile Zola"
    assert tree.findtext(".//p[@class='kind']") == "Personne"
    links = [a.get("href") for a in tree.iterfind(".//ul[@class='cards small']//a")]
    # 60 works name Zola's ISNI, one of them deleted: 59, of which the page shows the first 50.
    assert len(links) == ENTITY_WORKS
    assert links[0] == "/oeuvre/src%3A2" and "/oeuvre/src%3A3" not in links
    assert "59 œuvres le nomment ; voici les 50 premières." in answer.text
    assert "/oeuvre/src%3A60" not in links  # the same name without an identifier
    hrefs = {a.get("href") for a in tree.iter("a")}
    assert "http://www.wikidata.org/entity/Q504" in hrefs  # its sameAs, as a link
    assert "/recherche?q=%C3%89mile+Zola" in hrefs
    alternates = {
        (e.get("type"), e.get("href")) for e in tree.iter("link") if e.get("rel") == "alternate"
    }
    assert ("text/turtle", page("agent", ZOLA_KEY) + ".ttl") in alternates
    english = client.get(page("agent", ZOLA_KEY) + "?lang=en")
    assert "59 works name it; here are the first 50." in english.text and "Person" in english.text


def test_the_places_page_and_the_work_page_linking_to_it(client: TestClient) -> None:
    answer = client.get(page("place", HALL_KEY))
    assert etree.HTML(answer.text).findtext(".//h1") == "Théâtre de l'Odéon"
    assert "2 œuvres le nomment." in answer.text
    assert "48.8497, 2.3389" in answer.text
    work_page = client.get("/oeuvre/src%3A0").text
    assert f'href="{page("agent", ZOLA_KEY)}"' in work_page
    assert f'href="{page("place", HALL_KEY)}"' in work_page
