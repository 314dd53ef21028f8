"""End-to-end ingest benchmark: 1,000,000 real (resampled) rows into a fresh SQLite catalogue.

    .venv/bin/python benchmarks/ingest.py [--rows 1000000] [--json out.json]

Steps (input generation is not timed):

1. ``write_resampled`` builds half the rows from the festivals export and half from the Joconde
   extract (``benchmarks/resample.py``; every row a distinct record) in a temporary folder.
2. Lanterne, first import: ``lanterne.ingest.ingest`` with the bundled profiles
   (``festivals-france``, ``joconde-costumes``) into a fresh catalogue — parse, map, validate,
   store, batch by batch — with ``--workers`` map processes (default: as ``lanterne ingest``).
3. Lanterne, re-import of the same files into the same catalogue: every record is unchanged.
4. Reference: plain ``pandas.read_csv(chunksize=10000)`` + ``DataFrame.to_sql(if_exists="append")``
   of the same files into a fresh SQLite file through the stdlib ``sqlite3``, configured as
   Lanterne's catalogue is (``SQLITE_PRAGMAS``: 8 KB pages, WAL, ``synchronous=NORMAL``, a 128 MB
   page cache, checkpoints every 40,000 pages). It only copies cells: no mapping, validation,
   ids, change log or quarantine, and runs in one process (Lanterne: the reading process and its
   map workers on the same two cores). pandas has no re-import that skips unchanged rows, so
   the re-import is reported on its own, with no ratio.

Each step runs in its own child process (this script with ``--child``), so that each peak
memory figure — the child's ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which it prints with
its timings — belongs to that step alone (Lanterne's forked map workers are reported apart,
from the child's ``RUSAGE_CHILDREN``); the baseline after imports is reported too. Timings cover
the work itself (not interpreter start-up or imports); CPU time counts the workers. Nothing here
asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import HEADER, Energy, Rate
from resample import KINDS, source_file, write_resampled

TARGET = 20_000
PROFILES = {"festivals": "festivals-france", "joconde": "joconde-costumes"}
FILE_NAMES = {
    "festivals": "festivals-global-festivals-_-pl.csv",
    "joconde": "BaseJoconde-Costumes-19e-20e.csv",
}


_RSS_SCALE = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS


def _maxrss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss * _RSS_SCALE / 2**20


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its waited-for children (map workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# Children ---------------------------------------------------------------------------------


def _child_lanterne(
    db: Path, jobs: list[tuple[str, Path]], batch_size: int, workers: int
) -> dict[str, Any]:
    import lanterne
    from lanterne._accel import compiled_modules
    from lanterne.catalogue import open_catalogue
    from lanterne.ingest import IngestOptions, ingest, load_mapping_profile

    baseline = _maxrss_mib()
    options = IngestOptions(batch_size=batch_size, workers=workers)
    files = []
    step = Energy()
    catalogue = open_catalogue(db)
    try:
        for kind, path in jobs:
            profile = load_mapping_profile(PROFILES[kind])
            start, cpu = time.perf_counter(), _cpu_seconds()
            with step, Energy() as energy:
                summary = ingest(catalogue, path, profile, options)
            seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
            energy.operations = summary.read
            step.operations += summary.read
            files.append(
                {
                    "kind": kind,
                    "profile": profile.name,
                    "records": summary.read,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "created": summary.created,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                    "quarantined": summary.quarantined,
                    "by_reason": summary.by_reason,
                    "status": summary.status,
                    "energy": energy.rate().to_dict(),
                }
            )
    finally:
        catalogue.close()
    return {
        "files": files,
        "energy": step.rate().to_dict(),
        "workers": workers,
        "lanterne": str(Path(lanterne.__file__).parent),
        "compiled": compiled_modules(),
        "baseline_rss_mib": baseline,
        "maxrss_mib": _maxrss_mib(),
        # Map workers are forked children of this process, reaped when each ingest ends.
        "workers_maxrss_mib": _maxrss_mib(resource.RUSAGE_CHILDREN),
    }


# The catalogue's own settings (src/lanterne/catalogue/_sqlite.py), so both sides write alike.
SQLITE_PRAGMAS = (
    "PRAGMA page_size=8192",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA cache_size=-131072",
    "PRAGMA wal_autocheckpoint=40000",
)


def _child_pandas(db: Path, jobs: list[tuple[str, Path]]) -> dict[str, Any]:
    import pandas as pd  # type: ignore[import-untyped]

    baseline = _maxrss_mib()
    files = []
    step = Energy()
    con = sqlite3.connect(db)
    for pragma in SQLITE_PRAGMAS:
        con.execute(pragma)
    try:
        for kind, path in jobs:
            start, cpu = time.perf_counter(), _cpu_seconds()
            rows = 0
            with step, Energy() as energy:
                for chunk in pd.read_csv(path, sep=KINDS[kind].delimiter, chunksize=10_000):
                    chunk.to_sql(kind, con, if_exists="append", index=False)
                    rows += len(chunk)
                con.commit()
            seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
            energy.operations = rows
            step.operations += rows
            files.append(
                {
                    "kind": kind,
                    "records": rows,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "energy": energy.rate().to_dict(),
                }
            )
    finally:
        con.close()
    return {
        "files": files,
        "energy": step.rate().to_dict(),
        "baseline_rss_mib": baseline,
        "maxrss_mib": _maxrss_mib(),
        "workers_maxrss_mib": 0.0,
        "pandas": pd.__version__,
    }


def _run_child(
    step: str, db: Path, jobs: list[tuple[str, Path]], batch_size: int, workers: int
) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        step,
        "--db",
        str(db),
        "--batch-size",
        str(batch_size),
        "--workers",
        str(workers),
    ]
    for kind, path in jobs:
        command += ["--file", f"{kind}={path}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{step}: child failed with exit code {done.returncode}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    # Cross-check from this side: the largest peak among the children waited for so far.
    result["children_maxrss_mib_so_far"] = _maxrss_mib(resource.RUSAGE_CHILDREN)
    _totals(result)
    return result


def _totals(result: dict[str, Any]) -> None:
    for f in result["files"]:
        f["records_per_s"] = f["records"] / f["seconds"] if f["seconds"] else 0.0
        f["records_per_cpu_s"] = f["records"] / f["cpu_seconds"] if f["cpu_seconds"] else 0.0
    records = sum(f["records"] for f in result["files"])
    seconds = sum(f["seconds"] for f in result["files"])
    cpu = sum(f["cpu_seconds"] for f in result["files"])
    result["records"] = records
    result["seconds"] = seconds
    result["cpu_seconds"] = cpu
    result["records_per_s"] = records / seconds if seconds else 0.0
    result["records_per_cpu_s"] = records / cpu if cpu else 0.0


# Report -----------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _print_report(figures: dict[str, Any]) -> None:
    steps = [
        ("Lanterne, first import", figures["lanterne"]),
        ("Lanterne, re-import (same files)", figures["reimport"]),
        ("pandas read_csv + to_sql", figures["pandas"]),
    ]
    print()
    print(
        f"Ingest benchmark — {_n(figures['rows'])} rows "
        f"({', '.join(f'{_n(v)} {k}' for k, v in figures['rows_by_kind'].items())}), "
        f"batch size {_n(figures['batch_size'])}, map workers {figures['workers']}, "
        f"seed {figures['seed']}"
    )
    print(f"row sources: {', '.join(figures['sources'].values())}")
    compiled = figures["lanterne"].get("compiled", [])
    mode = f"{len(compiled)} modules compiled with mypyc" if compiled else "plain Python"
    print(f"lanterne code: {figures['lanterne'].get('lanterne', '?')} ({mode})")
    print(
        f"Python {figures['python']}, SQLite {figures['sqlite']}, "
        f"pandas {figures['pandas'].get('pandas', '?')}, {figures['cpu_count']} cores, "
        f"load average before/after {figures['load_before']:.1f}/{figures['load_after']:.1f}"
    )
    print()
    header = (
        f"{'step / file':<34}{'records':>11}{'wall s':>9}{'records/s':>11}"
        f"{'CPU s':>9}{'rec/CPU-s':>11}{'peak RSS':>11}{HEADER[0]:>10}{HEADER[1]:>11}"
    )
    rule = "-" * len(header)
    print(header)
    print(rule)
    for title, result in steps:
        print(
            f"{title:<34}{_n(result['records']):>11}{result['seconds']:>9.1f}"
            f"{_n(result['records_per_s']):>11}{result['cpu_seconds']:>9.1f}"
            f"{_n(result['records_per_cpu_s']):>11}{result['maxrss_mib']:>7.0f} MiB"
            f"{_energy_cells(result)}"
        )
        for f in result["files"]:
            print(
                f"  {f['kind']:<32}{_n(f['records']):>11}{f['seconds']:>9.1f}"
                f"{_n(f['records_per_s']):>11}{f['cpu_seconds']:>9.1f}"
                f"{_n(f['records_per_cpu_s']):>11}{'':>11}{_energy_cells(f)}"
            )
    print(rule)
    for title, key in (("first import", "lanterne"), ("re-import", "reimport")):
        r = figures[key]
        parts = ", ".join(
            f"{k} {_n(sum(f[k] for f in r['files']))}"
            for k in ("created", "updated", "unchanged", "quarantined")
        )
        print(f"Lanterne {title}: {parts}")
    print(
        "peak RSS: each step's process ru_maxrss; its map workers' peak (each): "
        + ", ".join(f"{title} {r['workers_maxrss_mib']:.0f} MiB" for title, r in steps[:2])
    )
    print(
        "RSS after imports, before any work: "
        + ", ".join(f"{title} {r['baseline_rss_mib']:.0f} MiB" for title, r in steps)
    )
    print("CPU s: user + system time of the step's process and its map workers")
    grid = Rate.from_dict(figures["lanterne"]["energy"]).footprint.grid.code
    print(
        f"{HEADER[0]}, {HEADER[1]}: estimated Wh and g CO₂e per 1,000 records "
        f"(docs/footprint.md: CPU s × 4 W + peak memory × 0.375 W/GiB × wall s; {grid} grid), "
        "each step's process and its map workers, pandas' included"
    )
    print(f"catalogue size after both imports: {figures['catalogue_mib']:.0f} MiB")
    print(
        f"Lanterne / pandas: first import {figures['ratio']:.2f}× "
        f"({_n(figures['lanterne']['records_per_s'])} vs "
        f"{_n(figures['pandas']['records_per_s'])} records/s; both SQLite files with the "
        "catalogue's settings); the re-import has no peer (pandas cannot skip unchanged rows)"
    )
    met = "met" if figures["lanterne"]["records_per_s"] >= TARGET else "NOT met"
    print(
        f"target: ≥ {TARGET:,} records/s on 2 cores — first import "
        f"{_n(figures['lanterne']['records_per_s'])} records/s: {met}"
    )
    reimport = figures["reimport"]
    changed = sum(f["created"] + f["updated"] for f in reimport["files"])
    if changed:
        print(f"WARNING: re-import created or updated {_n(changed)} records (expected none)")


def _energy_cells(result: dict[str, Any]) -> str:
    wh, co2e = Rate.from_dict(result["energy"]).cells()
    return f"{wh:>10}{co2e:>11}"


# Main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="total rows (half each)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--batch-size", type=int, default=None, help="records per transaction (default: as ingest)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="Lanterne map worker processes, as `lanterne ingest --workers` (default as the CLI)",
    )
    parser.add_argument("--workdir", type=Path, help="keep inputs and catalogues here")
    parser.add_argument("--child", choices=["lanterne", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--file", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.batch_size is None:
        from lanterne.ingest import IngestOptions

        args.batch_size = IngestOptions().batch_size
    jobs: list[tuple[str, Path]]
    if args.child:
        jobs = [(spec.split("=", 1)[0], Path(spec.split("=", 1)[1])) for spec in args.file]
        result = (
            _child_lanterne(args.db, jobs, args.batch_size, args.workers)
            if args.child == "lanterne"
            else _child_pandas(args.db, jobs)
        )
        print(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory(prefix="lanterne-bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        half = args.rows // 2
        rows_by_kind = {"festivals": half, "joconde": args.rows - half}
        jobs = []
        start = time.perf_counter()
        for i, (kind, n) in enumerate(rows_by_kind.items()):
            folder = work / kind
            path = write_resampled(kind, n, folder / FILE_NAMES[kind], seed=args.seed + i)
            jobs.append((kind, path))
        print(
            f"inputs: {_n(args.rows)} rows written in {time.perf_counter() - start:.1f} s "
            f"({sum(p.stat().st_size for _, p in jobs) / 2**20:.0f} MiB) in {work}",
            file=sys.stderr,
        )
        catalogue = work / "catalogue.sqlite"
        reference = work / "pandas.sqlite"
        for stale in (catalogue, reference):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{stale}{suffix}").unlink(missing_ok=True)

        figures: dict[str, Any] = {
            "load_before": os.getloadavg()[0],
            "rows": args.rows,
            "rows_by_kind": rows_by_kind,
            "seed": args.seed,
            "batch_size": args.batch_size,
            "workers": args.workers,
            "sources": {kind: str(source_file(kind)) for kind in rows_by_kind},
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "cpu_count": os.cpu_count(),
            "target_records_per_s": TARGET,
        }
        for key, step, db in (
            ("lanterne", "lanterne", catalogue),
            ("reimport", "lanterne", catalogue),
            ("pandas", "pandas", reference),
        ):
            print(f"running {key} …", file=sys.stderr)
            figures[key] = _run_child(step, db, jobs, args.batch_size, args.workers)
        figures["load_after"] = os.getloadavg()[0]
        figures["catalogue_mib"] = (
            sum(
                Path(f"{catalogue}{s}").stat().st_size
                for s in ("", "-wal")
                if Path(f"{catalogue}{s}").exists()
            )
            / 2**20
        )
        figures["ratio"] = figures["lanterne"]["records_per_s"] / figures["pandas"]["records_per_s"]

    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", "utf-8")
    _print_report(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
