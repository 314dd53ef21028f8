"""Re-rankers on fixtures checked by hand, and the constrained ranker against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from lanterne.recommend import (
    MMR,
    Calibrated,
    ConstrainedRanker,
    Goal,
    ItemSpace,
    LongTail,
    PrefixQuota,
    Surface,
    parse_goal,
)
from lanterne.recommend._goals import BadGoal


def _space(
    features: np.ndarray,
    categories: np.ndarray | None = None,
    pop: np.ndarray | None = None,
    head_share: float = 0.2,
) -> ItemSpace:
    n = features.shape[0]
    cats = categories if categories is not None else np.ones((n, 1))
    pop = pop if pop is not None else np.ones(n)
    return ItemSpace(sparse.csr_matrix(features), sparse.csr_matrix(cats), pop, head_share)


def test_mmr_by_hand() -> None:
    # Items 0 and 1 identical, 2 different. λ = 0.5, utilities (1, 0.9, 0.5):
    #   slot 1: 0.5·1 = 0.5 (item 0) beats 0.45 and 0.25;
    #   slot 2: item 1 → 0.45 − 0.5·1 = −0.05; item 2 → 0.25 − 0 = 0.25: item 2;
    #   slot 3: item 1.
    space = _space(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
    order = MMR(space, lam=0.5).rerank(
        np.arange(3), np.array([1.0, 0.9, 0.5]), 3, np.zeros(0, dtype=np.int64)
    )
    assert order.items.tolist() == [0, 2, 1]
    assert order.utility.tolist() == pytest.approx([0.5, 0.25, -0.05])
    # λ = 1 is plain relevance.
    plain = MMR(space, lam=1.0).rerank(
        np.arange(3), np.array([1.0, 0.9, 0.5]), 3, np.zeros(0, dtype=np.int64)
    )
    assert plain.items.tolist() == [0, 1, 2]


def test_calibration_follows_the_history() -> None:
    # History: items 3 and 4, both genre A. Candidates 0, 1 (genre B, utility 1, 0.9) and 2
    # (genre A, 0.6). Without calibration: 0, 1. With λ = 0.9 the A work comes first: its KL is
    # 0 against ln(1/0.01) = 4.6 for a B-only list.
    cats = np.array([[0, 1], [0, 1], [1, 0], [1, 0], [1, 0]], dtype=float)
    space = _space(np.eye(5), cats)
    history = np.array([3, 4])
    utility = np.array([1.0, 0.9, 0.6])
    assert Calibrated(space, lam=0.0).rerank(np.arange(3), utility, 2, history).items[
        :2
    ].tolist() == [0, 1]
    assert Calibrated(space, lam=0.9).rerank(np.arange(3), utility, 2, history).items[0] == 2


def test_long_tail_brings_a_tail_work() -> None:
    # Popularity (10, 9, 8, 1, 1), 29 in all: the short head is the most chosen items that
    # gather half of it (14.5): items 0 and 1 (10, then 19). History {0, 4}: P(tail) = 0.5.
    # λ = 0.6, utilities (1, 0.95, 0.9, 0.5):
    #   slot 1: every aspect is uncovered, all gain 0.6·0.5 = 0.3: item 0 (0.4 + 0.3 = 0.7);
    #   slot 2: the head is covered: item 1 → 0.38; item 2 (tail) → 0.36 + 0.3 = 0.66: item 2.
    pop = np.array([10.0, 9.0, 8.0, 1.0, 1.0])
    space = _space(np.eye(5), pop=pop, head_share=0.5)
    assert space.tail.tolist() == [False, False, True, True, True]
    history = np.array([0, 4])
    utility = np.array([1.0, 0.95, 0.9, 0.5])
    order = LongTail(space, lam=0.6).rerank(np.arange(4), utility, 3, history)
    assert order.items[:2].tolist() == [0, 2]
    assert order.utility[:2].tolist() == pytest.approx([0.7, 0.66])
    plain = LongTail(space, lam=0.0).rerank(np.arange(4), utility, 3, history)
    assert plain.items.tolist()[:3] == [0, 1, 2]


def _goal_masks(members: list[int], n: int) -> np.ndarray:
    mask = np.zeros((1, n), dtype=bool)
    mask[0, members] = True
    return mask


def test_prefix_quota_by_hand() -> None:
    # Goal 50 %, members 3 and 4, utilities decreasing. Slot 1: ⌊0.5⌋ = 0 → item 0;
    # slot 2: ⌊1⌋ = 1, none yet → best member 3; slot 3: ⌊1.5⌋ = 1 met → item 1;
    # slot 4: ⌊2⌋ = 2 → member 4.
    goals = (Goal(conditions=(("g", "1"),), share=0.5),)
    ref = PrefixQuota(goals, _goal_masks([3, 4], 5))
    order = ref.rerank(np.arange(5), np.linspace(1, 0.2, 5), 4, np.zeros(0, dtype=np.int64))
    assert order.items[:4].tolist() == [0, 3, 1, 4]


def test_constrained_ranker_by_hand() -> None:
    # Same goal: the best 2 non-members and the best 2 members, in utility order: 0, 1, 3, 4.
    goals = (Goal(conditions=(("g", "1"),), share=0.5),)
    ranker = ConstrainedRanker(goals, _goal_masks([3, 4], 5), Surface())
    ranked = ranker.rerank_full(np.arange(5), np.linspace(1, 0.2, 5), 4)
    assert ranked.items.tolist() == [0, 1, 3, 4]
    assert ranked.goals is not None
    assert ranked.goals.satisfied and ranked.goals.feasible and ranked.goals.method == "choice"
    assert ranked.goals.achieved == [0.5]


def test_constrained_ranker_keeps_a_list_that_already_meets_the_goals() -> None:
    goals = (Goal(conditions=(("g", "1"),), share=0.25),)
    ranked = ConstrainedRanker(goals, _goal_masks([1], 5), Surface()).rerank_full(
        np.arange(5), np.linspace(1, 0.2, 5), 4
    )
    assert ranked.items.tolist() == [0, 1, 2, 3]
    assert ranked.goals is not None and ranked.goals.method == "relevance"


def test_infeasible_goals_are_reported_with_the_closest_list() -> None:
    # 50 % of 4 slots needs 2 members; only item 4 is one.
    goals = (Goal(conditions=(("g", "1"),), share=0.5),)
    ranked = ConstrainedRanker(goals, _goal_masks([4], 5), Surface()).rerank_full(
        np.arange(5), np.linspace(1, 0.2, 5), 4
    )
    assert ranked.goals is not None
    assert not ranked.goals.feasible and not ranked.goals.satisfied
    assert ranked.goals.method == "best-effort"
    assert 4 in ranked.items.tolist()  # the shortfall is as small as it can be
    assert ranked.goals.achieved == [0.25]


def test_prominence_can_require_moving_a_work_up() -> None:
    # Log surface, 2 slots: weights 1 and 1/log2(3) = 0.631; 50 % needs 0.815 of coverage, so
    # the only member (item 1, utility 0.9) must take slot 1 even though item 0 is better.
    goals = (Goal(conditions=(("g", "1"),), share=0.5),)
    ranked = ConstrainedRanker(goals, _goal_masks([1], 3), Surface(kind="log")).rerank_full(
        np.arange(3), np.array([1.0, 0.9, 0.1]), 2
    )
    assert ranked.items.tolist() == [1, 0]
    assert (
        ranked.goals is not None and ranked.goals.method == "placement" and ranked.goals.satisfied
    )


def test_count_goal() -> None:
    goals = (Goal(conditions=(("g", "1"),), min_items=1),)
    ranked = ConstrainedRanker(goals, _goal_masks([4], 5), Surface()).rerank_full(
        np.arange(5), np.linspace(1, 0.2, 5), 3
    )
    assert ranked.items.tolist() == [0, 1, 4]


def test_goal_parsing() -> None:
    assert parse_goal("european=true:0.6") == Goal(conditions=(("european", "true"),), share=0.6)
    assert parse_goal("country=FR:20%").share == pytest.approx(0.2)
    assert parse_goal("territory=CA-QC&new=true:#1") == Goal(
        conditions=(("territory", "CA-QC"), ("new", "true")), min_items=1
    )
    for bad in ("european", "european=true", "=x:0.5", "a=b:1.5", "a=b:x"):
        with pytest.raises(BadGoal):
            parse_goal(bad)


def test_surfaces() -> None:
    assert Surface().weights(3).tolist() == [1.0, 1.0, 1.0]
    assert Surface(kind="log").weights(2).tolist() == pytest.approx([1.0, 1 / np.log2(3)])
    assert Surface(kind="rbp", patience=0.5).weights(3).tolist() == [1.0, 0.5, 0.25]
    grid = Surface(kind="grid", columns=2, row_decay=0.5, column_decay=0.9)
    # Cells (0,0) 1, (0,1) 0.9, (1,0) 0.5, (1,1) 0.45.
    assert grid.weights(4).tolist() == pytest.approx([1.0, 0.9, 0.5, 0.45])
    assert grid.grid_positions(4) == [(0, 0), (0, 1), (1, 0), (1, 1)]


# Brute force: every ordered choice of k of n candidates. ------------------------------------


def _brute(
    utility: np.ndarray, masks: np.ndarray, goals: tuple[Goal, ...], surface: Surface, k: int
) -> tuple[bool, float]:
    weights = surface.weights(k)
    discount = 1 / np.log2(np.arange(k) + 2)
    total = weights.sum()
    best = -np.inf
    for perm in itertools.permutations(range(len(utility)), k):
        idx = list(perm)
        ok = all(
            (masks[g, idx] * weights).sum() >= goal.share * total - 1e-9 * total
            and masks[g, idx].sum() >= goal.min_items
            for g, goal in enumerate(goals)
        )
        if ok:
            best = max(best, float(utility[idx] @ discount))
    return best > -np.inf, best


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(3, 7),
    k=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    shares=st.lists(
        st.sampled_from([0.0, 0.2, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0]), min_size=1, max_size=3
    ),
    density=st.floats(0.05, 0.9),
    surface=st.sampled_from(["uniform", "log", "grid"]),
)
def test_goals_hold_whenever_feasible_and_infeasibility_is_reported(
    n: int, k: int, seed: int, shares: list[float], density: float, surface: str
) -> None:
    k = min(k, n)
    rng = np.random.default_rng(seed)
    utility = np.sort(rng.random(n))[::-1]
    masks = rng.random((len(shares), n)) < density
    goals = tuple(Goal(conditions=((f"g{g}", "1"),), share=s) for g, s in enumerate(shares))
    surf = Surface(kind=surface, columns=2)
    feasible, optimum = _brute(utility, masks, goals, surf, k)
    ranked = ConstrainedRanker(goals, masks, surf).rerank_full(np.arange(n), utility, k)
    assert ranked.goals is not None
    assert ranked.goals.feasible == feasible
    assert ranked.goals.satisfied == feasible
    assert len(set(ranked.items.tolist())) == len(ranked.items) == k
    if feasible and surface == "uniform":  # exact under uniform prominence
        discount = 1 / np.log2(np.arange(k) + 2)
        assert float(ranked.utility @ discount) == pytest.approx(optimum)


def test_many_goal_types_fall_back_to_the_search() -> None:
    # 7 overlapping goals over 120 works: up to 128 goal types, too many count vectors to
    # enumerate (C(137, 127) for 10 slots); the bounded search finds a list meeting them all.
    rng = np.random.default_rng(3)
    masks = rng.random((7, 120)) < 0.3
    goals = tuple(Goal(conditions=((f"g{g}", "1"),), share=0.2) for g in range(7))
    utility = np.sort(rng.random(120))[::-1]
    ranked = ConstrainedRanker(goals, masks, Surface()).rerank_full(np.arange(120), utility, 10)
    assert ranked.goals is not None
    assert ranked.goals.satisfied and ranked.goals.feasible
    assert ranked.goals.method == "placement" and ranked.goals.exhaustive
    member = masks[:, ranked.items]
    assert (member.sum(axis=1) >= 2).all()


def test_dense_vectors_are_not_copied_to_float64_csr_and_give_the_same_similarities() -> None:
    """A catalogue's similarity space turned its float32 embeddings into a float64 CSR matrix
    (about 25 bytes per value: 1.2 GB for 115,000 works, which made an import through the API
    peak at 37 times the file's size when the home page next rebuilt its recommender). Dense
    vectors are now kept as they are; similarities are those of the sparse path."""
    import tracemalloc

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((20_000, 64)).astype(np.float32)
    vectors[3] = 0.0  # a work with no vector: similarity 0, as before
    cats = sparse.csr_matrix(np.ones((20_000, 1)))
    pop = np.ones(20_000)
    tracemalloc.start()
    dense = ItemSpace(vectors, cats, pop)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The vectors themselves are 5.1 MB; the old path allocated several float64 copies.
    assert peak < vectors.nbytes // 2, peak
    reference = ItemSpace(sparse.csr_matrix(vectors.astype(np.float64)), cats, pop)
    items = np.array([0, 3, 17, 19_999, 5_000], dtype=np.int64)
    np.testing.assert_allclose(dense.similarity(items), reference.similarity(items), atol=1e-12)
