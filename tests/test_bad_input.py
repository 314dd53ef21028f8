"""Bad input through the real ``lanterne`` command: what a user sees, and what the store keeps.

Each test writes a small bad file and ingests it in a subprocess, as a user would, into a
catalogue that already holds a good import of the same source. It checks the exit code, the
one-line message, that nothing crashed, that the counts add up, what went to quarantine (reason
id, file, line, raw text kept intact) and that nothing else in the store changed.

The store is inspected before and after in-process, through the same click commands a user
would run (``stats --json``, ``show ID --format profile``, ``quarantine list --json``) plus the
catalogue API for the set of work ids, the runs and the change log. That is cheap; only the
command under test pays for a subprocess, which keeps the file well under a minute.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner

from helpers import without_footprint
from lanterne.catalogue import open_catalogue
from lanterne.cli import cli

# Data ---------------------------------------------------------------------------------------

_DEMO = resources.files("lanterne.demo").joinpath("festivals-demo.csv").read_text("utf-8-sig")
_DEMO_ROWS = list(csv.reader(io.StringIO(_DEMO), delimiter=";"))
HEADER = _DEMO_ROWS[0]
ROWS = _DEMO_ROWS[1:4]
ID = HEADER.index("Identifiant")
NAME = HEADER.index("Nom du festival")
YEAR = HEADER.index("Année de création du festival")
BOM = "\ufeff"


def csv_line(row: list[str], delimiter: str = ";") -> str:
    """One line of the festivals export (``;`` and CRLF, as the real file)."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(row)
    return out.getvalue()


def festivals_text(*lines: str) -> str:
    return BOM + csv_line(HEADER) + "".join(lines)


def festival_id(row: list[str]) -> str:
    return f"festivals-france:{row[ID]}"


TEST_HEADER = "id;titre;description;date\n"
TEST_ROWS = [
    "A1;Théâtre du Soleil;Troupe fondée en 1964 par Ariane Mnouchkine;1964\n",
    "A2;Les Misérables;Roman de Victor Hugo;1862\n",
]
JSON_ITEMS = [
    {"id": "J1", "titre": "Théâtre du Soleil", "description": "Troupe", "date": "1964"},
    {"id": "J2", "titre": "Les Misérables", "description": "Roman", "date": "1862"},
]
EVENT = {
    "@context": "https://schema.org",
    "@id": "https://example.org/e1",
    "@type": "TheaterEvent",
    "name": "Le Cid",
    "startDate": "2024-05-01",
    "location": {"@id": "https://example.org/p1"},
}
PLACE = {
    "@context": "https://schema.org",
    "@id": "https://example.org/p1",
    "@type": "Place",
    "name": "Salle Molière",
}


def json_array(items: list[dict[str, Any]]) -> str:
    """A JSON array with one item per line (line n + 2 holds item n)."""
    return "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n]\n"


def jsonl(items: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)


_SIMPLE_PROFILE = """\
name = "{name}"
version = 1
source = "{name}"
title = "Profil de test ({fmt})"

[reader]
format = "{fmt}"

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
to = "created"
from = ["date"]
"""

_JSONLD_PROFILE = """\
name = "test-jsonld"
version = 1
source = "test-jsonld"

[reader]
format = "jsonld"
types = ["Event", "TheaterEvent"]

[record]
id = "@id"
type = "Event"

[defaults]
text_language = "fr"
"""


class Kind(NamedTuple):
    """A source: its profile (bundled name or TOML text), its good file, its file suffix."""

    profile: str
    profile_toml: str | None
    good: bytes
    suffix: str


KINDS: dict[str, Kind] = {
    "festivals": Kind(
        "festivals-france", None, festivals_text(*map(csv_line, ROWS)).encode(), ".csv"
    ),
    "csv": Kind(
        "test-csv",
        _SIMPLE_PROFILE.format(name="test-csv", fmt="csv"),
        (TEST_HEADER + "".join(TEST_ROWS)).encode(),
        ".csv",
    ),
    "json": Kind(
        "test-json",
        _SIMPLE_PROFILE.format(name="test-json", fmt="json"),
        json_array(JSON_ITEMS).encode(),
        ".json",
    ),
    "jsonl": Kind(
        "test-jsonl",
        _SIMPLE_PROFILE.format(name="test-jsonl", fmt="jsonl"),
        jsonl(JSON_ITEMS).encode(),
        ".jsonl",
    ),
    "jsonld": Kind("test-jsonld", _JSONLD_PROFILE, json_array([EVENT, PLACE]).encode(), ".jsonld"),
}


# Running the command -------------------------------------------------------------------------


class Ran(NamedTuple):
    code: int
    out: str
    err: str


def run_lanterne(db: Path, *args: str, cwd: Path, lang: str | None = None) -> Ran:
    """``lanterne --catalogue DB [--lang L] ARGS`` in a subprocess; never shows a traceback."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LANTERNE_LANG", "LANTERNE_CATALOGUE", "LC_MESSAGES")
    }
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", LANTERNE_LOG_DIR=str(cwd / "log"))
    command = [sys.executable, "-m", "lanterne", "--catalogue", str(db)]
    if lang:
        command += ["--lang", lang]
    proc = subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stdout
    assert "Traceback" not in proc.stderr
    assert not (cwd / "log").exists(), "an internal error was logged"
    return Ran(proc.returncode, proc.stdout, proc.stderr)


def cli_json(db: Path, *args: str) -> Any:
    """A read-only command's JSON output, run in-process through the same click command."""
    result = CliRunner().invoke(cli, ["--catalogue", str(db), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


class Snapshot(NamedTuple):
    stats: dict[str, Any]
    works: dict[str, Any]
    """``show ID --format profile`` of every live work."""
    quarantine: list[dict[str, Any]]
    runs: list[tuple[str, str]]
    """(id, status) of every ingest run."""
    changes: list[tuple[int, str, str]]


def snapshot(db: Path) -> Snapshot:
    catalogue = open_catalogue(db)
    try:
        ids = sorted(w.id for w in catalogue.iter_works())
        runs = [(r.id, r.status) for r in catalogue.runs(10_000)]
        changes = [(c.seq, c.work_id, c.kind) for c in catalogue.changes(0, 100_000)]
    finally:
        catalogue.close()
    return Snapshot(
        stats=cli_json(db, "stats", "--json"),
        works={i: cli_json(db, "show", i, "--format", "profile") for i in ids},
        quarantine=cli_json(db, "quarantine", "list", "--all", "--limit", "100000", "--json"),
        runs=runs,
        changes=changes,
    )


class Store:
    """A catalogue holding a good import of one source, and the state it was in before the test."""

    def __init__(self, db: Path, kind: Kind, profile: str, folder: Path) -> None:
        self.db = db
        self.kind = kind
        self.profile = profile
        self.folder = folder
        self.before = snapshot(db)

    def write(self, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = self.folder / name
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    def run(self, *args: str, lang: str | None = None) -> Ran:
        return run_lanterne(self.db, *args, cwd=self.folder, lang=lang)

    def ingest(self, path: Path, *extra: str, lang: str | None = None) -> Ran:
        return self.run("ingest", str(path), "--profile", self.profile, "--json", *extra, lang=lang)

    def after(self) -> Snapshot:
        return snapshot(self.db)


@pytest.fixture(scope="session")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Path, str]]:
    """Catalogues with a good import of each source, made once and copied by each test."""
    made: dict[str, tuple[Path, str]] = {}

    def get(name: str) -> tuple[Path, str]:
        if name not in made:
            kind = KINDS[name]
            folder = tmp_path_factory.mktemp(f"baseline-{name}")
            profile = kind.profile
            if kind.profile_toml is not None:
                profile_path = folder / f"{kind.profile}.toml"
                profile_path.write_text(kind.profile_toml, "utf-8")
                profile = str(profile_path)
            good = folder / f"good{kind.suffix}"
            good.write_bytes(kind.good)
            db = folder / "catalogue.sqlite"
            ran = run_lanterne(db, "ingest", str(good), "--profile", profile, "--json", cwd=folder)
            assert ran.code == 0, ran.err
            summary = json.loads(ran.out)
            assert summary["quarantined"] == 0
            assert summary["created"] == summary["read"] > 0
            made[name] = (db, profile)
        return made[name]

    return get


@pytest.fixture
def store(
    baselines: Callable[[str], tuple[Path, str]], tmp_path: Path
) -> Iterator[Callable[[str], Store]]:
    def make(name: str) -> Store:
        db, profile = baselines(name)
        copy = tmp_path / "catalogue.sqlite"
        for f in db.parent.glob(db.name + "*"):
            shutil.copyfile(f, tmp_path / f.name)
        return Store(copy, KINDS[name], profile, tmp_path)

    yield make


# Checks -------------------------------------------------------------------------------------


def summary_of(ran: Ran, code: int = 0) -> dict[str, Any]:
    """The ``--json`` summary of a run that went through, with its counts adding up."""
    assert ran.code == code, ran.err
    assert without_footprint(ran.err) == ""
    s = json.loads(ran.out)
    assert s["status"] == "completed"
    assert s["read"] == s["created"] + s["updated"] + s["unchanged"] + s["quarantined"]
    assert s["stored"] == s["created"] + s["updated"] + s["unchanged"]
    assert sum(s["by_reason"].values()) == s["quarantined"]
    assert s["warnings_total"] >= len(s["warnings"])
    return s


def assert_error(ran: Ran, code: int, *needles: str, prefix: str = "Erreur : ") -> str:
    """A whole-file error: the exit code and one line on stderr naming what is given."""
    assert ran.code == code, (ran.out, ran.err)
    assert ran.out == ""
    lines = ran.err.splitlines()
    assert len(lines) == 1, ran.err
    line = lines[0]
    assert line.startswith(prefix), line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def assert_unchanged(store: Store) -> None:
    """Nothing at all changed: works, stats, quarantine, runs, change log."""
    after = store.after()
    assert after == store.before
    assert store.before.works, "the good import should have left works behind"


def new_quarantine(store: Store, added: int) -> list[dict[str, Any]]:
    """Only the quarantine grew, by ``added`` entries, which are returned."""
    before, after = store.before, store.after()
    assert after.works == before.works
    assert after.changes == before.changes
    stats_before, stats_after = dict(before.stats), dict(after.stats)
    assert stats_after.pop("quarantined") == stats_before.pop("quarantined") + added
    assert stats_after == stats_before
    assert after.quarantine[: len(before.quarantine)] == before.quarantine
    assert len(after.quarantine) == len(before.quarantine) + added
    assert set(before.runs) <= set(after.runs)
    assert [status for run, status in after.runs if (run, status) not in before.runs] == [
        "completed"
    ]
    return after.quarantine[len(before.quarantine) :]


def raw_of(store: Store, entry: dict[str, Any]) -> str:
    """The whole raw value of a quarantine entry (``list`` cuts it at 200 characters)."""
    catalogue = open_catalogue(store.db)
    try:
        full = catalogue.quarantine_entry(entry["id"])
    finally:
        catalogue.close()
    assert full is not None
    return full.raw


def assert_entry(
    store: Store, entry: dict[str, Any], reason: str, path: Path, line: int, raw: str
) -> None:
    assert entry["reason"] == reason
    assert entry["file"] == str(path)
    assert entry["line"] == line
    assert entry["source"] == store.kind.profile  # each test profile is named after its source
    assert raw_of(store, entry) == raw
    assert entry["message"]
    assert "\n" not in entry["message"]


# 1. Truncated files ---------------------------------------------------------------------------


def test_csv_cut_inside_a_quoted_field(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    cut = ";".join(ROWS[2][:12]) + ';"2 Avenue ALBERT DE'
    path = s.write("cut.csv", festivals_text(csv_line(ROWS[0]), csv_line(ROWS[1]), cut))

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (3, 2, 1)
    assert summary["by_reason"] == {"reason.truncated": 1}
    [entry] = new_quarantine(s, 1)
    assert_entry(s, entry, "reason.truncated", path, 4, cut)
    assert "tronqué" in entry["message"]


def test_csv_last_line_cut(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    cut = ";".join(ROWS[2][:10])  # 10 fields of 30, no final newline
    path = s.write("cut.csv", festivals_text(csv_line(ROWS[0]), csv_line(ROWS[1]), cut))

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (3, 2, 1)
    assert summary["by_reason"] == {"reason.field_count": 1}
    [entry] = new_quarantine(s, 1)
    assert_entry(s, entry, "reason.field_count", path, 4, cut)
    assert entry["params"]["found"] == "10"
    assert entry["params"]["expected"] == "30"
    assert "tronqué" in entry["message"]


def test_json_array_cut_in_the_middle(store: Callable[[str], Store]) -> None:
    s = store("json")
    head = "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in JSON_ITEMS) + ",\n"
    rest = '{"id": "J3", "titre": "Trois", "descr'
    path = s.write("cut.json", head + rest)

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (3, 2, 1)
    assert summary["by_reason"] == {"reason.bad_json": 1}
    [entry] = new_quarantine(s, 1)
    assert_entry(s, entry, "reason.bad_json", path, 4, rest)
    assert "ligne 4" in entry["message"]


# 2. Wrong declared encoding, and detection --------------------------------------------------


def test_cp1252_file_declared_utf8(store: Callable[[str], Store]) -> None:
    s = store("csv")
    path = s.write("windows.csv", TEST_HEADER + "".join(TEST_ROWS), "cp1252")

    ran = s.ingest(path, "--encoding", "utf-8")

    assert_error(ran, 4, str(path), "utf-8", "ligne 2", "--encoding")
    assert_unchanged(s)


def test_cp1252_file_declared_utf8_suggests_cp1252(store: Callable[[str], Store]) -> None:
    s = store("csv")
    path = s.write("windows.csv", TEST_HEADER + "".join(TEST_ROWS), "cp1252")

    ran = s.ingest(path, "--encoding", "utf-8")

    assert_error(ran, 4, "--encoding cp1252")


def test_utf8_file_declared_cp1252(store: Callable[[str], Store]) -> None:
    s = store("csv")
    path = s.write("utf8.csv", TEST_HEADER + "".join(TEST_ROWS))

    ran = s.ingest(path, "--encoding", "cp1252")

    # « Théâtre » read as cp1252 starts with « ThÃ© »: the message quotes the mojibake.
    assert_error(ran, 4, str(path), "cp1252", "« Ã© »", "ligne 2", "UTF-8", "--encoding utf-8")
    assert_unchanged(s)


def test_utf8_detected_without_encoding(store: Callable[[str], Store]) -> None:
    s = store("csv")
    extra = "A3;Théâtre à l'italienne;Scène en fer à cheval, œil-de-bœuf;1780\n"
    path = s.write("utf8.csv", TEST_HEADER + "".join(TEST_ROWS) + extra)

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["created"]) == (3, 2, 1)
    after = s.after()
    assert {k: v for k, v in after.works.items() if k != "test-csv:A3"} == s.before.works
    assert after.works["test-csv:A1"]["titles"][0]["value"] == "Théâtre du Soleil"
    work = after.works["test-csv:A3"]
    assert work["titles"][0]["value"] == "Théâtre à l'italienne"
    assert work["descriptions"][0]["value"] == "Scène en fer à cheval, œil-de-bœuf"


def test_cp1252_detected_without_encoding(store: Callable[[str], Store]) -> None:
    s = store("csv")
    path = s.write("windows.csv", TEST_HEADER + "".join(TEST_ROWS), "cp1252")

    summary = summary_of(s.ingest(path))

    # Read right, the records are exactly those of the UTF-8 import: nothing changes.
    assert (summary["read"], summary["unchanged"], summary["updated"]) == (2, 2, 0)
    after = s.after()
    assert after.works == s.before.works
    assert after.works["test-csv:A1"]["titles"][0]["value"] == "Théâtre du Soleil"


def test_cp1252_detected_without_encoding_keeps_a_grave(store: Callable[[str], Store]) -> None:
    # charset-normalizer alone calls this file cp1250, where 0xE0 is « ŕ », not « à ».
    s = store("csv")
    extra = "A3;Le Théâtre à l'italienne;Salle à Paris;1780\n"
    path = s.write("windows.csv", TEST_HEADER + "".join(TEST_ROWS) + extra, "cp1252")

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["created"]) == (3, 2, 1)
    work = s.after().works["test-csv:A3"]
    assert work["titles"][0]["value"] == "Le Théâtre à l'italienne"
    assert work["descriptions"][0]["value"] == "Salle à Paris"


# 3. Delimiter change mid-file -----------------------------------------------------------------


def test_delimiter_change_mid_file(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    comma = [csv_line(ROWS[1], ","), csv_line(ROWS[2], ",")]
    path = s.write("mixed.csv", festivals_text(csv_line(ROWS[0]), *comma))

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (3, 1, 2)
    assert summary["by_reason"] == {"reason.field_count": 2}
    entries = new_quarantine(s, 2)
    for entry, line, raw in zip(entries, (3, 4), comma, strict=True):
        assert_entry(s, entry, "reason.field_count", path, line, raw)
        assert entry["params"]["delimiter"] == ";"
        assert "« , »" in entry["params"]["hint"]
        assert "« , »" in entry["message"]


# 4. Invalid JSON ----------------------------------------------------------------------------


def test_json_lines_with_one_broken_line(store: Callable[[str], Store]) -> None:
    s = store("jsonl")
    broken = '{"id": "J3", "titre": "Trois"\n'
    lines = jsonl(JSON_ITEMS).splitlines(keepends=True)
    path = s.write("broken.jsonl", lines[0] + broken + lines[1])

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (3, 2, 1)
    assert summary["by_reason"] == {"reason.bad_json": 1}
    [entry] = new_quarantine(s, 1)
    assert_entry(s, entry, "reason.bad_json", path, 2, broken)
    assert "ligne 2" in entry["message"]


def test_file_that_is_not_json(store: Callable[[str], Store]) -> None:
    s = store("json")
    path = s.write("export.json", TEST_HEADER + "".join(TEST_ROWS))  # a CSV named .json

    ran = s.ingest(path)

    assert_error(ran, 4, str(path), "JSON", "ligne 1", "Vérifiez")
    assert_unchanged(s)


def test_not_json_message_only_names_existing_options(store: Callable[[str], Store]) -> None:
    s = store("json")
    path = s.write("export.json", TEST_HEADER)
    line = assert_error(s.ingest(path), 4)
    help_text = s.run("ingest", "--help").out
    for option in re.findall(r"--[a-z][a-z-]+", line):
        assert option in help_text, option


# 5. JSON-LD with a dangling @id ---------------------------------------------------------------


def test_jsonld_dangling_id(store: Callable[[str], Store]) -> None:
    s = store("jsonld")
    nowhere = "https://example.org/nowhere"
    dangling = {
        "@context": "https://schema.org",
        "@id": "https://example.org/e2",
        "@type": "TheaterEvent",
        "name": "Phèdre",
        "startDate": "2024-06-01",
        "location": {"@id": nowhere},
    }
    path = s.write("events.jsonld", json_array([EVENT, PLACE, dangling]))

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["created"]) == (2, 1, 1)
    assert summary["quarantined"] == 0
    assert summary["warnings_total"] == 1
    [warning] = summary["warnings"]
    assert nowhere in warning
    assert f"{path}:4" in warning
    assert "location" in warning
    after = s.after()
    new_id = "test-jsonld:https://example.org/e2"
    assert {k: v for k, v in after.works.items() if k != new_id} == s.before.works
    assert after.works[new_id]["titles"][0]["value"] == "Phèdre"
    assert after.quarantine == s.before.quarantine


def test_jsonld_dangling_id_is_kept_as_a_link(store: Callable[[str], Store]) -> None:
    s = store("jsonld")
    nowhere = "https://example.org/nowhere"
    dangling = {**EVENT, "@id": "https://example.org/e2", "location": {"@id": nowhere}}
    path = s.write("events.jsonld", json_array([EVENT, PLACE, dangling]))

    summary = summary_of(s.ingest(path))

    assert summary["warnings_total"] == 1
    shown = cli_json(s.db, "show", "test-jsonld:https://example.org/e2")
    assert nowhere in json.dumps(shown)


# 6. Duplicate source ids ----------------------------------------------------------------------


def test_duplicate_source_id(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    again = list(ROWS[0])
    again[NAME] = "Avoine Zone Groove (doublon)"
    dup = csv_line(again)
    # The first occurrence is on line 3, the duplicate on line 5.
    path = s.write("dup.csv", festivals_text(*map(csv_line, (ROWS[1], ROWS[0], ROWS[2])), dup))

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (4, 3, 1)
    assert summary["by_reason"] == {"reason.duplicate_id": 1}
    [entry] = new_quarantine(s, 1)  # the first occurrence was kept: works are unchanged
    assert_entry(s, entry, "reason.duplicate_id", path, 5, dup)
    assert entry["params"] == {"id": ROWS[0][ID], "first_line": "3", "first_file": ""}
    assert entry["record_key"] == ROWS[0][ID]
    assert "ligne 3" in entry["message"]


# 7. A 10 MB field -------------------------------------------------------------------------------


def test_ten_megabyte_field(store: Callable[[str], Store]) -> None:
    s = store("csv")
    big = "A9;Gros;" + "x" * 10_000_000 + ";1990\n"
    path = s.write("big.csv", TEST_HEADER + TEST_ROWS[0] + big + TEST_ROWS[1])

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (3, 2, 1)
    assert summary["by_reason"] == {"reason.too_long": 1}
    [entry] = new_quarantine(s, 1)
    assert_entry(s, entry, "reason.too_long", path, 3, big)
    assert len(raw_of(s, entry)) == len(big) == 10_000_014
    assert entry["field"] == "description"
    assert entry["record_key"] == "A9"
    assert "description" in entry["message"]
    assert "trop long" in entry["message"]
    assert len(entry["raw"]) == 200  # `list` shows the start only

    shown = s.run("quarantine", "show", str(entry["id"]))
    assert shown.code == 0
    assert shown.out.splitlines()[0].endswith(f"{path}:3")
    assert "trop long" in shown.out
    assert len(shown.out) < 10_000  # the raw value is cut for the terminal, not in the store


# 8. Empty files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf\n", b"\xef\xbb\xbf\r\n"], ids=["0-bytes", "bom-lf", "bom-crlf"]
)
def test_empty_file(store: Callable[[str], Store], content: bytes) -> None:
    s = store("festivals")
    path = s.write("empty.csv", content)

    ran = s.ingest(path)

    assert_error(ran, 4, str(path), "vide", "Exportez")
    assert_unchanged(s)


def test_empty_file_in_english(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    path = s.write("empty.csv", b"")

    ran = s.ingest(path, lang="en")

    assert_error(ran, 4, str(path), "is empty", "Export", prefix="Error: ")
    assert_unchanged(s)


# 9. Missing required field ---------------------------------------------------------------------


def test_missing_title(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    untitled = list(ROWS[1])
    untitled[NAME] = ""
    bad = csv_line(untitled)
    path = s.write("untitled.csv", festivals_text(csv_line(ROWS[0]), bad, csv_line(ROWS[2])))

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (3, 2, 1)
    assert summary["by_reason"] == {"reason.missing_required": 1}
    [entry] = new_quarantine(s, 1)  # the work from the good import is kept as it was
    assert_entry(s, entry, "reason.missing_required", path, 3, bad)
    assert entry["field"] == "Nom du festival"
    assert entry["params"]["target"] == "title"
    assert entry["record_key"] == ROWS[1][ID]
    assert "Nom du festival" in entry["message"]


def test_first_record_raw_has_no_header(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    untitled = list(ROWS[0])
    untitled[NAME] = ""
    bad = csv_line(untitled)
    path = s.write("untitled.csv", festivals_text(bad, csv_line(ROWS[1]), csv_line(ROWS[2])))

    summary = summary_of(s.ingest(path))

    assert summary["by_reason"] == {"reason.missing_required": 1}
    [entry] = new_quarantine(s, 1)
    assert_entry(s, entry, "reason.missing_required", path, 2, bad)


# 10. Unparseable date --------------------------------------------------------------------------


def test_unparseable_date(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    undated = list(ROWS[2])
    undated[YEAR] = "l'an dernier"
    bad = csv_line(undated)
    path = s.write("undated.csv", festivals_text(csv_line(ROWS[0]), csv_line(ROWS[1]), bad))

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (3, 2, 1)
    assert summary["by_reason"] == {"reason.bad_value": 1}
    [entry] = new_quarantine(s, 1)
    assert_entry(s, entry, "reason.bad_value", path, 4, bad)
    assert entry["field"] == "Année de création du festival"
    assert entry["params"]["target"] == "created"
    assert "Année de création du festival" in entry["message"]
    assert "l'an dernier" in entry["message"]


# 11. A path that does not exist ----------------------------------------------------------------


def test_missing_path(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    path = s.folder / "exports" / "nulle-part.csv"

    ran = s.ingest(path)

    assert_error(ran, 3, str(path), "introuvable", "Vérifiez le chemin")
    assert_unchanged(s)


# Profiles and the plain summary ---------------------------------------------------------------


def test_profile_file_that_does_not_exist(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    good = s.write("good.csv", s.kind.good)
    profile = s.folder / "profils" / "absent.toml"

    ran = s.run("ingest", str(good), "--profile", str(profile))

    assert_error(ran, 5, str(profile))
    assert_unchanged(s)


def test_plain_summary_points_to_the_quarantine(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    again = list(ROWS[0])
    again[NAME] = "Avoine Zone Groove (doublon)"
    path = s.write("dup.csv", festivals_text(csv_line(ROWS[0]), csv_line(again)))

    ran = s.run("ingest", str(path), "--profile", s.profile)
    listed = s.run("quarantine", "list")

    assert ran.code == 0
    assert without_footprint(ran.err) == ""
    assert "en quarantaine" in ran.out
    assert "identifiant en double" in ran.out
    assert "lanterne quarantine list" in ran.out
    assert listed.code == 0
    assert re.search(r"dup\.csv:3 .*« FEST_37011_550 ».*ligne 2", listed.out), listed.out


def test_strict_exit_code_when_quarantined(store: Callable[[str], Store]) -> None:
    s = store("festivals")
    undated = list(ROWS[0])
    undated[YEAR] = "bientôt"
    path = s.write("undated.csv", festivals_text(csv_line(undated)))

    summary = summary_of(s.ingest(path, "--strict"), code=7)

    assert summary["quarantined"] == 1
    new_quarantine(s, 1)


# 12. A stray Latin-1 byte in a UTF-8 file, records nested too deep (area "readers") -------------


def _items_with(good: list[dict[str, Any]], bad: bytes) -> bytes:
    """A JSON array of ``good`` then ``bad`` (line len(good) + 2), one item per line."""
    lines = [json.dumps(i, ensure_ascii=False).encode() for i in good] + [bad]
    return b"[\n" + b",\n".join(lines) + b"\n]\n"


_STRAY_EVENT = (
    b'{"@context": "https://schema.org", "@id": "https://example.org/e3", '
    b'"@type": "TheaterEvent", "name": "Caf\xe9-concert", "startDate": "2024-07-01"}'
)
_STRAY = {
    # kind: (the file, the line of the bad record, the records of the good import it repeats)
    "csv": (
        (TEST_HEADER + "".join(TEST_ROWS)).encode() + b"A3;Caf\xe9 Procope;Le plus vieux;1686\n",
        4,
        2,
    ),
    "json": (_items_with(JSON_ITEMS, b'{"id": "J3", "titre": "Caf\xe9 Procope"}'), 4, 2),
    "jsonl": (jsonl(JSON_ITEMS).encode() + b'{"id": "J3", "titre": "Caf\xe9 Procope"}\n', 3, 2),
    "jsonld": (_items_with([EVENT, PLACE], _STRAY_EVENT), 4, 1),
}


@pytest.mark.parametrize("kind", sorted(_STRAY))
def test_stray_latin1_byte_is_quarantined_not_redecoded(
    store: Callable[[str], Store], kind: str
) -> None:
    """The whole file was read as Windows-1252: every accent of the good records changed
    (« Les MisÃ©rables ») and nothing went to quarantine. Now the good records are exactly
    those of the good import, and the one with the bad byte is quarantined, with its line."""
    s = store(kind)
    content, line, good = _STRAY[kind]
    path = s.write(f"stray{s.kind.suffix}", content)

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (good + 1, good, 1)
    assert summary["by_reason"] == {"reason.undecodable": 1}
    [entry] = new_quarantine(s, 1)  # works unchanged: no accent was re-decoded
    assert entry["reason"] == "reason.undecodable"
    assert (entry["file"], entry["line"]) == (str(path), line)
    assert "\ufffd" in raw_of(s, entry) and "Caf" in raw_of(s, entry)
    assert f"ligne {line}" in entry["message"]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("kind", ["json", "jsonl", "jsonld"])
def test_record_nested_10000_deep_is_quarantined_not_interrupted(
    store: Callable[[str], Store], kind: str
) -> None:
    """A RecursionError ended the run « interrupted » with nothing read, so that running it
    again could never finish: now that record alone is quarantined and the run completes."""
    s = store(kind)
    if kind == "jsonl":
        lines = jsonl(JSON_ITEMS).splitlines(keepends=True)
        content = lines[0] + '{"id": "J9", "v": ' + _deep(10_000) + "}\n" + lines[1]
        line, good = 2, 2
    else:
        items = JSON_ITEMS if kind == "json" else [EVENT, PLACE]
        content = json_array(items).replace("\n]", ",\n" + _deep(10_000) + "\n]")
        line, good = 4, (2 if kind == "json" else 1)
    path = s.write(f"deep{s.kind.suffix}", content)

    summary = summary_of(s.ingest(path))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (good + 1, good, 1)
    assert summary["by_reason"] == {"reason.too_deep": 1}
    [entry] = new_quarantine(s, 1)
    assert (entry["reason"], entry["file"], entry["line"]) == ("reason.too_deep", str(path), line)
    assert "64" in entry["message"]


def test_a_json_file_that_is_one_array_nested_10000_deep(store: Callable[[str], Store]) -> None:
    s = store("json")
    path = s.write("deep.json", _deep(10_000))

    summary = summary_of(s.ingest(path, "--strict"), code=7)

    assert (summary["read"], summary["quarantined"]) == (1, 1)
    [entry] = new_quarantine(s, 1)
    assert (entry["reason"], entry["line"]) == ("reason.too_deep", 1)
    assert raw_of(s, entry) == _deep(9_999)  # the one item of the outer array


@pytest.mark.parametrize("workers", ["0", "2"])
def test_record_over_the_size_bound_is_quarantined_with_its_start(
    store: Callable[[str], Store], monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """A field of 3 MB under LANTERNE_MAX_RECORD_BYTES = 1 MB: read by the reading process or
    cut into blocks for two map workers, the record is quarantined with its first 64 KiB, and
    the records around it are read."""
    monkeypatch.setenv("LANTERNE_MAX_RECORD_BYTES", "1000000")
    s = store("csv")
    big = "A9;Gros;" + "x" * 3_000_000 + ";1990\n"
    path = s.write("big.csv", TEST_HEADER + TEST_ROWS[0] + big + TEST_ROWS[1])

    summary = summary_of(s.ingest(path, "--workers", workers))

    assert (summary["read"], summary["unchanged"], summary["quarantined"]) == (3, 2, 1)
    assert summary["by_reason"] == {"reason.too_large": 1}
    [entry] = new_quarantine(s, 1)
    assert (entry["file"], entry["line"]) == (str(path), 3)
    assert raw_of(s, entry) == big[: 64 * 1024]
    assert "1000000" in entry["message"]


def test_a_bound_that_is_not_a_number_is_a_usage_error(
    store: Callable[[str], Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    s = store("json")
    path = s.write("good.json", s.kind.good)
    monkeypatch.setenv("LANTERNE_MAX_JSON_DEPTH", "beaucoup")

    ran = s.ingest(path)
    monkeypatch.delenv("LANTERNE_MAX_JSON_DEPTH")  # the commands that look at the store

    assert_error(ran, 2, "LANTERNE_MAX_JSON_DEPTH", "beaucoup")
    assert_unchanged(s)
