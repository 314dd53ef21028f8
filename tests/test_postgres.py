"""The PostgreSQL catalogue beyond the shared contract (tests/test_catalogue_contract.py): the
command line on a real catalogue gives the same answers as on SQLite, imports of two sources
at once, a killed import, migrations, a server that does not answer, change notifications.

Every test runs on the tests' own server (tests/pg_server.py); without one they are skipped,
saying why (under ``CI=true`` they fail instead).
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result

from lanterne._location import without_password
from lanterne.catalogue import StateFilter, beside, migrate_catalogue, open_catalogue
from lanterne.catalogue._pg_schema import MIGRATIONS, SCHEMA_VERSION
from lanterne.catalogue._postgres import ChangeListener
from lanterne.catalogue._schema import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from lanterne.cli import cli
from lanterne.errors import StoreError
from lanterne.ingest import load_mapping_profile

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DEMO = ROOT / "src" / "lanterne" / "demo"


def run(cwd: Path, catalogue: str | Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``lanterne --catalogue CATALOGUE ARGS…`` in ``cwd``, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "lanterne", "--catalogue", str(catalogue), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_env(cwd),
        timeout=600,
        check=False,
    )


def _env(cwd: Path) -> dict[str, str]:
    """The environment of a ``lanterne`` process: none of this one's ``LANTERNE_`` settings
    but the build under test (the source tree, pure Python or not)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERNE_")}
    paths = os.environ.get("PYTHONPATH", str(ROOT / "src")).split(os.pathsep)
    env.update(
        LANTERNE_ENCODER_IDLE="0",
        LANTERNE_LOG_DIR=str(cwd / "log"),
        LANG="C.UTF-8",
        PYTHONPATH=os.pathsep.join(str(Path(p).resolve()) for p in paths if p),
    )
    if "LANTERNE_PURE_PYTHON" in os.environ:
        env["LANTERNE_PURE_PYTHON"] = os.environ["LANTERNE_PURE_PYTHON"]
    return env


def _slice(source: Path, out: Path, records: int) -> Path:
    """The first ``records`` records of a real CSV export (its header and layout kept)."""
    text = source.read_text("utf-8-sig")
    delimiter = csv.Sniffer().sniff(text[:5000], delimiters=";,\t").delimiter
    rows = list(csv.reader(text.splitlines(keepends=True), delimiter=delimiter))
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows[: records + 1])
    return out


# The times of a run: when each record was stored, when the answer was made (both differ
# between two imports of the same file, whatever the store).
_TIMES = re.compile(
    r"<datestamp>[^<]*</datestamp>|<responseDate>[^<]*</responseDate>"
    r"|<resumptionToken[^>]*>[^<]*</resumptionToken>"
)


def _cli(catalogue: str | Path, *args: str) -> Result:
    """``lanterne --catalogue CATALOGUE ARGS…`` in this process (one import of everything)."""
    return CliRunner().invoke(cli, ["--catalogue", str(catalogue), *args])


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"real datasets not found at {SHARED}")
def test_a_real_catalogue_answers_the_same_on_postgresql_as_on_sqlite(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where the server catalogue's local files go (var/)
    data = _slice(
        SHARED / "festivals-france" / "festivals-global-festivals-_-pl.csv",
        tmp_path / "festivals.csv",
        200,
    )
    answers: dict[str, dict[str, object]] = {}
    for name, catalogue in (("sqlite", tmp_path / "c.sqlite"), ("postgresql", postgres_url)):
        ingested = _cli(catalogue, "ingest", str(data), "-p", "festivals-france", "--json")
        assert ingested.exit_code in (0, 7), ingested.output  # 7: some records quarantined
        summary = json.loads(ingested.stdout)
        got: dict[str, object] = {
            "ingest": {k: summary[k] for k in ("read", "created", "quarantined", "by_reason")}
        }
        for key, args in {
            "stats": ("stats", "--json"),
            "diagnose": ("diagnose", "--format", "json"),
            "search": ("search", "jazz en plein air", "--json", "--limit", "20"),
            "oai": ("serve", "--get", "/oai?verb=ListRecords&metadataPrefix=oai_dc"),
            "quarantine": ("quarantine", "list", "--json"),
        }.items():
            done = _cli(catalogue, *args)
            assert done.exit_code == 0, (name, key, done.output)
            got[key] = done.stdout
        report = json.loads(str(got["diagnose"]))
        for varying in ("generated_at", "catalogue", "footprint"):  # what it cost varies
            report.pop(varying)
        got["diagnose"] = report
        got["oai"] = _TIMES.sub("", str(got["oai"]))
        entries = json.loads(str(got["quarantine"]))
        got["quarantine"] = [
            {k: v for k, v in e.items() if k not in ("run_id", "batch_id", "at")} for e in entries
        ]
        answers[name] = got
    assert json.loads(str(answers["sqlite"]["stats"]))["works"] > 150
    assert json.loads(str(answers["postgresql"]["search"]))["hits"]
    assert "<record>" in str(answers["postgresql"]["oai"])
    for key in answers["sqlite"]:
        assert answers["postgresql"][key] == answers["sqlite"][key], key
    # The server catalogue's search index is local, under var/, named by host, port and base.
    assert [p.name for p in (tmp_path / "var").iterdir()] == [beside(postgres_url, ".search").name]


def test_two_sources_imported_at_once_by_two_processes(tmp_path: Path, postgres_url: str) -> None:
    festivals = _resampled("festivals", tmp_path / "festivals-global-festivals-_-pl.csv", 4_000)
    (tmp_path / "j").mkdir()
    joconde = _resampled("joconde", tmp_path / "j" / "BaseJoconde-Costumes-19e-20e.csv", 3_000)
    env = _env(tmp_path)

    def start(path: Path, profile: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "lanterne", "--catalogue", postgres_url, "ingest"),
                *(str(path), "-p", profile, "--batch-size", "100", "--json"),
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    # Both at once, each long enough (30 batches or more) for their writes to meet.
    first, second = start(festivals, "festivals-france"), start(joconde, "joconde-costumes")
    summaries = {}
    for proc, profile in ((first, "festivals-france"), (second, "joconde-costumes")):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode in (0, 7), err
        summaries[profile] = json.loads(out)
    with open_catalogue(postgres_url) as db:
        for profile, summary in summaries.items():
            assert summary["status"] == "completed"
            source = load_mapping_profile(profile).source
            assert summary["created"] > 0 and summary["created"] == db.count(source)
            assert summary["read"] == summary["created"] + summary["quarantined"]
        changes = db.changes(0, 100_000)
        # One creation per work, numbered without a gap, times growing with the numbers: a
        # follower of the log (the search index, OAI-PMH from/until) misses nothing.
        assert [c.kind for c in changes] == ["created"] * db.count()
        assert [c.seq for c in changes] == list(range(changes[0].seq, changes[-1].seq + 1))
        assert [c.at for c in changes] == sorted(c.at for c in changes)
        states = db.work_states(limit=100_000)
        assert [s.modified for s in states] == sorted(s.modified for s in states)
        assert db.integrity_problems() == []
        assert sorted(r.status for r in db.runs()) == ["completed", "completed"]
    # The two imports did overlap: the runs' batches alternate in the log.
    batch_runs = _batch_runs(postgres_url)
    assert sum(a != b for a, b in itertools.pairwise(batch_runs)) >= 2


def _batch_runs(url: str) -> list[str]:
    with psycopg.connect(url) as con:
        rows = con.execute(
            "SELECT b.run_id FROM batches b JOIN changes c ON c.batch_id = b.id "
            "GROUP BY b.id, b.run_id ORDER BY min(c.seq)"
        ).fetchall()
    return [r[0] for r in rows]


def _resampled(kind: str, out: Path, n: int) -> Path:
    """``n`` records resampled from the bundled demo extract of ``kind`` (real rows)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_resample", ROOT / "benchmarks" / "resample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    demo = {"festivals": "festivals-demo.csv", "joconde": "joconde-demo.csv"}[kind]
    module.write_resampled(kind, n, out, seed=3, source=DEMO / demo)
    return out


def test_a_killed_import_leaves_whole_batches_and_the_same_command_finishes_it(
    tmp_path: Path, postgres_url: str
) -> None:
    total, batch = 12_000, 500
    data = _resampled("festivals", tmp_path / "festivals-global-festivals-_-pl.csv", total)
    command = [
        sys.executable,
        "-m",
        "lanterne",
        "--catalogue",
        postgres_url,
        "ingest",
        str(data),
        "-p",
        "festivals-france",
        "--batch-size",
        str(batch),
    ]
    env = _env(tmp_path)
    proc = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while _scalar(postgres_url, "SELECT count(*) FROM batches") < 3:
            assert proc.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    # The server rolled the open transaction back once the client's connection dropped.
    deadline = time.monotonic() + 30
    while (
        _scalar(
            postgres_url,
            "SELECT count(*) FROM pg_stat_activity WHERE "
            "application_name='lanterne' AND datname=current_database()",
        )
        > 0
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stored = _scalar(postgres_url, "SELECT count(*) FROM works")
    assert 0 < stored < total
    assert stored == _scalar(postgres_url, "SELECT sum(created) FROM batches")
    assert stored == _scalar(postgres_url, "SELECT count(*) FROM changes")

    done = subprocess.run(
        [*command, "--json"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 7), done.stderr
    summary = json.loads(done.stdout)
    assert summary["read"] == total and summary["unchanged"] == stored
    with open_catalogue(postgres_url) as db:
        assert db.count() == summary["created"] + summary["unchanged"]
        assert db.count() == total - summary["quarantined"]
        assert sorted(r.status for r in db.runs()) == ["completed", "interrupted"]
        assert db.integrity_problems() == []
    assert _scalar(postgres_url, "SELECT count(*) FROM changes WHERE kind<>'created'") == 0


def _scalar(url: str, sql: str) -> int:
    with psycopg.connect(url) as con:
        try:
            row = con.execute(sql).fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0] or 0) if row else 0


def test_a_new_database_gets_the_schema_and_migrate_says_nothing_is_left(
    tmp_path: Path, postgres_empty_url: str
) -> None:
    first = run(tmp_path, postgres_empty_url, "migrate")
    assert first.returncode == 0, first.stderr
    assert f"schéma créé (version {SCHEMA_VERSION})" in first.stdout
    again = run(tmp_path, postgres_empty_url, "migrate", "--json")
    said = json.loads(again.stdout)
    assert said.pop("footprint")["estimate"] is True
    assert said == {
        "location": without_password(postgres_empty_url),
        "before": SCHEMA_VERSION,
        "after": SCHEMA_VERSION,
    }


def test_an_older_schema_is_refused_until_migrated_then_keeps_its_works(
    tmp_path: Path, postgres_empty_url: str
) -> None:
    with psycopg.connect(postgres_empty_url, autocommit=True) as con:
        con.execute(
            "CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at text NOT NULL)"
        )
        con.execute(MIGRATIONS[0][1].encode())
        con.execute("INSERT INTO schema_version VALUES (1, 'then')")
        con.execute(
            "INSERT INTO works (id, source, source_id, type, doc, digest, created_at, "
            "updated_at, batch_id) VALUES ('s:1', 's', '1', 'Movie', '{}', '\\x00', 't', 't', 'b')"
        )
    with pytest.raises(StoreError) as refused:
        open_catalogue(postgres_empty_url)
    assert refused.value.key == "store.older"
    stats = run(tmp_path, postgres_empty_url, "stats")
    assert stats.returncode == 6 and "lanterne migrate" in stats.stderr
    done = migrate_catalogue(postgres_empty_url)
    assert (done.before, done.after) == (1, SCHEMA_VERSION)
    with open_catalogue(postgres_empty_url) as db:
        assert [s.id for s in db.work_states(where=StateFilter(source="s"))] == ["s:1"]


def test_migration_4_fills_the_entity_works_of_the_works_already_stored(
    postgres_empty_url: str,
) -> None:
    """The agents' and places' works (entity_works) were missing before version 4: the
    migration reads them from the stored documents, as write_batch does for new ones."""
    doc = json.dumps(
        {
            "contributors": [{"agent": {"identifiers": [{"scheme": "isni", "value": "1"}]}}],
            "places": [{"identifiers": [{"scheme": "museofile", "value": "M1"}, {"scheme": ""}]}],
            "events": [{"place": {"identifiers": [{"scheme": "wikidata", "value": "Q9"}]}}, {}],
        }
    )
    with psycopg.connect(postgres_empty_url, autocommit=True) as con:
        con.execute(
            "CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at text NOT NULL)"
        )
        for version, sql in MIGRATIONS[:3]:
            con.execute(sql.encode())
            con.execute("INSERT INTO schema_version VALUES (%s, 'then')", (version,))
        for work_id, body in (("s:1", doc), ("s:2", "{}")):
            con.execute(
                "INSERT INTO works (id, source, source_id, type, doc, digest, created_at, "
                "updated_at, batch_id) VALUES (%s, 's', '1', 'Movie', %s, '\\x00', 't', 't', 'b')",
                (work_id, body),
            )
    assert migrate_catalogue(postgres_empty_url).after == SCHEMA_VERSION
    with psycopg.connect(postgres_empty_url) as con:
        rows = con.execute("SELECT kind, scheme, value FROM entity_works ORDER BY 1, 2").fetchall()
    assert rows == [
        ("agent", "isni", "1"),
        ("place", "museofile", "M1"),
        ("place", "wikidata", "Q9"),
    ]


def test_a_newer_schema_is_refused(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute("INSERT INTO schema_version VALUES (%s, 'later')", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError) as refused:
        open_catalogue(postgres_url)
    assert refused.value.key == "store.newer"


def test_a_sqlite_catalogue_migrates_too(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    created = migrate_catalogue(path)
    assert (created.before, created.after) == (0, SQLITE_SCHEMA_VERSION)
    said = run(tmp_path, path, "migrate")
    assert said.returncode == 0 and "rien à migrer" in said.stdout


def test_a_server_that_does_not_answer_is_a_clear_error_with_its_exit_code(
    tmp_path: Path,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    url = f"postgresql://lanterne:secret@127.0.0.1:{port}/lanterne"
    done = run(tmp_path, url, "stats")
    assert done.returncode == 6
    assert "ne répond pas" in done.stderr and "Traceback" not in done.stderr
    assert "secret" not in done.stderr  # the password stays out of messages


def test_a_committed_batch_is_notified_to_whoever_listens(postgres_url: str) -> None:
    from test_catalogue_contract import stored, work

    listener = ChangeListener(postgres_url)
    try:
        assert listener.wait(0.05) is None
        with open_catalogue(postgres_url) as db:
            run_id = db.begin_run("src", "p", []).id
            db.write_batch(run_id, [stored(work("1")), stored(work("2"))])
            last = db.changes()[-1].seq
        assert listener.wait(5) == last
    finally:
        listener.close()


def test_server_workers_read_postgresql_and_hear_of_an_import_at_once(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lanterne serve --workers 2`` on PostgreSQL: each worker (its own application, as each
    process builds it) reads the catalogue, and an import made elsewhere is in the next search
    of either, told by the server rather than found by looking at the log every few seconds."""
    from lanterne.ingest import ingest
    from lanterne.web._app import app_from_environment
    from web_helpers import Client

    monkeypatch.chdir(tmp_path)
    with open_catalogue(postgres_url) as db:
        ingest(db, DEMO / "festivals-demo.csv", load_mapping_profile("festivals-france"))
    monkeypatch.setenv("LANTERNE_CATALOGUE", postgres_url)
    monkeypatch.setenv("LANTERNE_WORKER_SECRET", "ab" * 32)
    workers = [Client(app_from_environment()), Client(app_from_environment())]
    festivals = "/api/search?q=festival&mode=lexical&limit=5"
    # What each answer cost differs from one worker to the other: the answers, not their cost.
    answers = [{**w.get(festivals).json(), "footprint": None} for w in workers]
    assert answers[0]["total"] > 0 and answers[0] == answers[1]
    costumes = "/api/search?q=robe&mode=lexical&filter=source:joconde"
    assert [w.get(costumes).json()["total"] for w in workers] == [0, 0]

    with open_catalogue(postgres_url) as db:
        ingest(db, DEMO / "joconde-demo.csv", load_mapping_profile("joconde-costumes"))
    # Well within SYNC_EVERY (5 s) of the workers' last look: only a notification explains it.
    found = [w.get(costumes).json()["total"] for w in workers]
    assert found[0] > 0 and found[0] == found[1]


def test_a_connection_lost_mid_session_is_a_store_error_and_keeps_the_committed_batches(
    postgres_url: str,
) -> None:
    from test_catalogue_contract import stored, work

    db = open_catalogue(postgres_url)
    try:
        run_id = db.begin_run("src", "p", []).id
        db.write_batch(run_id, [stored(work("1"))])
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            # What a restarted server or a cut network does to the catalogue's connection.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name='lanterne' AND datname=current_database()"
            )
        with pytest.raises(StoreError) as lost:
            db.count()
        assert lost.value.key == "store.unreachable"
        with pytest.raises(StoreError) as lost_writing:
            db.write_batch(run_id, [stored(work("2"))])
        assert lost_writing.value.key == "store.unreachable"
    finally:
        db.close()
    with open_catalogue(postgres_url) as again:  # what the next run finds
        assert [s.id for s in again.work_states()] == ["src:1"]
