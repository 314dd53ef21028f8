"""The pages in a real browser: Debian's headless Chromium driven by Playwright, against a real
uvicorn server on loopback. Search, a facet, a work, the curiosity dial, the language switch,
keyboard-only use, and axe-core (from npm) on every page type: zero WCAG 2.1 A/AA violations."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lanterne.diagnose._render import CHROMIUM_FLAGS
from lanterne.web import create_app
from web_helpers import demo_site

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

_MISSING = [
    reason
    for missing, reason in (
        (CHROMIUM is None, "Debian's chromium is not installed (make browser)"),
        (not AXE.is_file(), "axe-core is not installed (make browser runs npm ci)"),
    )
    if missing
]
if _MISSING and os.environ.get("CI") == "true":
    # In CI `make test` installs both: a page test that cannot run is a failed run, not a skip.
    raise RuntimeError("CI=true but the page tests cannot run: " + "; ".join(_MISSING))

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bool(_MISSING), reason="; ".join(_MISSING)),
]

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def server(demo_catalogue: Path) -> Iterator[str]:
    """A real HTTP server (uvicorn) on a free loopback port, in a thread."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = demo_site(demo_catalogue)
    site.recommender_service()  # built before the first page, as `lanterne serve` does
    config = uvicorn.Config(
        create_app(site), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        flags = [f for f in CHROMIUM_FLAGS if f != "--headless"]
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=flags)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A tab; fails the test on a JavaScript error or a missing stylesheet, script or image.
    The page's own policy (CSP) is bypassed only so that the test can inject axe-core."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    yield tab
    context.close()
    assert not errors, f"errors in the page: {errors}"


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return list(result["violations"])


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:4])
        for v in violations
    )


def test_search_apply_a_facet_open_a_work(server: str, page: Any) -> None:
    page.goto(f"{server}/recherche")
    page.get_by_label("Titre, nom, sujet ou description").fill("musique")
    page.keyboard.press("Enter")
    page.wait_for_url("**/recherche?q=musique*")
    heading = page.locator("#titre-resultats")
    total_before = int(heading.inner_text().split()[0].replace("\u202f", ""))
    # Tick a region: htmx refreshes the results in place and the address follows.
    page.get_by_label("Bretagne", exact=False).first.check()
    page.wait_for_function("() => location.search.includes('filtre=territory%3AFR-BRE')")
    page.wait_for_function(
        "(before) => parseInt(document.querySelector('#titre-resultats').innerText"
        ".replace(/\\u202f/g, '')) < before",
        arg=total_before,
    )
    assert page.locator("#filtres input[value='territory:FR-BRE']").is_checked()
    first = page.locator("ol.hits h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/oeuvre/**")
    assert page.locator("h1").inner_text() == title
    assert page.locator("script[type='application/ld+json']").count() == 1


def test_curiosity_dial_with_the_keyboard(server: str, page: Any) -> None:
    page.goto(f"{server}/recherche?q=jazz")
    work = page.locator("ol.hits h3 a").first.get_attribute("href").removeprefix("/oeuvre/")
    page.goto(f"{server}/?aime={work}&curiosite=0")
    before = page.locator("#propositions h3 a").all_inner_texts()
    dial = page.locator("#curiosite")
    dial.focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    assert page.locator("#curiosite-valeur").inner_text() == "80\u202f%"
    assert dial.get_attribute("aria-valuetext") == "80\u202f%"
    page.wait_for_function(
        "() => document.querySelector('#titre-propositions').innerText.includes('80')"
    )
    after = page.locator("#propositions h3 a").all_inner_texts()
    assert len(after) == 12 and after != before
    assert "curiosite=0.8" in page.url
    # The dial kept the focus through the refresh: keyboard users are not thrown elsewhere.
    assert page.evaluate("document.activeElement.id") == "curiosite"


def test_switch_language(server: str, page: Any) -> None:
    page.goto(f"{server}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Discover differently"
    page.goto(f"{server}/recherche")  # the choice holds on the next page
    assert page.locator("h1").inner_text() == "Search for a work"
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Rechercher une œuvre"


def test_keyboard_only(server: str, page: Any) -> None:
    page.goto(f"{server}/recherche?q=festival")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    # Every link, button and field is reached by Tab, in order, with a visible focus ring.
    focusable = page.evaluate(
        "Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden])'))"
        ".filter(e => e.offsetParent !== null).length"
    )
    page.goto(f"{server}/recherche?q=festival")
    seen = set()
    for _ in range(focusable):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return [e.outerHTML.slice(0, 120), s.outlineStyle, s.outlineWidth, e.tagName]; }"
        )
        assert info[3] != "BODY", f"focus left the page after {len(seen)} stops"
        seen.add(info[0])
        assert info[1] != "none" and info[2] != "0px", f"no visible focus on {info[0]}"
    assert len(seen) >= focusable


PAGES = [
    "/",
    "/?lang=en",
    "/?aime={work}&curiosite=0.6",
    "/recherche?q=musique&filtre=type%3AFestival",
    "/recherche?q=&lang=en",
    "/oeuvre/{work}",
    "{place}",
    "{place}?lang=en",
    "/diagnostic",
    "/audits",
    "/audits/accueil-avec-objectifs",
    "/donnees-ouvertes",
    "/donnees-ouvertes?lang=en",
    "/provenance/verifier",
    "/provenance/verifier?lang=en",
    "/nulle-part",
]


def a_place(catalogue: Path) -> str:
    """The page of the first place of the demo catalogue with one (a Joconde museum)."""
    from lanterne.catalogue import open_catalogue
    from lanterne.web._publish import entity_page

    with open_catalogue(catalogue) as db:
        for work in db.iter_works():
            for place in work.places:
                found = entity_page("place", place.identifiers)
                if found is not None:
                    return found
    raise AssertionError("the demo catalogue has no place with an identifier")


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violation(server: str, page: Any, path: str, demo_catalogue: Path) -> None:
    if "{place}" in path:
        path = path.format(place=a_place(demo_catalogue))
    if "{work}" in path:
        page.goto(f"{server}/recherche?q=jazz")
        work = page.locator("ol.hits h3 a").first.get_attribute("href").removeprefix("/oeuvre/")
        path = path.format(work=work)
    page.goto(f"{server}{path}")
    violations = _axe(page)
    assert not violations, f"{path}:\n{_describe(violations)}"


C2PA = Path(__file__).resolve().parents[2] / "shared" / "standards" / "c2pa" / "fixtures" / "C.jpg"


@pytest.mark.skipif(not C2PA.is_file(), reason=f"the C2PA fixtures are not at {C2PA.parent}")
def test_verify_page_result_and_refusal_in_the_browser(server: str, page: Any) -> None:
    """The form sent as a browser sends it (no JavaScript needed): the result, then a refusal,
    each page without an axe violation."""
    from web_helpers import TOKEN

    for token, said in ((TOKEN, "Valid — signature valide"), ("faux", "jeton")):
        page.goto(f"{server}/provenance/verifier")
        page.set_input_files("#image", str(C2PA))
        page.fill("#jeton", token)
        with page.expect_navigation():
            page.click("form.upload button[type=submit]")
        assert said in page.content()
        violations = _axe(page)
        assert not violations, f"{token}:\n{_describe(violations)}"
