"""Every sentence exists in French and English with the same placeholders; settings documented."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from lanterne.messages import MESSAGES, REASON_LABELS, say, translations
from lanterne.settings import SETTINGS, Settings
from lanterne.settings import interface_language as detect_language

ROOT = Path(__file__).resolve().parents[1]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_with_the_same_placeholders(key: str) -> None:
    fr = MESSAGES[key]
    en = translations("en").gettext(fr)
    assert fr and en and fr != en
    assert _fields(fr) == _fields(en)


def test_every_quarantine_reason_has_a_label() -> None:
    reasons = {k for k in MESSAGES if k.startswith("reason.")}
    assert reasons == set(REASON_LABELS)


def test_language_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LANTERNE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert detect_language() == "fr"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert detect_language() == "en"
    assert detect_language("fr") == "fr"
    monkeypatch.setenv("LANTERNE_LANG", "fr")
    assert detect_language() == "fr"
    assert say("input.empty", "en", path="x.csv").startswith("The file x.csv is empty")


def test_every_setting_is_documented_with_its_variable() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text("utf-8")
    for setting in SETTINGS:
        assert setting.env in doc, f"{setting.env} is not documented in docs/cli.md"
        assert setting.help_fr and setting.help_en


def test_settings_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANTERNE_CATALOGUE", raising=False)
    assert Settings.load().catalogue == Path("var/catalogue.sqlite")
    monkeypatch.setenv("LANTERNE_CATALOGUE", "/tmp/env.sqlite")
    assert Settings.load().catalogue == Path("/tmp/env.sqlite")
    assert Settings.load(catalogue="/tmp/cli.sqlite").catalogue == Path("/tmp/cli.sqlite")
