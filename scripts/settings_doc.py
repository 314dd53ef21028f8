"""Write the table of settings in docs/cli.md from their declarations (``make settings-doc``).

    .venv/bin/python scripts/settings_doc.py [--check]

The table sits between the markers ``BEGIN`` and ``END`` below; ``--check`` changes nothing and
fails when the table differs from the declarations (the test suite runs the same check).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lanterne.settings import docs_table

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "cli.md"
BEGIN = "<!-- settings: written by scripts/settings_doc.py from src/lanterne/settings.py -->\n"
END = "<!-- /settings -->\n"


def with_table(doc: str) -> str:
    """``doc`` with the text between the markers replaced by the generated table."""
    start = doc.index(BEGIN) + len(BEGIN)
    return doc[:start] + docs_table() + doc[doc.index(END, start) :]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the table is stale")
    check = parser.parse_args().check
    doc = DOC.read_text("utf-8")
    wanted = with_table(doc)
    if wanted == doc:
        return 0
    if check:
        print(f"{DOC}: the settings table is stale; run scripts/settings_doc.py", file=sys.stderr)
        return 1
    DOC.write_text(wanted, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
