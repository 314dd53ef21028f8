"""Every answer of the API and the pages says what it cost in ``Server-Timing``; the API's
answers that do real work carry a ``footprint`` object too. The endpoints are read from the
OpenAPI document and the application's routes: a new endpoint that does neither fails here."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from lanterne.web import create_app
from lanterne.web._footprint import FLAG, MeasuredRoute
from web_helpers import TOKEN, Client, demo_site

LIGHT = {
    "get /api/health": "counts",
    "get /api/works/{work_id}": "one stored document (JSON-LD: no member of ours is added)",
    "get /api/audits": "lists files",
    "get /api/settings": "reads one file",
    "put /api/settings": "writes one file",
}
"""API operations that say their cost only in ``Server-Timing``, and why."""

TIMING = re.compile(
    r'^cpu;dur=[0-9.]+;desc="CPU", total;dur=[0-9.]+, energy;desc="[0-9.,]+ Wh, estimate", '
    r'co2e;desc="[0-9.,]+ g CO2e, [A-Z-]+ grid"$'
)


@pytest.fixture(scope="module")
def site(demo_catalogue: Path) -> Client:
    return Client(create_app(demo_site(demo_catalogue)))


def _check(answer: object, *, body: bool = True) -> dict[str, object] | None:
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    assert TIMING.match(answer.headers["server-timing"]), answer.headers  # type: ignore[attr-defined]
    if not body:
        return None
    footprint = answer.json()["footprint"]  # type: ignore[attr-defined]
    assert footprint["estimate"] is True and "estimate" in footprint["method"]
    assert footprint["usage"]["wall_seconds"] > 0 and footprint["energy_wh"] > 0
    assert footprint["grid"]["code"] == "FR"
    assert footprint["co2e_g"] == pytest.approx(footprint["energy_wh"] / 1000 * 56.039)
    return footprint  # type: ignore[no-any-return]


def test_every_api_operation_says_its_footprint_or_is_named_light(site: Client) -> None:
    spec = site.get("/api/openapi.json").json()
    working, light = set(), set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            (working if operation.get(FLAG) else light).add(f"{method} {path}")
    assert light == set(LIGHT), "declare it openapi_extra=WORKING or say here why it is light"
    assert {"get /api/search", "get /api/recommend", "get /api/diagnosis"} <= working
    assert {"get /api/audits/{name}", "post /api/ingest"} <= working
    # The documented answers of the working ones with a model name their footprint.
    search = spec["components"]["schemas"]["SearchResponse"]["properties"]
    assert "footprint" in search


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's included router
        if included is not None:
            yield from _routes(included.routes)
        elif isinstance(route, APIRoute):
            yield route


def test_every_route_of_the_api_and_the_pages_is_measured(demo_catalogue: Path) -> None:
    app = create_app(demo_site(demo_catalogue))
    routes = list(_routes(app.routes))
    measured = {r.path for r in routes if isinstance(r, MeasuredRoute)}
    api = {r.path for r in routes if r.path.startswith("/api")}
    assert len(api) >= 9 and api <= measured
    assert {"/", "/recherche", "/oeuvre/{work_id:path}", "/diagnostic", "/audits"} <= measured


def test_working_endpoints_answer_with_their_footprint(site: Client) -> None:
    # Uncompressed, so that Content-Length can be set against the body it announces.
    found = site.get("/api/search", params={"q": "jazz"}, headers={"Accept-Encoding": "identity"})
    footprint = _check(found)
    assert footprint is not None and footprint["usage"]["cpu_seconds"] >= 0  # type: ignore[index]
    assert found.json()["hits"] and int(found.headers["content-length"]) == len(found.content)
    work = found.json()["hits"][0]["id"]
    _check(site.get("/api/recommend", params={"history": work, "k": "5"}))
    _check(site.get("/api/diagnosis"))
    _check(site.get("/api/audits/accueil-avec-objectifs"))


def test_light_endpoints_and_pages_only_time_themselves(site: Client) -> None:
    _check(site.get("/api/health"), body=False)
    assert "footprint" not in site.get("/api/health").json()
    hit = site.get("/api/search", params={"q": "jazz"}).json()["hits"][0]["id"]
    document = site.get(f"/api/works/{hit}")
    _check(document, body=False)
    assert "footprint" not in document.json()
    _check(site.get("/recherche", params={"q": "jazz"}), body=False)


def test_an_import_says_its_footprint(demo_catalogue: Path, tmp_path: Path) -> None:
    shutil.copy(demo_catalogue, tmp_path / "demo.sqlite")
    shutil.copytree(Path(f"{demo_catalogue}.search"), tmp_path / "demo.sqlite.search")
    shutil.copytree(demo_catalogue.parent / "audits", tmp_path / "audits")
    client = Client(create_app(demo_site(tmp_path / "demo.sqlite")))
    csv = resources.files("lanterne.demo").joinpath("festivals-demo.csv").read_bytes()
    answer = client.post(
        "/api/ingest",
        files={"file": ("festivals.csv", csv, "text/csv")},
        data={"profile": "festivals-france"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    footprint = _check(answer)
    assert answer.json()["read"] > 0 and footprint is not None
