"""Crash recovery: SIGKILL an ingest of 1,000,000 records mid-way, then run it again.

A kill (no clean-up code runs) must leave whole batches only and a sound SQLite file; running the
same command again must finish the job with every record of the file stored exactly once or
quarantined, and record the killed run as interrupted.

The rows are resampled from the bundled demo extract (``festivals-demo.csv``, same columns as
the full export), so the test runs without ``../shared``. Expected counts come from the runs'
own summaries and from the CSV itself, never from hard-coded numbers.

It takes a few minutes (marker ``slow``; ``pytest -m slow`` runs it alone).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "lanterne" / "demo" / "festivals-demo.csv"
TOTAL = 1_000_000
BATCH = 5_000
MIN_BATCHES = 3
SOURCE = "festivals-france"


def _resample_module() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_bench_resample", ROOT / "benchmarks" / "resample.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _csv_ids(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        header = [h.lstrip("\ufeff").strip() for h in next(reader)]
        at = header.index("Identifiant")
        return [row[at].strip() for row in reader]


def _read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)


def _scalar(db: Path, sql: str, params: tuple[object, ...] = ()) -> int:
    con = _read_only(db)
    try:
        row = con.execute(sql, params).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0] or 0)


def _integrity(db: Path) -> list[str]:
    con = _read_only(db)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


def _stat(pid: int) -> list[str]:
    """Fields of ``/proc/PID/stat`` after the command name (state first); [] if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _children(pid: int) -> dict[int, str]:
    """Direct child processes of ``pid`` (Linux: the ingest's map workers) and their start times."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return {}
    found = {int(p): _stat(int(p)) for p in text.split()}
    return {p: fields[19] for p, fields in found.items() if len(fields) > 19}


def _alive(pid: int, started: str) -> bool:
    """The same process (same start time) still runs, and is not a zombie."""
    fields = _stat(pid)
    return len(fields) > 19 and fields[19] == started and fields[0] != "Z"


def _end_orphans(workers: dict[int, str]) -> list[int]:
    """Wait a little for ``workers`` to exit; SIGKILL and return those still running."""
    deadline = time.monotonic() + 10
    while any(_alive(p, t) for p, t in workers.items()) and time.monotonic() < deadline:
        time.sleep(0.1)
    orphans = [p for p, t in workers.items() if _alive(p, t)]
    for p in orphans:
        os.kill(p, signal.SIGKILL)
    return orphans


def _committed_batches(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return _scalar(db, "SELECT count(*) FROM batches")
    except sqlite3.OperationalError:  # schema not created yet, or file being initialised
        return 0


def test_sigkill_mid_ingest_then_rerun(tmp_path: Path) -> None:
    started = time.perf_counter()
    csv_path = tmp_path / "festivals-global-festivals-_-pl.csv"
    _resample_module().write_resampled("festivals", TOTAL, csv_path, seed=7, source=DEMO)
    ids = _csv_ids(csv_path)
    assert len(ids) == TOTAL
    csv_ids = set(ids)
    assert len(csv_ids) == TOTAL  # resampling gives every row its own id

    db = tmp_path / "catalogue.sqlite"
    command = [
        sys.executable,
        "-m",
        "lanterne",
        "--catalogue",
        str(db),
        "ingest",
        str(csv_path),
        "--profile",
        SOURCE,
        "--batch-size",
        str(BATCH),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTERNE_")}
    env["LANTERNE_LOG_DIR"] = str(tmp_path / "log")

    # 1. Start the ingest and kill it once a few batches are committed.
    with (tmp_path / "first.err").open("w") as err:
        proc = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
        workers: dict[int, str] = {}
        try:
            deadline = time.monotonic() + 300
            while _committed_batches(db) < MIN_BATCHES:
                assert proc.poll() is None, (
                    f"ingest ended (code {proc.returncode}) before {MIN_BATCHES} batches: "
                    + (tmp_path / "first.err").read_text()
                )
                assert time.monotonic() < deadline, "no committed batches after 300 s"
                time.sleep(0.05)
            assert proc.poll() is None, "ingest finished before it could be killed"
            workers = _children(proc.pid)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            if proc.poll() is None:  # a check above failed: stop the run, workers included
                workers = workers or _children(proc.pid)
                proc.kill()
            proc.wait(timeout=60)
            # Map workers of the killed process should end with it; end any left behind.
            orphans = _end_orphans(workers)
    assert proc.returncode == -signal.SIGKILL
    killed_after = time.perf_counter() - started

    # 2. Whole batches only, and a sound file.
    assert _integrity(db) == ["ok"]
    works_after_kill = _scalar(db, "SELECT count(*) FROM works")
    assert 0 < works_after_kill < TOTAL
    assert works_after_kill == _scalar(db, "SELECT sum(created) FROM batches")
    assert _scalar(db, "SELECT count(*) FROM quarantine") == _scalar(
        db, "SELECT sum(quarantined) FROM batches"
    )
    assert _scalar(db, "SELECT count(*) FROM changes") == works_after_kill
    first_runs = _scalar(db, "SELECT count(*) FROM runs")
    assert first_runs == 1
    assert (
        _scalar(db, "SELECT count(*) FROM runs WHERE status='running'") == 1
    )  # killed: no exit code ran

    # 3. The same command again, to completion.
    rerun_started = time.perf_counter()
    done = subprocess.run(
        [*command, "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    rerun_seconds = time.perf_counter() - rerun_started
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "completed"

    assert _integrity(db) == ["ok"]
    assert summary["read"] == TOTAL
    assert summary["updated"] == 0  # same file: what the killed run stored is unchanged
    assert summary["deleted"] == 0
    assert summary["read"] == summary["created"] + summary["unchanged"] + summary["quarantined"]
    # What the killed run stored, the second run finds unchanged, except records it had
    # quarantined (they are quarantined again, not stored).
    assert summary["unchanged"] == works_after_kill
    assert sum(summary["by_reason"].values()) == summary["quarantined"]

    works = _scalar(db, "SELECT count(*) FROM works")
    assert works == len(csv_ids) - summary["quarantined"]
    assert works == summary["stored"] == summary["created"] + summary["unchanged"]
    assert _scalar(db, "SELECT count(DISTINCT id) FROM works") == works
    assert _scalar(db, "SELECT count(DISTINCT source_id) FROM works") == works
    assert _scalar(db, "SELECT count(*) FROM works WHERE deleted=1") == 0
    # One 'created' change per work: nothing was stored twice across the two runs.
    assert _scalar(db, "SELECT count(*) FROM changes WHERE kind='created'") == works
    assert _scalar(db, "SELECT count(*) FROM changes WHERE kind<>'created'") == 0

    # Every id of the CSV is in the catalogue or in the second run's quarantine, never both.
    con = _read_only(db)
    try:
        stored_ids = {r[0] for r in con.execute("SELECT source_id FROM works")}
        quarantined = [
            r[0]
            for r in con.execute(
                "SELECT record_key FROM quarantine WHERE run_id=?", (summary["run_id"],)
            )
        ]
        runs = dict(con.execute("SELECT id, status FROM runs").fetchall())
        batch_sums = con.execute(
            "SELECT sum(created), sum(unchanged), sum(quarantined) FROM batches WHERE run_id=?",
            (summary["run_id"],),
        ).fetchone()
    finally:
        con.close()
    assert len(quarantined) == summary["quarantined"]
    assert None not in quarantined
    quarantined_ids = set(quarantined)
    assert len(quarantined_ids) == len(quarantined)
    assert not stored_ids & quarantined_ids
    assert stored_ids | quarantined_ids == csv_ids
    assert tuple(batch_sums) == (summary["created"], summary["unchanged"], summary["quarantined"])

    # The killed run is recorded as interrupted, the second as completed.
    assert len(runs) == 2
    assert runs.pop(summary["run_id"]) == "completed"
    assert list(runs.values()) == ["interrupted"]
    # The completed re-run supersedes the killed run's quarantine entries: no double counts.
    assert _scalar(db, "SELECT count(*) FROM quarantine WHERE resolved=0") == summary["quarantined"]

    total_seconds = time.perf_counter() - started
    print(
        f"\ncrash recovery: killed after {killed_after:.1f} s with {works_after_kill:,} works "
        f"stored; rerun {rerun_seconds:.1f} s ({TOTAL / rerun_seconds:,.0f} records/s); "
        f"quarantined {summary['quarantined']:,} {summary['by_reason']}; "
        f"total {total_seconds:.1f} s; map workers left running after the kill: {len(orphans)}"
    )
    # Last, so the checks above are reported first: a killed ingest must not leave its map
    # workers running (they hold the catalogue's files open and never exit by themselves).
    assert not orphans, f"map workers {orphans} outlived the SIGKILLed ingest (ended by the test)"
