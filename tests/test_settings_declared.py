"""Every ``LANTERNE_`` variable the code reads is a declared setting documented in docs/cli.md
(or one of the two that ``serve --workers`` sets for its own processes, documented there too)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lanterne.settings import SETTINGS, Setting, Settings, WebLimits

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text("utf-8")
SET_BY_SERVE = {"LANTERNE_WORKER_SECRET", "LANTERNE_WORKER_LANG"}


def _names_in_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "lanterne").rglob("*.py"):
        found.update(re.findall(r"LANTERNE_[A-Z][A-Z_]*[A-Z]", path.read_text("utf-8")))
    return found


def test_every_lanterne_variable_in_the_code_is_declared_and_documented() -> None:
    declared = {s.env for s in SETTINGS}
    undeclared = _names_in_code() - declared - SET_BY_SERVE
    assert undeclared == set(), f"declare in settings.py and document in docs/cli.md: {undeclared}"
    undocumented = {name for name in declared | SET_BY_SERVE if f"`{name}`" not in CLI_DOC}
    assert undocumented == set(), f"document in docs/cli.md: {undocumented}"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_has_help_in_both_languages(setting: Setting) -> None:
    assert setting.help_fr.strip() and setting.help_en.strip()


def _load_all() -> None:
    """Every loader of bounds: the general settings, the web's, the captures'."""
    from lanterne.audit._capture import CaptureLimits

    Settings.load()
    WebLimits.load()
    CaptureLimits.load()


@pytest.mark.parametrize(
    "env", [s.env for s in SETTINGS if s.env.endswith("_MAX") or "_MAX_" in s.env]
)
def test_every_bound_refuses_a_value_that_is_not_a_whole_number(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bound that is not a whole number is said, naming its variable, never replaced silently
    by its default (the query bound fell back to 500 without a word)."""
    from lanterne.errors import BadSetting, ExitCode

    _load_all()  # the defaults load
    monkeypatch.setenv(env, "beaucoup")
    with pytest.raises(BadSetting) as raised:
        _load_all()
    assert env in raised.value.message("fr") and raised.value.exit_code == ExitCode.USAGE
