"""Every long command says its footprint: one line on stderr at its end, French by default and
English with --lang en, and a ``footprint`` object in the JSON it prints; stdout is what it was.

The commands are read from the ``lanterne`` group itself (its lazy table, the ``eval`` group,
the sub-groups): a new command is neither measured nor named quick here, and this test fails."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lanterne.cli import cli
from lanterne.cli._footprint import Measured

FR_NUMBER = r"[0-9][0-9\u202f]*(,[0-9]+)?"
FR_LINE = re.compile(rf"^≈ {FR_NUMBER} Wh · ≈ {FR_NUMBER} g CO₂e, estimation, réseau [A-Z-]+$")
EN_LINE = re.compile(
    r"^≈ [0-9][0-9,]*(\.[0-9]+)? Wh · ≈ [0-9][0-9,]*(\.[0-9]+)? g CO₂e, estimate, [A-Z-]+ grid$"
)

QUICK = {
    "stats": "reads the catalogue's counts",
    "show": "one work",
    "quarantine list": "reads the quarantine",
    "quarantine show": "one quarantined record",
    "runs": "reads the runs table",
    "changes": "reads the change log",
    "profiles": "lists bundled files",
    "schema": "prints a constant",
    "search": "one query: its cost is the API's /api/search footprint; stderr stays quiet",
    "recommend": "one list: its cost is the API's /api/recommend footprint",
    "serve": "serves until stopped: each request's footprint is in its answer",
    "provenance verify": "one image's manifest (tens of ms); its API form reports a footprint",
    "provenance sign": "one image signed (tens of ms)",
}
"""Commands that are not measured, and why."""


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    ctx = click.Context(group)
    found: dict[str, click.Command] = {}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found |= _commands(command, f"{path} ")
        else:
            found[path] = command
    return found


COMMANDS = _commands(cli)


def test_every_command_is_measured_or_named_quick() -> None:
    unmeasured = {name for name, c in COMMANDS.items() if not isinstance(c, Measured)}
    assert unmeasured == set(QUICK), "measure it (cls=Measured) or say here why it is quick"
    measured = set(COMMANDS) - unmeasured
    for long in ("ingest", "diagnose", "index", "audit", "publish dump", "publish check"):
        assert long in measured
    assert {"eval search", "eval recommend", "demo"} <= measured


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("footprint")
    path = folder / "c.sqlite"
    demo = resources.files("lanterne.demo").joinpath("festivals-demo.csv")
    with resources.as_file(demo) as csv:
        done = CliRunner().invoke(
            cli,
            ["--catalogue", str(path), "ingest", str(csv), "-p", "festivals-france"],
        )
    assert done.exit_code == 0, done.output
    assert FR_LINE.match(done.stderr.splitlines()[-1]), done.stderr
    assert "Wh" not in done.stdout
    return path


def test_the_line_is_french_by_default_and_english_with_lang(catalogue: Path) -> None:
    runner = CliRunner()
    french = runner.invoke(cli, ["--catalogue", str(catalogue), "diagnose"])
    assert french.exit_code == 0, french.output
    assert FR_LINE.match(french.stderr.strip()), french.stderr
    assert "Wh" not in french.stdout
    english = runner.invoke(cli, ["--lang", "en", "--catalogue", str(catalogue), "diagnose"])
    assert EN_LINE.match(english.stderr.strip()), english.stderr


def test_json_carries_the_footprint_and_the_grid_setting_applies(
    catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERNE_FOOTPRINT_GRID", "CA-QC")
    done = CliRunner().invoke(cli, ["--catalogue", str(catalogue), "diagnose", "--format", "json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    footprint = report["footprint"]
    assert footprint["estimate"] is True and "estimate" in footprint["method"]
    assert footprint["grid"]["code"] == "CA-QC" and footprint["grid"]["year"] == 2023
    usage = footprint["usage"]
    assert usage["cpu_seconds"] > 0 and usage["wall_seconds"] > 0
    assert usage["peak_memory_bytes"] > 0
    assert footprint["energy_wh"] > 0
    assert footprint["co2e_g"] == pytest.approx(footprint["energy_wh"] / 1000 * 3.937)
    assert done.stderr.strip().endswith("réseau CA-QC")


def test_a_bad_grid_is_refused_before_the_work(catalogue: Path) -> None:
    from lanterne.errors import BadSetting

    done = CliRunner().invoke(
        cli,
        ["--catalogue", str(catalogue), "diagnose"],
        env={"LANTERNE_FOOTPRINT_GRID": "Atlantide"},
    )
    assert isinstance(done.exception, BadSetting) and done.exception.exit_code == 2
    assert "LANTERNE_FOOTPRINT_GRID" in done.exception.message("fr") and done.stdout == ""


def test_a_quick_command_says_nothing_on_stderr(catalogue: Path) -> None:
    done = CliRunner().invoke(cli, ["--catalogue", str(catalogue), "stats", "--json"])
    assert done.exit_code == 0 and done.stderr == ""
    assert "footprint" not in json.loads(done.stdout)


def test_the_reports_state_their_own_cost(catalogue: Path, tmp_path: Path) -> None:
    from lanterne.audit import read_captures, run_audit
    from lanterne.audit import render_html as audit_html
    from lanterne.diagnose import build_report
    from lanterne.diagnose import render_html as diagnosis_html
    from lanterne.footprint import measure
    from test_audit_verdicts import UNIFORM, _bare
    from test_diagnose_report import three

    page = tmp_path / "d.html"
    args = ["--lang", "en", "--catalogue", str(catalogue), "diagnose", "--format", "html"]
    done = CliRunner().invoke(cli, [*args, "-o", str(page)])
    assert done.exit_code == 0, done.output
    text = page.read_text("utf-8")
    assert re.search(r"<footer><p class=\"meta cost\">Cost of this report: ≈ [0-9.]+ Wh", text)
    assert "4 W per core" in text and "56 g CO₂e per kWh" in text and "2023" in text
    # Rendered by other code, outside a measure, a report says nothing of a cost it did not see.
    report = build_report(three(), "c.sqlite")
    assert "Coût de ce rapport" not in diagnosis_html(report, "fr")
    audit = run_audit(read_captures([_bare(tmp_path, ["194", "195"])]), UNIFORM)
    assert "Coût de ce rapport" not in audit_html(audit, "fr")
    with measure():
        stated = audit_html(audit, "fr")
    assert re.search(r"<footer><p class=\"cost\">Coût de ce rapport : ≈ [0-9,]+ Wh", stated)
    assert "estimation, réseau FR" in stated
