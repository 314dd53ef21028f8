"""Runs the two reconciliation services from PyPI that peers Lanterne's, on the same works and
the same queries, and prints their candidates as JSON. Not part of Lanterne: run by
``benchmarks/reconcile.py`` with the interpreter of a separate virtual environment (the peers pin
Flask 2, chardet 4 and datasette 0.65, which Lanterne's own environment does not hold)::

    PEERS/bin/python benchmarks/_reconcile_peers.py INPUT.json > OUTPUT.json

``INPUT.json``: ``{"works": [{"id": ..., "name": ...}, ...], "queries": {"q0": {"query": ...}}}``.
Output: ``{"csv-reconcile": {...}, "datasette-reconcile (FTS5)": {...},
"datasette-reconcile (LIKE)": {...}, "seconds": {...}}``; each maps a query id to its
candidates ``[[id, score, match], ...]`` best first, exactly as the service answered them
through its own reconciliation endpoint (queries sent in batches of 10, form-encoded, as
OpenRefine sends them).

- **csv-reconcile 0.3.2** with its only scorer, ``csv-reconcile-dice`` (Dice coefficient over
  word bigrams), its default threshold (30) and limit (10), driven through Flask's test client.
- **datasette-reconcile 0.6.3** over a SQLite table of the same works, driven through
  datasette's own ASGI client: once with an FTS5 index of the names (``unicode61``, diacritics
  removed: the form its README recommends), once without (its ``LIKE '%query%'`` fallback).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BATCH = 10
REQUIREMENTS = Path(__file__).parent / "peers" / "reconcile-requirements.txt"


def ensure_venv(target: Path) -> Path:
    """The interpreter of a virtual environment holding the peers at their pinned versions,
    made in ``target`` (from PyPI) when it is not there yet. Stdlib only: Lanterne's side calls
    it."""
    import subprocess

    python = target / "bin" / "python"
    stamp = target / ".installed"
    if not stamp.exists() or stamp.read_text() != REQUIREMENTS.read_text():
        subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(REQUIREMENTS),
            ],
            check=True,
        )
        stamp.write_text(REQUIREMENTS.read_text())
    return python


def _batches(queries: dict[str, Any]) -> list[dict[str, Any]]:
    keys = list(queries)
    return [{k: queries[k] for k in keys[i : i + BATCH]} for i in range(0, len(keys), BATCH)]


def _candidates(result: list[dict[str, Any]]) -> list[list[Any]]:
    return [[str(c["id"]), float(c.get("score", 0.0)), bool(c.get("match", False))] for c in result]


def run_csv_reconcile(
    works: list[dict[str, str]], queries: dict[str, Any], folder: Path
) -> dict[str, Any]:
    import csv_reconcile

    data = folder / "works.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name"])
        for w in works:
            writer.writerow([w["id"], w["name"]])
    instance = folder / "csv-reconcile"
    app = csv_reconcile.create_app("", instance_path=str(instance), scorerOption="dice")
    if app is None:
        raise SystemExit("csv-reconcile: no scorer plugin (csv-reconcile-dice) installed")
    with app.app_context():
        csv_reconcile.initdb.init_db_with_context(str(data), "id", "name")
    client = app.test_client()
    out: dict[str, Any] = {}
    for batch in _batches(queries):
        answer = client.post("/reconcile", data={"queries": json.dumps(batch)})
        body = answer.get_json()
        for qid, res in body.items():
            out[qid] = _candidates(res["result"])
    return out


async def _datasette(
    works: list[dict[str, str]], queries: dict[str, Any], folder: Path, fts: bool
) -> dict[str, Any]:
    from datasette.app import Datasette

    db_path = folder / ("fts.db" if fts else "like.db")
    con = sqlite3.connect(db_path)
    con.execute("CREATE TABLE works (id TEXT PRIMARY KEY, name TEXT NOT NULL)")
    con.executemany("INSERT INTO works VALUES (?, ?)", [(w["id"], w["name"]) for w in works])
    config: dict[str, Any] = {"name_field": "name", "id_field": "id", "max_limit": 10}
    if fts:
        con.execute(
            "CREATE VIRTUAL TABLE works_fts USING fts5(name, content='works',"
            " content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
        )
        con.execute("INSERT INTO works_fts(rowid, name) SELECT rowid, name FROM works")
        config["fts_table"] = "works_fts"
    con.commit()
    con.close()
    name = db_path.stem
    metadata = {
        "databases": {name: {"tables": {"works": {"plugins": {"datasette-reconcile": config}}}}}
    }
    ds = Datasette([str(db_path)], metadata=metadata)
    out: dict[str, Any] = {}
    for batch in _batches(queries):
        answer = await ds.client.post(
            f"/{name}/works/-/reconcile", data={"queries": json.dumps(batch)}
        )
        body = answer.json()
        for qid, res in body.items():
            out[qid] = _candidates(res["result"])
    return out


def _used() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), own.ru_utime + own.ru_stime


def _usage(start: tuple[float, float]) -> dict[str, float]:
    """What a peer used since ``start``, raw (this venv has no Lanterne): the parent turns it
    into energy with lanterne.footprint's model (benchmarks/_energy.py)."""
    wall, cpu = _used()
    return {
        "cpu_seconds": cpu - start[1],
        "children_cpu_seconds": 0.0,
        "wall_seconds": wall - start[0],
        "peak_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    works: list[dict[str, str]] = spec["works"]
    queries: dict[str, Any] = spec["queries"]
    result: dict[str, Any] = {"seconds": {}, "usage": {}}
    # csv-reconcile prints its timers on stdout: keep stdout for the JSON answer.
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(sys.stderr):
        folder = Path(tmp)
        start = time.perf_counter()
        used = _used()
        result["csv-reconcile"] = run_csv_reconcile(works, queries, folder)
        result["seconds"]["csv-reconcile"] = time.perf_counter() - start
        result["usage"]["csv-reconcile"] = _usage(used)
        for fts, label in (
            (True, "datasette-reconcile (FTS5)"),
            (False, "datasette-reconcile (LIKE)"),
        ):
            start = time.perf_counter()
            used = _used()
            result[label] = asyncio.run(_datasette(works, queries, folder, fts))
            result["seconds"][label] = time.perf_counter() - start
            result["usage"][label] = _usage(used)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
