"""What a person waits for at ``lanterne search``: the first search (which builds the index), then
each query as its own process: new queries without the embedding daemon and with it warm
(``LANTERNE_ENCODER_IDLE``), and the same queries asked again.

    .venv/bin/python benchmarks/search_cli.py [--works 5000] [--queries 8] [--json out.json]

The catalogue is the first ``--works`` books of ../shared/data/goodbooks-10k-books, ingested with
its profile through the CLI in a temporary folder. Each query runs ``python -m lanterne search``
as a user would; the wall time of the process is what is reported (median, max), beside where a
query's time goes, measured in one process: imports, opening the index, the embedding model's
loading, the search itself. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import Energy, Rate

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
QUERIES = [
    "harry potter",
    "the lord of the rings",
    "hunger games",
    "pride and prejudice",
    "roman policier",
    "a book about war",
    "jane austen",
    "science fiction space",
    "les misérables",
    "murder mystery",
]


def _run(
    catalogue: Path, *args: str, idle: str = "0"
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """One CLI command as its own process; ``idle``: LANTERNE_ENCODER_IDLE (0: no daemon)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "lanterne", "--catalogue", str(catalogue), *args],
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "LANTERNE_LOG_DIR": str(catalogue.parent / "log"),
            "LANTERNE_ENCODER_IDLE": idle,
            "XDG_RUNTIME_DIR": str(catalogue.parent / "run"),
        },
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return time.perf_counter() - start, done


_BREAKDOWN = """
import json, sys, time
t0 = time.perf_counter()
import lanterne.cli
from lanterne.catalogue import open_catalogue
from lanterne.search._works import CatalogueIndex
t1 = time.perf_counter()
with open_catalogue(sys.argv[1]) as catalogue:
    index = CatalogueIndex(catalogue)
    index.update()
    t2 = time.perf_counter()
    index.engine.encoder._load()
    t3 = time.perf_counter()
    index.engine.search(sys.argv[2], "hybrid")
    t4 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "open_and_update_s": t2 - t1, "model_load_s": t3 - t2,
                  "search_s": t4 - t3}))
"""


def _wait_for_daemon(run: Path) -> None:
    os.environ["XDG_RUNTIME_DIR"] = str(run)
    from lanterne.search._daemon import is_running

    for _ in range(150):
        if is_running():
            return
        time.sleep(0.2)
    raise SystemExit("the embedding daemon did not start")


def _daemon_pid(run: Path) -> list[int]:
    """The embedding daemon's process (it holds the socket), to measure it with the queries it
    answers; none when it cannot be found."""
    import psutil  # type: ignore[import-untyped]

    os.environ["XDG_RUNTIME_DIR"] = str(run)
    from lanterne.search._daemon import socket_path

    where = str(socket_path())
    return [c.pid for c in psutil.net_connections("unix") if c.laddr == where and c.pid][:1]


def _stop_daemon(run: Path) -> None:
    os.environ["XDG_RUNTIME_DIR"] = str(run)
    from lanterne.search._daemon import stop

    stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--works", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    books = SHARED / "goodbooks-10k-books" / "books.csv"
    if not books.is_file():
        print(f"{books} is missing", file=sys.stderr)
        return 1
    figures: dict[str, Any] = {"works": args.works}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = books.read_text("utf-8").splitlines(keepends=True)
        (folder / "books.csv").write_text("".join(lines[: args.works + 1]), "utf-8")
        catalogue = folder / "c.sqlite"
        _run(catalogue, "ingest", str(folder / "books.csv"), "--profile", "goodbooks-10k-books")
        # Each query's process is waited for: its CPU counts (interpreter, imports and all).
        with Energy(1) as first:
            figures["first_search_s"], _ = _run(catalogue, "search", "harry potter")
        figures["first_search_energy"] = first.rate().to_dict()
        (folder / "run").mkdir(mode=0o700)
        queries = QUERIES[: args.queries]
        half = len(queries) // 2
        # Interleaved: without the daemon (every process loads the model), then with it warm
        # (the first query of the pair starts it), on different queries (none remembered).
        new: list[float] = []
        warm: list[float] = []
        _run(catalogue, "search", "daemon start", idle="120")
        _wait_for_daemon(folder / "run")
        daemon = _daemon_pid(folder / "run")
        figures["daemon_measured"] = bool(daemon)
        alone, helped = Energy(), Energy(processes=daemon)  # the daemon encodes for the latter
        for a, b in zip(queries[:half], queries[half:], strict=False):
            with alone:
                new.append(_run(catalogue, "search", a)[0])
            with helped:
                warm.append(_run(catalogue, "search", b, idle="120")[0])
        _stop_daemon(folder / "run")
        again_e, lexical_e = Energy(), Energy()
        with again_e:
            again = [_run(catalogue, "search", q)[0] for q in queries]
        with lexical_e:
            lexical = [_run(catalogue, "search", q, "--mode", "lexical")[0] for q in queries]
        for name, times, energy in (
            ("new_query", new, alone),
            ("new_query_daemon_warm", warm, helped),
            ("same_query_again", again, again_e),
            ("lexical", lexical, lexical_e),
        ):
            energy.operations = len(times)
            figures[name] = {
                "median_s": statistics.median(times),
                "max_s": max(times),
                "energy": energy.rate().to_dict(),
            }
        done = subprocess.run(
            [sys.executable, "-c", _BREAKDOWN, str(catalogue), "jane eyre"],
            capture_output=True,
            text=True,
            check=True,
        )
        figures["one_query_breakdown"] = json.loads(done.stdout)
    print(f"lanterne search on {args.works} works (goodbooks), each query its own process")
    first = Rate.from_dict(figures["first_search_energy"]).text("en", "searches")
    print(f"  first search (builds the index)  {figures['first_search_s']:6.2f} s, {first}")
    for name in ("new_query", "new_query_daemon_warm", "same_query_again", "lexical"):
        f = figures[name]
        print(
            f"  {name:<32} {f['median_s']:6.2f} s median, {f['max_s']:.2f} s max, "
            f"{Rate.from_dict(f['energy']).text('en', 'queries')}"
        )
    daemon = "with" if figures["daemon_measured"] else "WITHOUT (not found)"
    print(
        "  energy: estimated (docs/footprint.md), each query's whole process (start-up and "
        f"imports included); the warm-daemon queries {daemon} the daemon's process (psutil)"
    )
    print(
        "  where a new query's time goes: "
        + ", ".join(f"{k} {v:.2f}" for k, v in figures["one_query_breakdown"].items())
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
