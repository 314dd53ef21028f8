"""The frugal path of search: when the lexical side is sure of itself, skip the semantic side.

    .venv/bin/python benchmarks/search_frugal.py [--shared ../shared/data] [--json out.json]

For every query of the French collections (../shared/data: spf-qr-fr-retrieval, cnil-faq-fr-
retrieval /alt and /title), the hybrid search and the lexical one are run by the engine itself
(``SearchEngine.search``, the ranking users get, whole-title tier included), with nDCG@10 of
each; and the lexical side's confidence is read: the relative margin of its best score over its
second, ``(s1 − s2) / s1`` (1 when it found a single document, 0 when it found none).

A rule « skip the semantic side when the margin is at least t » gives, per query, the lexical
nDCG when it skips and the hybrid one otherwise. The threshold is chosen by leave-one-group-out
cross-validation over the two groups of collections that share nothing (Service-Public and the
CNIL, as in ``search_cv.py``): on the group kept for choosing, the lowest t (the most queries
spared) whose mean nDCG@10 stays within ``TOLERANCE`` of hybrid's; then measured on the group
held out. The default is chosen the same way on both groups together (each counts once).

The cost side: CPU time per query of the lexical side alone and of the semantic side alone
(encoding the query with the model already loaded, then the nearest neighbours), measured here
on the same queries; what skipping saves is the semantic share times the queries spared, plus,
for a one-shot ``lanterne search`` whose model is not loaded, the model's load (measured too).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import Energy, Rate
from lanterne.search._encoder import DIMENSIONS, MODEL
from lanterne.search._engine import SearchConfig, SearchEngine, lexical_margin
from lanterne.search._eval import SHARED_DATA, Collection, default_collections, ndcg_at
from lanterne.search._queries import QueryVectors

GROUPS = {"spf": ("spf-qr-fr-retrieval",), "cnil": ("cnil-faq-fr-retrieval/",)}
THRESHOLDS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 2.0)
"""2.0 is never reached (a margin is at most 1): that rule always runs the semantic side."""
TOLERANCE = 0.005
"""nDCG@10 a frugal rule may lose against hybrid: about the spread of the semantic side between
runs (``search_cv.py``) — below it the loss cannot be told from noise."""


def _group(name: str) -> str:
    return next(g for g, prefixes in GROUPS.items() if name.startswith(prefixes))


def _relevant(collection: Collection, qid: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for d, rel in collection.qrels.get(qid, {}).items():
        key = collection.same.get(d, d)
        found[key] = max(rel, found.get(key, 0))
    return found


def _ndcg(collection: Collection, ids: list[str], relevant: dict[str, int]) -> float:
    ranked = list(dict.fromkeys(collection.same.get(d, d) for d in ids))
    return ndcg_at(ranked, relevant, 10)


def measure(collection: Collection) -> dict[str, Any]:
    """Per query: hybrid and lexical nDCG@10 and the lexical margin; per side, CPU per query."""
    engine = SearchEngine(config=SearchConfig())
    engine.upsert(collection.docs)
    rows: list[dict[str, float]] = []
    lexical_cpu = semantic_cpu = 0.0
    for qid, text in collection.queries.items():
        relevant = _relevant(collection, qid)
        start = time.process_time()
        lexical = engine.search(text, mode="lexical", limit=10)
        lexical_cpu += time.process_time() - start
        start = time.process_time()
        engine.semantic_ranking(text, engine.config.candidates)
        semantic_cpu += time.process_time() - start
        hybrid = engine.search(text, mode="hybrid", limit=10)
        scores = [s for _, s in engine.lexical_ranking(text, 2)]
        rows.append(
            {
                "margin": lexical_margin(scores),
                "hybrid": _ndcg(collection, [h.id for h in hybrid.hits], relevant),
                "lexical": _ndcg(collection, [h.id for h in lexical.hits], relevant),
            }
        )
    n = len(rows)
    return {
        "rows": rows,
        "lexical_ms": 1000 * lexical_cpu / n,
        "semantic_ms": 1000 * semantic_cpu / n,
    }


def rule(rows: list[dict[str, float]], t: float) -> tuple[float, float]:
    """Mean nDCG@10 and the share of queries spared the semantic side, for threshold ``t``."""
    skipped = [r["margin"] >= t for r in rows]
    ndcg = sum(r["lexical"] if s else r["hybrid"] for r, s in zip(rows, skipped, strict=True))
    return ndcg / len(rows), sum(skipped) / len(rows)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def choose(groups: dict[str, list[list[dict[str, float]]]]) -> float:
    """The lowest threshold whose mean nDCG@10 over ``groups`` (each group the mean of its
    collections, each group counting once) is within ``TOLERANCE`` of hybrid's."""

    def score(t: float) -> float:
        return _mean([_mean([rule(rows, t)[0] for rows in sets]) for sets in groups.values()])

    always = score(max(THRESHOLDS))
    return min(t for t in THRESHOLDS if score(t) >= always - TOLERANCE)


def engine_path(collection: Collection) -> dict[str, Any]:
    """nDCG@10, share of queries spared the model and CPU per query of the engine's own frugal
    path, beside plain hybrid on the same index (one index: the config is swapped)."""
    engine = SearchEngine(config=SearchConfig())
    engine.upsert(collection.docs)
    out: dict[str, Any] = {}
    for name, config in (("hybrid", SearchConfig()), ("frugal", SearchConfig(frugal=True))):
        engine.config = config
        # No query vector remembered from the other run: each pays its own encodings.
        engine.query_vectors = QueryVectors(None, MODEL, DIMENSIONS)
        ndcg = spared = cpu = 0.0
        energy = Energy(len(collection.queries))
        for qid, text in collection.queries.items():
            start = time.process_time()
            with energy:
                found = engine.search(text, mode="hybrid", limit=10)
            cpu += time.process_time() - start
            ndcg += _ndcg(collection, [h.id for h in found.hits], _relevant(collection, qid))
            spared += found.semantic_skipped
        n = len(collection.queries)
        out[name] = ndcg / n
        out[f"{name}_ms"] = 1000 * cpu / n
        out[f"{name}_energy"] = energy.rate().to_dict()
        if name == "frugal":
            out["spared"] = spared / n
    return out


def _model_load_seconds() -> float:
    from lanterne.search._encoder import Encoder

    encoder = Encoder()
    start = time.perf_counter()
    encoder.encode(["chargement du modèle"])
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED_DATA)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    collections, absent = default_collections(args.shared)
    if absent or not collections:
        print(f"collections absentes / missing: {[str(p) for p in absent]}", file=sys.stderr)
        return 2
    measured = {c.name: measure(c) for c in collections}
    by_group: dict[str, list[list[dict[str, float]]]] = {}
    for name, m in measured.items():
        by_group.setdefault(_group(name), []).append(m["rows"])
    report: dict[str, Any] = {"tolerance": TOLERANCE, "folds": [], "collections": {}}
    print(
        f"{'collection':<30} {'queries':>7} {'hybrid':>7} {'lexical':>8} "
        f"{'lex ms':>7} {'sem ms':>7}"
    )
    for name, m in measured.items():
        hybrid, _ = rule(m["rows"], max(THRESHOLDS))
        lexical, _ = rule(m["rows"], 0.0)
        print(
            f"{name:<30} {len(m['rows']):>7} {hybrid:>7.4f} {lexical:>8.4f} "
            f"{m['lexical_ms']:>7.2f} {m['semantic_ms']:>7.2f}"
        )
        report["collections"][name] = {
            "queries": len(m["rows"]),
            "hybrid": hybrid,
            "lexical": lexical,
            "lexical_ms": m["lexical_ms"],
            "semantic_ms": m["semantic_ms"],
            "by_threshold": {str(t): rule(m["rows"], t) for t in THRESHOLDS},
        }
    print(
        f"\n{'held out':<8} {'t chosen':>8} {'nDCG frugal':>12} {'nDCG hybrid':>12} {'spared':>7}"
    )
    for held in by_group:
        chosen = choose({g: sets for g, sets in by_group.items() if g != held})
        frugal = _mean([rule(rows, chosen)[0] for rows in by_group[held]])
        hybrid = _mean([rule(rows, max(THRESHOLDS))[0] for rows in by_group[held]])
        spared = _mean([rule(rows, chosen)[1] for rows in by_group[held]])
        print(f"{held:<8} {chosen:>8} {frugal:>12.4f} {hybrid:>12.4f} {spared:>7.1%}")
        report["folds"].append(
            {
                "held_out": held,
                "threshold": chosen,
                "frugal": frugal,
                "hybrid": hybrid,
                "spared": spared,
            }
        )
    default = choose(by_group)
    config = SearchConfig()
    print("\nle chemin sobre du moteur / the engine's frugal path (SearchConfig(frugal=True)):")
    print(
        f"{'collection':<30} {'nDCG':>7} {'hybrid':>7} {'spared':>7} "
        f"{'ms/query':>9} {'hybrid ms':>9} {'Wh/1k':>9} {'hybrid Wh/1k':>12}"
    )
    report["engine"] = {}
    for collection in collections:
        row = engine_path(collection)
        print(
            f"{collection.name:<30} {row['frugal']:>7.4f} {row['hybrid']:>7.4f} "
            f"{row['spared']:>7.1%} {row['frugal_ms']:>9.2f} {row['hybrid_ms']:>9.2f} "
            f"{Rate.from_dict(row['frugal_energy']).cells('fr')[0]:>9} "
            f"{Rate.from_dict(row['hybrid_energy']).cells('fr')[0]:>12}"
        )
        report["engine"][collection.name] = row
    print(
        "Wh/1k : énergie estimée pour 1 000 requêtes (docs/footprint.md), ce processus / "
        "estimated Wh per 1,000 queries, this process"
    )
    load = _model_load_seconds()
    print(
        f"\nseuil choisi / chosen threshold: {default}; "
        f"SearchConfig().frugal_margin = {config.frugal_margin}"
    )
    print(
        f"chargement du modèle / model load: {load:.2f} s (spared when no query of a run needs it)"
    )
    report.update(default=default, search_config=config.frugal_margin, model_load_seconds=load)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
