"""The creation label with its evidence on the work page (French and English), and
``POST /api/provenance/verify`` (token required) on c2pa-python's fixtures."""

from __future__ import annotations

import html
import re
from pathlib import Path

import msgspec
import pytest

from helpers import write_works
from lanterne.profile import C2paState, CreationLabelValue, LabelEvidence, LabelMethod, Work
from lanterne.provenance import decide
from lanterne.search import CatalogueIndex
from lanterne.web import Site, create_app
from web_helpers import TOKEN, Client

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "standards" / "c2pa" / "fixtures"


def _work(n: int, label: object) -> Work:
    data = {
        "id": f"musee:{n}",
        "type": "Photograph",
        "titles": [{"value": f"Vue du port n° {n}", "lang": "fr"}],
        "descriptions": [{"value": "Photographie du port de Honfleur", "lang": "fr"}],
        "provenance": {"source": "musee", "source_id": str(n)},
    }
    if label is not None:
        data["creation_label"] = msgspec.to_builtins(label)
    return msgspec.convert(data, Work)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Client:
    folder = tmp_path_factory.mktemp("site")
    human = decide(
        [
            LabelEvidence(
                value=CreationLabelValue.HUMAN,
                method=LabelMethod.DECLARATION,
                declared_by="le musée",
            ),
            LabelEvidence(
                value=CreationLabelValue.HUMAN,
                method=LabelMethod.C2PA,
                c2pa_state=C2paState.TRUSTED,
                declared_by="Musée de Honfleur",
                identifier="urn:c2pa:1",
            ),
        ]
    )
    disputed = decide(
        [
            LabelEvidence(
                value=CreationLabelValue.HUMAN,
                method=LabelMethod.DECLARATION,
                declared_by="le musée",
            ),
            LabelEvidence(
                value=CreationLabelValue.SYNTHETIC,
                method=LabelMethod.C2PA,
                c2pa_state=C2paState.VALID,
                identifier="urn:c2pa:2",
            ),
        ]
    )
    path = write_works(folder / "c.sqlite", [_work(1, human), _work(2, disputed), _work(3, None)])
    from lanterne.catalogue import open_catalogue

    with open_catalogue(path) as catalogue:
        CatalogueIndex(catalogue).update()
    return Client(create_app(Site(path, token=TOKEN)))


def _creation(page: str) -> str:
    found = re.search(r'<dd class="creation">(.*?)</dd>', page, re.S)
    assert found is not None, page
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()


def test_the_work_page_says_the_label_and_its_evidence_in_plain_words(client: Client) -> None:
    fr = " ".join(_creation(client.get("/oeuvre/musee:1").text))
    assert fr == (
        "Création humaine Image signée, certificat vérifié (Musée de Honfleur) ; "
        "déclarée création humaine par le musée."
    )
    en = " ".join(_creation(client.get("/oeuvre/musee:1?lang=en").text))
    assert en == (
        "Human creation Signed image, certificate verified (Musée de Honfleur); "
        "declared human creation by le musée."
    )


def test_a_conflict_is_shown_not_hidden(client: Client) -> None:
    text = " ".join(_creation(client.get("/oeuvre/musee:2").text))
    assert text.startswith("Création humaine (preuves discordantes)")
    assert "image signée, signataire non reconnu : contenu généré par IA" in text
    assert "les preuves ne concordent pas" in text
    assert "Non déclarée" in " ".join(_creation(client.get("/oeuvre/musee:3").text))


needs_fixtures = pytest.mark.skipif(
    not (FIXTURES / "C.jpg").is_file(), reason=f"the C2PA fixtures are not at {FIXTURES}"
)


@needs_fixtures
def test_verify_an_uploaded_image(client: Client) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    image = (FIXTURES / "C.jpg").read_bytes()
    done = client.post(
        "/api/provenance/verify", files={"file": ("C.jpg", image, "image/jpeg")}, headers=auth
    )
    assert done.status_code == 200, done.text
    data = done.json()
    assert data["state"] == "Valid" and data["label"] == "synthetic"
    assert [f["code"] for f in data["failures"]] == ["signingCredential.untrusted"]
    assert data["evidence"]["method"] == "c2pa"
    broken = client.post(
        "/api/provenance/verify",
        files={"file": ("x.jpg", image[:5000], "image/jpeg")},
        headers=auth,
    )
    assert broken.status_code == 200 and broken.json()["state"] == "Invalid"
    assert broken.json()["status"] == "unreadable" and broken.json()["reason"]
    text = client.post(
        "/api/provenance/verify", files={"file": ("x.txt", b"bonjour", "text/plain")}, headers=auth
    )
    assert text.json()["status"] == "unsupported"


def test_verify_needs_the_token_and_a_file(client: Client) -> None:
    image = b"\xff\xd8\xff"
    anonymous = client.post("/api/provenance/verify", files={"file": ("a.jpg", image)})
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "web.token_missing"
    wrong = client.post(
        "/api/provenance/verify",
        files={"file": ("a.jpg", image)},
        headers={"Authorization": "Bearer faux"},
    )
    assert wrong.status_code == 403
    empty = client.post(
        "/api/provenance/verify",
        data={"autre": "x"},
        files={"autre_fichier": ("a.txt", b"x")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "web.image_missing"


def test_verify_takes_an_image_over_the_form_bound(client: Client) -> None:
    # The route was bounded like a settings form (1 MiB): a photograph of 2 MiB got a 413, though
    # images up to ``provenance_image_max`` (50 MiB) are verified.
    import io

    from PIL import Image

    noise = Image.frombytes("RGB", (1024, 1024), bytes(range(256)) * (3 * 1024 * 1024 // 256))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG", compress_level=0)
    image = buffer.getvalue()
    assert len(image) > 2 * 1024 * 1024
    done = client.post(
        "/api/provenance/verify",
        files={"file": ("grand.png", image, "image/png")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] != "too_large"


def _page_field(client: Client) -> str:
    page = client.get("/provenance/verifier").text
    found = re.search(
        r'<form class="upload"[^>]*>\s*<input type="hidden" name="csrf" value="(\w+)"', page
    )
    assert found, page[:2000]
    return found.group(1)


def test_verify_page_offers_the_form_in_both_languages(client: Client) -> None:
    page = client.get("/provenance/verifier")
    assert page.status_code == 200
    assert "<h1>Vérifier une image</h1>" in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'type="password"' in page.text
    assert '<label for="image">' in page.text and '<label for="jeton">' in page.text
    english = client.get("/provenance/verifier?lang=en").text
    assert "<h1>Verify an image</h1>" in english and "The site’s write token" in english
    assert 'href="/provenance/verifier"' in client.get("/").text  # linked from every page


@needs_fixtures
def test_verify_page_says_the_result_in_plain_words(client: Client) -> None:
    image = (FIXTURES / "C.jpg").read_bytes()
    done = client.post(
        "/provenance/verifier",
        data={"csrf": _page_field(client), "token": TOKEN},
        files={"file": ("C.jpg", image, "image/jpeg")},
    )
    assert done.status_code == 200, done.text
    items = [
        html.unescape(re.sub(r"<[^>]+>", "", li))
        for li in re.findall(r"<li>(.*?)</li>", done.text, re.S)
    ]
    said = "\n".join(items)
    # What ``lanterne provenance verify`` prints, line for line (the same words).
    from lanterne.provenance import result_lines, verify_bytes

    expected = result_lines(verify_bytes(image, max_bytes=50 * 1024 * 1024), "fr")
    assert all(line.strip() in said for line in expected), (expected, said)
    assert "Valid — signature valide" in said and "contenu généré par IA" in said
    assert "« C.jpg »" in done.text


def test_verify_page_refuses_without_token_csrf_or_file(client: Client) -> None:
    image = ("a.jpg", b"\xff\xd8\xff", "image/jpeg")
    field = _page_field(client)
    cases = [
        ({"csrf": field}, {"file": image}, 401, "jeton"),  # no token
        ({"csrf": field, "token": "faux"}, {"file": image}, 403, "jeton"),
        ({"token": TOKEN}, {"file": image}, 403, "rechargez la page"),  # no CSRF field
        ({"csrf": field, "token": TOKEN}, {"autre": ("a.txt", b"x")}, 400, "image"),
    ]
    for data, files, status, word in cases:
        refused = client.post("/provenance/verifier", data=data, files=files)
        assert refused.status_code == status, (data, refused.status_code)
        alert = re.search(r'role="alert">(.*?)</div>', refused.text, re.S)
        assert alert and word in html.unescape(alert.group(1)).lower(), refused.text[:3000]
        assert '<form class="upload"' in refused.text  # the form again, to try once more


def test_verify_page_is_closed_without_a_write_token(tmp_path: Path) -> None:
    path = write_works(tmp_path / "c.sqlite", [_work(1, None)])
    closed = Client(create_app(Site(path)))
    page = closed.get("/provenance/verifier").text
    assert "la vérification en ligne est fermée" in page and 'type="password"' not in page
    refused = closed.post(
        "/provenance/verifier", data={"token": "x"}, files={"file": ("a.jpg", b"\xff")}
    )
    assert refused.status_code == 403
