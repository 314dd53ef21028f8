"""Soak: ``lanterne serve`` for ten minutes under mixed traffic, on loopback, and its memory.

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--works 20000] [--rate 40]
                                        [--clients 4] [--json out.json]

1. Builds a catalogue of ``--works`` works resampled from the bundled demo (as benchmarks/web.py
   does), indexed, with the demo's audits beside it.
2. Starts ``lanterne serve`` as a separate process on a free loopback port, with a token.
3. ``--clients`` threads send a Poisson stream of ``--rate`` requests/s in all, each request drawn
   from a fixed mix: searches (real title words, and hostile strings: query syntax, SQL, control
   characters, 500 characters), pages (home, search, work, diagnosis, audits, 404), recommendations
   from a history, imports of a small CSV through the API with the token (about one in 200
   requests), and bad requests (imports without a token, oversize bodies, traversal in upload
   names, unknown routes, bad parameters).
4. Prints, at each minute: requests served, 2xx/4xx/5xx and socket errors, p50/p99 latency, and the
   server's RSS (psutil, the server process and its children). At the end: RSS after the first
   minute (the warm-up) beside the last, their ratio, and the count of 5xx.

The verdict it prints (RSS within 10 % of the warm-up's, 0 5xx) is the hardening issue's bar; the
script exits 1 when it is missed so that it can be run by hand or in a scheduled job. Bounded: it
stops after ``--minutes`` and at most ``rate × seconds × 1.5`` requests; only 127.0.0.1 is reached.
Nothing here is a test; figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).parent))

from web import build, queries

TOKEN = "soak-token"
HOSTILE = [
    "AND",
    "or",
    "NOT",
    "in",
    "a NOT",
    "' OR 1=1 --",
    'titre:"x',
    "(((",
    "[a TO b]",
    "*",
    "jazz^2~",
    "\\",
    "\x1b]0;x\x07",
    "\u202eevil",
    "é" * 500,
]
CSV_HEADER = (
    "Nom du festival;Identifiant;Région principale de déroulement;Discipline dominante;"
    "Année de création du festival\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LANTERNE_CATALOGUE": str(path),
        "LANTERNE_LOG_DIR": str(path.parent),
        "LANTERNE_TOKEN": TOKEN,
    }
    command = [sys.executable, "-m", "lanterne", "serve", "--port", str(port)]
    # The server's log (and any traceback behind a 5xx) goes beside the catalogue.
    log = (path.parent / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start")


def rss(pid: int) -> int:
    process = psutil.Process(pid)
    return int(process.memory_info().rss + sum(c.memory_info().rss for c in process.children()))


class Traffic:
    """The request mix; one ``send`` per request, results kept per minute."""

    def __init__(self, base: str, words: list[str], ids: list[str], seed: int) -> None:
        self.base = base
        self.words = words
        self.ids = ids
        self.rng = random.Random(seed)
        self.imports = 0
        self.lock = threading.Lock()

    def _csv(self) -> bytes:
        with self.lock:
            self.imports += 1
            n = self.imports
        rows = [
            f"Festival d'endurance {n}-{i};SOAK_{n}_{i};Bretagne;Musiques actuelles;2001"
            for i in range(20)
        ]
        return (CSV_HEADER + "\n".join(rows) + "\n").encode("utf-8")

    def request(self, client: httpx.Client) -> tuple[str, httpx.Response]:
        r = self.rng.random()
        words = self.rng.choice(self.words)
        if r < 0.35:
            return "search", client.get("/api/search", params={"q": words})
        if r < 0.45:
            q = self.rng.choice(HOSTILE)
            return "hostile", client.get("/api/search", params={"q": q})
        if r < 0.55:
            return "page", client.get("/recherche", params={"q": words})
        if r < 0.65:
            return "page", client.get("/oeuvre/" + self.rng.choice(self.ids))
        if r < 0.70:
            return "page", client.get(self.rng.choice(["/", "/diagnostic", "/audits", "/nulle"]))
        if r < 0.85:
            history = self.rng.sample(self.ids, 2)
            return "recommend", client.get("/api/recommend", params={"history": history})
        if r < 0.855:
            return "import", client.post(
                "/api/ingest",
                headers={"Authorization": f"Bearer {TOKEN}"},
                files={"file": ("soak.csv", self._csv(), "text/csv")},
                data={"profile": "festivals-france"},
            )
        bad = self.rng.randrange(5)
        if bad == 0:  # no token
            return "bad", client.post(
                "/api/ingest", files={"file": ("x.csv", b"a;b\n", "text/csv")}, data={}
            )
        if bad == 1:  # an oversize body for a small endpoint
            return "bad", client.put(
                "/api/settings",
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
                content=b"[" + b"0," * 1_500_000 + b"0]",
            )
        if bad == 2:  # traversal in an upload name
            return "bad", client.post(
                "/api/ingest",
                headers={"Authorization": f"Bearer {TOKEN}"},
                files={"file": ("../../a/..", b"x", "text/csv")},
                data={"profile": "festivals-france"},
            )
        if bad == 3:
            return "bad", client.get("/api/search", params={"q": words, "limit": "-3"})
        return "bad", client.get("/api/oeuvres/%00%2e%2e/x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--works", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    seconds = args.minutes * 60
    budget = int(args.rate * seconds * 1.5)

    with tempfile.TemporaryDirectory(prefix="lanterne-soak-") as tmp:
        folder = Path(tmp)
        print(f"catalogue of {args.works} works (resampled from the demo)")
        path = build(folder, args.works)
        words = queries(path, 300)
        from lanterne.catalogue import open_catalogue

        with open_catalogue(path) as catalogue:
            ids = [w.id for w in catalogue.iter_works()][:5000]
        port = free_port()
        server = start(path, port)
        base = f"http://127.0.0.1:{port}"
        traffic = Traffic(base, words, ids, seed=1)
        minutes: list[dict[str, Any]] = []
        current: dict[str, Any] = {"codes": Counter(), "kinds": Counter(), "ms": [], "socket": 0}
        lock = threading.Lock()
        sent = 0
        stop = threading.Event()
        started = time.monotonic()

        def client_loop(seed: int) -> None:
            nonlocal sent
            rng = random.Random(seed)
            with httpx.Client(base_url=base, timeout=60) as client:
                while not stop.is_set():
                    time.sleep(rng.expovariate(args.rate / args.clients))
                    with lock:
                        if sent >= budget:
                            return
                        sent += 1
                    t0 = time.perf_counter()
                    try:
                        kind, response = traffic.request(client)
                        code = response.status_code
                    except httpx.HTTPError:
                        with lock:
                            current["socket"] += 1
                        continue
                    elapsed = 1000 * (time.perf_counter() - t0)
                    with lock:
                        current["codes"][code // 100 * 100] += 1
                        current["kinds"][kind] += 1
                        if code >= 500:
                            current.setdefault("5xx", []).append(f"{kind} {code}")
                        current["ms"].append(elapsed)

        threads = [
            threading.Thread(target=client_loop, args=(i,), daemon=True)
            for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        print(
            f"{'min':>4} {'req':>6} {'2xx':>6} {'4xx':>5} {'5xx':>4} {'sock':>4} "
            f"{'p50 ms':>7} {'p99 ms':>7} {'RSS MiB':>8}"
        )
        try:
            minute = 0
            while time.monotonic() - started < seconds and any(t.is_alive() for t in threads):
                time.sleep(min(60.0, seconds - (time.monotonic() - started)))
                minute += 1
                with lock:
                    done, current = (
                        current,
                        {
                            "codes": Counter(),
                            "kinds": Counter(),
                            "ms": [],
                            "socket": 0,
                        },
                    )
                ms = sorted(done["ms"])
                row = {
                    "minute": minute,
                    "requests": len(ms),
                    "codes": dict(done["codes"]),
                    "kinds": dict(done["kinds"]),
                    "socket_errors": done["socket"],
                    "p50_ms": statistics.median(ms) if ms else None,
                    "p99_ms": ms[int(0.99 * (len(ms) - 1))] if ms else None,
                    "rss_mib": rss(server.pid) / 2**20,
                    "5xx": done.get("5xx", [])[:10],
                }
                minutes.append(row)
                print(
                    f"{minute:>4} {row['requests']:>6} {done['codes'][200]:>6} "
                    f"{done['codes'][400]:>5} {done['codes'][500]:>4} {done['socket']:>4} "
                    f"{row['p50_ms'] or 0:>7.1f} {row['p99_ms'] or 0:>7.1f} "
                    f"{row['rss_mib']:>8.1f}",
                    flush=True,
                )
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=90)
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            if any(m["codes"].get(500) for m in minutes):
                tail = (folder / "server.log").read_text("utf-8", "replace").splitlines()[-30:]
                print("server log, last lines:", *tail, sep="\n  ")

    errors_5xx = sum(m["codes"].get(500, 0) for m in minutes)
    warm = minutes[0]["rss_mib"] if minutes else 0.0
    last = minutes[-1]["rss_mib"] if minutes else 0.0
    ratio = last / warm if warm else float("nan")
    ok = errors_5xx == 0 and bool(minutes) and ratio <= 1.10
    print(
        f"\nRSS after warm-up {warm:.1f} MiB, at the end {last:.1f} MiB ({ratio:.3f} ×); "
        f"5xx: {errors_5xx}; imports: {traffic.imports}; "
        f"verdict: {'flat memory, 0 5xx' if ok else 'MISSED'}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"minutes": minutes, "rss_ratio": ratio, "errors_5xx": errors_5xx, "ok": ok},
                indent=2,
            ),
            "utf-8",
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
