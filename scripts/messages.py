"""Extract Lanterne's texts and update the English catalogue (``make messages``).

    .venv/bin/python scripts/messages.py [--check]

French is the source language: every msgid is the French text. New texts appear in
``src/lanterne/report/locale/en/LC_MESSAGES/lanterne.po`` (the one catalogue of the command line,
the pages and the reports: the page templates of ``web/`` and every ``translate(lang, "…")``,
``N_("…")`` and ``_("…")`` of the package's code) with an empty translation for a translator to
fill; texts gone from the code are dropped. ``--check`` changes nothing and fails when a text has
no English translation (the test suite runs the same check).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "lanterne"
PO = PACKAGE / "report" / "locale" / "en" / "LC_MESSAGES" / "lanterne.po"
TEMPLATES = PACKAGE / "web"
METHODS = [("templates/**.j2", "jinja2")]
OPTIONS = {"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
# Calls whose argument at this position is a msgid: ``translate(lang, msgid, **params)``,
# ``N_(msgid)``, ``_(msgid)`` (also as a method, ``self._(…)``); not ``gettext``, which Click
# uses for its own texts.
MSGID_ARG = {"translate": 1, "N_": 0, "_": 0}


def python_texts(path: Path) -> Iterator[tuple[str, int, str | None]]:
    """The msgids of a module, read with ``ast`` (which sees into f-strings, unlike a tokenizer
    before Python 3.12)."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        at = MSGID_ARG.get(name or "")
        if at is None or len(node.args) <= at:
            continue
        arg = node.args[at]
        context = next((k.value for k in node.keywords if k.arg == "msgctxt"), None)
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            ctxt = context.value if isinstance(context, ast.Constant) else None
            yield arg.value, node.lineno, ctxt


def extracted() -> Catalog:
    template = Catalog(project="Lanterne", domain="lanterne", locale="fr")
    for path in sorted(PACKAGE.rglob("*.py")):
        for message, lineno, context in python_texts(path):
            where = [(str(path.relative_to(PACKAGE)), lineno)]
            template.add(message, None, where, context=context)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(TEMPLATES), METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        where = [(f"web/{filename}", lineno)]
        template.add(message, None, where, auto_comments=comments, context=context)
    return template


def missing(catalog: Catalog) -> list[str]:
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            out.append(str(message.id))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    template = extracted()
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en", domain="lanterne")
    created = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    # No line numbers, texts sorted, the header's date kept: a branch that adds a text changes
    # only that text's lines, so parallel branches merge without conflicts in this file.
    catalog.creation_date = created
    gaps = missing(catalog)
    if not args.check:
        with PO.open("wb") as handle:
            write_po(
                handle,
                catalog,
                width=100,
                sort_output=True,
                omit_header=False,
                include_lineno=False,
            )
        print(f"{PO.relative_to(ROOT)}: {len(catalog)} texts, {len(gaps)} to translate")
    for gap in gaps:
        print(f"  untranslated: {gap}", file=sys.stderr)
    return 1 if gaps and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
