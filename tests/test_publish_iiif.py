"""IIIF Presentation 3 manifests: validated by IIIF's own JSON Schema and loaded back by
iiif-prezi3's models, linked from the EDM record, served at /iiif/ID/manifest (404, 410)."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import msgspec
import pydantic
import pytest
from iiif_prezi3 import Manifest
from lxml import etree
from rdflib import Graph, URIRef

from lanterne.catalogue import SqliteCatalogue, StoredWork
from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
from lanterne.profile import (
    Agent,
    Contribution,
    LangText,
    Media,
    MediaKind,
    Provenance,
    Rights,
    Role,
    TextKind,
    Title,
    Work,
    WorkType,
    encode_work,
)
from lanterne.publish import (
    EdmOptions,
    Standards,
    Validator,
    edm_record,
    iiif_manifest,
    manifest_images,
    manifest_uri,
    shapes_uri,
)
from lanterne.publish._iiif import image_format
from lanterne.web import Site, create_app
from web_helpers import Client

BASE = "https://lanterne.example/"
ROOT = Path(__file__).resolve().parents[2] / "shared"
SCHEMA_FILE = ROOT / "standards" / "iiif" / "schema" / "iiif_3_0.json"
needs_schema = pytest.mark.skipif(
    not SCHEMA_FILE.is_file(), reason=f"IIIF's JSON Schema not found at {SCHEMA_FILE}"
)
GOODBOOKS_SAMPLE = 500
"""goodbooks covers state no size: this many get one (as if measured) to test their fields."""


@pytest.fixture(scope="module")
def schema() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text("utf-8")))


def _errors(schema: jsonschema.Draft7Validator, manifest: dict[str, Any]) -> list[str]:
    # The schema's top is a oneOf: the real causes are in each error's context.
    found = []
    for error in schema.iter_errors(manifest):
        found += [e.message for e in error.context] or [error.message]
    return found


def _work(**extra: Any) -> Work:
    fields: dict[str, Any] = {
        "id": "joconde:06-000123",
        "type": WorkType.PAINTING,
        "titles": [
            Title(value="La Liseuse", lang="fr"),
            Title(value="The Reader", lang="en", kind=TextKind.ALTERNATIVE_TITLE),
        ],
        "descriptions": [LangText(value="Une jeune femme lit, de profil.", lang="fr")],
        "contributors": [Contribution(agent=Agent(name="Fragonard"), role=Role.CREATOR)],
        "media": [
            Media(
                kind=MediaKind.IMAGE,
                url="https://images.example/liseuse.PNG?v=2",
                width=1200,
                height=1600,
                caption="Vue de face",
            ),
            Media(kind=MediaKind.IMAGE, url="https://images.example/detail.jpg"),
        ],
        "rights": Rights(licence="https://creativecommons.org/licenses/by/4.0/deed.fr"),
        "provenance": Provenance(source="joconde", source_id="06-000123", attribution="Musée"),
    }
    fields.update(extra)
    return Work(**fields)


def test_the_manifest_says_the_work_in_french_and_english() -> None:
    manifest = iiif_manifest(_work(), BASE)
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert manifest["id"] == BASE + "iiif/joconde%3A06-000123/manifest"
    assert manifest["label"] == {"fr": ["La Liseuse"]}
    assert manifest["summary"] == {"fr": ["Une jeune femme lit, de profil."]}
    labels = {tuple(e["label"]["fr"] + e["label"]["en"]): e["value"] for e in manifest["metadata"]}
    assert labels[("Autre titre", "Other title")] == {"en": ["The Reader"]}
    assert labels[("Créateur", "Creator")] == {"none": ["Fragonard"]}
    assert manifest["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert manifest["requiredStatement"]["value"] == {
        "fr": ["Fourni par Musée"],
        "en": ["Provided by Musée"],
    }
    assert manifest["homepage"][0]["id"] == BASE + "oeuvre/joconde%3A06-000123"
    assert manifest["provider"][0]["type"] == "Agent"
    # The image of unknown size is left out: a canvas needs one.
    (canvas,) = manifest["items"]
    assert (canvas["width"], canvas["height"]) == (1200, 1600)
    assert canvas["label"] == {"none": ["Vue de face"]}
    (annotation,) = canvas["items"][0]["items"]
    assert annotation["motivation"] == "painting"
    assert annotation["target"] == canvas["id"]
    assert annotation["body"] == {
        "id": "https://images.example/liseuse.PNG?v=2",
        "type": "Image",
        "format": "image/png",
        "width": 1200,
        "height": 1600,
    }
    assert Manifest(**manifest).label == manifest["label"]


@needs_schema
def test_the_manifest_passes_iiif_s_schema_and_one_without_its_label_fails(
    schema: jsonschema.Draft7Validator,
) -> None:
    manifest = iiif_manifest(_work(), BASE)
    assert _errors(schema, manifest) == []
    del manifest["label"]
    assert any("'label' is a required property" in e for e in _errors(schema, manifest))
    with pytest.raises(pydantic.ValidationError):
        Manifest(**manifest)


def test_rights_only_for_a_creative_commons_or_rightsstatements_licence() -> None:
    ouverte = _work(
        rights=Rights(licence="https://www.etalab.gouv.fr/licence-ouverte-open-licence")
    )
    assert "rights" not in iiif_manifest(ouverte, BASE)
    statement = _work(
        rights=Rights(licence="https://rightsstatements.org/page/InC/1.0/?language=fr")
    )
    assert iiif_manifest(statement, BASE)["rights"] == "http://rightsstatements.org/vocab/InC/1.0/"


def test_a_work_without_an_image_of_known_size_has_no_manifest() -> None:
    unsized = _work(media=[Media(kind=MediaKind.IMAGE, url="https://images.example/a.jpg")])
    assert manifest_images(unsized) == []
    with pytest.raises(ValueError, match="no image of known size"):
        iiif_manifest(unsized, BASE)


@pytest.mark.parametrize(
    ("url", "media_type"),
    [
        ("https://x.org/a.jpg", "image/jpeg"),
        ("https://x.org/a.JPEG", "image/jpeg"),
        ("https://x.org/a.png?itok=abc", "image/png"),
        ("https://x.org/b.tif#p", "image/tiff"),
        ("https://x.org/c.webp", "image/webp"),
        ("https://x.org/v1.2/image", "image/jpeg"),
        ("https://x.org/", "image/jpeg"),
    ],
)
def test_the_image_format_comes_from_the_url_s_extension(url: str, media_type: str) -> None:
    assert image_format(url) == media_type


# EDM ----------------------------------------------------------------------------------------

EDM = {
    "edm": "http://www.europeana.eu/schemas/edm/",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


def _referenced(xml: bytes) -> dict[str, list[str]]:
    root = etree.fromstring(xml)
    found = {}
    for res in root.iterfind("edm:WebResource", EDM):
        about = res.get(f"{{{EDM['rdf']}}}about") or ""
        found[about] = [
            el.get(f"{{{EDM['rdf']}}}resource") or ""
            for el in res.iterfind("dcterms:isReferencedBy", EDM)
        ]
    return found


@pytest.mark.skipif(
    not (ROOT / "standards" / "edm").is_dir(), reason="EDM standards' files not found"
)
def test_the_edm_web_resource_a_manifest_paints_is_referenced_by_it_and_stays_valid() -> None:
    record = edm_record(_work(url="https://musee.example/liseuse"), EdmOptions(base=BASE))
    assert record.xml is not None
    assert _referenced(record.xml) == {
        "https://images.example/liseuse.PNG?v=2": [manifest_uri(BASE, "joconde:06-000123")],
        "https://images.example/detail.jpg": [],
    }
    assert Validator(Standards.find(ROOT / "standards")).edm(record.xml) == []


# Web ----------------------------------------------------------------------------------------


def _stored(work: Work) -> StoredWork:
    doc = encode_work(work)
    return StoredWork(
        id=work.id,
        source=work.provenance.source,
        source_id=work.provenance.source_id,
        type=work.type.value,
        doc=doc,
        digest=hashlib.blake2b(doc, digest_size=16).digest(),
    )


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Client:
    monkeypatch.setenv("LANTERNE_BASE_URI", BASE)
    path = tmp_path / "c.sqlite"
    painted = _work()
    slashed = _work(id="scenes:https://scenes.example/id/961")
    unsized = _work(id="joconde:2", media=[Media(kind=MediaKind.IMAGE, url="https://x.org/a.jpg")])
    deleted = _work(id="joconde:3")
    with SqliteCatalogue(path) as db:
        run = db.begin_run("joconde", "p", ["f.csv"]).id
        db.write_batch(run, [_stored(w) for w in (painted, slashed, unsized, deleted)])
        db.write_batch(run, [], delete_ids=["joconde:3"])
        db.finish_run(run, "completed", {})
    return Client(create_app(Site(path)))


def _path(work_id: str) -> str:
    return "/iiif/" + quote(work_id, safe="") + "/manifest"


def test_the_manifest_is_served_open_to_every_origin(client: Client) -> None:
    for work_id in ("joconde:06-000123", "scenes:https://scenes.example/id/961"):
        answer = client.get(_path(work_id))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/ld+json")
        assert answer.headers["access-control-allow-origin"] == "*"
        manifest = answer.json()
        assert manifest["id"] == manifest_uri(BASE, work_id)
        Manifest(**manifest)


def test_no_manifest_for_a_work_without_sized_images_unknown_or_deleted(client: Client) -> None:
    assert client.get(_path("joconde:2")).status_code == 404
    assert client.get(_path("joconde:nope")).status_code == 404
    gone = client.get(_path("joconde:3"))
    assert gone.status_code == 410
    assert "retirée" in gone.text


def test_the_shape_is_served_as_turtle_at_its_uri(client: Client) -> None:
    answer = client.get("/shapes/work")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=answer.text, format="turtle", publicID=shapes_uri(BASE))
    assert (URIRef(shapes_uri(BASE) + "#Work"), None, None) in graph


# The real catalogues ------------------------------------------------------------------------

CATALOGUES = ["joconde-costumes", "scenes-francophones-events", "goodbooks-10k-books"]


@pytest.mark.shared_data
@needs_schema
@pytest.mark.skipif(not (ROOT / "data").is_dir(), reason="real datasets not found")
@pytest.mark.parametrize("name", CATALOGUES)
def test_manifests_of_the_real_works_with_images_pass_the_schema_and_load_back(
    tmp_path: Path, schema: jsonschema.Draft7Validator, name: str
) -> None:
    path = tmp_path / f"{name}.sqlite"
    with SqliteCatalogue(path) as db:
        ingest(db, ROOT / "data" / name, load_mapping_profile(name), IngestOptions(workers=2))
        works = list(db.iter_works())
    with_images = [w for w in works if any(m.kind is MediaKind.IMAGE for m in w.media)]
    sized = [w for w in with_images if manifest_images(w)]
    given: list[Work] = []
    if not sized:
        # Their images state no size: give one, to test what the rest of each work becomes.
        for work in itertools.islice(with_images, GOODBOOKS_SAMPLE):
            media = [msgspec.structs.replace(m, width=98, height=150) for m in work.media]
            given.append(msgspec.structs.replace(work, media=media))
    checked = 0
    for work in sized or given:
        manifest = iiif_manifest(work, BASE)
        assert _errors(schema, manifest) == [], work.id
        back = Manifest(**manifest)
        assert len(back.items) == len(manifest_images(work))
        checked += 1
    print(
        f"\n{name}: {len(works)} works, {len(with_images)} with images, {len(sized)} with a "
        f"size, {checked} manifests checked"
    )
    if name == "joconde-costumes":
        assert not with_images  # the extract carries no image links
    else:
        assert checked > 0
