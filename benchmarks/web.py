"""Web benchmark: ``wrk`` against ``/api/search`` of a real ``lanterne serve`` on a catalogue of
100,000 works resampled from the bundled demo catalogue, at a steady 100 requests/s for 60 s.

    .venv/bin/python benchmarks/web.py [--works 100000] [--rate 100] [--seconds 60]
                                       [--connections 10] [--workers 1] [--json out.json]

1. Builds the catalogue: the demo's festivals and Joconde rows resampled (seeded, each copy a
   distinct id, in the demo's proportions) and ingested with the bundled profiles, then indexed
   (tantivy + vectors), as ``make demo`` does for the 644 works.
2. Starts ``lanterne serve`` (uvicorn) on a free loopback port, as a separate process.
3. Queries: 300 made from real titles (one to three of their words), URL-encoded, cycled by a wrk
   Lua script; each of ``--connections`` connections waits a random, exponentially distributed
   time between requests, so that arrivals form a Poisson stream of ``--rate`` requests/s in all
   (wrk is closed-loop, unlike wrk2's ``-R``: the mean wait is set from the unloaded latency,
   corrected by a 10 s pilot, and the rate reached is printed, not assumed).
4. Prints p50/p90/p99/max latency, requests/s reached, errors (non-2xx or socket), and beside
   them the same queries run in process on the same index (no HTTP): what HTTP, JSON and the
   server add.

wrk comes from Debian (``apt-get install wrk``); without it the script says so and stops.
Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))

from _energy import Energy, Rate  # noqa: E402
from resample import write_resampled  # noqa: E402

DEMO = REPO / "src" / "lanterne" / "demo"
_WORD = re.compile(r"\w{3,}")

LUA = """
local queries = {%(queries)s}
local i = math.random(#queries)
request = function()
  i = i %% #queries + 1
  return wrk.format("GET", "/api/search?q=" .. queries[i])
end
-- Exponential waits (mean %(delay)d ms): the connections' requests arrive as independent
-- visitors' would (a Poisson stream), not in lockstep bursts that a constant wait produces.
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
delay = function()
  if %(delay)d == 0 then return 0 end
  return math.floor(-math.log(1 - math.random()) * %(delay)d + 0.5)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
"""


def build(folder: Path, works: int) -> Path:
    """The resampled catalogue, ingested and indexed; its file."""
    from lanterne.catalogue import open_catalogue
    from lanterne.ingest import ingest, load_mapping_profile
    from lanterne.search._works import CatalogueIndex

    festivals = sum(1 for _ in (DEMO / "festivals-demo.csv").open(encoding="utf-8-sig")) - 1
    joconde = sum(1 for _ in (DEMO / "joconde-demo.csv").open(encoding="utf-8")) - 1
    share = festivals / (festivals + joconde)
    path = folder / "catalogue.sqlite"
    started = time.perf_counter()
    with open_catalogue(path) as catalogue:
        for kind, profile, n in (
            ("festivals", "festivals-france", round(works * share)),
            ("joconde", "joconde-costumes", works - round(works * share)),
        ):
            csv = folder / f"{kind}.csv"
            write_resampled(kind, n, csv, source=DEMO / f"{kind}-demo.csv")
            summary = ingest(catalogue, csv, load_mapping_profile(profile))
            print(
                f"  {kind}: {summary.read} read, {summary.created} stored, "
                f"{summary.quarantined} quarantined"
            )
        ingested = time.perf_counter() - started
        indexed, _ = CatalogueIndex(catalogue).update()
        count = catalogue.count()
    print(
        f"  {count} works; ingest {ingested:.1f} s, index {indexed} works in "
        f"{time.perf_counter() - started - ingested:.1f} s"
    )
    return path


def queries(path: Path, n: int, seed: int = 0) -> list[str]:
    from lanterne.catalogue import open_catalogue

    rng = random.Random(seed)
    with open_catalogue(path) as catalogue:
        titles = [w.title for w in catalogue.iter_works()]
    out: list[str] = []
    while len(out) < n:
        words = _WORD.findall(rng.choice(titles))
        if words:
            k = rng.randint(1, min(3, len(words)))
            start = rng.randint(0, len(words) - k)
            out.append(" ".join(words[start : start + k]))
    return out


def in_process(path: Path, texts: list[str]) -> tuple[list[float], Rate]:
    """Milliseconds per query on the same index, called directly, and their energy."""
    from lanterne.catalogue import open_catalogue
    from lanterne.search._works import CatalogueIndex

    with open_catalogue(path) as catalogue:
        engine = CatalogueIndex(catalogue).engine
        for text in texts[:20]:
            engine.search(text, "hybrid", None, 10, 0)
        times = []
        with Energy(len(texts)) as energy:
            for text in texts:
                started = time.perf_counter()
                engine.search(text, "hybrid", None, 10, 0)
                times.append(1000 * (time.perf_counter() - started))
    return times, energy.rate()


def serve(path: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LANTERNE_CATALOGUE": str(path), "LANTERNE_LOG_DIR": str(path.parent)}
    command = [sys.executable, "-m", "lanterne", "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start")


def wrk(
    port: int, texts: list[str], seconds: int, connections: int, delay_ms: int
) -> dict[str, Any]:
    script = LUA % {
        "queries": ", ".join(json.dumps(urllib.parse.quote(t)) for t in texts),
        "delay": delay_ms,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        done = subprocess.run(
            [
                "wrk",
                f"-t{min(2, connections)}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                handle.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(handle.name).unlink()
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    requests, duration_us, status, socket_errors, p50, p90, p99, p999, worst = map(
        int, line.split()[1:]
    )
    return {
        "requests": requests,
        "rate": requests / (duration_us / 1e6),
        "non_2xx": status,
        "socket_errors": socket_errors,
        "p50_ms": p50 / 1000,
        "p90_ms": p90 / 1000,
        "p99_ms": p99 / 1000,
        "p99_9_ms": p999 / 1000,
        "max_ms": worst / 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="lanterne serve --workers")
    parser.add_argument(
        "--catalogue",
        type=Path,
        help="keep the catalogue in this folder's catalogue.sqlite, and reuse it when it exists",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk (Debian)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="lanterne-web-bench-") as tmp:
        if args.catalogue and args.catalogue.is_file():
            path = args.catalogue
        else:
            print(f"Catalogue of {args.works} works resampled from the demo catalogue…")
            folder = args.catalogue.parent if args.catalogue else Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            path = build(folder, args.works)
        texts = queries(path, 300)
        direct, direct_energy = in_process(path, texts)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = serve(path, port, args.workers)
        try:
            wrk(port, texts, 15, args.connections, 0)  # cold start: page cache, first runs
            warm = wrk(port, texts, 10, args.connections, 0)
            print(
                f"capacity (no wait, {args.connections} connections): "
                f"{warm['rate']:.0f} req/s, p50 {warm['p50_ms']:.1f} ms"
            )
            alone = wrk(port, texts, 5, 1, 0)
            # Each connection: request, then wait; the wait makes the total rate the target.
            # Set from the unloaded latency, then corrected once by a 10 s pilot's rate.
            delay = max(0, round(1000 * args.connections / args.rate - alone["p50_ms"]))
            pilot = wrk(port, texts, 10, args.connections, delay)
            cycle = 1000 * args.connections / pilot["rate"]
            delay = max(0, round(delay + 1000 * args.connections / args.rate - cycle))
            print(
                f"unloaded p50 {alone['p50_ms']:.1f} ms; pilot {pilot['rate']:.1f} req/s; "
                f"wait per connection {delay} ms"
            )
            # The server alone (its process and its workers, psutil), not wrk driving it.
            with Energy(processes=[server.pid], own=False) as serving:
                result = wrk(port, texts, args.seconds, args.connections, delay)
            serving.operations = result["requests"]
        finally:
            server.terminate()
            server.wait(timeout=30)
    direct.sort()
    report = {
        "works": args.works,
        "target_rate": args.rate,
        "seconds": args.seconds,
        "connections": args.connections,
        "workers": args.workers,
        "wait_ms": delay,
        "cores": os.cpu_count(),
        "http": result,
        "in_process_ms": {
            "p50": statistics.median(direct),
            "p99": direct[int(0.99 * (len(direct) - 1))],
        },
        "saturation_rate": warm["rate"],
        "energy": {
            "http_server_per_request": serving.rate().to_dict(),
            "in_process_per_query": direct_energy.to_dict(),
        },
    }
    h = result
    print(
        f"\n/api/search, {args.works} works, {h['requests']} requests in {args.seconds} s "
        f"= {h['rate']:.1f} req/s (target {args.rate:.0f}), {args.workers} worker(s), "
        f"{os.cpu_count()} cores"
    )
    print(
        f"  HTTP (wrk)      p50 {h['p50_ms']:6.2f} ms   p90 {h['p90_ms']:6.2f}   "
        f"p99 {h['p99_ms']:6.2f}   p99.9 {h['p99_9_ms']:6.2f}   max {h['max_ms']:6.2f}"
    )
    print(
        f"  in process      p50 {report['in_process_ms']['p50']:6.2f} ms   "
        f"p99 {report['in_process_ms']['p99']:6.2f}"
    )
    print(f"  errors: {h['non_2xx']} non-2xx, {h['socket_errors']} socket")
    print(f"  energy, HTTP: {serving.rate().text('en', 'requests')}, the server's processes")
    print(f"  energy, in process: {direct_energy.text('en', 'queries')}")
    print("  (estimated, docs/footprint.md; wrk's own CPU, the load generator, is not counted)")
    print(f"  capacity without waits: {warm['rate']:.0f} req/s")
    print(
        f"  target p99 ≤ 50 ms at {args.rate:.0f} req/s, no errors: "
        + (
            "met"
            if h["p99_ms"] <= 50
            and not h["non_2xx"]
            and not h["socket_errors"]
            and h["rate"] >= 0.95 * args.rate
            else "NOT met"
        )
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
