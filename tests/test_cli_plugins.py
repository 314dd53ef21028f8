"""Commands from plug-ins: entry points of the group ``lanterne.cli``, each naming a click command.

Each test installs real distributions (a package, ``*.dist-info/METADATA`` and
``entry_points.txt``) in a folder put on the ``PYTHONPATH`` of a ``lanterne`` process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HELLO = '''
import click


@click.command()
@click.argument("who")
@click.pass_context
def hello(ctx: click.Context, who: str) -> None:
    """Saluer quelqu'un / greet someone."""
    click.echo(f"bonjour {who} ({ctx.obj.lang})")
'''


def _distribution(site: Path, name: str, entry_points: str, code: str | None = None) -> None:
    package = name.replace("-", "_")
    if code is not None:
        (site / package).mkdir()
        (site / package / "__init__.py").write_text(code, "utf-8")
    info = site / f"{package}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", "utf-8")
    (info / "entry_points.txt").write_text(f"[lanterne.cli]\n{entry_points}\n", "utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    _distribution(folder, "lanterne-hello", "hello = lanterne_hello:hello", HELLO)
    return folder


def _lanterne(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": os.pathsep.join(paths),
        "LANTERNE_LOG_DIR": str(site.parent / "log"),
        **{
            k: os.environ[k]
            for k in ("LANTERNE_PURE_PYTHON", "LANTERNE_ENCODER_IDLE")
            if k in os.environ
        },
    }
    catalogue = str(site.parent / "c.sqlite")
    return subprocess.run(
        [sys.executable, "-m", "lanterne", "--catalogue", catalogue, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_a_plugin_command_runs_and_is_listed(site: Path) -> None:
    done = _lanterne(site, "--lang", "en", "hello", "Camille")
    assert (done.returncode, done.stdout, done.stderr) == (0, "bonjour Camille (en)\n", "")
    listed = _lanterne(site, "--help")
    assert listed.returncode == 0
    assert "  hello       Saluer quelqu'un / greet someone.\n" in listed.stdout
    assert "  stats       Statistiques du catalogue" in listed.stdout
    assert listed.stderr == ""


def test_a_broken_plugin_is_named_and_the_built_in_commands_still_run(site: Path) -> None:
    _distribution(site, "lanterne-broken", "broken = lanterne_nowhere.cli:command")
    _distribution(site, "lanterne-odd", "odd = lanterne_odd:VALUE", "VALUE = 3\n")
    listed = _lanterne(site, "--help")
    assert listed.returncode == 0
    assert "Traceback" not in listed.stderr
    assert (
        "lanterne : l'extension « broken » (lanterne-broken 0.1, broken = "
        "lanterne_nowhere.cli:command) n'a pas pu être chargée (ModuleNotFoundError: No module "
        "named 'lanterne_nowhere') ; elle est ignorée. / lanterne: the plug-in « broken » "
        "(lanterne-broken 0.1, broken = lanterne_nowhere.cli:command) could not be loaded "
        "(ModuleNotFoundError: No module named 'lanterne_nowhere'); it is skipped.\n"
    ) in listed.stderr
    assert "« odd » (lanterne-odd 0.1, odd = lanterne_odd:VALUE) n'est pas une commande click" in (
        listed.stderr
    )
    assert "  broken" not in listed.stdout and "  odd" not in listed.stdout
    assert "  hello " in listed.stdout and "  search " in listed.stdout

    stats = _lanterne(site, "stats", "--json")
    assert (stats.returncode, stats.stderr) == (0, "")
    assert '"works": 0' in stats.stdout

    run = _lanterne(site, "broken")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "l'extension « broken »" in run.stderr and "the plug-in « broken »" in run.stderr
    assert _lanterne(site, "hello", "Lou").stdout == "bonjour Lou (fr)\n"


def test_a_plugin_named_like_a_built_in_command_is_left_out(site: Path) -> None:
    _distribution(
        site, "lanterne-stats", "stats = lanterne_stats:stats", HELLO.replace("hello", "stats")
    )
    listed = _lanterne(site, "--help")
    assert "« stats » (lanterne-stats 0.1, stats = lanterne_stats:stats) porte le nom d'une " in (
        listed.stderr
    )
    assert "  stats       Statistiques du catalogue" in listed.stdout
    stats = _lanterne(site, "stats", "--json")
    assert (stats.returncode, stats.stderr) == (0, "")
    assert '"works": 0' in stats.stdout
