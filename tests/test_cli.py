"""The command line in-process (click's runner) and as users run it (a subprocess)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import lanterne
from lanterne.cli import cli
from lanterne.profile import json_schema

ROOT = Path(__file__).resolve().parents[1]


run = lanterne


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("demo")
    done = run(tmp, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    return tmp, done.stdout


def test_demo_ingests_the_bundled_catalogue_and_prints_statistics(demo: tuple[Path, str]) -> None:
    _, out = demo
    assert "Import de festivals-france" in out and "Import de joconde" in out
    assert "Catalogue : " in out and "Part européenne" in out
    lines = out.rstrip().splitlines()
    assert any(line.startswith("En quarantaine") for line in lines)
    assert "Index de recherche : 644 œuvres indexées" in lines
    assert lines[-1].startswith("Audit de démonstration : ")  # --no-serve: stops here


def test_stats_json_matches_the_counts(demo: tuple[Path, str]) -> None:
    tmp, _ = demo
    stats = json.loads(run(tmp, "stats", "--json").stdout)
    assert stats["works"] == sum(stats["by_source"].values()) == sum(stats["by_type"].values())
    assert stats["by_source"]["festivals-france"] > 300


def test_show_writes_schema_org_json_ld(demo: tuple[Path, str]) -> None:
    tmp, _ = demo
    stats = json.loads(run(tmp, "stats", "--json").stdout)
    assert stats["works"] > 0
    # FEST_37011_550 is a row of src/lanterne/demo/festivals-demo.csv: a broken show must fail.
    done = run(tmp, "show", "festivals-france:FEST_37011_550")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "Festival"


def test_unknown_work_is_exit_3_in_both_languages(demo: tuple[Path, str]) -> None:
    tmp, _ = demo
    fr = run(tmp, "show", "nope:1")
    en = run(tmp, "--lang", "en", "show", "nope:1")
    assert (fr.returncode, en.returncode) == (3, 3)
    assert fr.stderr.startswith("Erreur : Aucune œuvre d'identifiant « nope:1 »")
    assert en.stderr.startswith("Error: No work has the id “nope:1”")
    assert "Traceback" not in fr.stderr + en.stderr


def test_quarantine_list_and_show(demo: tuple[Path, str]) -> None:
    tmp, _ = demo
    entries = json.loads(run(tmp, "quarantine", "list", "--json").stdout)
    assert entries, "the demo extract holds real data problems"
    shown = run(tmp, "quarantine", "show", str(entries[0]["id"]))
    assert shown.returncode == 0 and "valeur brute" in shown.stdout
    assert run(tmp, "quarantine", "show", "999999").returncode == 3


def test_quarantine_list_says_when_it_shows_a_page_and_how_to_read_the_next(
    demo: tuple[Path, str],
) -> None:
    """« quarantine list » showed 50 of 95 entries with no hint that more existed."""
    tmp, _ = demo
    total = len(json.loads(run(tmp, "quarantine", "list", "--json", "--limit", "100000").stdout))
    assert total >= 2
    page = run(tmp, "quarantine", "list", "--limit", "1").stdout.splitlines()
    assert page[-1] == (
        f"Entrées 1 à 1 sur {total} ; la suite : lanterne quarantine list --offset 1"
    )
    last = run(tmp, "--lang", "en", "quarantine", "list", "--offset", str(total - 1))
    assert "next:" not in last.stdout and last.returncode == 0


def test_usage_error_is_exit_2(tmp_path: Path) -> None:
    done = run(tmp_path, "ingest", "x.csv")  # --profile missing
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_serve_goal_model_needs_a_configuration(tmp_path: Path) -> None:
    done = run(tmp_path, "serve", "--goal-model", "ease-tags+als")
    assert done.returncode == 2 and "with --config only" in done.stderr
    assert "Traceback" not in done.stderr


def test_profiles_and_schema_commands() -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["profiles"])
    assert listed.exit_code == 0 and "movielens-latest-small" in listed.output
    schema = runner.invoke(cli, ["schema"])
    assert json.loads(schema.output) == json_schema()


def test_committed_json_schema_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "schema" / "work.schema.json").read_text("utf-8"))
    assert committed == json_schema(), "run: lanterne schema > docs/schema/work.schema.json"


def test_runs_and_changes(demo: tuple[Path, str]) -> None:
    tmp, _ = demo
    runs = json.loads(run(tmp, "runs", "--json").stdout)
    assert [r["status"] for r in runs] == ["completed", "completed"]
    assert {r["source"] for r in runs} == {"festivals-france", "joconde"}
    for r in runs:
        s = r["summary"]
        assert s["read"] == s["created"] + s["updated"] + s["unchanged"] + s["quarantined"]
    text = run(tmp, "runs").stdout
    assert "terminé" in text and "festivals-france" in text
    changes = json.loads(run(tmp, "changes", "--json", "--limit", "5").stdout)
    assert [c["kind"] for c in changes] == ["created"] * 5
    later = json.loads(run(tmp, "changes", "--json", "--since", str(changes[-1]["seq"])).stdout)
    assert later and later[0]["seq"] == changes[-1]["seq"] + 1


def test_diagnose_pdf_without_chromium_says_so_before_the_work(tmp_path: Path) -> None:
    """``diagnose --format pdf`` found Chromium missing only after 27 s of work: the check now
    comes first, so even an empty catalogue (nothing to diagnose, exit 3 after the work) hears
    of the missing browser (exit 8) before anything is read."""
    target = tmp_path / "d.pdf"
    done = run(tmp_path, "diagnose", "--format", "pdf", "-o", str(target),
               LANTERNE_CHROMIUM=str(tmp_path / "no-chromium"))  # fmt: skip
    assert done.returncode == 8, done.stderr
    assert "Chromium" in done.stderr and "Traceback" not in done.stderr
    assert not target.exists()
