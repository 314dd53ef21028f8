"""Peak memory of an import through the API: a CSV of about 48 MB (the demo's festivals, repeated
with new identifiers) posted to ``/api/ingest`` in process, the server's resident memory sampled
meanwhile. Prints the baseline, the peak and the peak's excess as a multiple of the file's size.

    PYTHONPATH=src .venv/bin/python benchmarks/web_upload_memory.py [--mb 48] [--folder DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

import httpx

from lanterne.web import Site, create_app

TOKEN = "jeton-de-mesure"


def rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def make_csv(path: Path, megabytes: int) -> int:
    demo = resources.files("lanterne.demo").joinpath("festivals-demo.csv").read_text("utf-8")
    header, *rows = demo.lstrip("\ufeff").splitlines()
    column = header.split(";").index("Identifiant")
    wanted = megabytes * 1024 * 1024
    size = 0
    n = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        while size < wanted:
            for row in rows:
                fields = row.split(";")
                if len(fields) <= column:
                    continue
                n += 1
                fields[column] = f"FEST_MESURE_{n}"
                line = ";".join(fields) + "\n"
                out.write(line)
                size += len(line.encode())
                if size >= wanted:
                    break
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=48)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--no-index", action="store_true", help="stop before the index update")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="lanterne-mem-"))
    csv = folder / "festivals.csv"
    size = make_csv(csv, args.mb)
    site = Site(folder / "catalogue.sqlite", token=TOKEN)
    if args.no_index:
        site.refresh = lambda: (0, 0)  # type: ignore[method-assign]
    app = create_app(site)
    site.reader().count()
    base = rss()
    peak = base
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://m", timeout=None) as c:
            with csv.open("rb") as f:
                return await c.post(
                    "/api/ingest",
                    files={"file": ("festivals.csv", f, "text/csv")},
                    data={"profile": "festivals-france"},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )

    answer = asyncio.run(post())
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - started
    body = answer.json()
    print(f"file {size / 1e6:.1f} MB, status {answer.status_code}, read {body.get('read')}")
    print(
        f"RSS baseline {base / 1e6:.0f} MB, peak {peak / 1e6:.0f} MB, "
        f"excess {(peak - base) / 1e6:.0f} MB = {(peak - base) / size:.1f} × the file, "
        f"{elapsed:.0f} s"
    )


if __name__ == "__main__":
    main()
