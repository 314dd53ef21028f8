"""Every ``LANTERNE_`` variable the code reads is a declared setting documented in docs/cli.md,
whose table is generated from the declarations (the two that ``serve --workers`` sets for its own
processes are declared too, marked internal)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from lanterne.settings import (
    SETTINGS,
    ProvenanceSettings,
    Setting,
    Settings,
    WebLimits,
    docs_table,
)

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text("utf-8")


def _names_in_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "lanterne").rglob("*.py"):
        found.update(re.findall(r"LANTERNE_[A-Z][A-Z_]*[A-Z]", path.read_text("utf-8")))
    return found


def test_every_lanterne_variable_in_the_code_is_declared_and_documented() -> None:
    declared = {s.env for s in SETTINGS}
    undeclared = _names_in_code() - declared
    assert undeclared == set(), f"declare in settings.py and document in docs/cli.md: {undeclared}"
    undocumented = {name for name in declared if f"`{name}`" not in CLI_DOC}
    assert undocumented == set(), f"document in docs/cli.md: {undocumented}"


def test_the_settings_table_of_the_docs_is_the_declarations() -> None:
    assert docs_table() in CLI_DOC, "run scripts/settings_doc.py (make settings-doc)"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "settings_doc.py"), "--check"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_variables_serve_sets_for_its_workers_are_declared_internal() -> None:
    assert {s.env for s in SETTINGS if s.internal} == {
        "LANTERNE_WORKER_SECRET",
        "LANTERNE_WORKER_LANG",
    }
    assert not {s.name for s in SETTINGS if s.internal} & set(Settings.__struct_fields__)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_has_help_in_both_languages(setting: Setting) -> None:
    assert setting.help_fr.strip() and setting.help_en.strip()


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_default_is_a_value_of_its_kind(setting: Setting) -> None:
    if setting.kind == "whole":
        assert int(setting.default) >= setting.minimum


def _load_all() -> None:
    """Every loader of bounds: the general settings, the web's, the captures', OAI-PMH's, the
    harvester's."""
    from lanterne.audit._capture import CaptureLimits
    from lanterne.publish import OaiConfig
    from lanterne.search._daemon import idle_seconds
    from lanterne.settings import HarvestLimits

    Settings.load()
    WebLimits.load()
    CaptureLimits.load()
    idle_seconds()
    OaiConfig.from_settings()
    ProvenanceSettings.load()
    HarvestLimits.load()


WHOLE = [s.env for s in SETTINGS if s.kind == "whole"]


def test_every_bound_is_a_whole_setting() -> None:
    named = {s.env for s in SETTINGS if s.env.endswith("_MAX") or "_MAX_" in s.env}
    # The whole settings that are not bounds: a duration whose 0 means never.
    assert named == set(WHOLE) - {"LANTERNE_ENCODER_IDLE"}


@pytest.mark.parametrize("value", ["beaucoup", "0", "-3", "1.5", "²", "٣", "1" * 40])
@pytest.mark.parametrize("env", WHOLE)
def test_every_bound_refuses_a_value_that_is_not_a_whole_number(
    env: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bound that is not a whole number is said, naming its variable, never replaced silently
    by its default (the query bound fell back to 500 without a word; « ² », which
    ``str.isdigit`` takes for a digit, was an internal error, exit 1)."""
    from lanterne.errors import BadSetting, ExitCode

    _load_all()  # the defaults load
    least = next(s.minimum for s in SETTINGS if s.env == env)
    if value == "0" and least == 0:
        value = "-1"  # below the least value of a setting whose 0 is allowed
    monkeypatch.setenv(env, value)
    with pytest.raises(BadSetting) as raised:
        _load_all()
    assert env in raised.value.message("fr") and raised.value.exit_code == ExitCode.USAGE
    assert str(least) in raised.value.message("en")  # the least value allowed


@pytest.mark.parametrize("value", [" 40 ", "+40", "4_0"])
def test_a_bound_is_read_in_every_loader_the_same_way(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lanterne.audit._capture import CaptureLimits

    monkeypatch.setenv("LANTERNE_SEARCH_QUERY_MAX", value)
    monkeypatch.setenv("LANTERNE_BODY_MAX", value)
    monkeypatch.setenv("LANTERNE_AUDIT_MAX_POSITION", value)
    assert Settings.load().search_query_max == 40
    assert WebLimits.load().body_max == 40
    assert CaptureLimits.load().max_position == 40


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    from lanterne.audit._capture import CaptureLimits

    for s in SETTINGS:
        monkeypatch.setenv(s.env, "")
    loaded = Settings.load()
    assert loaded.catalogue == Path("var/catalogue.sqlite") and loaded.log_dir == Path("var/log")
    assert loaded.search_query_max == 500 and loaded.audits is None
    assert WebLimits.load().body_max == 1024 * 1024
    assert CaptureLimits.load().max_position == 10_000


def test_a_worker_without_the_secret_serve_shares_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A worker built without ``LANTERNE_WORKER_SECRET`` is refused, naming it, rather than run
    with an empty CSRF secret."""
    from lanterne.errors import BadSetting
    from lanterne.web._app import app_from_environment

    monkeypatch.setenv("LANTERNE_CATALOGUE", str(tmp_path / "c.sqlite"))
    monkeypatch.delenv("LANTERNE_WORKER_SECRET", raising=False)
    with pytest.raises(BadSetting, match="LANTERNE_WORKER_SECRET"):
        app_from_environment()
