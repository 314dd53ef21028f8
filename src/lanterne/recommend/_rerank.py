"""Re-rankers: the diversity layer between a model's candidates and the list a person sees.

Each re-ranker takes candidate items with a utility (the model's score scaled to [0, 1] for the
user) and returns an order of all of them, best first, with the utility each item had when it
was placed, so that a later step (the goals) can keep weighing what the earlier one decided.

* ``MMR``: maximal marginal relevance (Carbonell and Goldstein 1998);
* ``Calibrated``: Steck (RecSys 2018), greedy on (1 − λ)·utility − λ·KL(p ‖ q̃);
* ``LongTail``: xQuAD over head and tail items (Abdollahpouri et al. 2019);
* ``PrefixQuota``: the naive reference: every prefix of length i holds ⌊share·i⌋ works of each
  goal, chosen from the candidates it was given;
* ``ConstrainedRanker``: several goals at once, weighted by slot prominence, the best list
  that meets them all, or a report that none can.
"""

from __future__ import annotations

import itertools
from functools import cache

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import sparse

from lanterne.recommend._goals import Goal, Surface, required

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_NEG = -np.inf
_DENSE_LIMIT = 20_000_000


class ItemSpace:
    """What re-rankers and metrics know about items.

    ``features``: items × features, rows of unit length (similarity is their dot product);
    ``categories``: items × categories, rows summing to 1 (for calibration);
    ``popularity``: training interactions per item; ``tail``: items outside the short head
    (the most chosen items that gather ``head_share`` of all interactions)."""

    def __init__(
        self,
        features: sparse.csr_matrix | npt.NDArray[np.float32],
        categories: sparse.csr_matrix,
        popularity: Floats,
        head_share: float = 0.2,
    ) -> None:
        self._dense_features: Floats | None = None
        self._dense_categories: Floats | None = None
        self._vectors: npt.NDArray[np.float32] | None = None
        if isinstance(features, np.ndarray):
            # Dense vectors (the search index's embeddings): kept as they are, float32, with
            # their inverse norms; rows are scaled when sliced. A float64 copy turned into CSR
            # cost about 25 bytes per value (1.2 GB for 115,000 works × 512) when a catalogue
            # grew through an import.
            norms = np.sqrt(np.einsum("ij,ij->i", features, features, dtype=np.float64))
            self._vectors = features
            self._inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
            self.features = sparse.csr_matrix((features.shape[0], 0))
        else:
            norms = np.sqrt(np.asarray(features.multiply(features).sum(axis=1)).ravel())
            inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
            self.features = sparse.csr_matrix(sparse.diags(inverse) @ features)
        self.categories = sparse.csr_matrix(categories)
        # Small enough (genres, a few hundred dimensions over a modest catalogue): keep dense
        # copies, ten times faster to slice per user than sparse rows.
        if (
            self._vectors is None
            and self.features.shape[0] * self.features.shape[1] <= _DENSE_LIMIT
        ):
            self._dense_features = np.asarray(self.features.todense(), dtype=np.float64)
        if self.categories.shape[0] * self.categories.shape[1] <= _DENSE_LIMIT:
            self._dense_categories = np.asarray(self.categories.todense(), dtype=np.float64)
        self.popularity = popularity
        order = np.argsort(-popularity, kind="stable")
        cumulative = np.cumsum(popularity[order])
        total = cumulative[-1] if len(cumulative) else 0.0
        head = order[: int(np.searchsorted(cumulative, head_share * total, side="right")) + 1]
        self.tail = np.ones(len(popularity), dtype=np.bool_)
        if total > 0:
            self.tail[head] = False

    def similarity(self, items: Ints) -> Floats:
        if self._vectors is not None:
            d = self._vectors[items].astype(np.float64) * self._inverse[items][:, None]
            return np.asarray(d @ d.T, dtype=np.float64)
        if self._dense_features is not None:
            d = self._dense_features[items]
            return np.asarray(d @ d.T, dtype=np.float64)
        f = self.features[items]
        return np.asarray((f @ f.T).todense(), dtype=np.float64)

    def category_rows(self, items: Ints) -> Floats:
        if self._dense_categories is not None:
            return self._dense_categories[items]
        return np.asarray(self.categories[items].todense(), dtype=np.float64)

    def distribution(self, items: Ints) -> Floats:
        """Category distribution of a set of items (their rows averaged)."""
        if len(items) == 0:
            return np.zeros(self.categories.shape[1])
        return np.asarray(self.category_rows(items).mean(axis=0), dtype=np.float64).ravel()


class Order(msgspec.Struct, kw_only=True):
    items: Ints
    utility: Floats


def _finish(items: Ints, chosen: list[int], chosen_value: list[float], rest_value: Floats) -> Order:
    picked = np.asarray(chosen, dtype=np.int64)
    left = np.setdiff1d(np.arange(len(items)), picked, assume_unique=True)
    left = left[np.argsort(-rest_value[left], kind="stable")]
    positions = np.concatenate([picked, left])
    utility = np.concatenate([np.asarray(chosen_value), rest_value[left]])
    return Order(items=items[positions], utility=utility)


class MMR:
    """λ·utility − (1 − λ)·max similarity to the works already placed."""

    name = "mmr"

    def __init__(self, space: ItemSpace, lam: float = 0.7) -> None:
        self.space = space
        self.lam = lam

    def rerank(self, items: Ints, utility: Floats, k: int, history: Ints) -> Order:
        sim = self.space.similarity(items)
        closest = np.zeros(len(items))
        free = np.ones(len(items), dtype=np.bool_)
        chosen: list[int] = []
        values: list[float] = []
        for _ in range(min(k, len(items))):
            value = self.lam * utility - (1.0 - self.lam) * closest
            value[~free] = _NEG
            j = int(np.argmax(value))
            chosen.append(j)
            values.append(float(value[j]))
            free[j] = False
            np.maximum(closest, sim[j], out=closest)
        return _finish(items, chosen, values, self.lam * utility - (1.0 - self.lam) * closest)


class Calibrated:
    """Steck's calibration: the list's category mix follows the user's history."""

    name = "calibrated"

    def __init__(self, space: ItemSpace, lam: float = 0.5, alpha: float = 0.01) -> None:
        self.space = space
        self.lam = lam
        self.alpha = alpha

    def rerank(self, items: Ints, utility: Floats, k: int, history: Ints) -> Order:
        p = self.space.distribution(history)
        nz = p > 0  # only the user's categories enter KL(p ‖ q̃)
        pn = p[nz]
        cats = self.space.category_rows(items)[:, nz]
        total = np.zeros(int(nz.sum()))
        free = np.ones(len(items), dtype=np.bool_)
        chosen: list[int] = []
        values: list[float] = []
        current = 0.0
        relevance = 0.0
        gain = (1.0 - self.lam) * utility
        log_p = np.log(pn) if len(pn) else pn
        for n in range(min(k, len(items))):
            smoothed = (1.0 - self.alpha) * (total + cats) / (n + 1) + self.alpha * pn
            after = (pn * (log_p - np.log(smoothed))).sum(axis=1)
            gain = (1.0 - self.lam) * (relevance + utility) - self.lam * after - current
            gain[~free] = _NEG
            j = int(np.argmax(gain))
            chosen.append(j)
            values.append(float(gain[j]))
            free[j] = False
            total += cats[j]
            relevance += utility[j]
            current = (1.0 - self.lam) * relevance - self.lam * float(after[j])
        return _finish(items, chosen, values, gain)


class LongTail:
    """xQuAD over two aspects, short head and long tail, each weighed by its share in the
    user's history: tail works gain while the list lacks them."""

    name = "longtail"

    def __init__(self, space: ItemSpace, lam: float = 0.5) -> None:
        self.space = space
        self.lam = lam

    def rerank(self, items: Ints, utility: Floats, k: int, history: Ints) -> Order:
        tail = self.space.tail[items]
        p_tail = float(self.space.tail[history].mean()) if len(history) else 0.5
        free = np.ones(len(items), dtype=np.bool_)
        chosen: list[int] = []
        values: list[float] = []
        in_tail = in_head = 0
        value = utility.copy()
        for n in range(min(k, len(items))):
            cover_tail = 1.0 - in_tail / n if n else 1.0
            cover_head = 1.0 - in_head / n if n else 1.0
            aspect = np.where(tail, p_tail * cover_tail, (1.0 - p_tail) * cover_head)
            value = (1.0 - self.lam) * utility + self.lam * aspect
            value[~free] = _NEG
            j = int(np.argmax(value))
            chosen.append(j)
            values.append(float(value[j]))
            free[j] = False
            in_tail += int(tail[j])
            in_head += int(not tail[j])
        return _finish(items, chosen, values, value)


class GoalResult(msgspec.Struct, kw_only=True):
    """How a list meets its goals."""

    feasible: bool
    """Some list from the catalogue (minus what the user has seen) meets every goal."""
    satisfied: bool
    achieved: list[float]
    """Per goal, its share of the list's prominence-weighted slots."""
    counts: list[int]
    method: str
    """``relevance`` (the list met the goals as it was), ``choice`` (other works chosen, order
    kept), ``placement`` (works also moved up, or too many goal types to count: the best list a
    bounded depth-first search found), ``best-effort`` (infeasible: the smallest shortfall)."""
    exhaustive: bool = True
    """False when the search stopped at its bound before proving that no list meets the goals
    (``feasible`` is then « not found », not « impossible »)."""


class Ranked(msgspec.Struct, kw_only=True):
    items: Ints
    utility: Floats
    goals: GoalResult | None = None


def _membership(goal_masks: Bools, items: Ints) -> Bools:
    if goal_masks.shape[0] == 0:
        return np.zeros((0, len(items)), dtype=np.bool_)
    return goal_masks[:, items]


def _meets(cov: Floats, cnt: Ints, need: Floats, need_counts: Ints) -> bool:
    return bool(np.all(cov >= need) and np.all(cnt >= need_counts))


class PrefixQuota:
    """The naive reference: walk the slots; when a goal has fewer than ⌊share·i⌋ works in the
    first i slots, take the best remaining candidate of the goals most behind."""

    name = "prefix-quota"

    def __init__(self, goals: tuple[Goal, ...], goal_masks: Bools) -> None:
        self.goals = goals
        self.goal_masks = goal_masks

    def rerank(self, items: Ints, utility: Floats, k: int, history: Ints) -> Order:
        member = _membership(self.goal_masks, items)
        shares = np.array([g.share for g in self.goals])
        free = np.ones(len(items), dtype=np.bool_)
        have = np.zeros(len(self.goals))
        chosen: list[int] = []
        order = np.argsort(-utility, kind="stable")
        for i in range(1, min(k, len(items)) + 1):
            behind = have < np.floor(shares * i + 1e-9)
            pick = -1
            if behind.any():
                helps = member[behind].sum(axis=0) * free
                if helps.max() > 0:
                    best = helps.max()
                    pick = next(int(j) for j in order if free[j] and helps[j] == best)
            if pick < 0:
                pick = next(int(j) for j in order if free[j])
            chosen.append(pick)
            free[pick] = False
            have += member[:, pick]
        return _finish(items, chosen, [float(utility[j]) for j in chosen], utility)


@cache
def _compositions(types: int, length: int) -> Ints:
    """Every vector of ``types`` non-negative counts summing to ``length``."""
    rows = []
    for bars in itertools.combinations(range(length + types - 1), types - 1):
        edges = (-1, *bars, length + types - 1)
        rows.append([edges[t + 1] - edges[t] - 1 for t in range(types)])
    return np.asarray(rows, dtype=np.int64).reshape(-1, types)


_MAX_COMPOSITIONS = 50_000
_MAX_NODES = 20_000


class ConstrainedRanker:
    """The best list (Σ utility × 1/log2(rank + 1)) that gives each goal its share of the
    surface's prominence-weighted slots and its minimum count.

    Works of one *type* (the same goal memberships) are interchangeable for the goals, so an
    optimal list uses the best ones of each type, in utility order: it is enough to know how many
    of each type to take. Every count vector is evaluated at once, each with its works in utility
    order; with uniform prominence this is exact. When prominence varies and no such list meets
    the goals, a bounded exhaustive search also moves works up. When no list can, the one with
    the smallest shortfall is returned and the result says so."""

    name = "constrained"

    def __init__(self, goals: tuple[Goal, ...], goal_masks: Bools, surface: Surface) -> None:
        self.goals = goals
        self.goal_masks = goal_masks
        self.surface = surface

    def rerank_full(self, items: Ints, utility: Floats, k: int) -> Ranked:
        length = min(k, len(items))
        weights = self.surface.weights(k)[:length]
        discount = 1.0 / np.log2(np.arange(length) + 2.0)
        need, need_counts = required(self.goals, self.surface.weights(k))
        member = _membership(self.goal_masks, items)
        order = np.argsort(-utility, kind="stable")
        top = order[:length]
        cov = (member[:, top] * weights).sum(axis=1)
        cnt = member[:, top].sum(axis=1)
        total = float(self.surface.weights(k).sum())
        if len(items) == 0 and not _meets(cov, cnt, need, need_counts):
            # Nothing to place (a filter let no work through): no list can meet the goals.
            return Ranked(
                items=items[:0],
                utility=utility[:0],
                goals=GoalResult(
                    feasible=False,
                    satisfied=False,
                    achieved=[0.0 for _ in self.goals],
                    counts=[0 for _ in self.goals],
                    method="relevance",
                ),
            )
        if _meets(cov, cnt, need, need_counts):
            return Ranked(
                items=items[top],
                utility=utility[top],
                goals=GoalResult(
                    feasible=True,
                    satisfied=True,
                    achieved=[float(v) for v in cov / total],
                    counts=[int(c) for c in cnt],
                    method="relevance",
                ),
            )
        # Types: distinct goal memberships among the candidates; the best `length` of each.
        codes = (member.T.astype(np.int64) << np.arange(len(self.goals))).sum(axis=1)
        kinds, inverse = np.unique(codes, return_inverse=True)
        type_member = ((kinds[:, None] >> np.arange(len(self.goals))) & 1).astype(np.bool_)
        per_type: list[Ints] = []
        for t in range(len(kinds)):
            idx = order[inverse[order] == t][:length]
            per_type.append(idx)
        avail = np.array([len(p) for p in per_type], dtype=np.int64)
        values = np.full((len(kinds), length), _NEG)
        for t, idx in enumerate(per_type):
            values[t, : len(idx)] = utility[idx]
        counts = self._candidate_counts(avail, length)  # None: too many to enumerate
        enumerable = counts is not None
        best = (
            self._enumerate(counts, values, type_member, weights, discount, need, need_counts)
            if counts is not None
            else None
        )
        if best is not None and best[1]:
            return self._result(
                best[0], per_type, items, utility, member, weights, total, "choice", True
            )
        uniform = bool(np.allclose(weights, weights[0]))
        exhaustive = True
        if not enumerable or (not uniform and best is not None):
            # Too many goal types to enumerate counts, or prominence may ask to move works up.
            found, exhaustive = self._search(
                values, avail, type_member, weights, discount, need, need_counts, length
            )
            if found is not None:
                return self._result(
                    found, per_type, items, utility, member, weights, total, "placement", True
                )
        shortfall = self._closest(
            counts, values, avail, type_member, weights, discount, need, need_counts, length
        )
        ranked = self._result(
            shortfall, per_type, items, utility, member, weights, total, "best-effort", False
        )
        if ranked.goals is not None:
            ranked.goals.exhaustive = exhaustive
        return ranked

    def rerank(self, items: Ints, utility: Floats, k: int, history: Ints) -> Order:
        ranked = self.rerank_full(items, utility, k)
        return Order(items=ranked.items, utility=ranked.utility)

    @staticmethod
    def _arrange(values: Floats, counts: Ints, length: int) -> tuple[Floats, Ints]:
        """For each count vector, the chosen utilities in utility order and their types."""
        n_types = values.shape[0]
        take = np.arange(length)[None, None, :] < counts[:, :, None]
        grid = np.where(take, values[None, :, :], _NEG).reshape(len(counts), n_types * length)
        order = np.argsort(-grid, axis=1, kind="stable")[:, :length]
        return np.take_along_axis(grid, order, axis=1), order // length

    def _lists(
        self, values: Floats, counts: Ints, type_member: Bools, weights: Floats, length: int
    ) -> tuple[Floats, Floats, Ints]:
        """For each count vector, its list in utility order: the utilities, each goal's weighted
        coverage and count."""
        chosen, kinds = self._arrange(values, counts, length)
        members = type_member[kinds]
        cov = np.einsum("vi,vig->vg", np.broadcast_to(weights, chosen.shape), members)
        return chosen, cov, members.sum(axis=1)

    def _enumerate(
        self,
        counts: Ints,
        values: Floats,
        type_member: Bools,
        weights: Floats,
        discount: Floats,
        need: Floats,
        need_counts: Ints,
    ) -> tuple[Ints, bool] | None:
        """Best of the count vectors whose utility-ordered list meets the goals;
        ``(vector, True)``, or ``(vector, False)`` when some vector could meet them by counts
        alone (necessary condition) but none does in utility order; ``None`` when none can even
        by counts."""
        length = len(weights)
        slot_counts = counts @ type_member.astype(np.int64)
        top_weights = np.concatenate([[0.0], np.cumsum(weights)])
        possible = np.all(top_weights[np.minimum(slot_counts, length)] >= need, axis=1) & np.all(
            slot_counts >= need_counts, axis=1
        )
        if not possible.any():
            return None
        counts = counts[possible]
        chosen, cov, _ = self._lists(values, counts, type_member, weights, length)
        objective = chosen @ discount
        meets = np.all(cov >= need, axis=1)
        if meets.any():
            v = int(np.flatnonzero(meets)[np.argmax(objective[meets])])
            return counts[v], True
        return counts[int(np.argmax(objective))], False

    @staticmethod
    def _candidate_counts(avail: Ints, length: int) -> Ints | None:
        n_types = len(avail)
        length = min(length, int(avail.sum()))
        if n_types == 1:
            return np.array([[length]], dtype=np.int64)
        all_counts = (
            _compositions(n_types, length)
            if _n_compositions(n_types, length) <= _MAX_COMPOSITIONS
            else None
        )
        if all_counts is None:
            return None
        return all_counts[np.all(all_counts <= avail, axis=1)]

    def _closest(
        self,
        counts: Ints | None,
        values: Floats,
        avail: Ints,
        type_member: Bools,
        weights: Floats,
        discount: Floats,
        need: Floats,
        need_counts: Ints,
        length: int,
    ) -> Ints:
        if counts is None:  # too many types to enumerate: keep relevance order
            return self._greedy_counts(values, avail, length)
        chosen, cov, cnt = self._lists(values, counts, type_member, weights, length)
        scale = np.where(need > 0, need, 1.0)
        gap = (np.maximum(need - cov, 0) / scale).sum(axis=1) + (
            np.maximum(need_counts - cnt, 0) / np.maximum(need_counts, 1)
        ).sum(axis=1)
        objective = chosen @ discount
        best = np.lexsort((-objective, np.round(gap, 9)))[0]
        return np.asarray(counts[int(best)], dtype=np.int64)

    @staticmethod
    def _greedy_counts(values: Floats, avail: Ints, length: int) -> Ints:
        flat = np.argsort(-values.ravel(), kind="stable")[:length]
        return np.bincount(flat // values.shape[1], minlength=values.shape[0]).astype(np.int64)

    def _search(
        self,
        values: Floats,
        avail: Ints,
        type_member: Bools,
        weights: Floats,
        discount: Floats,
        need: Floats,
        need_counts: Ints,
        length: int,
    ) -> tuple[list[int] | None, bool]:
        """Depth-first search over which type fills each slot (works of a type in utility
        order), pruned by what the remaining slots could still add. Returns the type of each
        slot (None when no list meets the goals), and whether the search was complete (it stops
        after ``_MAX_NODES`` nodes: then « no list » is not proven)."""
        n_types = len(avail)
        suffix = np.concatenate([np.cumsum(weights[::-1])[::-1], [0.0]])
        best_value = _NEG
        best: list[int] | None = None
        nodes = 0
        used = [0] * n_types
        sequence: list[int] = []
        members = [type_member[:, g].nonzero()[0].tolist() for g in range(type_member.shape[1])]
        order_types = list(range(n_types))

        def dfs(slot: int, cov: Floats, cnt: Ints, value: float) -> None:
            nonlocal best_value, best, nodes
            nodes += 1
            if nodes > _MAX_NODES:
                return
            if slot == length:
                if _meets(cov, cnt, need, need_counts) and value > best_value:
                    best_value, best = value, sequence.copy()
                return
            remaining = length - slot
            for g in range(len(need)):
                left = sum(int(avail[t]) - used[t] for t in members[g])
                reach = min(left, remaining)
                if (
                    cov[g] + suffix[slot] - suffix[slot + reach] < need[g]
                    or cnt[g] + reach < need_counts[g]
                ):
                    return
            ahead = np.sort(
                np.concatenate([values[t, used[t] : avail[t]] for t in range(n_types)])
            )[::-1][:remaining]
            if value + float(ahead @ discount[slot : slot + len(ahead)]) <= best_value:
                return
            for t in sorted(
                order_types, key=lambda t: -values[t, used[t]] if used[t] < avail[t] else np.inf
            ):
                if used[t] >= avail[t]:
                    continue
                gain = values[t, used[t]] * discount[slot]
                used[t] += 1
                sequence.append(t)
                dfs(
                    slot + 1,
                    cov + weights[slot] * type_member[t],
                    cnt + type_member[t],
                    value + gain,
                )
                sequence.pop()
                used[t] -= 1

        dfs(0, np.zeros(len(need)), np.zeros(len(need), dtype=np.int64), 0.0)
        return best, nodes <= _MAX_NODES

    def _result(
        self,
        plan: Ints | list[int],
        per_type: list[Ints],
        items: Ints,
        utility: Floats,
        member: Bools,
        weights: Floats,
        total: float,
        method: str,
        feasible: bool,
    ) -> Ranked:
        if isinstance(plan, list):  # the type of each slot, in slot order
            cursor = [0] * len(per_type)
            chosen = []
            for t in plan:
                chosen.append(int(per_type[t][cursor[t]]))
                cursor[t] += 1
            picked = np.asarray(chosen, dtype=np.int64)
        else:
            picked = np.concatenate([per_type[t][: int(n)] for t, n in enumerate(plan)])
            picked = picked[np.argsort(-utility[picked], kind="stable")]
        length = len(picked)
        cov = (member[:, picked] * weights[:length]).sum(axis=1)
        cnt = member[:, picked].sum(axis=1)
        need, need_counts = required(self.goals, self.surface.weights(len(weights)))
        return Ranked(
            items=items[picked],
            utility=utility[picked],
            goals=GoalResult(
                feasible=feasible,
                satisfied=_meets(cov, cnt, need, need_counts),
                achieved=[float(v) for v in cov / total],
                counts=[int(c) for c in cnt],
                method=method,
            ),
        )


def _n_compositions(types: int, length: int) -> int:
    from math import comb

    return comb(length + types - 1, types - 1)
