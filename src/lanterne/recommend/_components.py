"""The built-in models and diversifiers, registered through ``lanterne.registry`` as a plug-in's.

The diversifiers' configurations live here rather than beside their classes in ``_rerank``: a
configuration says how the curiosity dial moves a re-ranker's own weight, which is the
recommender's business, not the re-ranker's.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
import numpy as np
import numpy.typing as npt

from lanterne.recommend._models import (
    ALS,
    EASE,
    ALSConfig,
    Content,
    EASEConfig,
    ItemKNN,
    ItemKNNConfig,
    Model,
    ModelInputs,
    Popularity,
)
from lanterne.recommend._rerank import MMR, Calibrated, ItemSpace, LongTail, Order
from lanterne.registry import Component, NoConfig, Registry

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

Strength = Annotated[float, msgspec.Meta(ge=0, le=1)]


class MMRConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    strength: Strength = 0.6
    """Relevance given up at full curiosity: MMR keeps λ = 1 − strength·curiosity of it."""


class CalibratedConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    strength: Strength = 0.6
    """Weight of calibration at full curiosity: λ = strength·curiosity."""
    alpha: Annotated[float, msgspec.Meta(ge=0, le=1)] = 0.01
    """Steck's smoothing of the list's distribution (keeps the KL finite)."""


class LongTailConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    strength: Strength = 0.6
    """Weight of the long tail at full curiosity: λ = strength·curiosity."""


class Unchanged:
    """The candidates as they came, in relevance order: no curiosity step."""

    name = "none"

    def rerank(self, items: Ints, utility: Floats, k: int, history: Ints) -> Order:
        return Order(items=items, utility=utility)


def _itemknn(config: ItemKNNConfig, inputs: ModelInputs) -> Model:
    return ItemKNN(k=config.k)


def _ease(config: EASEConfig, inputs: ModelInputs) -> Model:
    return EASE(lam=config.lam, side=inputs.side, side_weight=config.side_weight)


def _als(config: ALSConfig, inputs: ModelInputs) -> Model:
    return ALS(
        factors=config.factors,
        reg=config.reg,
        alpha=config.alpha,
        iterations=config.iterations,
        seed=config.seed,
    )


def _content(config: NoConfig, inputs: ModelInputs) -> Model:
    if inputs.embeddings is None:
        raise ValueError(
            "content: item embeddings are needed (give the configuration a titles file)"
        )
    return Content(inputs.embeddings)


def _mmr(config: MMRConfig, space: ItemSpace, curiosity: float) -> MMR:
    return MMR(space, lam=1.0 - config.strength * curiosity)


def _calibrated(config: CalibratedConfig, space: ItemSpace, curiosity: float) -> Calibrated:
    return Calibrated(space, lam=config.strength * curiosity, alpha=config.alpha)


def _longtail(config: LongTailConfig, space: ItemSpace, curiosity: float) -> LongTail:
    return LongTail(space, lam=config.strength * curiosity)


def register(registry: Registry) -> None:
    """Lanterne's own models and diversifiers."""
    for component in (
        Component(
            "model",
            "popularity",
            NoConfig,
            lambda config, inputs: Popularity(),
            ("les plus choisies d'abord", "most chosen first"),
        ),
        Component(
            "model",
            "itemknn",
            ItemKNNConfig,
            _itemknn,
            ("k plus proches voisins par œuvre", "item-based k nearest neighbours"),
        ),
        Component(
            "model",
            "ease",
            EASEConfig,
            _ease,
            ("EASE, modèle linéaire œuvre–œuvre", "EASE, item–item linear model"),
        ),
        Component(
            "model",
            "als",
            ALSConfig,
            _als,
            ("moindres carrés alternés implicites", "implicit alternating least squares"),
        ),
        Component(
            "model",
            "content",
            NoConfig,
            _content,
            ("similarité de contenu (textes)", "content similarity (texts)"),
            needs=frozenset({"embeddings"}),
        ),
        Component(
            "diversifier",
            "mmr",
            MMRConfig,
            _mmr,
            ("pertinence marginale maximale", "maximal marginal relevance"),
        ),
        Component(
            "diversifier",
            "calibrated",
            CalibratedConfig,
            _calibrated,
            ("calibration sur l'historique", "calibration on the history"),
        ),
        Component(
            "diversifier",
            "longtail",
            LongTailConfig,
            _longtail,
            ("place à la longue traîne", "room for the long tail"),
        ),
        Component(
            "diversifier",
            "none",
            NoConfig,
            lambda config, space, curiosity: Unchanged(),
            ("aucune étape de curiosité", "no curiosity step"),
        ),
    ):
        registry.add(component)
