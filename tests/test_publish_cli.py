"""``lanterne publish check`` in-process: per-work lines and totals in French and English, JSON,
and the standards' folder said clearly when it is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanterne.catalogue import SqliteCatalogue
from lanterne.cli import cli
from lanterne.ingest import IngestOptions, ingest, load_mapping_profile

ROOT = Path(__file__).resolve().parents[2] / "shared"

pytestmark = pytest.mark.skipif(
    not (ROOT / "data").is_dir() or not (ROOT / "standards" / "edm").is_dir(),
    reason=f"real datasets or standards not found under {ROOT} (../shared)",
)
CNE = "http://rightsstatements.org/vocab/CNE/1.0/"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("publish-cli") / "c.sqlite"
    with SqliteCatalogue(path) as db:
        ingest(
            db,
            ROOT / "data" / "goodbooks-10k-books",
            load_mapping_profile("goodbooks-10k-books"),
            IngestOptions(workers=0),
        )
    return path


def test_check_says_each_excluded_work_and_the_totals_in_french(books: Path) -> None:
    done = CliRunner().invoke(cli, ["--lang", "fr", "publish", "check", "--catalogue", str(books)])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0].startswith(
        "exclue    goodbooks:1 : aucune licence : Europeana exige edm:rights"
    )
    # Thousands grouped as French writes them (a narrow no-break space): « 10000 » was printed.
    assert "edm : 10\u202f000 œuvres — 0 valides, 10\u202f000 exclues, 0 invalides" in lines


def test_check_json_in_english_counts_what_it_lists(books: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(
        cli,
        ["--lang", "en", "publish", "check", "--catalogue", str(books), "--rights", CNE, "--json"],
    )
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    statuses = [w["status"] for w in report["works"]]
    assert report["total"] == len(statuses) == 10000
    assert report["valid"] == statuses.count("valid") > 0
    assert report["excluded"] == statuses.count("excluded")
    assert report["invalid"] == 0
    text = runner.invoke(
        cli,
        [
            "--lang",
            "en",
            "publish",
            "check",
            "--catalogue",
            str(books),
            "--rights",
            CNE,
            "--format",
            "oai_dc",
        ],
    )
    assert "oai_dc: 10,000 works — 10,000 valid, 0 excluded, 0 invalid" in text.output


def test_check_without_the_standards_says_where_to_give_them(books: Path, tmp_path: Path) -> None:
    from lanterne.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "--lang",
                "en",
                "publish",
                "check",
                "--catalogue",
                str(books),
                "--standards",
                str(tmp_path),
            ]
        )
    assert exit_.value.code == 8  # ExitCode.TOOL_MISSING
