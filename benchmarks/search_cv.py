"""How the search defaults were chosen: leave-one-collection-out cross-validation over a grid.

    .venv/bin/python benchmarks/search_cv.py [--shared ../shared/data] [--json out.json]

The French collections of ../shared/data fall in two groups that share nothing: Service-Public
(spf-qr-fr-retrieval: 530 fiches, 105 questions) and the CNIL help desk (cnil-faq-fr-retrieval,
one corpus and two query sets, /alt and /title, which therefore go out together). For every
configuration of the grid — the title's weight in the combined field, the subjects' boost, the
question words, the fusion and its weights — and every collection, nDCG@10 of the hybrid search
is measured (the lexical rankings from an index built with that configuration, the semantic
ones once per collection, fused by the registered fusion of ``lanterne.search._fusion``).

Then, for each group held out, the configuration best on the other group (mean over its
collections) is chosen and measured on the held-out group: that figure estimates what the
procedure gives on a collection it has never seen. The default is the configuration with the
best mean over the two groups (each group counts once; among configurations within 0.002 of the
best, the spread of the semantic side between runs, the one nearest the prior); the script says
whether ``SearchConfig()`` is that configuration. Only the hybrid ranking is fused here, without
the whole-title tier the engine applies after it (these collections' titles are empty or ids).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from lanterne.search._engine import SearchConfig, SearchEngine
from lanterne.search._eval import SHARED_DATA, Collection, default_collections, evaluate
from lanterne.search._fusion import fuse, fuse_scores

Ranking = list[tuple[int, float]]

GROUPS = {"spf": ("spf-qr-fr-retrieval",), "cnil": ("cnil-faq-fr-retrieval/",)}
TITLE_WEIGHTS = (1, 2, 3)
SUBJECT_BOOSTS = (0.0, 0.5, 1.0)
QUESTION_WORDS = (True, False)
FUSIONS: dict[str, dict[str, float]] = {
    **{f"scores l={w}": {"lexical_weight": w} for w in (0.5, 0.75, 1.0, 1.5, 2.0)},
    **{f"rrf k={k} s={s}": {"k": k, "semantic_weight": s} for k in (10, 60) for s in (0.5, 1.0)},
}


def _group(name: str) -> str:
    return next(g for g, prefixes in GROUPS.items() if name.startswith(prefixes))


def _config(title: int, subjects: float, questions: bool, fusion: str) -> SearchConfig:
    default = SearchConfig()
    params = FUSIONS[fusion]
    boosts = {**default.boosts, "subjects": subjects}
    long_boosts = {**default.long_boosts, "subjects": subjects}
    return SearchConfig(
        weights={**default.weights, "title": title},
        boosts={k: v for k, v in boosts.items() if v > 0},
        long_boosts={k: v for k, v in long_boosts.items() if v > 0},
        question_words=default.question_words if questions else [],
        fusion="rrf" if fusion.startswith("rrf") else "scores",
        rrf_k=int(params.get("k", default.rrf_k)),
        lexical_weight=params.get("lexical_weight", 1.0),
        semantic_weight=params.get("semantic_weight", 1.0),
    )


def _fused(config: SearchConfig, lexical: Ranking, semantic: Ranking) -> Ranking:
    if config.fusion == "rrf":
        return fuse(lexical, semantic, config.rrf_k, config.lexical_weight, config.semantic_weight)
    return fuse_scores(lexical, semantic, config.lexical_weight, config.semantic_weight)


def _measure(collection: Collection) -> dict[tuple[int, float, bool, str], float]:
    """nDCG@10 of the hybrid ranking for every configuration of the grid."""
    engine = SearchEngine()
    engine.upsert(collection.docs)
    ids = engine.meta.ids
    semantic = {t: engine.semantic_ranking(t, 100) for t in collection.queries.values()}
    out: dict[tuple[int, float, bool, str], float] = {}
    for title, subjects, questions in itertools.product(
        TITLE_WEIGHTS, SUBJECT_BOOSTS, QUESTION_WORDS
    ):
        lexical_engine = SearchEngine(
            config=_config(title, subjects, questions, "scores l=1.0"), semantic=False
        )
        lexical_engine.upsert(collection.docs)
        lexical = {t: lexical_engine.lexical_ranking(t, 100) for t in collection.queries.values()}
        for fusion in FUSIONS:
            config = _config(title, subjects, questions, fusion)
            ranked = {
                t: [ids[k] for k, _ in _fused(config, lexical[t], semantic[t])[:100]]
                for t in collection.queries.values()
            }
            out[(title, subjects, questions, fusion)] = evaluate(
                collection, ranked.__getitem__
            ).ndcg_10
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


PRIOR = (2, 0.5, True, "scores l=1.0")
"""The configuration before this search (the engine's defaults as they stood): a parameter moves
from it only when the data say so by more than the noise."""


def _distance_to_prior(key: tuple[int, float, bool, str]) -> int:
    return sum(a != b for a, b in zip(key, PRIOR, strict=True))


def _best(scores: dict[tuple[int, float, bool, str], float]) -> tuple[int, float, bool, str]:
    """The best configuration; among those within 0.002 of it (the spread of the semantic side
    between runs), the one nearest the prior. A parameter the collections cannot tell apart
    (the title's weight: their titles are empty or fiche numbers) keeps its prior value."""
    top = max(scores.values())
    near = [k for k, v in scores.items() if v >= top - 0.002]
    return min(near, key=lambda k: (_distance_to_prior(k), -scores[k]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED_DATA)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    collections, absent = default_collections(args.shared)
    if absent or not collections:
        print(f"collections absentes / missing: {[str(p) for p in absent]}", file=sys.stderr)
        return 2
    measured = {c.name: _measure(c) for c in collections}
    groups: dict[str, list[str]] = {}
    for name in measured:
        groups.setdefault(_group(name), []).append(name)
    keys = list(next(iter(measured.values())))

    def group_score(group: str, key: tuple[int, float, bool, str]) -> float:
        return _mean([measured[n][key] for n in groups[group]])

    report: dict[str, Any] = {"folds": [], "grid": len(keys)}
    print(f"grille / grid: {len(keys)} configurations × {len(measured)} collections")
    print(f"{'held out':<8} {'chosen on the other group':<44} {'held-out nDCG@10':>17}")
    for held in groups:
        rest = [g for g in groups if g != held]
        chosen = _best({k: _mean([group_score(g, k) for g in rest]) for k in keys})
        score = group_score(held, chosen)
        label = f"title×{chosen[0]} subjects {chosen[1]} questions {chosen[2]} {chosen[3]}"
        print(f"{held:<8} {label:<44} {score:>17.4f}")
        report["folds"].append({"held_out": held, "chosen": list(chosen), "ndcg_10": score})
    overall = {k: _mean([group_score(g, k) for g in groups]) for k in keys}
    default = _best(overall)
    print(f"défaut choisi / chosen default: {default} — mean over groups {overall[default]:.4f}")
    print("sensibilité à la fusion / fusion sensitivity (the default's lexical side):")
    print(f"  {'fusion':<16}" + "".join(f"{g:>9}" for g in groups) + f"{'mean':>9}")
    for fusion in FUSIONS:
        key = (*default[:3], fusion)
        row = [group_score(g, key) for g in groups]  # type: ignore[arg-type]
        print(f"  {fusion:<16}" + "".join(f"{v:>9.4f}" for v in row) + f"{_mean(row):>9.4f}")
    config = SearchConfig()
    ours = (
        config.weights["title"],
        config.long_boosts.get("subjects", 0.0),
        bool(config.question_words),
        f"scores l={config.lexical_weight / config.semantic_weight}"
        if config.fusion == "scores"
        else f"rrf k={config.rrf_k} s={config.semantic_weight}",
    )
    same = ours == default
    print(f"SearchConfig() = {ours}: {'le même / the same' if same else 'DIFFÉRENT / DIFFERENT'}")
    for name in measured:
        print(f"  {name:<30} default {measured[name].get(ours, float('nan')):.4f}")
    report.update(
        chosen_default=list(default),
        search_config_default=list(ours),
        same=same,
        per_collection={n: measured[n].get(ours) for n in measured},
        config=msgspec.to_builtins(config),
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
