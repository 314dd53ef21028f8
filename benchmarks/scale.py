"""Batch work on Spark beside Lanterne's own processes: the same work, one run each.

    .venv/bin/python benchmarks/scale.py [--works 200000] [--embed-works 20000] [--json out.json]

Real records of the five catalogues of ../shared/data (as ``benchmarks/diagnose.py`` reads
them), cycled to ``--works`` rows of a Parquet export (``lanterne export parquet``'s columns;
written before the clock starts). Then, in this order:

1. Diagnosis, Lanterne's two processes (``benchmarks/diagnose.py``'s forked loop: score and
   next best action of every record, nothing written).
2. Diagnosis, ``lanterne batch diagnose`` on Spark ``local[2]`` (the same rules per partition,
   plus what the one-process loop does not do: a row per work written to Parquet and read back
   for the report). Spark's start (JVM, about 5 s) is timed apart.
3. Embeddings of ``--embed-works`` works: one process (``Encoder(threads=2)``, the index's
   build path) beside ``lanterne batch embed`` on Spark ``local[2]`` (one thread per task,
   vectors written to Parquet).

Memory: this process's peak for the Lanterne steps (``getrusage``, children included); for
Spark, the resident memory of the JVM and its Python workers, sampled every 0.2 s (start, peak,
end). Energy and carbon per 1,000 records with ``_energy.Energy`` (Spark's processes by psutil).
Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from _energy import HEADER, Energy
from diagnose import SHARED, _docs, _run


def _export(docs: list[bytes], works: int, out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lanterne.batch._export import schema

    n = len(docs)
    with pq.ParquetWriter(out, schema(), compression="zstd") as writer:
        for start in range(0, works, 50_000):
            rows = range(start, min(works, start + 50_000))
            texts = [docs[i % n].decode("utf-8") for i in rows]
            writer.write_table(
                pa.table(
                    {
                        "position": list(rows),
                        "id": [f"w{i}" for i in rows],
                        "source": ["bench"] * len(rows),
                        "type": ["?"] * len(rows),
                        "title": [""] * len(rows),
                        "doc": texts,
                    },
                    schema=schema(),
                )
            )


class _Sampler:
    """Resident memory of a process tree, every 0.2 s, in a thread."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _rss(self) -> int:
        import psutil

        total = 0
        for p in [self.root, *self.root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self._rss())
            self._stop.wait(0.2)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self) -> dict[str, float]:
        mib = 1024 * 1024
        s = self.samples or [0]
        return {"start_mib": s[0] / mib, "peak_mib": max(s) / mib, "end_mib": s[-1] / mib}


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def _spark_step(spark: Any, name: str, works: int, job: Any) -> dict[str, Any]:
    pid = spark.sparkContext._gateway.proc.pid
    with _Sampler(pid) as sampler, Energy(works, processes=[pid]) as energy:
        start = time.perf_counter()
        job()
        seconds = time.perf_counter() - start
    return {
        "step": name,
        "works": works,
        "seconds": seconds,
        "per_s": works / seconds,
        "memory": sampler.figures(),
        "energy": energy.rate().to_dict(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=200_000)
    parser.add_argument("--embed-works", type=int, default=20_000)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.shared.is_dir():
        print(f"{args.shared} not found: this benchmark needs the real catalogues", file=sys.stderr)
        return 2
    import lanterne.diagnose  # noqa: F401  (loaded before forking)
    from lanterne._accel import compiled_modules
    from lanterne.batch import batch_diagnose, batch_embed, spark_session
    from lanterne.profile import decode_work
    from lanterne.search import Encoder, embedding_text

    docs = _docs(args.shared)
    steps: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="lanterne-scale-") as tmp:
        folder = Path(tmp)
        export = folder / "works.parquet"
        small = folder / "embed.parquet"
        _export(docs, args.works, export)
        _export(docs, args.embed_works, small)
        _run(docs, min(len(docs), 5_000), 1, True)  # warm-up (language model), not timed
        run = _run(docs, args.works, 2, True)
        steps.append(
            {
                "step": "diagnosis, Lanterne, 2 processes",
                "works": args.works,
                "seconds": run["seconds"],
                "per_s": run["records_per_s"],
                "memory": {"peak_mib": _peak_mib()},
                "energy": run["energy"],
            }
        )
        texts = [embedding_text(decode_work(docs[i % len(docs)])) for i in range(args.embed_works)]
        encoder = Encoder(threads=2)
        encoder.encode(texts[:64])  # the model loaded, not timed
        with Energy(args.embed_works) as energy:
            start = time.perf_counter()
            encoder.encode(texts)
            seconds = time.perf_counter() - start
        steps.append(
            {
                "step": "embeddings, Lanterne, 1 process (2 threads)",
                "works": args.embed_works,
                "seconds": seconds,
                "per_s": args.embed_works / seconds,
                "memory": {"peak_mib": _peak_mib()},
                "energy": energy.rate().to_dict(),
            }
        )
        started = time.perf_counter()
        with spark_session("local[2]", "lanterne benchmark") as spark:
            spark_start = time.perf_counter() - started
            steps.append(
                _spark_step(
                    spark,
                    "diagnosis, Spark local[2]",
                    args.works,
                    lambda: batch_diagnose(spark, str(export), folder / "d"),
                )
            )
            steps.append(
                _spark_step(
                    spark,
                    "embeddings, Spark local[2]",
                    args.embed_works,
                    lambda: batch_embed(spark, str(small), folder / "e", partitions=4),
                )
            )
    figures = {
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "compiled": compiled_modules(),
        "distinct_records": len(docs),
        "spark_start_s": spark_start,
        "steps": steps,
    }
    print(
        f"Batch benchmark — {len(docs):,} distinct real records cycled; Python "
        f"{platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
        f"Spark started in {spark_start:.1f} s (not in the steps)"
    )
    print(f"{'step':<46}{'works':>10}{'wall s':>9}{'works/s':>10}{'peak MiB':>10}{HEADER[0]:>10}")
    print("-" * 95)
    from _energy import Rate

    for s in steps:
        wh, _ = Rate.from_dict(s["energy"]).cells()
        memory = s["memory"]
        print(
            f"{s['step']:<46}{s['works']:>10,}{s['seconds']:>9.1f}{s['per_s']:>10,.0f}"
            f"{memory['peak_mib']:>10,.0f}{wh:>10}"
        )
        if "start_mib" in memory:
            print(
                f"{'':<46}Spark memory: start {memory['start_mib']:,.0f} MiB, peak "
                f"{memory['peak_mib']:,.0f}, end {memory['end_mib']:,.0f}"
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
