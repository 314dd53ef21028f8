"""The recommender: candidates (goal-aware), the curiosity step, the goals, the explanations."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import sparse

from lanterne import registry
from lanterne.recommend._goals import Condition, Goal, Surface, goal_masks, only_mask, required
from lanterne.recommend._models import Model
from lanterne.recommend._rerank import (
    ConstrainedRanker,
    GoalResult,
    ItemSpace,
    Order,
    PrefixQuota,
)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def diversifiers() -> tuple[str, ...]:
    """The diversifiers a person may choose (``none`` aside): the registry's, plug-ins' too. The
    CLI's choices, the API's schema and the home settings' check all read it."""
    return tuple(name for name in registry.names("diversifier") if name != "none")


class Reranker(Protocol):
    """A diversifier once built (``lanterne.registry``, kind ``diversifier``)."""

    def rerank(self, items: Ints, utility: Floats, k: int, history: Ints) -> Order: ...


def curiosity_weight(diversifier: str, curiosity: float) -> float:
    """The dial (0 familiar … 1 discovery) as the diversity step's weight: MMR keeps
    λ = 1 − 0.6·c of relevance; calibration and long tail give 0.6·c to their aspect."""
    if not 0.0 <= curiosity <= 1.0:
        raise ValueError(f"curiosity {curiosity} is not within [0, 1]")
    return 1.0 - 0.6 * curiosity if diversifier == "mmr" else 0.6 * curiosity


class Because(msgspec.Struct, frozen=True):
    item: str
    weight: float


class Explanation(msgspec.Struct, kw_only=True):
    because: list[Because]
    """The user's works this one is closest to, by their part in its score."""
    placed_by: str | None = None
    """``curiosity`` (the diversity step) or ``goal`` when a step put it in the list."""
    goals: list[str] = []
    """The goals this work counts for."""
    replaced: str | None = None
    """The work it took the place of (the one the previous step had and this one dropped)."""


class Pick(msgspec.Struct, kw_only=True):
    item: str
    rank: int
    score: float
    explanation: Explanation | None = None


class Recommendation(msgspec.Struct, kw_only=True):
    items: list[Pick]
    goals: GoalResult | None = None
    goal_names: list[str] = []


class Lists(msgspec.Struct, kw_only=True):
    """Many users' lists at once, as item indices (for evaluation)."""

    top: Ints
    """users × k, −1 where a list is shorter."""
    longer: Ints
    """users × k_long: the list followed by the next works in relevance order."""
    satisfied: Bools
    feasible: Bools


class Recommender:
    """A fitted model turned into lists: pool of ``pool`` best works plus, per goal type, the
    ``k`` best works of that type anywhere in the catalogue (so goals stay reachable), then the
    curiosity step, then the goals.

    With a ``goal_model``, the works that count for a goal are put in that model's order among
    themselves and take, in that order, the scores the main model gave them (the best by the goal
    model gets the best of their scores, and so on): the goal model chooses *which* goal works
    fill the goal slots, the main model still says how goal works compare with the others, and
    every other work keeps its score and its place."""

    def __init__(
        self,
        model: Model,
        space: ItemSpace,
        items: Sequence[str],
        *,
        attribute_mask: Callable[[str, str], Bools],
        goals: tuple[Goal, ...] = (),
        only: tuple[Condition, ...] = (),
        surface: Surface | None = None,
        k: int = 10,
        pool: int = 100,
        curiosity: float = 0.0,
        diversifier: str = "mmr",
        reference: str | None = None,
        cold: Model | None = None,
        goal_model: Model | None = None,
        diversifier_params: Mapping[str, Any] | None = None,
    ) -> None:
        """``diversifier``: a registered diversifier's name, with its configuration's values in
        ``diversifier_params`` (its defaults otherwise)."""
        known = registry.names("diversifier")
        if diversifier not in known:
            raise ValueError(f"unknown diversifier « {diversifier} »: {', '.join(known)}")
        self.model = model
        self.space = space
        self.items = list(items)
        self.goals = goals
        self.surface = surface or Surface()
        self.k = k
        self.pool = pool
        self.curiosity = curiosity
        self.new: Bools = np.asarray(space.popularity == 0, dtype=np.bool_)
        """New works: never chosen in training (the attribute ``new=true`` of a goal)."""
        self.cold = cold

        def mask(attribute: str, value: str) -> Bools:
            if attribute == "new":
                return self.new.copy() if value == "true" else np.logical_not(self.new)
            return attribute_mask(attribute, value)

        self.attribute_mask = mask
        self.only = only
        self.allowed: Bools | None = only_mask(only, len(self.items), mask) if only else None
        """The works a list may hold (``only``: ``creation=human``…); ``None``: every one."""
        self.masks = goal_masks(goals, mask)
        self.goal_model = goal_model
        self.goal_work: Bools = (
            self.masks.any(axis=0) & ~self.new
            if goals and goal_model is not None
            else np.zeros(len(self.items), dtype=np.bool_)
        )
        """Works the goal model orders: those of some goal that the main model knows (new works
        are the ``cold`` model's)."""
        self.goal_works: Ints = np.flatnonzero(self.goal_work)
        self.reference = reference
        curiosity_weight(diversifier, curiosity)  # refuses a dial outside [0, 1]
        component = registry.get("diversifier", diversifier)
        config = component.validate(diversifier_params)
        self.diversifier: Reranker | None = (
            component.build(config, space, curiosity) if curiosity > 0 else None
        )
        self.ranker = ConstrainedRanker(goals, self.masks, self.surface) if goals else None
        self.bonus: Floats | None = None
        """Per-goal utility bonus once ``calibrate`` has run (amortised goals)."""
        self.prefix = PrefixQuota(goals, self.masks) if goals and reference == "prefix" else None
        n_items = len(self.items)
        if goals:
            codes = (self.masks.T.astype(np.int64) << np.arange(len(goals))).sum(axis=1)
            self.type_items = [np.flatnonzero(codes == c) for c in np.unique(codes) if c != 0]
        else:
            self.type_items = []
        self._n_items = n_items

    def scores(self, history: sparse.csr_matrix) -> Floats:
        """The model's scores; with a ``cold`` model, new works get its similarity instead,
        scaled to at most the user's k-th best score: ordered by content among themselves, they
        come after the works the model is sure of and take the slots a goal keeps for them, at
        the end of the list unless their similarity is high."""
        scores = self.model.score(history)
        if self.goal_model is not None and len(self.goal_works):
            scores = self._goal_order(scores, history)
        if self.cold is not None and self.new.any():
            content = np.clip(self.cold.score(history)[:, self.new], 0.0, None)
            unseen = scores.copy()
            unseen[history.nonzero()] = -np.inf  # the k-th best of what may be recommended
            warm = unseen[:, ~self.new]
            if warm.shape[1] >= self.k:
                kth = -np.partition(-warm, self.k - 1, axis=1)[:, self.k - 1 : self.k]
                scale = np.where(np.isfinite(kth), np.maximum(kth, 0.0), 0.0)
            else:
                scale = np.ones((scores.shape[0], 1))
            scores[:, self.new] = scale * content
        return scores

    def _goal_order(self, scores: Floats, history: sparse.csr_matrix) -> Floats:
        """The goal works' scores, handed out again in the goal model's order (see the class)."""
        assert self.goal_model is not None
        works = self.goal_works
        seen = np.asarray(history[:, works].todense()) > 0
        own = scores[:, works]
        ranked = np.where(seen, -np.inf, self.goal_model.score(history)[:, works])
        values = -np.sort(-np.where(seen, -np.inf, own), axis=1)  # seen works last, as in ranked
        order = np.argsort(-ranked, axis=1, kind="stable")
        given = np.empty_like(own)
        np.put_along_axis(given, order, values, axis=1)
        given[seen] = own[seen]  # what the user has seen keeps its score (it is never shown)
        out = scores.copy()
        out[:, works] = given
        return out

    def _candidates(self, scores: Floats) -> tuple[Ints, int]:
        """Candidates in relevance order, and how many of the first are the pool (the rest are
        the goal types' best works from the whole catalogue)."""
        n = int(np.isfinite(scores).sum())
        pool = min(self.pool, n)
        top = np.argpartition(-scores, pool - 1)[:pool] if pool else np.zeros(0, dtype=np.int64)
        top = top[np.argsort(-scores[top], kind="stable")]
        parts = [top]
        for members in self.type_items:
            s = scores[members]
            m = int(np.isfinite(s).sum())
            if m == 0:
                continue
            take = min(self.k, m)
            parts.append(members[np.argpartition(-s, take - 1)[:take]])
        extra = np.setdiff1d(np.concatenate(parts[1:]) if len(parts) > 1 else top[:0], top)
        extra = extra[np.isfinite(scores[extra])]
        extra = extra[np.argsort(-scores[extra], kind="stable")]
        return np.concatenate([top, extra]), len(top)

    def _utility(self, scores: Floats, cand: Ints) -> Floats:
        s = scores[cand]
        if len(s) == 0:
            return np.zeros(0)
        spread = float(s.max() - s.min())
        return (s - s.min()) / spread if spread > 0 else np.ones(len(s))

    def check(self, items: Ints) -> bool:
        """Whether a list meets every goal on this surface."""
        if not self.goals:
            return True
        weights = self.surface.weights(self.k)[: len(items)]
        need, need_counts = required(self.goals, self.surface.weights(self.k))
        member = self.masks[:, items]
        return bool(
            np.all((member * weights).sum(axis=1) >= need)
            and np.all(member.sum(axis=1) >= need_counts)
        )

    def rank(
        self, scores: Floats, history: Ints
    ) -> tuple[Ints, Floats, Ints, Ints, GoalResult | None, Ints]:
        """One user's list. Returns the list, its utilities, the relevance top k, the curiosity
        step's top k, the goal result and the candidates in relevance order."""
        scores = scores.astype(np.float64, copy=True)
        scores[history] = -np.inf
        if self.allowed is not None:
            scores[~self.allowed] = -np.inf  # never a candidate, whatever a goal asks
        cand, pooled = self._candidates(scores)
        utility = self._utility(scores, cand)
        relevance_top = cand[: self.k]
        order = Order(items=cand, utility=utility)
        if self.diversifier is not None:
            order = self.diversifier.rerank(cand, utility, self.k, history)
        curiosity_top = order.items[: self.k]
        result: GoalResult | None = None
        if self.bonus is not None:  # amortised goals: the controller's bonus per goal
            adjusted = order.utility + self.bonus @ self.masks[:, order.items]
            resort = np.argsort(-adjusted, kind="stable")
            order = Order(items=order.items[resort], utility=adjusted[resort])
        elif self.ranker is not None:
            ranked = self.ranker.rerank_full(order.items, order.utility, self.k)
            result = ranked.goals
            order = Order(items=ranked.items, utility=ranked.utility)
            if self.prefix is not None:  # the reference: same feasibility, pool only
                pool_items = cand[:pooled]
                ref = self.prefix.rerank(
                    pool_items, self._utility(scores, pool_items), self.k, history
                )
                order = Order(items=ref.items[: self.k], utility=ref.utility[: self.k])
                assert result is not None
                result = msgspec.structs.replace(result, satisfied=self.check(order.items))
        return (
            order.items[: self.k],
            order.utility[: self.k],
            relevance_top,
            curiosity_top,
            result,
            cand,
        )

    def calibrate(self, history: sparse.csr_matrix, rounds: int = 4, batch: int = 256) -> Floats:
        """Amortised goals: find, for each goal, the smallest bonus (added to the [0, 1] utility
        of its works) such that across all these users' lists the goal gets its share of the
        prominence-weighted slots (and its count per list on average). Lagrangian multipliers
        found by bisection, goal after goal, a few rounds (goals can overlap)."""
        cands: list[Ints] = []
        utils: list[Floats] = []
        history = history.tocsr()
        for start in range(0, history.shape[0], batch):
            rows = history[start : start + batch]
            scores = self.scores(rows)
            for r in range(rows.shape[0]):
                row = scores[r].astype(np.float64)
                row[rows.indices[rows.indptr[r] : rows.indptr[r + 1]]] = -np.inf
                cand, _ = self._candidates(row)
                cands.append(cand)
                utils.append(self._utility(row, cand))
        width = max(len(c) for c in cands)
        util = np.full((len(cands), width), -np.inf)
        member = np.zeros((len(self.goals), len(cands), width), dtype=np.bool_)
        for u, (c, v) in enumerate(zip(cands, utils, strict=True)):
            util[u, : len(c)] = v
            member[:, u, : len(c)] = self.masks[:, c]
        weights = self.surface.weights(self.k)
        total = float(weights.sum())
        k = min(self.k, width)
        targets = np.array([max(g.share, g.min_items / self.k) for g in self.goals])

        def shares(bonus: Floats) -> Floats:
            adjusted = util + np.tensordot(bonus, member, axes=1)
            top = np.argsort(-adjusted, axis=1, kind="stable")[:, :k]
            hit = np.take_along_axis(member, top[None, :, :], axis=2)
            return np.asarray((hit * weights[:k]).sum(axis=2).mean(axis=1) / total)

        bonus = np.zeros(len(self.goals))
        for _ in range(rounds):
            for g in range(len(self.goals)):
                if shares(bonus)[g] >= targets[g] - 1e-12:
                    continue
                low, high = bonus[g], bonus[g] + 1.0
                trial = bonus.copy()
                trial[g] = high
                while shares(trial)[g] < targets[g] and high < 64:
                    high *= 2
                    trial[g] = high
                for _ in range(30):
                    trial[g] = (low + high) / 2
                    if shares(trial)[g] >= targets[g]:
                        high = trial[g]
                    else:
                        low = trial[g]
                bonus[g] = high
        self.bonus = bonus
        return bonus

    def lists(self, history: sparse.csr_matrix, k_long: int = 20, batch: int = 256) -> Lists:
        """Lists for every row of ``history`` (the works each user already has)."""
        n = history.shape[0]
        top = np.full((n, self.k), -1, dtype=np.int64)
        longer = np.full((n, k_long), -1, dtype=np.int64)
        satisfied = np.ones(n, dtype=np.bool_)
        feasible = np.ones(n, dtype=np.bool_)
        history = history.tocsr()
        for start in range(0, n, batch):
            rows = history[start : start + batch]
            scores = self.scores(rows)
            for r in range(rows.shape[0]):
                seen = rows.indices[rows.indptr[r] : rows.indptr[r + 1]].astype(np.int64)
                chosen, _, _, _, result, cand = self.rank(scores[r], seen)
                u = start + r
                top[u, : len(chosen)] = chosen
                rest = cand[~np.isin(cand, chosen)]
                if len(chosen) + len(rest) < k_long:
                    row = scores[r].copy()
                    row[seen] = -np.inf
                    row[chosen] = -np.inf
                    extra = np.argsort(-row, kind="stable")[: k_long - len(chosen)]
                    rest = extra[np.isfinite(row[extra])]
                tail = rest[: k_long - len(chosen)]
                longer[u, : len(chosen) + len(tail)] = np.concatenate([chosen, tail])
                satisfied[u] = self.check(chosen)
                if result is not None:
                    feasible[u] = result.feasible
        return Lists(top=top, longer=longer, satisfied=satisfied, feasible=feasible)

    def recommend(self, history_items: Sequence[int]) -> Recommendation:
        """One list with explanations for a history of item indices."""
        seen = np.asarray(sorted(set(history_items)), dtype=np.int64)
        row = sparse.csr_matrix(
            (np.ones(len(seen)), (np.zeros(len(seen), dtype=np.int64), seen)),
            shape=(1, self._n_items),
        )
        scores = self.scores(row)[0]
        chosen, utility, relevance_top, curiosity_top, result, _ = self.rank(scores, seen)
        picks = []
        dropped_by_curiosity = [i for i in relevance_top if i not in set(curiosity_top)]
        dropped_by_goals = [i for i in curiosity_top if i not in set(chosen)]
        for rank, item in enumerate(chosen):
            item = int(item)
            explainer = self.model
            if self.cold is not None and self.new[item]:
                explainer = self.cold
            elif self.goal_model is not None and self.goal_work[item]:
                explainer = self.goal_model
            contributions = explainer.neighbours(seen, item) if len(seen) else np.zeros(0)
            best = np.argsort(-contributions, kind="stable")[:3]
            because = [
                Because(self.items[int(seen[b])], round(float(contributions[b]), 4))
                for b in best
                if contributions[b] > 0
            ]
            explanation = Explanation(because=because)
            member = [g.name for g, m in zip(self.goals, self.masks, strict=True) if m[item]]
            explanation.goals = member
            if item not in set(curiosity_top.tolist()) and self.goals:
                explanation.placed_by = "goal"
                if dropped_by_goals:
                    explanation.replaced = self.items[int(dropped_by_goals.pop(0))]
            elif item not in set(relevance_top.tolist()):
                explanation.placed_by = "curiosity"
                if dropped_by_curiosity:
                    explanation.replaced = self.items[int(dropped_by_curiosity.pop(0))]
            picks.append(
                Pick(
                    item=self.items[item],
                    rank=rank + 1,
                    score=round(float(utility[rank]), 4),
                    explanation=explanation,
                )
            )
        return Recommendation(items=picks, goals=result, goal_names=[g.name for g in self.goals])
