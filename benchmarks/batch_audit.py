"""The audit of Parquet captures on Spark beside the one-process Arrow path, on the same file.

    .venv/bin/python benchmarks/batch_audit.py [--lists 1000000] [--resamples 1000] [--json F]

The captures are benchmarks/audit.py's (10,000 personas, lists of 10 of ml-latest-small's
films on a home grid), written once as a Parquet capture file. Each path runs in its own
process, whose memory (with its children: Spark's JVM and Python workers) is sampled:

* one process: ``read_captures`` (Arrow, in columns) then ``run_audit``, as ``lanterne audit``;
* Spark ``local[2]``: ``batch_audit``, as ``lanterne batch audit``: Spark's Parquet reader,
  Lanterne's checks per task, a shuffle by (persona, session), partial sums per partition, the
  report on the driver.

Both reports are compared (they must agree); nothing asserts on time. The machine's load
average is printed beside the figures: it is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _config(resamples: int) -> Any:
    from lanterne.audit import AuditConfig, Weighting

    return AuditConfig(weighting=Weighting(kind="grid"), resamples=resamples, permutations=1000)


def _step(step: str, path: Path, resamples: int, out: Path) -> None:
    import msgspec

    start = time.perf_counter()
    if step == "alone":
        from lanterne.audit import read_captures, run_audit

        captures = read_captures([path])
        read_s = time.perf_counter() - start
        report = run_audit(captures, _config(resamples))
    else:
        from lanterne.batch import batch_audit, spark_session

        read_s = float("nan")
        conf = {"spark.driver.memory": "2g"}
        with spark_session("local[2]", "benchmark batch audit", conf=conf) as spark:
            report, _ = batch_audit(spark, [path], _config(resamples))
    seconds = time.perf_counter() - start
    out.write_text(
        json.dumps({"seconds": seconds, "read_s": read_s, "report": msgspec.to_builtins(report)})
    )


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
        todo.extend(children.get(p, []))
    return total


def _run(step: str, path: Path, resamples: int, tmp: Path) -> dict[str, Any]:
    out = tmp / f"{step}.json"
    load = os.getloadavg()[0]
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--step",
            step,
            "--file",
            str(path),
            "--out",
            str(out),
            "--resamples",
            str(resamples),
        ]
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.25)
    if proc.returncode:
        sys.exit(f"{step} failed ({proc.returncode})")
    found: dict[str, Any] = json.loads(out.read_text())
    found["peak_mb"] = peak / 2**20
    found["load_before"] = load
    found["load_after"] = os.getloadavg()[0]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--step", choices=["alone", "spark"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.step:
        _step(args.step, args.file, args.resamples, args.out)
        return
    from audit import build, write_parquet

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        path = tmp / "captures.parquet"
        captures = build(args.lists)
        rows = captures.n_rows
        write_parquet(captures, path)
        del captures
        alone = _run("alone", path, args.resamples, tmp)
        spark = _run("spark", path, args.resamples, tmp)
        size_mb = path.stat().st_size / 2**20
    a, s = alone.pop("report"), spark.pop("report")
    same_counts = a["counts"] == s["counts"]
    eu = next(x for x in a["shares"]["all"] if x["group"] == "european=true")["exposure"]
    eu_s = next(x for x in s["shares"]["all"] if x["group"] == "european=true")["exposure"]
    out = {
        "lists": args.lists,
        "rows": rows,
        "file_mb": size_mb,
        "resamples": args.resamples,
        "cores": os.cpu_count(),
        "one_process": alone,
        "spark_local_2": spark,
        "ratio_spark_over_one_process": spark["seconds"] / alone["seconds"],
        "same_counts": same_counts,
        "european_share": {"one_process": eu, "spark": eu_s},
        "gini": {"one_process": a["exposure_gini"], "spark": s["exposure_gini"]},
    }
    for name, r in (("one process (Arrow)", alone), ("Spark local[2]", spark)):
        print(
            f"{name}: {r['seconds']:.1f} s ({rows / r['seconds']:,.0f} rows/s), peak"
            f" {r['peak_mb']:.0f} MB with children; load {r['load_before']:.1f} →"
            f" {r['load_after']:.1f}"
        )
    print(
        f"{args.lists:,} lists, {rows:,} rows from {size_mb:.0f} MiB of Parquet: Spark / one"
        f" process = {out['ratio_spark_over_one_process']:.2f}; same counts {same_counts};"
        f" European share {eu['value']:.6f} vs {eu_s['value']:.6f}"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
