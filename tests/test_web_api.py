"""The JSON API in process (ASGI client): every endpoint, its answers and the one error shape."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from lanterne.catalogue import open_catalogue
from lanterne.recommend._service import dataset_service
from lanterne.settings import Settings
from lanterne.web import Site, create_app
from test_audit import _dataset
from web_helpers import TOKEN, Client, build_demo_into, demo_site


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Client:
    """A server with a dataset only (no catalogue), as ``lanterne serve --config``."""
    folder = tmp_path_factory.mktemp("api")
    return Client(create_app(dataset_service(_dataset(Path(folder)))))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(
    request: pytest.FixtureRequest, demo_catalogue: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path | str, Path]]:
    """The demo catalogue (its location, its audits) on each backend: the SQLite file the web
    tests share, and the same demo built into a PostgreSQL database of the tests' server (its
    search index under ``var/`` of a folder of its own, as ``lanterne serve`` keeps it)."""
    if request.param == "sqlite":
        yield demo_catalogue, demo_catalogue.parent / "audits"
        return
    # Not ``from conftest import …``: under the whole suite that name is tests/fuzz/conftest.py.
    import pg_server

    server = request.getfixturevalue("postgres_server")
    assert isinstance(server, pg_server.Server)
    folder = tmp_path_factory.mktemp("pg-site")
    with pytest.MonkeyPatch.context() as patch, server.database(pg_server.TEMPLATE) as url:
        patch.chdir(folder)
        build_demo_into(url, folder / "audits")
        yield url, folder / "audits"


@pytest.fixture(scope="module")
def site(backend: tuple[Path | str, Path]) -> Client:
    location, audits = backend
    return Client(create_app(demo_site(location, audits=audits)))


@pytest.fixture
def private_copy(demo_catalogue: Path, tmp_path: Path) -> Path:
    """A copy of the demo catalogue and its index that a test may write to."""
    shutil.copy(demo_catalogue, tmp_path / "demo.sqlite")
    shutil.copytree(Path(f"{demo_catalogue}.search"), tmp_path / "demo.sqlite.search")
    shutil.copytree(demo_catalogue.parent / "audits", tmp_path / "audits")
    return tmp_path / "demo.sqlite"


def _error(answer: object, status: int, code: str) -> str:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    body = answer.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return str(body["error"]["message"])


def test_recommend_with_goals_on_a_grid(client: Client) -> None:
    answer = client.get(
        "/api/recommend",
        params=[
            ("history", "w1"),
            ("history", "w6"),
            ("goal", "european=true:0.6"),
            ("surface", "grid"),
        ],
    )
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["items"]) == 10
    assert body["goals"]["satisfied"] and body["goals"]["names"] == ["european=true"]
    first = body["items"][0]
    assert (first["row"], first["column"], first["position"]) == (1, 1, 1)
    assert {"because", "placed_by", "goals", "replaced"} <= set(first["explanation"])
    assert all("european" in item["attributes"] for item in body["items"])
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["works"] is None and health["items"] == 200


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ([("history", "nope")], 404, "recommend.unknown_items"),
        ([("user", "nobody")], 404, "recommend.unknown_user"),
        ([("history", "w1"), ("goal", "european")], 422, "recommend.bad_goal"),
        ([("history", "w1"), ("surface", "spiral")], 422, "request.invalid"),
        ([("history", "w1"), ("curiosity", "2")], 422, "request.invalid"),
    ],
)
def test_errors_have_one_shape(
    client: Client, params: list[tuple[str, str]], status: int, code: str
) -> None:
    _error(client.get("/api/recommend", params=params), status, code)


def test_catalogue_endpoints_without_a_catalogue_say_so(client: Client) -> None:
    _error(client.get("/api/search", params={"q": "x"}), 404, "web.no_catalogue")
    _error(client.get("/api/works/x"), 404, "web.no_catalogue")


def test_search_with_facets(site: Client, backend: tuple[Path | str, Path]) -> None:
    body = site.get("/api/search", params={"q": "musique baroque"}).json()
    assert body["total"] > 10 and len(body["hits"]) == 10
    assert body["facets"]["type"]["Festival"] >= 1
    assert all(set(h) >= {"id", "title", "score", "snippet"} for h in body["hits"])
    filtered = site.get(
        "/api/search",
        params=[("q", "musique"), ("filter", "type:Festival"), ("limit", "100")],
    ).json()
    assert filtered["filters"] == {"type": ["Festival"]}
    assert set(filtered["facets"]["type"]) == {"Festival"}
    assert filtered["total"] == len(filtered["hits"]) or filtered["total"] > 100
    # No word: the catalogue browsed, with exact counts over all of it.
    with open_catalogue(backend[0]) as catalogue:
        stored = catalogue.count()
        festivals = catalogue.stats().by_type["Festival"]
    browse = site.get("/api/search", params={"q": ""}).json()
    assert browse["total"] == stored
    assert browse["facets"]["type"]["Festival"] == festivals
    only = site.get("/api/search", params=[("q", ""), ("filter", "type:Festival")]).json()
    assert only["total"] == festivals


def test_search_errors(site: Client) -> None:
    message = _error(
        site.get("/api/search", params=[("q", "x"), ("filter", "genre")]), 422, "web.bad_filter"
    )
    assert "type:Festival" in message
    _error(site.get("/api/search", params={"q": "x", "limit": "1000"}), 422, "request.invalid")
    _error(site.get("/api/search", params={"q": "x", "mode": "magic"}), 422, "request.invalid")
    _error(site.get("/api/search"), 422, "request.invalid")


def test_work_as_jsonld(site: Client) -> None:
    hit = site.get("/api/search", params={"q": "jazz", "filter": "type:Festival"}).json()
    work_id = hit["hits"][0]["id"]
    answer = site.get(f"/api/works/{work_id}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/ld+json")
    doc = answer.json()
    assert doc["@type"] == "Festival" and doc["@context"]
    message = _error(site.get("/api/works/nope?lang=en"), 404, "work.not_found")
    assert message.startswith("No work")
    french = _error(site.get("/api/works/nope"), 404, "work.not_found")
    assert french.startswith("Aucune")


def test_recommend_from_the_catalogue(site: Client) -> None:
    works = site.get("/api/search", params={"q": "jazz"}).json()["hits"]
    answer = site.get(
        "/api/recommend",
        params=[("history", works[0]["id"]), ("goal", "type=CreativeWork:0.5"), ("k", "8")],
    ).json()
    assert len(answer["items"]) == 8 and answer["goals"]["satisfied"]
    shares = [i for i in answer["items"] if i["attributes"]["type"] == ["CreativeWork"]]
    assert len(shares) >= 4


def test_diagnosis_and_audits(site: Client, backend: tuple[Path | str, Path]) -> None:
    diagnosis = site.get("/api/diagnosis").json()
    with open_catalogue(backend[0]) as catalogue:
        assert diagnosis["records"] == catalogue.count()
    # The file's name, not where it lives; a server's database by its name, never its URL.
    expected = "demo.sqlite" if isinstance(backend[0], Path) else backend[0].rsplit("/", 1)[1]
    assert diagnosis["catalogue"] == expected
    assert 0 <= diagnosis["score_mean"] <= 100 and diagnosis["top_fixes"]
    names = [a["name"] for a in site.get("/api/audits").json()]
    assert names == ["accueil-avec-objectifs", "accueil-sans-objectifs"]
    report = site.get("/api/audits/accueil-avec-objectifs").json()
    groups = {s["group"] for s in report["shares"]["all"]}
    assert {"type=Festival", "type=CreativeWork"} <= groups
    _error(site.get("/api/audits/nope"), 404, "web.audit_not_found")


def test_settings_need_the_token(private_copy: Path) -> None:
    client = Client(create_app(demo_site(private_copy)))
    assert client.get("/api/settings").json()["goals"] == [
        "territory=FR-BRE:#1",
        "territory=FR-20R:#1",
        "territory=FR-971:#1",
    ]
    wanted = {"goals": ["type=Festival:0.8"], "surface": "log", "k": 10, "diversifier": "mmr"}
    _error(client.put("/api/settings", json=wanted), 401, "web.token_missing")
    _error(
        client.put("/api/settings", json=wanted, headers={"Authorization": "Bearer faux"}),
        403,
        "web.token_invalid",
    )
    # A token in the query string is not a token: logs would keep it.
    _error(client.put(f"/api/settings?token={TOKEN}", json=wanted), 401, "web.token_missing")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    _error(
        client.put("/api/settings", json={**wanted, "goals": ["nope"]}, headers=auth),
        422,
        "recommend.bad_goal",
    )
    assert client.put("/api/settings", json=wanted, headers=auth).json() == wanted
    assert client.get("/api/settings").json() == wanted
    # Saved beside the catalogue: a restarted server keeps it.
    assert Site(private_copy).home.goals == ["type=Festival:0.8"]
    home = client.get("/api/recommend", params={"goal": "type=Festival:0.8", "k": "10"}).json()
    assert home["goals"]["satisfied"]
    no_writes = Client(create_app(demo_site(private_copy, token=None)))
    _error(no_writes.put("/api/settings", json=wanted, headers=auth), 403, "web.writes_disabled")


def test_ingest_through_the_api(private_copy: Path, tmp_path: Path) -> None:
    client = Client(create_app(demo_site(private_copy)))
    demo = resources.files("lanterne.demo").joinpath("festivals-demo.csv").read_text("utf-8")
    header, first = demo.splitlines()[:2]
    fields = first.split(";")
    fields[0] = "Festival des lanternes magiques"
    fields[header.split(";").index("Identifiant")] = "FEST_TEST_1"
    broken = ";".join([""] * len(fields))  # no name, no identifier: quarantined
    upload = "\n".join([header, ";".join(fields), broken]) + "\n"
    files = {"file": ("nouveaux.csv", upload.encode("utf-8"), "text/csv")}
    with open_catalogue(private_copy) as catalogue:
        before = catalogue.count()
    _error(
        client.post("/api/ingest", files=files, data={"profile": "festivals-france"}),
        401,
        "web.token_missing",
    )
    auth = {"Authorization": f"Bearer {TOKEN}"}
    _error(
        client.post("/api/ingest", files=files, data={"profile": "../etc"}, headers=auth),
        404,
        "profile.not_found",
    )
    with open_catalogue(private_copy) as catalogue:
        assert catalogue.count() == before  # refused requests wrote nothing
    answer = client.post(
        "/api/ingest", files=files, data={"profile": "festivals-france"}, headers=auth
    )
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["read"] == 2 and summary["created"] == 1 and summary["quarantined"] == 1
    assert (
        summary["read"]
        == summary["created"] + summary["updated"] + summary["unchanged"] + summary["quarantined"]
    )
    assert summary["indexed"] == 1
    found = client.get("/api/search", params={"q": "lanternes magiques"}).json()
    assert found["hits"][0]["title"] == "Festival des lanternes magiques"
    assert client.get("/api/health").json()["works"] == before + 1


def test_unknown_routes_and_methods(site: Client) -> None:
    _error(site.get("/api/nowhere"), 404, "web.page_not_found")
    _error(site.request("DELETE", "/api/settings"), 405, "http.405")


def test_openapi_lists_every_endpoint(site: Client) -> None:
    spec = site.get("/api/openapi.json").json()
    assert set(spec["paths"]) == {
        "/api/health",
        "/api/search",
        "/api/works/{work_id}",
        "/api/recommend",
        "/api/diagnosis",
        "/api/audits",
        "/api/audits/{name}",
        "/api/settings",
        "/api/ingest",
        "/api/provenance/lookup",
        "/api/provenance/register",
        "/api/provenance/verify",
    }
    assert "ErrorBody" in spec["components"]["schemas"]


def test_security_headers_and_no_secret_in_logs(
    private_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(create_app(demo_site(private_copy)))
    caplog.set_level(logging.DEBUG)
    answer = client.put(
        "/api/settings",
        json={"goals": [], "surface": "grid", "k": 12, "diversifier": "mmr"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 200
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    assert TOKEN not in repr(Settings.load(token=TOKEN))


def test_workers_accept_each_others_forms(
    demo_catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lanterne serve --workers 2``: a form served by one process is accepted by another."""
    import re

    from lanterne.web._app import app_from_environment

    monkeypatch.setenv("LANTERNE_CATALOGUE", str(demo_catalogue))
    monkeypatch.setenv("LANTERNE_WORKER_SECRET", "ab" * 32)
    first, second = Client(app_from_environment()), Client(app_from_environment())
    page = first.get("/recherche?q=jazz").text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert token
    second.cookies = first.cookies
    answer = second.post("/langue", data={"lang": "en", "csrf": token.group(1), "suite": "/"})
    assert answer.status_code == 303
