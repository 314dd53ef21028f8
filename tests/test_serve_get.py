"""``lanterne serve --get PATH``: one request through the web application, in process, on the
catalogue (or the dataset) ``serve`` would open; the body on stdout, exit 0 for 2xx/3xx, else 1."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from click.testing import CliRunner, Result

from helpers import lanterne
from lanterne.cli import cli
from lanterne.web import Site, create_app
from test_recommend_cli import _dataset
from web_helpers import Client

SEARCH = "/api/search?q=costume&mode=lexical&filter=source:joconde"


def _get(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_get_answers_what_the_server_answers(demo_catalogue: Path) -> None:
    audits = demo_catalogue.parent / "audits"
    done = _get(
        "--catalogue", str(demo_catalogue), "serve", "--audits", str(audits), "--get", SEARCH
    )
    assert done.exit_code == 0, done.output
    site = Site(demo_catalogue, audits=audits)
    answer = Client(create_app(site)).get(SEARCH).json()
    got = json.loads(done.output)
    # The same answer but for what each request cost (its own CPU and wall time).
    assert got.pop("footprint")["estimate"] and answer.pop("footprint")["estimate"]
    assert got == answer
    assert got["total"] > 0

    page = _get("--catalogue", str(demo_catalogue), "serve", "--get", "/")
    assert page.exit_code == 0
    assert page.output.startswith("<!doctype html>")


def test_get_opens_what_serve_would_open(demo_catalogue: Path, tmp_path: Path) -> None:
    audits = demo_catalogue.parent / "audits"
    named = _get(
        "--catalogue", str(demo_catalogue), "serve", "--audits", str(audits), "--get", "/api/audits"
    )
    assert {a["name"] for a in json.loads(named.output)} == {
        "accueil-avec-objectifs",
        "accueil-sans-objectifs",
    }
    # Without --audits, the folder beside the catalogue (CATALOGUE.audits/), empty here.
    default = _get("--catalogue", str(demo_catalogue), "serve", "--get", "/api/audits")
    assert (default.exit_code, json.loads(default.output)) == (0, [])
    health = _get("--catalogue", str(demo_catalogue), "serve", "--get", "/api/health")
    assert json.loads(health.output)["works"] > 0

    config = _dataset(tmp_path)
    dataset = _get("serve", "--config", str(config), "--get", "/api/recommend?user=u3&k=4")
    assert dataset.exit_code == 0, dataset.output
    assert len(json.loads(dataset.output)["items"]) == 4


def test_get_exits_1_on_an_error_answer_with_its_body(demo_catalogue: Path) -> None:
    done = lanterne(
        demo_catalogue.parent, "--lang", "en", "--catalogue", str(demo_catalogue),
        "serve", "--get", "/api/works/nope",
    )  # fmt: skip
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["code"] == "work.not_found"
    assert json.loads(done.stdout)["error"]["message"].startswith("No work")
    assert "Traceback" not in done.stderr
    missing = _get("--catalogue", str(demo_catalogue), "serve", "--get", "/nulle-part")
    assert missing.exit_code == 1


def test_get_wants_a_path_of_the_site(demo_catalogue: Path) -> None:
    for wrong in ("api/health", "//example.org/api/health", "http://example.org/"):
        done = _get("--catalogue", str(demo_catalogue), "serve", "--get", wrong)
        assert done.exit_code == 2
        assert "--get" in done.output


def test_get_of_a_redirection_says_where_it_leads(demo_catalogue: Path) -> None:
    """``serve --get /id/work/…`` printed nothing: a 303 has no body, and its Location was lost."""
    hits = Client(create_app(Site(demo_catalogue))).get("/api/search?q=costume&mode=lexical")
    work_id = hits.json()["hits"][0]["id"]
    done = CliRunner().invoke(
        cli,
        [
            "--catalogue",
            str(demo_catalogue),
            "serve",
            "--get",
            "/id/work/" + quote(work_id, safe=""),
        ],
    )
    assert done.exit_code == 0
    assert "303" in done.stderr and "/oeuvre/" in done.stderr
