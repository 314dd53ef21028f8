"""Audit benchmark: 1,000,000 captured lists of 10 items, every metric and 1,000 bootstrap
resamples, beside a plain pandas computation of the point estimates.

    .venv/bin/python benchmarks/audit.py [--lists 1000000] [--resamples 1000] [--json out.json]

The items and their attributes are the 9,742 films of ml-latest-small with their Wikidata
countries (European flag from the countries; « EOF » stands for a French country of origin here,
as the dataset has no original language), with genres. 10,000 personas browse 100 sessions each;
a list is 10 items of the home grid (2 rows × 5) drawn with Zipf-like popularity, European films
under-exposed. The captures are built in columns (``Captures.from_columns``), as an importer of
columnar files would; reading JSON Lines is timed separately on 20,000 lists. Nothing asserts on
time; the target of the issue is 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = ROOT / "build" / "eval" / "movielens"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import Energy  # noqa: E402


def _items() -> tuple[list[str], dict[str, dict[str, set[str]]]]:
    from lanterne.recommend._export import convert_movielens

    if not (DATA / "item-attributes.csv").is_file():
        if not (SHARED / "movielens-latest-small").is_dir():
            sys.exit(f"{SHARED}/movielens-latest-small is missing: this benchmark needs it")
        convert_movielens(SHARED, DATA)
    import csv

    attrs: dict[str, dict[str, set[str]]] = {}
    with (DATA / "item-attributes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            attrs.setdefault(row["item"], {}).setdefault(row["attribute"], set()).add(row["value"])
    for values in attrs.values():
        values["eof"] = {"true" if "FR" in values.get("country", set()) else "false"}
    return sorted(attrs), attrs


def build(n_lists: int, seed: int = 0) -> Any:
    from lanterne.audit import Captures

    items, attrs = _items()
    rng = np.random.default_rng(seed)
    european = np.array(["true" in attrs[i].get("european", set()) for i in items])
    popularity = 1.0 / np.arange(1, len(items) + 1) ** 0.9
    popularity = popularity[rng.permutation(len(items))] * np.where(european, 0.5, 1.0)
    popularity /= popularity.sum()
    personas = 10_000
    sessions_per = max(1, n_lists // personas)
    k = 10
    item = rng.choice(len(items), size=n_lists * k, p=popularity).astype(np.int64)
    lst = np.repeat(np.arange(n_lists, dtype=np.int64), k)
    position = np.tile(np.arange(1, k + 1, dtype=np.int64), n_lists)
    row = (position - 1) // 5 + 1
    column = (position - 1) % 5 + 1
    persona = np.arange(n_lists, dtype=np.int64) % personas
    session = persona * sessions_per + np.arange(n_lists, dtype=np.int64) // personas
    keys = np.stack(
        [np.zeros(n_lists, dtype=np.int64), np.zeros(n_lists, dtype=np.int64), persona, session],
        axis=1,
    )
    times = [
        f"2026-01-01T00:{(n // personas) // 60:02d}:{(n // personas) % 60:02d}"
        for n in range(n_lists)
    ]
    return Captures.from_columns(
        platforms=["bench"],
        surfaces=["home"],
        personas=[f"p{p}" for p in range(personas)],
        persona_group=["control" if p % 10 == 0 else "treated" for p in range(personas)],
        sessions=[f"s{s}" for s in range(personas * sessions_per)],
        items=items,
        item_attributes=attrs,
        list_keys=keys,
        list_times=times,
        rows={"list": lst, "position": position, "row": row, "column": column, "item": item},
    )


def pandas_reference(captures: Any) -> dict[str, float]:
    """The point estimates with pandas (no intervals): weighted European share, Gini."""
    import pandas as pd

    a = captures.arrays()
    european = np.array(
        ["true" in captures.item_attributes[i].get("european", set()) for i in captures.items]
    )
    df = pd.DataFrame({"item": a["item"], "row": a["row"], "column": a["column"]})
    df["w"] = 0.7 ** (df["row"] - 1) * 0.9 ** (df["column"] - 1)
    df["eu"] = european[df["item"].to_numpy()]
    share = float((df["w"] * df["eu"]).sum() / df["w"].sum())
    exposure = (
        df.groupby("item")["w"]
        .sum()
        .reindex(range(len(captures.items)), fill_value=0.0)
        .sort_values()
    )
    v = exposure.to_numpy()
    n = len(v)
    g = float(2 * (np.arange(1, n + 1) * v).sum() / (n * v.sum()) - (n + 1) / n)
    return {"european": share, "gini": g}


def main() -> None:
    from lanterne.audit import AuditConfig, Weighting, read_captures, run_audit, write_jsonl
    from lanterne.audit._capture import Capture

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lists", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    start = time.perf_counter()
    captures = build(args.lists)
    built = time.perf_counter() - start
    config = AuditConfig(
        weighting=Weighting(kind="grid"), resamples=args.resamples, permutations=1000
    )
    start = time.perf_counter()
    with Energy(args.lists) as auditing:
        report = run_audit(captures, config)
    audited = time.perf_counter() - start
    start = time.perf_counter()
    with Energy(args.lists) as peer:
        reference = pandas_reference(captures)
    pandas_s = time.perf_counter() - start
    ours = {s.group: s for s in report.shares["all"]}["european=true"].exposure
    # Reading the open format: 20,000 lists of JSON Lines.
    small = build(20_000, seed=1)
    a = small.arrays()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.jsonl"

        def rows() -> Any:
            for n in range(len(a["item"])):
                name = small.items[int(a["item"][n])]
                li = int(a["list"][n])
                yield Capture(
                    platform="bench",
                    surface="home",
                    persona=f"p{int(a['list_persona'][li])}",
                    session=f"s{int(a['list_session'][li])}",
                    timestamp=small.list_times[li],
                    position=int(a["position"][n]),
                    row=int(a["row"][n]),
                    column=int(a["column"][n]),
                    item=name,
                    attributes={k: sorted(v) for k, v in small.item_attributes[name].items()},
                )

        write_jsonl(rows(), path)
        start = time.perf_counter()
        with Energy() as importing:
            read = read_captures([path])
        reading = time.perf_counter() - start
        importing.operations = read.n_rows
    out = {
        "lists": args.lists,
        "rows": captures.n_rows,
        "resamples": args.resamples,
        "build_s": built,
        "audit_s": audited,
        "pandas_point_estimates_s": pandas_s,
        "european_share": [ours.value, ours.low, ours.high],
        "pandas_european_share": reference["european"],
        "gini": report.exposure_gini,
        "pandas_gini": reference["gini"],
        "jsonl_rows_per_s": read.n_rows / reading,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "unit": report.unit,
        "units": report.counts["units"],
        "energy": {
            "audit_per_list": auditing.rate().to_dict(),
            "pandas_point_estimates_per_list": peer.rate().to_dict(),
            "jsonl_per_row": importing.rate().to_dict(),
        },
    }
    print(
        f"{args.lists:,} lists × 10 ({captures.n_rows:,} slots): audit with"
        f" {args.resamples} resamples {audited:.1f} s (target 30 s);"
        f" pandas point estimates only {pandas_s:.1f} s"
    )
    print(
        f"European share {ours.value:.4f} [{ours.low:.4f}, {ours.high:.4f}]"
        f" (pandas {reference['european']:.4f});"
        f" Gini {report.exposure_gini:.4f} (pandas {reference['gini']:.4f})"
    )
    print(
        f"  energy: audit {auditing.rate().text('en', 'lists')};"
        f" pandas {peer.rate().text('en', 'lists')} (this process)"
    )
    print(
        f"JSON Lines import: {out['jsonl_rows_per_s']:,.0f} rows/s,"
        f" {importing.rate().text('en', 'rows')}; peak memory {out['peak_rss_mb']:.0f} MB"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
