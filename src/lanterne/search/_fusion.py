"""The built-in search fusion, registered through ``lanterne.registry`` as a plug-in's would be."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import msgspec

from lanterne.registry import Component, Registry

Ranking = list[tuple[int, float]]
Fuse = Callable[[Ranking, Ranking], Ranking]
"""A lexical and a semantic ranking, best first, merged into one, best first."""


class RRFConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    k: Annotated[int, msgspec.Meta(ge=0)] = 60
    """score = Σ weight / (k + rank)."""
    lexical_weight: Annotated[float, msgspec.Meta(ge=0)] = 1.0
    semantic_weight: Annotated[float, msgspec.Meta(ge=0)] = 1.0


def fuse(
    lexical: Ranking,
    semantic: Ranking,
    k: int = 60,
    lexical_weight: float = 1.0,
    semantic_weight: float = 1.0,
) -> Ranking:
    """Reciprocal rank fusion (Cormack et al. 2009): Σ weight / (k + rank), best first."""
    scores: dict[int, float] = {}
    for weight, ranking in ((lexical_weight, lexical), (semantic_weight, semantic)):
        for rank, (key, _) in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


class ScoresConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    lexical_weight: Annotated[float, msgspec.Meta(ge=0)] = 1.0
    semantic_weight: Annotated[float, msgspec.Meta(ge=0)] = 1.0


def fuse_scores(
    lexical: Ranking, semantic: Ranking, lexical_weight: float = 1.0, semantic_weight: float = 1.0
) -> Ranking:
    """A weighted mean of the two sides' scores, best first: the lexical score divided by the
    query's best lexical score (BM25 has no scale of its own), the cosine as it is (it has
    one: 0.2 is unrelated, 0.7 a paraphrase). A document found by one side only gets 0 from
    the other.

    Unlike reciprocal rank fusion, the weaker side of a query cannot drag the stronger one
    down: a semantic list of near-equal, low cosines moves the lexical order little, and a
    lexical list whose first hit barely leads the others lets confident neighbours through.
    """
    total = lexical_weight + semantic_weight
    if total <= 0:
        return []
    a, b = lexical_weight / total, semantic_weight / total
    scores: dict[int, float] = {}
    best = lexical[0][1] if lexical and lexical[0][1] > 0 else 1.0
    for key, score in lexical:
        scores[key] = a * score / best
    for key, cosine in semantic:
        scores[key] = scores.get(key, 0.0) + b * cosine
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def scores(config: ScoresConfig) -> Fuse:
    def run(lexical: Ranking, semantic: Ranking) -> Ranking:
        return fuse_scores(lexical, semantic, config.lexical_weight, config.semantic_weight)

    return run


def rrf(config: RRFConfig) -> Fuse:
    def run(lexical: Ranking, semantic: Ranking) -> Ranking:
        return fuse(lexical, semantic, config.k, config.lexical_weight, config.semantic_weight)

    return run


def register(registry: Registry) -> None:
    registry.add(
        Component(
            "fusion",
            "rrf",
            RRFConfig,
            rrf,
            ("fusion par rangs réciproques", "reciprocal rank fusion"),
        )
    )
    registry.add(
        Component(
            "fusion",
            "scores",
            ScoresConfig,
            scores,
            (
                "moyenne pondérée des scores (BM25 rapporté au meilleur, cosinus)",
                "weighted mean of the scores (BM25 over the best one, cosine)",
            ),
        )
    )
