"""``lanterne`` imports the module of the command it runs, not every command's (each command
group's module is named in ``lanterne.cli._main.COMMANDS``), and its ``--help`` stays the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from lanterne.cli import cli
from lanterne.cli._lazy import _imported
from lanterne.cli._main import COMMANDS, EVAL_COMMANDS

# What each command group's module is, and modules only that group's commands need: another
# group's command must not import them.
# What a group's package is built on, its command's help may load (its choices come from there:
# the recommender's surfaces are the audit's weightings, read through lanterne.audit).
USES = {"lanterne.cli._recommend": {"lanterne.cli._audit"}}
GROUPS = {
    "lanterne.cli._catalogue": ("lanterne.ingest", "lanterne.profile.schemaorg"),
    "lanterne.cli._diagnose": ("lanterne.diagnose",),
    "lanterne.cli._search": ("lanterne.search", "tantivy", "onnxruntime"),
    "lanterne.cli._recommend": ("lanterne.recommend", "scipy"),
    "lanterne.cli._audit": ("lanterne.audit",),
    "lanterne.cli._web": ("lanterne.web", "fastapi", "uvicorn", "jinja2"),
}

_LOADED = """
import json, sys
from lanterne.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _loaded(*args: str) -> tuple[int, set[str]]:
    """The exit code of ``lanterne ARGS`` and every module it imported, in a fresh process."""
    env = {k: os.environ[k] for k in ("PYTHONPATH", "LANTERNE_PURE_PYTHON") if k in os.environ}
    done = subprocess.run(
        [sys.executable, "-c", _LOADED, *args],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **env},
    )
    last = json.loads(done.stdout.splitlines()[-1])
    return last["code"], set(last["modules"])


def _imports(modules: set[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (("search", "--help"), "lanterne.cli._search"),
        (("ingest", "--help"), "lanterne.cli._catalogue"),
        (("quarantine", "list", "--help"), "lanterne.cli._catalogue"),
        (("diagnose", "--help"), "lanterne.cli._diagnose"),
        (("recommend", "--help"), "lanterne.cli._recommend"),
        (("eval", "recommend", "--help"), "lanterne.cli._recommend"),
        (("audit", "--help"), "lanterne.cli._audit"),
        (("serve", "--help"), "lanterne.cli._web"),
    ],
)
def test_one_command_does_not_load_every_command(args: tuple[str, ...], module: str) -> None:
    # Before, every command ran after importing all of them (and the ingest pipeline, the
    # schema.org crosswalk, the diagnosis rules…): `lanterne search --help` took ~0.75 s.
    code, modules = _loaded(*args)
    assert code == 0
    assert module in modules
    for other, heavy in GROUPS.items():
        if other == module or other in USES.get(module, ()):
            continue
        assert other not in modules, f"`lanterne {' '.join(args)}` imported {other}"
        for name in heavy:
            assert not _imports(modules, name), f"`lanterne {' '.join(args)}` imported {name}"


def test_the_command_list_imports_no_command() -> None:
    code, modules = _loaded("--help")
    assert code == 0
    assert not modules & set(GROUPS)
    assert not any(_imports(modules, name) for heavy in GROUPS.values() for name in heavy)


@pytest.mark.parametrize(
    ("name", "entry"),
    [*COMMANDS.items(), *(("eval " + k, v) for k, v in EVAL_COMMANDS.items())],
)
def test_each_listed_help_is_the_command_docstring(name: str, entry: object) -> None:
    # `lanterne --help` lists a command from its table entry: it must say what the command's own
    # --help says, or the two drift apart unseen.
    target, listed = entry  # type: ignore[misc]
    command = _imported(target)
    assert command.name == name.split()[-1]
    assert command.help == listed


def test_help_lists_every_command_as_when_all_are_loaded() -> None:
    lazy = CliRunner().invoke(cli, ["--help"])
    lazy_eval = CliRunner().invoke(cli, ["eval", "--help"])
    context = click.Context(cli)
    for name in cli.list_commands(context):
        cli.get_command(context, name)  # imports it: listed from the command itself now
    eval_group = cli.get_command(context, "eval")
    assert isinstance(eval_group, click.Group)
    for name in eval_group.list_commands(context):
        eval_group.get_command(context, name)
    assert lazy.exit_code == 0
    assert lazy.output == CliRunner().invoke(cli, ["--help"]).output
    assert lazy_eval.output == CliRunner().invoke(cli, ["eval", "--help"]).output
    for name in [*COMMANDS, "eval"]:
        assert f"\n  {name} " in lazy.output
