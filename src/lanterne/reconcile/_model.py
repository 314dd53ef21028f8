"""The matching model: features of a (query, candidate) pair, a score from 0 to 100 and the
``match`` decision.

The model is small on purpose, so that a person can check each score by hand:

- ``title``: the best ``form_similarity`` between a form of the query's title and a form of any
  of the candidate's titles (``_french``), in [0, 1];
- ``creator`` (when the query gives one): the best ``name_similarity`` between a name of the
  query and a contributor of the candidate; 0.5 when the candidate names nobody (unknown);
- ``date`` (when the query gives a year, as a property or « (2001) » in its text): 1 for the same
  year, 0.8 one year apart (a film's release and its festival year), 0.5 two, 0.2 three to
  five, 0 beyond; 0.5 when the candidate has no date;
- ``place`` (when the query gives one): the best word-set Dice between the query's place and the
  candidate's places and venues; 0.5 when it has none.

score = 100 × Σ wᵢ·xᵢ / Σ wᵢ over the features the query gives (``weights``), times
``type_penalty`` when the query's types are a preference (``type_strict`` « should ») the
candidate does not have. A candidate is a ``match`` when it is the best one, its score is at
least ``threshold`` and it leads the next one by at least ``margin`` points (two films of one
title and no year are not told apart by their titles). ``threshold`` and ``margin`` are chosen by
cross-validation on a labelled set's training side (``benchmarks/reconcile.py``), never on its
test side; the defaults below are what that run chose (docs/reconcile.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec


class Feature(msgspec.Struct, frozen=True):
    id: str
    value: float


class MatchModel(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How a score is made from the features and how a match is decided (round-trips to JSON)."""

    weights: dict[str, float] = msgspec.field(
        default_factory=lambda: {"title": 0.6, "creator": 0.25, "date": 0.15, "place": 0.1}
    )
    type_penalty: float = 0.85
    threshold: float = 87.0
    """Least score of a match (0–100): chosen by ``benchmarks/reconcile.py`` on the training
    side of the goodbooks and MovieLens labelled sets (5-fold cross-validation of F0.5: 87 in
    every fold; docs/reconcile.md)."""
    margin: float = 1.0
    """Least lead, in points, of a match over the next candidate (chosen with the threshold)."""

    def score(self, features: Sequence[Feature]) -> float:
        total = weight = 0.0
        for feature in features:
            w = self.weights.get(feature.id, 0.0)
            total += w * feature.value
            weight += w
        return 100.0 * total / weight if weight else 0.0

    def decide(self, scores: Sequence[float]) -> list[bool]:
        """``match`` for each of ``scores`` (best first): the first one at most."""
        out = [False] * len(scores)
        if scores and scores[0] >= self.threshold:
            lead = scores[0] - scores[1] if len(scores) > 1 else 100.0
            out[0] = lead >= self.margin
        return out


def date_closeness(asked: int, known: int | None) -> float:
    """The ``date`` feature: how close a candidate's year is to the query's."""
    if known is None:
        return 0.5
    gap = abs(asked - known)
    if gap == 0:
        return 1.0
    if gap == 1:
        return 0.8
    if gap == 2:
        return 0.5
    if gap <= 5:
        return 0.2
    return 0.0
