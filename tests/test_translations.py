"""One way to translate: every text of the code is a French msgid of the one gettext catalogue,
with a non-empty English translation that fills the same placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import lanterne
from lanterne.messages import MESSAGES, translate, translations

SRC = Path(lanterne.__file__).resolve().parent
PO = SRC / "report" / "locale" / "en" / "LC_MESSAGES" / "lanterne.po"
# Where each marking call takes its msgid (the same table as ``make messages``).
MSGID_ARG = {"translate": 1, "N_": 0, "_": 0}
# Modules that say a msgid taken from a table of ``N_`` literals: ``say`` and ``reason_label``
# (messages.py), the audit's words, the diagnosis' labels, the pages' names of codes
# (``self._(ROLES[value])``, report/_labels.py's tables).
NON_LITERAL_ALLOWED = {"messages.py", "audit/_words.py", "diagnose/_render.py", "web/_labels.py"}


def _catalogue() -> dict[tuple[str, str | None], str]:
    """(msgid, msgctxt) → English."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en", domain="lanterne")
    return {(str(m.id), m.context): str(m.string) for m in catalog if m.id}


def _context(call: ast.Call) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "msgctxt" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return None


def _calls() -> list[tuple[str, int, ast.expr, str | None]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            at = MSGID_ARG.get(name)
            if at is not None and len(node.args) > at:
                where = str(path.relative_to(SRC))
                found.append((where, node.lineno, node.args[at], _context(node)))
    return found


CATALOGUE = _catalogue()


def _brace_fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _percent_fields(text: str) -> list[str]:
    return sorted(re.findall(r"%\((\w+)\)[sd]", text))


IDS = sorted(CATALOGUE, key=lambda k: (k[0], k[1] or ""))


@pytest.mark.parametrize("msgid", IDS)
def test_every_msgid_has_its_english(msgid: tuple[str, str | None]) -> None:
    assert CATALOGUE[msgid].strip(), f"no English for « {msgid[0]} »"


@pytest.mark.parametrize("key", IDS)
def test_french_and_english_fill_the_same_placeholders(key: tuple[str, str | None]) -> None:
    msgid, english = key[0], CATALOGUE[key]
    assert _percent_fields(msgid) == _percent_fields(english)
    if "%(" not in msgid:  # templates' texts are %-formatted, the code's texts str.format-ted
        assert _brace_fields(msgid) == _brace_fields(english)


def test_every_translation_call_gives_a_literal_msgid_of_the_catalogue() -> None:
    calls = _calls()
    assert len(calls) > 300  # the scan sees the CLI, the reports and the tables of messages.py
    problems = []
    for where, line, arg, context in calls:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if (arg.value, context) not in CATALOGUE:
                problems.append(f"{where}:{line}: « {arg.value} » is not in the catalogue")
        elif isinstance(arg, ast.JoinedStr):
            problems.append(f"{where}:{line}: an f-string as msgid (use {{placeholders}})")
        elif where not in NON_LITERAL_ALLOWED:
            problems.append(f"{where}:{line}: the msgid is not a literal")
    assert not problems, "\n".join(problems)


def test_every_message_key_is_a_msgid_of_the_catalogue() -> None:
    missing = [key for key, msgid in MESSAGES.items() if (msgid, None) not in CATALOGUE]
    assert not missing


def test_no_inline_pair_of_languages_is_left() -> None:
    """``_t(lang, fr, en)`` is gone: a text has one French msgid and its English in the .po."""
    left = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in ("_t", "t"):
                left.append(f"{path.relative_to(SRC)}:{node.lineno}: def {node.name}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_t"
            ):
                left.append(f"{path.relative_to(SRC)}:{node.lineno}: _t(…)")
    assert not left, "\n".join(left)


def test_translate_fills_placeholders_after_translation() -> None:
    french = "Catalogue : {works} œuvres"
    assert translate("fr", french, works="3") == "Catalogue : 3 œuvres"
    assert translate("en", french, works="3") == "Catalogue: 3 works"
    # A value holding braces is inserted as it is, never read as a placeholder.
    assert translate("en", french, works="{x}") == "Catalogue: {x} works"
    # Any language but English is French, as the CLI and the pages have always done.
    assert translate("de", "Par source") == "Par source"
    assert translations("en").gettext("Par source") == "By source"
    # One French text, two English ones: the context tells them apart.
    assert translate("en", "En bref") == "At a glance"
    assert translate("en", "En bref", msgctxt="audit") == "Summary"
