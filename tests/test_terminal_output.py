"""Record data never drives the terminal: escapes, OSC titles, C1 controls and bidi overrides
in titles or raw lines are printed as visible escapes by every command, through the real CLI.

Ingest keeps the text as the source gave it (docs/cli.md, « Sortie au terminal »): outputs escape
for their own medium, the terminal's being ``lanterne._visible.visible``.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from lanterne._visible import visible, visible_json


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def lanterne(folder: Path, *args: str) -> Ran:
    """``lanterne`` in a subprocess, its output read as bytes: text mode would turn a CR into a
    line feed before the test could see it."""
    done = subprocess.run(
        [sys.executable, "-m", "lanterne", "--catalogue", str(folder / "c.sqlite"), *args],
        capture_output=True,
        env={**os.environ, "LANG": "C.UTF-8", "LANTERNE_LOG_DIR": str(folder / "log")},
        check=False,
    )
    return Ran(done.returncode, done.stdout.decode(), done.stderr.decode())


PROFILE = """\
name = "test-term"
version = 1
source = "test-term"

[reader]
format = "csv"

[record]
id = "id"
type = "Book"

[defaults]
text_language = "fr"

[[map]]
to = "title"
from = ["titre"]
required = true

[[map]]
to = "description"
from = ["description"]

[[map]]
to = "genre"
from = ["genre"]
"""

OSC = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
C1 = "\x9b31m"  # CSI as one C1 character
BIDI = "\u202e"
TITLE = f"{OSC}Lanterne magique{CLEAR}{C1}{BIDI}fin"
RAW_TRAP = f"{OSC}sans titre{CLEAR}\r"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("term")
    (folder / "p.toml").write_text(PROFILE, "utf-8")
    rows = [
        ["id", "titre", "description", "genre"],
        ["1", TITLE, f"Une lanterne {OSC}magique", f"conte{CLEAR}"],
        ["2", "", RAW_TRAP, "conte"],  # no title: quarantined with its raw line
    ]
    with (folder / "t.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL).writerows(rows)
    done = lanterne(folder, "ingest", str(folder / "t.csv"), "-p", str(folder / "p.toml"))
    assert done.returncode == 0, done.stderr
    assert lanterne(folder, "index").returncode == 0
    return folder


def _assert_inert(out: str) -> None:
    for raw in ("\x1b", "\x07", "\x9b", "\u202e", "\r"):
        assert raw not in out, (raw, out)


@pytest.mark.parametrize(
    "args",
    [
        ("search", "lanterne"),
        ("show", "test-term:1"),
        ("show", "test-term:1", "--format", "profile"),
        ("quarantine", "list"),
        ("quarantine", "show", "1"),
        ("stats",),
        ("stats", "--json"),
        ("diagnose", "--work", "test-term:1"),
        ("diagnose",),
        ("changes",),
        ("quarantine", "list", "--json"),
    ],
)
def test_escape_sequences_in_records_never_reach_the_terminal(
    folder: Path, args: tuple[str, ...]
) -> None:
    done = lanterne(folder, *args)
    assert done.returncode == 0, done.stderr
    _assert_inert(done.stdout)
    _assert_inert(done.stderr)


def test_search_shows_the_title_with_its_escapes_visible(folder: Path) -> None:
    out = lanterne(folder, "search", "lanterne").stdout
    assert "\\x1b]0;pwned\\x07Lanterne magique\\x1b[2J\\x9b31m\\u202efin" in out


def test_quarantine_show_prints_the_raw_line_escaped(folder: Path) -> None:
    out = lanterne(folder, "quarantine", "show", "1").stdout
    assert "\\x1b]0;pwned\\x07sans titre\\x1b[2J\\x0d" in out


def test_json_output_keeps_the_same_data(folder: Path) -> None:
    # Escaped as JSON escapes: a program reading the output gets the title exactly.
    out = lanterne(folder, "show", "test-term:1", "--format", "profile").stdout
    assert json.loads(out)["titles"][0]["value"] == TITLE


def test_ingest_keeps_the_text_as_given(folder: Path) -> None:
    from lanterne.catalogue import open_catalogue

    with open_catalogue(folder / "c.sqlite") as catalogue:
        work = catalogue.get("test-term:1")
    assert work is not None and work.title == TITLE


def test_visible_escapes_controls_and_keeps_text() -> None:
    assert visible("été\x1b[2J\x00\x85\u2066") == "été\\x1b[2J\\x00\\x85\\u2066"
    assert visible("a\tb\nc") == "a\\tb\\nc"
    assert visible("a\tb\nc\r", block=True) == "a\tb\nc\\x0d"
    text = json.dumps({"t": "\x9b\u202e\x7f"}, ensure_ascii=False)
    assert json.loads(visible_json(text)) == {"t": "\x9b\u202e\x7f"}
    assert "\x9b" not in visible_json(text)
