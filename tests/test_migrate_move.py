"""``lanterne migrate --to postgresql://…``: a whole catalogue moved from its SQLite file to a
PostgreSQL database (docs/postgresql.md, « Passer de SQLite à PostgreSQL »).

A real catalogue (slices of ../shared/data's festivals and Joconde, re-imported with changes
and deletions, quarantined records, kept label evidence, a registered image, a search index)
answers every read the same after the move, with the same numbers (change ``seq``, positions,
quarantine ids) and OAI-PMH datestamps; a new import continues its sequences; a database that
is not empty is refused and left as it was; a move that fails or is killed leaves the database
as it was; a file of an older schema is brought up to date first. The tests run on the tests'
own server (tests/pg_server.py) and are skipped, saying why, without one.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import apsw
import psycopg
import pytest
from click.testing import CliRunner, Result

from lanterne._location import without_password
from lanterne.catalogue import (
    Catalogue,
    ImageHash,
    SqliteCatalogue,
    beside,
    open_catalogue,
)
from lanterne.catalogue._move import TABLES
from lanterne.catalogue._schema import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from lanterne.cli import cli, main
from lanterne.profile import CreationLabelValue, LabelEvidence, LabelMethod

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FESTIVALS = SHARED / "festivals-france" / "festivals-global-festivals-_-pl.csv"
JOCONDE = SHARED / "joconde-costumes" / "BaseJoconde-Costumes-19e-20e.csv"

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"real datasets not found at {SHARED}")

_LOCK_OBJID = 0x4C414E54  # the catalogue's advisory lock (_postgres._LOCK), as pg_locks shows it


def _cli(catalogue: str | Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--catalogue", str(catalogue), *args])


def _rows(source: Path) -> tuple[str, list[list[str]]]:
    text = source.read_text("utf-8-sig").lstrip("\ufeff")
    delimiter = csv.Sniffer().sniff(text[:5000], delimiters=";,\t").delimiter
    return delimiter, list(csv.reader(text.splitlines(keepends=True), delimiter=delimiter))


def _write(out: Path, delimiter: str, rows: list[list[str]]) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return out


def _ingest(catalogue: str | Path, data: Path, profile: str, *extra: str) -> dict[str, Any]:
    done = _cli(catalogue, "ingest", str(data), "-p", profile, "--json", *extra)
    assert done.exit_code in (0, 7), done.output  # 7: some records quarantined
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


@pytest.fixture(scope="module")
def real_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue with every kind of row: two real sources, a re-import that updates and
    deletes (``--sync``), quarantined records, kept evidence, an image, a search index."""
    folder = tmp_path_factory.mktemp("real")
    path = folder / "c.sqlite"
    delimiter, festivals = _rows(FESTIVALS)
    header, body = festivals[0], festivals[1:301]
    name = header.index("Nom du festival")
    data = _write(folder / "f1" / FESTIVALS.name, delimiter, [header, *body])
    first = _ingest(path, data, "festivals-france")
    assert first["created"] > 250
    j_delimiter, joconde = _rows(JOCONDE)
    costumes = _write(folder / "j" / JOCONDE.name, j_delimiter, joconde[:201])
    assert _ingest(path, costumes, "joconde-costumes")["created"] > 150
    # Again, the last 40 gone (deleted by --sync), 25 renamed (updated), one row broken.
    again = [list(r) for r in body[:260]]
    for row in again[:25]:
        row[name] += " (nouvelle édition)"
    again.append(["mal formée"])
    changed = _ingest(
        path,
        _write(folder / "f2" / FESTIVALS.name, delimiter, [header, *again]),
        "festivals-france",
        "--sync",
    )
    assert changed["updated"] >= 25 and changed["deleted"] >= 30 and changed["quarantined"] >= 1
    with SqliteCatalogue(path) as db:
        costume = next(iter(db.iter_works("joconde")))
        piece = LabelEvidence(
            value=CreationLabelValue.HUMAN, method=LabelMethod.DECLARATION, declared_by="le musée"
        )
        assert db.add_label_evidence(costume.id, [piece]) is not None
        image = ImageHash(
            pdq=bytes(range(32)),
            quality=90,
            phash=bytes(range(8)),
            file="robe.jpg",
            sha256=hashlib.sha256(b"robe").digest(),
            work_id=costume.id,
            label="human",
        )
        assert db.add_image_hashes([image]) != [None]
    indexed = _cli(path, "index")
    assert indexed.exit_code == 0, indexed.output
    return path


@pytest.fixture
def sqlite_copy(real_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the real catalogue (and its search index) in this test's folder, its working
    folder (where a server catalogue's local files go: var/)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANTERNE_OAI_REPOSITORY_NAME", "Lanterne")  # not named by the catalogue
    path = tmp_path / "c.sqlite"
    shutil.copy(real_file, path)
    shutil.copytree(beside(real_file, ".search"), beside(path, ".search"))
    return path


def _move(source: Path, url: str, *extra: str) -> Result:
    return _cli(source, "migrate", "--to", url, *extra)


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``lanterne ARGS…`` through ``main`` (what turns an error into its message and exit
    code, in French or English): the exit code and what was said on stderr."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    code = exit_.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


def _refused(
    capsys: pytest.CaptureFixture[str], source: Path | str, url: str, *extra: str
) -> tuple[int, str]:
    return _main(capsys, "--catalogue", str(source), *extra, "migrate", "--to", url)


def _file_rows(path: Path) -> dict[str, int]:
    """Rows per table of the file, as the move copies them."""
    db = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return {t.name: int(db.execute(f"SELECT count(*) FROM {t.name}").get) for t in TABLES}
    finally:
        db.close()


def _server_rows(url: str) -> dict[str, int]:
    return {t.name: int(_scalar(url, f"SELECT count(*) FROM {t.name}")) for t in TABLES}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reads(db: Catalogue, entities: list[tuple[str, str, str]]) -> dict[str, object]:
    """Everything a reader of the catalogue can ask, through the ``Catalogue`` interface."""
    states = db.work_states(limit=1_000_000)
    ids = [s.id for s in states]
    works = list(db.iter_works())
    sources = sorted({s.source for s in states})
    quarantined = db.quarantine(limit=100_000, include_resolved=True)
    return {
        "stats": db.stats(),
        "stats by source": [db.stats(s) for s in sources],
        "count": [db.count(), *(db.count(s) for s in sources)],
        "source_ids": [sorted(db.source_ids(s)) for s in sources],
        "changes": db.changes(0, 1_000_000),
        "changes paged": [db.changes(since, 100) for since in (0, 100, 350, 700)],
        "last_change": db.last_change(),
        "work_states": states,
        "work_state": [db.work_state(i) for i in ids[:50]],
        "iter_works": works,
        "iter_works by source": [list(db.iter_works(s)) for s in sources],
        "get": [db.get(i) for i in ids],
        "get_many": db.get_many(ids),
        "source_digests": db.source_digests(ids),
        "quarantine": quarantined,
        "quarantine open": db.quarantine(limit=100_000),
        "quarantine entries": [db.quarantine_entry(q.id) for q in quarantined if q.id],
        "quarantine_counts": db.quarantine_counts(),
        "runs": db.runs(limit=100),
        "entity_works": [db.entity_works(k, s, v) for k, s, v in entities],  # type: ignore[arg-type]
        "count_entity_works": [db.count_entity_works(k, s, v) for k, s, v in entities],  # type: ignore[arg-type]
        "label_evidence": [db.label_evidence(w.id) for w in works],
        "image_hashes": db.image_hashes(),
        "set_values": db.set_values(),
    }


def _entities(path: Path) -> list[tuple[str, str, str]]:
    db = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        rows = db.execute("SELECT DISTINCT kind, scheme, value FROM entity_works ORDER BY 1, 2, 3")
        return [(str(k), str(s), str(v)) for k, s, v in rows][:60]
    finally:
        db.close()


_RESPONSE_DATE = re.compile(r"<responseDate>[^<]*</responseDate>")
_TOKEN = re.compile(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>")


def _oai(catalogue: str | Path, query: str) -> str:
    done = _cli(catalogue, "serve", "--get", "/oai?" + query)
    assert done.exit_code == 0, done.output
    return _RESPONSE_DATE.sub("", done.stdout)  # when the answer was made; datestamps stay


def _tokenless(page: str) -> str:
    """A first page without its token, which holds when the list was first asked for."""
    return _TOKEN.sub("", page)


def test_after_the_move_every_read_answers_the_same_with_the_same_numbers(
    sqlite_copy: Path, postgres_url: str
) -> None:
    before = _digest(sqlite_copy)
    counts = _file_rows(sqlite_copy)
    assert all(counts[t.name] > 0 for t in TABLES), counts
    done = _move(sqlite_copy, postgres_url, "--json")
    assert done.exit_code == 0, done.output
    said = json.loads(done.stdout)
    assert said["rows"] == counts  # every row of every table, counted as the server copied it
    assert said["target"] == without_password(postgres_url) and said["upgraded_from"] is None
    assert _server_rows(postgres_url) == counts
    assert _digest(sqlite_copy) == before  # the file is the user's backup: not a byte changed

    entities = _entities(sqlite_copy)
    with (
        SqliteCatalogue(sqlite_copy, read_only=True) as file,
        open_catalogue(postgres_url) as server,
    ):
        assert said["last_change"] == file.last_change()
        kinds = {c.kind for c in file.changes(0, 1_000_000)}
        assert kinds == {"created", "updated", "deleted"}
        answers = _reads(file, entities), _reads(server, entities)
        for key in answers[0]:
            assert answers[1][key] == answers[0][key], key
        assert server.integrity_problems() == []
    # OAI-PMH: the same records with the same datestamps, a harvester's token taken from the
    # file's repository goes on on the server's, and `from` selects the same works.
    records = "verb=ListRecords&metadataPrefix=oai_dc"
    first = _oai(sqlite_copy, records)
    assert "<datestamp>" in first and "<resumptionToken" in first
    assert _tokenless(_oai(postgres_url, records)) == _tokenless(first)
    token = _TOKEN.search(first)
    assert token is not None
    page_2 = "verb=ListRecords&resumptionToken=" + token.group(1)
    assert _oai(postgres_url, page_2) == _oai(sqlite_copy, page_2)
    with SqliteCatalogue(sqlite_copy, read_only=True) as file:
        since = file.changes(0, 1_000_000)[-1].at[:19] + "Z"
    recent = f"verb=ListIdentifiers&metadataPrefix=oai_dc&from={since}"
    assert "<identifier>" in _oai(sqlite_copy, recent)
    assert _tokenless(_oai(postgres_url, recent)) == _tokenless(_oai(sqlite_copy, recent))
    assert _oai(postgres_url, "verb=ListSets") == _oai(sqlite_copy, "verb=ListSets")
    every = _tokenless(_oai(sqlite_copy, "verb=ListIdentifiers&metadataPrefix=oai_dc"))
    assert '<header status="deleted">' in every  # the works --sync deleted, still told of
    assert _tokenless(_oai(postgres_url, "verb=ListIdentifiers&metadataPrefix=oai_dc")) == every


def test_a_new_import_continues_the_numbers_and_the_search_index_follows(
    sqlite_copy: Path, postgres_url: str, tmp_path: Path
) -> None:
    done = _move(sqlite_copy, postgres_url)
    assert done.exit_code == 0, done.output
    # The move says how to use the new catalogue, and where its local files go.
    index_there = beside(postgres_url, ".search")
    assert f"export LANTERNE_CATALOGUE={without_password(postgres_url)}" in done.stdout
    assert f"{beside(sqlite_copy, '.search')} vers {index_there}" in done.stdout
    shutil.copytree(beside(sqlite_copy, ".search"), index_there)
    with SqliteCatalogue(sqlite_copy, read_only=True) as file:
        last_seq, last_position = file.last_change(), file.work_states(limit=1_000_000)[-1].position
        last_quarantine = max(
            q.id or 0 for q in file.quarantine(limit=100_000, include_resolved=True)
        )
    # The index copied beside the server catalogue is current: its change_seq is valid there.
    caught_up = _cli(postgres_url, "index")
    assert caught_up.exit_code == 0 and "(+0, −0)" in caught_up.stdout, caught_up.output

    delimiter, rows = _rows(FESTIVALS)
    new = _write(tmp_path / "f3" / FESTIVALS.name, delimiter, [rows[0], *rows[400:460], ["cassée"]])
    summary = _ingest(postgres_url, new, "festivals-france")
    assert summary["created"] >= 55 and summary["quarantined"] >= 1
    with open_catalogue(postgres_url) as server:
        fresh = server.changes(last_seq, 100_000)
        assert len(fresh) == summary["created"] and fresh[0].seq == last_seq + 1
        positions = [s.position for s in server.work_states(after=last_position, limit=1_000)]
        assert len(positions) == summary["created"] and positions[0] > last_position
        entries = server.quarantine(limit=100_000)
        assert max(q.id or 0 for q in entries) > last_quarantine
        assert server.integrity_problems() == []
    followed = _cli(postgres_url, "index")
    assert followed.exit_code == 0 and f"(+{summary['created']}, −0)" in followed.stdout


def test_a_database_that_is_not_empty_is_refused_and_left_as_it_was(
    sqlite_copy: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = ROOT / "src" / "lanterne" / "demo" / "festivals-demo.csv"
    _ingest(postgres_url, demo, "festivals-france")
    before = _server_rows(postgres_url)
    file_before = _digest(sqlite_copy)
    code, said = _refused(capsys, sqlite_copy, postgres_url)
    assert code == 6
    assert "n'est pas vide (table works" in said and "rien n'a été écrit" in said
    assert _server_rows(postgres_url) == before
    assert _digest(sqlite_copy) == file_before
    code, said = _refused(capsys, sqlite_copy, postgres_url, "--lang", "en")
    assert code == 6 and "is not empty (table works" in said


def test_a_database_with_other_tables_is_refused(
    sqlite_copy: Path, postgres_empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(postgres_empty_url, autocommit=True) as con:
        con.execute("CREATE TABLE inventaire (cote text)")
    code, said = _refused(capsys, sqlite_copy, postgres_empty_url)
    assert code == 6 and "inventaire" in said, said
    with psycopg.connect(postgres_empty_url) as con:
        tables = con.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'").fetchall()
    assert tables == [("inventaire",)]


def test_an_empty_database_gets_the_schema_and_the_whole_catalogue(
    sqlite_copy: Path, postgres_empty_url: str
) -> None:
    done = _move(sqlite_copy, postgres_empty_url, "--json")
    assert done.exit_code == 0, done.output
    assert _server_rows(postgres_empty_url) == _file_rows(sqlite_copy)
    with open_catalogue(postgres_empty_url) as server:
        assert server.integrity_problems() == []


def test_a_row_the_database_rejects_mid_way_leaves_it_as_it_was(
    sqlite_copy: Path,
    postgres_url: str,
    postgres_empty_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Works copy first; the change log then meets a rule of this database's own.
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("ALTER TABLE changes ADD CONSTRAINT no_deletions CHECK (kind <> 'deleted')")
    code, said = _refused(capsys, sqlite_copy, postgres_url)
    assert code == 6, said
    assert "en copiant la table changes" in said and "no_deletions" in said
    assert "Traceback" not in said
    assert set(_server_rows(postgres_url).values()) == {0}
    # A database that was empty stays empty, its schema undone with the rows: a row PostgreSQL
    # cannot hold at all (text with a NUL character) fails the quarantine's copy.
    db = apsw.Connection(str(sqlite_copy))
    db.execute(
        "UPDATE quarantine SET raw = 'a' || char(0) || 'b' "
        "WHERE id = (SELECT max(id) FROM quarantine)"
    )
    db.close()
    code, said = _refused(capsys, sqlite_copy, postgres_empty_url)
    assert code == 6 and "en copiant la table quarantine" in said, said
    with psycopg.connect(postgres_empty_url) as con:
        assert con.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname='public'"
        ).fetchone() == (0,)


def _env(cwd: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERNE_")}
    paths = os.environ.get("PYTHONPATH", str(ROOT / "src")).split(os.pathsep)
    env.update(
        LANTERNE_ENCODER_IDLE="0",
        LANTERNE_LOG_DIR=str(cwd / "log"),
        LANG="C.UTF-8",
        PYTHONPATH=os.pathsep.join(str(Path(p).resolve()) for p in paths if p),
    )
    return env


def _scalar(url: str, sql: str) -> Any:
    with psycopg.connect(url) as con:
        row = con.execute(sql).fetchone()
    return None if row is None else row[0]


def _wait(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_a_killed_move_leaves_the_database_with_no_works_and_the_same_command_then_moves_it(
    sqlite_copy: Path, postgres_url: str, tmp_path: Path
) -> None:
    # Each change row takes 20 ms to write here: long enough to kill the move mid-copy.
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(
            "CREATE FUNCTION slowly() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$"
        )
        con.execute(
            "CREATE TRIGGER slowly BEFORE INSERT ON changes FOR EACH ROW EXECUTE FUNCTION slowly()"
        )
    command = [
        sys.executable,
        "-m",
        "lanterne",
        "--catalogue",
        str(sqlite_copy),
        "migrate",
        "--to",
        postgres_url,
    ]
    proc = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    copying = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'lanterne' AND query LIKE 'COPY changes%'"
    )
    try:
        _wait(lambda: proc.poll() is not None or _scalar(postgres_url, copying) > 0, "no copy seen")
        assert proc.poll() is None, "the move ended before it could be killed"
        # It holds the catalogue's write lock while it copies: no import writes meanwhile.
        locked = (
            f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {_LOCK_OBJID}"
        )
        assert _scalar(postgres_url, locked) == 1
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    gone = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = 'lanterne'"
    )
    _wait(lambda: _scalar(postgres_url, gone) == 0, "the killed move's session is still there")
    assert set(_server_rows(postgres_url).values()) == {0}
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("DROP TRIGGER slowly ON changes")
    again = subprocess.run(
        command, cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    assert _server_rows(postgres_url) == _file_rows(sqlite_copy)


def test_a_file_of_an_older_schema_is_brought_up_to_date_first(
    sqlite_copy: Path, postgres_url: str
) -> None:
    with SqliteCatalogue(sqlite_copy) as db:
        expected = _entities(sqlite_copy)
        db._db.execute("DROP TABLE entity_works")
        db._db.execute("DROP TABLE label_evidence")
        db._db.execute("PRAGMA user_version=3")
    done = _move(sqlite_copy, postgres_url)
    assert done.exit_code == 0, done.output
    assert "d'un schéma plus ancien (version 3)" in done.output
    with SqliteCatalogue(sqlite_copy, read_only=True) as file:
        assert file._scalar("PRAGMA user_version") == SQLITE_SCHEMA_VERSION
    assert _entities(sqlite_copy) == expected  # filled again from the documents, on upgrading
    assert _server_rows(postgres_url) == _file_rows(sqlite_copy)
    with open_catalogue(postgres_url) as server:
        k, s, v = expected[0]
        assert server.count_entity_works(k, s, v) > 0  # type: ignore[arg-type]


def test_what_cannot_be_moved_is_said_with_its_exit_code(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = _refused(capsys, tmp_path / "absent.sqlite", postgres_url)
    assert code == 3 and "n'existe pas" in said, said
    assert not (tmp_path / "absent.sqlite").exists()  # not created empty by asking
    code, said = _refused(capsys, tmp_path / "absent.sqlite", "autre.sqlite")
    assert code == 4 and "postgresql://" in said, said
    code, said = _refused(capsys, postgres_url, postgres_url)
    assert code == 4 and "déjà sur un serveur" in said, said
