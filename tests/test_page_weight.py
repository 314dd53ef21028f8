"""Page weight per page type, measured in headless Chromium and held to the budget in
docs/footprint.md (« Poids des pages »): bytes received and requests, no request to another
host, images lazy and sized, search usable without JavaScript (RGESN, issue 22)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pytest

from test_web_browser import CHROMIUM, a_place, browser, server

__all__ = ["browser", "server"]  # the browser tests' fixtures, shared

DOC = Path(__file__).resolve().parents[1] / "docs" / "footprint.md"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


class Budget(NamedTuple):
    path: str
    kilobytes: int
    requests: int


def budgets() -> dict[str, Budget]:
    """The budget table of docs/footprint.md, by page type."""
    text = DOC.read_text("utf-8")
    section = text.split("## Poids des pages", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([^|]+?) \| `([^`]+)` \| (\d+) \| (\d+) \|$", section, re.M)
    return {name: Budget(path, int(kb), int(n)) for name, path, kb, n in rows}


def test_the_budget_table_is_read() -> None:
    found = budgets()
    assert len(found) == 9 and found["accueil / home"].path == "/"
    assert all(b.kilobytes > 0 and b.requests > 0 for b in found.values())


@pytest.fixture
def fresh(browser: Any) -> Iterator[Any]:
    """A new browser context for each page: an empty cache, as a first visit."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(
            locale="fr-FR", viewport={"width": 1280, "height": 900}, **options
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _a_work(server: str, fresh: Any) -> str:
    tab = fresh()
    tab.goto(f"{server}/recherche?q=jazz")
    href = tab.locator("ol.hits h3 a").first.get_attribute("href")
    return str(href).removeprefix("/oeuvre/")


@pytest.mark.parametrize("name", sorted(budgets()))
def test_each_page_type_is_within_its_budget(
    server: str, fresh: Any, name: str, demo_catalogue: Path
) -> None:
    budget = budgets()[name]
    path = budget.path.replace("ID", _a_work(server, fresh)) if "ID" in budget.path else budget.path
    if "KEY" in path:
        path = a_place(demo_catalogue)
    tab = fresh()
    finished: list[Any] = []
    tab.on("requestfinished", lambda request: finished.append(request))
    tab.on("requestfailed", lambda request: finished.append(request))
    tab.goto(server + path, wait_until="networkidle")
    received = 0
    for request in finished:
        sizes = request.sizes()
        received += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    hosts = {urlsplit(r.url).netloc for r in finished}
    assert hosts == {urlsplit(server).netloc}, f"{path}: a request left the site: {hosts}"
    assert len(finished) <= budget.requests, [r.url for r in finished]
    assert received <= budget.kilobytes * 1000, f"{path}: {received} bytes"
    for image in tab.locator("img").all():
        assert image.get_attribute("loading") == "lazy", path
        assert image.get_attribute("width") and image.get_attribute("height"), path


def test_search_works_without_javascript(server: str, fresh: Any) -> None:
    tab = fresh(java_script_enabled=False)
    tab.goto(f"{server}/recherche")
    tab.fill("input[name=q]", "jazz")
    with tab.expect_navigation():  # a plain form submission: no htmx without JavaScript
        tab.keyboard.press("Enter")
    assert "q=jazz" in tab.url
    assert tab.locator("ol.hits h3 a").count() > 0
