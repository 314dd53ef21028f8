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
    # The same lists from a Parquet file (issue 20: an audit from its file under 30 s).
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "captures.parquet"
        start = time.perf_counter()
        write_parquet(captures, path)
        wrote_s = time.perf_counter() - start
        start = time.perf_counter()
        with Energy(args.lists) as from_file:
            parquet = read_captures([path])
            read_s = time.perf_counter() - start
            again = run_audit(parquet, config)
        from_file_s = time.perf_counter() - start
        start = time.perf_counter()
        with Energy(args.lists) as pandas_file:
            import pandas as pd

            frame = pd.read_parquet(path)
            pandas_read_s = time.perf_counter() - start
            del frame
        size_mb = path.stat().st_size / 2**20
    same = {s.group: s for s in again.shares["all"]}["european=true"].exposure
    out = {
        "parquet": {
            "file_mb": size_mb,
            "write_s": wrote_s,
            "read_s": read_s,
            "read_rows_per_s": parquet.n_rows / read_s,
            "read_and_audit_s": from_file_s,
            "pandas_read_parquet_s": pandas_read_s,
            "european_share": [same.value, same.low, same.high],
            "rows_rejected": len(parquet.rejected),
            "energy_read_and_audit_per_list": from_file.rate().to_dict(),
            "energy_pandas_read_per_list": pandas_file.rate().to_dict(),
        },
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
    pq_out = out["parquet"]
    print(
        f"From Parquet ({pq_out['file_mb']:.0f} MiB, {parquet.n_rows:,} rows):"
        f" read and checked {pq_out['read_s']:.1f} s ({pq_out['read_rows_per_s']:,.0f} rows/s),"
        f" read and audited {from_file_s:.1f} s (target 30 s);"
        f" pandas.read_parquet alone {pandas_read_s:.1f} s (reads, checks nothing);"
        f" European share {same.value:.4f} (in memory {ours.value:.4f}),"
        f" {len(parquet.rejected)} rows rejected"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


def write_parquet(captures: Any, path: Path) -> None:
    """``captures`` as a capture file in Parquet (the open format's columns, dictionary
    encoded as an exporter would write them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    a = captures.arrays()
    lst = a["list"]

    def coded(codes: Any, values: list[str]) -> Any:
        return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(values))

    names = sorted({k for v in captures.item_attributes.values() for k in v})
    columns = {
        "platform": coded(a["list_platform"][lst], captures.platforms),
        "surface": coded(a["list_surface"][lst], captures.surfaces),
        "persona": coded(a["list_persona"][lst], captures.personas),
        "session": coded(a["list_session"][lst], captures.sessions),
        "timestamp": coded(lst, captures.list_times),
        "position": pa.array(a["position"]),
        "row": pa.array(a["row"]),
        "column": pa.array(a["column"]),
        "item": coded(a["item"], captures.items),
    }
    for name in names:
        values = [
            "|".join(sorted(captures.item_attributes.get(i, {}).get(name, ()))) or None
            for i in captures.items
        ]
        columns[f"attr:{name}"] = coded(a["item"], [v or "" for v in values])
    pq.write_table(pa.table(columns), path)


if __name__ == "__main__":
    main()
