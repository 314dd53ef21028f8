"""The HTML pages in process: French first, the English switch (CSRF-checked), every page type,
the work page's embedded JSON-LD, and the English catalogue kept complete."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lanterne.web import create_app
from lanterne.web._i18n import negotiate
from web_helpers import Client, demo_site

ROOT = Path(__file__).resolve().parents[1]
LANTERNE = [sys.executable, "-m", "lanterne"]


@pytest.fixture
def client(demo_catalogue: Path) -> Client:
    """A fresh visitor (no cookies) on the demo site."""
    return Client(create_app(demo_site(demo_catalogue)))


def _h1(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found, html[:500]
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def _lang(html: str) -> str:
    found = re.search(r'<html lang="(\w+)"', html)
    assert found
    return found.group(1)


def _work_id(client: Client) -> str:
    return str(client.get("/api/search", params={"q": "jazz"}).json()["hits"][0]["id"])


def test_every_page_type_in_french_by_default(client: Client) -> None:
    work = _work_id(client)
    pages = {
        "/": "Découvrir autrement",
        "/recherche?q=jazz": "Rechercher une œuvre",
        f"/oeuvre/{work}": None,
        "/diagnostic": "Diagnostic de découvrabilité",
        "/audits": "Audits d'exposition",
        "/audits/accueil-avec-objectifs": "Audit d’exposition",
    }
    for path, title in pages.items():
        # A browser that prefers English still gets French: the site speaks French first.
        answer = client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"})
        assert answer.status_code == 200, path
        assert _lang(answer.text) == "fr", path
        assert answer.headers["content-language"] == "fr"
        if title:
            assert _h1(answer.text).replace("&#39;", "'") == title, path
        assert 'href="#contenu"' in answer.text and 'id="contenu"' in answer.text


def test_english_on_request(client: Client) -> None:
    answer = client.get("/?lang=en")
    assert _lang(answer.text) == "en" and _h1(answer.text) == "Discover differently"
    assert "Curiosity" in answer.text and "Curiosité" not in answer.text


def test_language_switch_is_a_csrf_checked_form(client: Client) -> None:
    page = client.get("/recherche?q=jazz").text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert token and "lanterne_csrf" in client.cookies
    # Without the form's token (another site posting for the visitor): refused, nothing set.
    refused = client.post("/langue", data={"lang": "en", "suite": "/"})
    assert refused.status_code == 403 and "lang" not in client.cookies
    assert "rechargez la page" in refused.text
    switched = client.post(
        "/langue", data={"lang": "en", "csrf": token.group(1), "suite": "/recherche?q=jazz"}
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/recherche?q=jazz"
    assert client.cookies["lang"] == "en"
    assert _lang(client.get("/recherche?q=jazz").text) == "en"
    # Only paths of this site: no open redirect.
    away = client.post("/langue", data={"lang": "fr", "csrf": token.group(1), "suite": "//x.org"})
    assert away.headers["location"] == "/"


def test_home_explains_every_pick_and_moves_with_the_dial(client: Client) -> None:
    work = _work_id(client)
    familiar = client.get("/", params=[("aime", work), ("curiosite", "0")]).text
    assert "Proche de" in familiar
    assert familiar.count('class="card"') == 12
    assert "engage à montrer dans chaque liste" in familiar
    assert "Objectifs atteints dans cette liste" in familiar
    curious = client.get("/", params=[("aime", work), ("curiosite", "1")]).text
    picks = re.findall(r'<h3><a href="/oeuvre/([^"]+)"', familiar)
    others = re.findall(r'<h3><a href="/oeuvre/([^"]+)"', curious)
    assert len(picks) == len(others) == 12 and picks != others
    assert "Placée par le curseur de curiosité" in curious
    starters = client.get("/").text
    assert starters.count("J'aime") >= 8  # a newcomer is offered works to start from


def test_search_page_with_facets_and_pages(client: Client) -> None:
    page = client.get("/recherche", params={"q": "musique"}).text
    assert 'type="checkbox"' in page and "Genre d&#39;œuvre" in page
    assert re.search(r"\d+ œuvres trouvées", page)
    filtered = client.get(
        "/recherche", params=[("q", "musique"), ("filtre", "territory:FR-BRE")]
    ).text
    assert 'value="territory:FR-BRE" checked' in filtered
    assert "Bretagne" in filtered and "Retirer tous les filtres" in filtered
    browse = client.get("/recherche", params={"q": ""}).text
    assert "Page 1 sur" in browse and 'rel="next"' in browse
    second = client.get("/recherche", params={"q": "", "page": "2"}).text
    assert '<ol class="hits" start="21">' in second
    bad = client.get("/recherche", params={"q": "x", "filtre": "oops"})
    assert bad.status_code == 400 and "FACETTE:VALEUR" in bad.text


def test_work_page_embeds_its_jsonld(client: Client) -> None:
    work = _work_id(client)
    page = client.get(f"/oeuvre/{work}").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert block
    embedded = json.loads(block.group(1).replace("<\\/", "</"))
    assert embedded == client.get(f"/api/works/{work}").json()
    assert "Où la voir, la lire, l'écouter" in page
    assert "Création" in page and "Non déclarée" in page
    assert "Œuvres proches" in page
    missing = client.get("/oeuvre/nope")
    assert (
        missing.status_code == 404 and "Cette œuvre n&#39;est pas dans le catalogue" in missing.text
    )


def test_unknown_page_is_a_page(client: Client) -> None:
    answer = client.get("/nulle-part")
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert _h1(answer.text) == "Page introuvable"


def test_static_files_are_served(client: Client) -> None:
    assert client.get("/static/htmx.min.js").status_code == 200
    assert "curiosite" in client.get("/static/lanterne.js").text
    assert client.get("/static/lanterne.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, None, "fr"),
        (None, None, "en-GB,en;q=0.8", "en"),
        (None, None, "fr;q=0.5,en;q=0.5", "fr"),
        (None, "en", "fr", "en"),
        ("fr", "en", "en", "fr"),
        ("de", None, "de-DE", "fr"),
        (None, None, "en;q=oops", "fr"),
    ],
)
def test_negotiation(
    query: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(query, cookie, accept) == expected


def test_english_catalogue_is_complete() -> None:
    """Every text of the pages has its English translation (``make messages`` updates it)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "messages.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.e2e
def test_demo_command_sets_up_and_serves(tmp_path: Path) -> None:
    """``make demo``'s command: import, index, audit, then serve and print the address."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [*LANTERNE, "--catalogue", str(tmp_path / "d.sqlite"), "demo", "--port", str(port)]
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LANTERNE_LOG_DIR": str(tmp_path),
        "LANTERNE_ENCODER_IDLE": "0",
    }
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    ) as server:
        try:
            assert server.stdout is not None
            lines = []
            for line in server.stdout:
                lines.append(line)
                if "servi sur" in line:
                    break
            assert f"http://127.0.0.1:{port}/" in lines[-1], "".join(lines)
            assert any("644" in line for line in lines)  # the demo statistics come first
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                        assert page.status == 200
                        assert "Découvrir autrement" in page.read().decode()
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                pytest.fail("the demo server did not answer")
            audits = sorted(p.name for p in (tmp_path / "d.sqlite.audits").iterdir())
            assert audits == ["accueil-avec-objectifs.json", "accueil-sans-objectifs.json"]
        finally:
            server.terminate()
