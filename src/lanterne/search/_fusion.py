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
