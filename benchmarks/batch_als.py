"""Spark MLlib's implicit ALS (``lanterne batch als``) beside Lanterne's own ALS.

    .venv/bin/python benchmarks/batch_als.py [--seeds 1 2 3] [--scale 10] [--json out.json]
    .venv/bin/python benchmarks/batch_als.py --tune

1. ml-latest-small, the protocol of ``lanterne eval recommend`` (per-user 75/25 split, seeded,
   full ranking of unseen items, k = 10), the ALS of examples/movielens-latest-small.json
   (32 factors, λ 0.1, α 5, 12 iterations): nDCG@10, recall@10, fit time of each engine.
   Spark is scored twice: with its own user factors, and through Lanterne's recommender from
   its item factors (users folded in: what ``load_als`` serves).
2. The ratings resampled ``--scale`` times (users drawn with replacement, each keeping a real
   user's whole history, under a new id): the whole job of each engine, from the CSV file to
   the factors on disk (Lanterne: ``load_dataset``, ``ALS.fit``, ``np.savez``; Spark:
   ``batch_als`` on local[2]), and its fit alone.
3. Peak memory: each engine runs in a process of its own; ru_maxrss of that Python process,
   and the largest sum of resident memory of it and all its descendants (for Spark: the JVM,
   which holds driver and executors in local mode, and Spark's Python workers), from /proc.
4. ``--tune``: MLlib's ``regParam`` for λ = 0.1, the total-penalty mapping times 0.1 to 100,
   beside Lanterne's ALS, on an inner 75/25 split (seed 1001) of seed 1's training side only,
   never its test side.

Nothing here asserts on time. Needs ../shared/data (MovieLens is not redistributable) and
``make spark``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MOVIELENS = REPO.parent / "shared" / "data" / "movielens-latest-small"
SCALES = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
PARAMS = {"factors": 32, "reg": 0.1, "alpha": 5.0, "iterations": 12, "seed": 0}


class TreePeak:
    """The largest sum of resident memory of this process and all its descendants (the JVM,
    Spark's Python workers), sampled every 0.2 s from /proc."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    @staticmethod
    def _tree_rss() -> int:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(stat.parent.name)
            parents[pid] = int(fields[1])
            rss[pid] = int(fields[21]) * resource.getpagesize()
        mine, total = {os.getpid()}, 0
        for pid in sorted(parents):  # children have larger pids, nearly always
            if pid in mine or parents[pid] in mine:
                mine.add(pid)
                total += rss.get(pid, 0)
        return total

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self._tree_rss())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak / 2**20, 1)


def _peaks(tree: TreePeak) -> dict[str, float]:
    """Peak resident memory (MB): this Python process alone, and with all its descendants."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"python_peak_mb": round(own, 1), "tree_peak_mb": max(tree.stop(), round(own, 1))}


def _lanterne_accuracy(seeds: list[int]) -> dict[str, Any]:
    from lanterne.batch import interactions_source
    from lanterne.batch._als import _accuracy, _as_interactions_csv, _lanterne_lists
    from lanterne.recommend import ALS, load_dataset, split_per_user

    source = interactions_source(MOVIELENS)
    with _as_interactions_csv(source) as path:
        dataset = load_dataset(path)
    rows = []
    for seed in seeds:
        train, test = split_per_user(dataset.matrix, 0.25, seed)
        model = ALS(**PARAMS)  # type: ignore[arg-type]
        start = time.perf_counter()
        model.fit(train)
        seconds = time.perf_counter() - start
        rows.append(
            {**_accuracy(_lanterne_lists(model, train, dataset), test), "fit_seconds": seconds}
        )
    return {"lanterne": rows}


def _spark_accuracy(seeds: list[int]) -> dict[str, Any]:
    from lanterne.batch import SparkALSConfig, evaluate_als, interactions_source, spark_session

    source = interactions_source(MOVIELENS)
    with spark_session("local[2]", "benchmark batch als") as spark:
        results, _ = evaluate_als(spark, source, SparkALSConfig(**PARAMS), seeds)  # type: ignore[arg-type]
    return {r.engine: r.per_seed for r in results}


def _lanterne_job(log: Path, out: Path) -> dict[str, Any]:
    from lanterne.recommend import ALS, load_dataset

    start = time.perf_counter()
    dataset = load_dataset(log)
    model = ALS(**PARAMS)  # type: ignore[arg-type]
    fit = time.perf_counter()
    model.fit(dataset.matrix)
    fitted = time.perf_counter()
    np.savez(out / "lanterne-als.npz", items=np.asarray(dataset.items), **model.state())  # type: ignore[arg-type]
    return {
        "job_seconds": time.perf_counter() - start,
        "fit_seconds": fitted - fit,
        "interactions": int(dataset.matrix.nnz),
        "users": dataset.n_users,
    }


def _spark_job(log: Path, out: Path) -> dict[str, Any]:
    from lanterne.batch import SparkALSConfig, batch_als, interactions_source, spark_session

    start = time.perf_counter()
    with spark_session("local[2]", "benchmark batch als") as spark:
        report = batch_als(spark, interactions_source(log), out / "spark", SparkALSConfig(**PARAMS))  # type: ignore[arg-type]
    return {
        "job_seconds": time.perf_counter() - start,
        "fit_seconds": report.fit_seconds,
        "interactions": report.counts.interactions,
        "users": report.counts.users,
    }


def _tune() -> dict[str, float]:
    from lanterne.batch import SparkALSConfig, interactions_source, reg_param, spark_session
    from lanterne.batch._als import (
        _accuracy,
        _as_interactions_csv,
        _fit_on,
        _lanterne_lists,
        _lists,
    )
    from lanterne.recommend import ALS, load_dataset, split_per_user

    source = interactions_source(MOVIELENS)
    with _as_interactions_csv(source) as path:
        dataset = load_dataset(path)
    train, _ = split_per_user(dataset.matrix, 0.25, 1)
    inner, valid = split_per_user(train, 0.25, 1001)
    users = int((inner.getnnz(axis=1) > 0).sum())
    items = int((inner.getnnz(axis=0) > 0).sum())
    mapped = reg_param(0.1, users, items, inner.nnz)
    lanterne = ALS(**PARAMS)  # type: ignore[arg-type]
    lanterne.fit(inner)
    found = {"lanterne": _accuracy(_lanterne_lists(lanterne, inner, dataset), valid)["ndcg@10"]}
    print(found, flush=True)
    with spark_session("local[2]", "benchmark batch als --tune") as spark:
        for scale in SCALES:
            config = SparkALSConfig(**PARAMS, reg_param=mapped * scale)  # type: ignore[arg-type]
            u, v, _ = _fit_on(spark, inner, config)
            found[f"{scale}x (regParam {mapped * scale:.5f})"] = _accuracy(
                _lists(u @ v.T, inner, 10), valid
            )["ndcg@10"]
            print(list(found.items())[-1], flush=True)
    return found


def resample(times: int, out: Path, seed: int = 0) -> int:
    """ml-latest-small's ratings with users drawn ``times`` × with replacement (each keeps a real
    user's whole history, under a new id); the number of rows written."""
    histories: dict[str, list[list[str]]] = {}
    with (MOVIELENS / "ratings.csv").open(encoding="utf-8", newline="") as src:
        for row in csv.DictReader(src):
            histories.setdefault(row["userId"], []).append([row["movieId"], row["rating"]])
    real = sorted(histories, key=int)
    draw = random.Random(seed)
    rows = 0
    with out.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["user", "item", "rating"])
        for n in range(times * len(real)):
            for item, rating in histories[draw.choice(real)]:
                writer.writerow([f"r{n}", item, rating])
                rows += 1
    return rows


def _child(args: argparse.Namespace) -> None:
    """One engine's part, in this process: its figures and peak memory on stdout (JSON)."""
    tree = TreePeak()
    if args.part == "accuracy":
        runner = _lanterne_accuracy if args.engine == "lanterne" else _spark_accuracy
        result: dict[str, Any] = runner(args.seeds)
    else:
        job = _lanterne_job if args.engine == "lanterne" else _spark_job
        result = job(Path(args.log), Path(args.out))
    print(json.dumps({**result, **_peaks(tree)}))


def _run(*extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *extra], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(extra)} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _mean(rows: list[dict[str, float]], key: str) -> float:
    return float(np.mean([r[key] for r in rows]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--engine", choices=["lanterne", "spark"])
    parser.add_argument("--part", choices=["accuracy", "job"])
    parser.add_argument("--log")
    parser.add_argument("--out")
    args = parser.parse_args()
    if not MOVIELENS.is_dir():
        sys.exit(f"MovieLens not found at {MOVIELENS} (../shared/data)")
    if args.child:
        _child(args)
        return
    if args.tune:
        print(json.dumps(_tune(), indent=2))
        return
    seeds = [str(s) for s in args.seeds]
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "params": PARAMS,
        "seeds": args.seeds,
    }
    print(f"ml-latest-small, seeds {' '.join(seeds)}, {PARAMS}", flush=True)
    accuracy: dict[str, Any] = {}
    for engine in ("lanterne", "spark"):
        part = _run("--engine", engine, "--part", "accuracy", "--seeds", *seeds)
        peaks = {k: part.pop(k) for k in ("python_peak_mb", "tree_peak_mb")}
        for name, rows in part.items():
            accuracy[name] = {
                "ndcg@10": _mean(rows, "ndcg@10"),
                "recall@10": _mean(rows, "recall@10"),
                "fit_seconds": _mean(rows, "fit_seconds"),
                **peaks,
                "per_seed": rows,
            }
            a = accuracy[name]
            print(
                f"  {name:15} nDCG@10 {a['ndcg@10']:.4f}  recall@10 {a['recall@10']:.4f}  "
                f"fit {a['fit_seconds']:.1f} s  peak {peaks['python_peak_mb']:.0f} MB "
                f"(with children {peaks['tree_peak_mb']:.0f} MB)",
                flush=True,
            )
    base = accuracy["lanterne"]["ndcg@10"]
    for name in ("spark", "spark→lanterne"):
        print(f"  {name} / lanterne nDCG@10: {accuracy[name]['ndcg@10'] / base:.4f}")
    report["ml-latest-small"] = accuracy
    with tempfile.TemporaryDirectory(prefix="lanterne-bench-als-") as tmp:
        log = Path(tmp) / "resampled.csv"
        rows = resample(args.scale, log)
        print(f"{args.scale}× resampled: {rows} rows", flush=True)
        scaled: dict[str, Any] = {"rows": rows}
        for engine in ("lanterne", "spark"):
            part = _run("--engine", engine, "--part", "job", "--log", str(log), "--out", tmp)
            scaled[engine] = part
            print(
                f"  {engine:9} job {part['job_seconds']:.1f} s  fit {part['fit_seconds']:.1f} s  "
                f"peak {part['python_peak_mb']:.0f} MB "
                f"(with children {part['tree_peak_mb']:.0f} MB)  "
                f"{part['users']} users, {part['interactions']} pairs",
                flush=True,
            )
        lan, spk = scaled["lanterne"], scaled["spark"]
        print(
            f"  spark / lanterne: job {spk['job_seconds'] / lan['job_seconds']:.2f}×, "
            f"fit {spk['fit_seconds'] / lan['fit_seconds']:.2f}×"
        )
        report[f"{args.scale}x"] = scaled
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
