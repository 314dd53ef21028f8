"""Each metric on a fixture small enough to check by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from lanterne.recommend import ItemSpace
from lanterne.recommend import _metrics as m


def _test(rows: list[list[int]], n_items: int) -> sparse.csr_matrix:
    data = [(u, i) for u, items in enumerate(rows) for i in items]
    r, c = zip(*data, strict=True)
    return sparse.csr_matrix((np.ones(len(data)), (r, c)), shape=(len(rows), n_items))


def test_ndcg_precision_recall_by_hand() -> None:
    # User 0: list [0, 1, 2], relevant {1, 3}: one hit at rank 2.
    #   DCG = 1/log2(3) = 0.63093; IDCG (2 relevant, k = 3) = 1 + 1/log2(3) = 1.63093.
    #   nDCG = 0.38685; P@3 = 1/3; R@3 = 1/2.
    # User 1: list [4, 3, 0], relevant {4}: hit at rank 1 → nDCG 1; P@3 = 1/3; R@3 = 1.
    lists = np.array([[0, 1, 2], [4, 3, 0]])
    test = _test([[1, 3], [4]], 5)
    assert m.ndcg(lists, test, 3) == pytest.approx([0.63093 / 1.63093, 1.0], abs=1e-5)
    assert m.precision(lists, test, 3) == pytest.approx([1 / 3, 1 / 3])
    assert m.recall(lists, test, 3) == pytest.approx([0.5, 1.0])


def test_ndcg_ideal_is_capped_at_k_and_empty_slots_count_nothing() -> None:
    # 3 relevant, k = 2: IDCG = 1 + 1/log2(3); the list hits at rank 1 only (slot 2 empty).
    lists = np.array([[0, -1]])
    test = _test([[0, 1, 2]], 3)
    assert m.ndcg(lists, test, 2)[0] == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_coverage_and_exposure_gini() -> None:
    # Items shown: 0 (twice), 1 → 2 of 4 items: coverage 0.5.
    lists = np.array([[0, 1], [0, -1]])
    assert m.coverage(lists, 4) == 0.5
    # Exposure counts over the 4 items: [2, 1, 0, 0] sorted [0, 0, 1, 2], total 3, n 4:
    #   G = 2·(3·1 + 4·2)/(4·3) − 5/4 = 22/12 − 15/12 = 7/12.
    assert m.exposure_gini(lists, 4) == pytest.approx(7 / 12)


def test_gini_bounds() -> None:
    assert m.gini(np.array([5.0, 5.0, 5.0])) == 0.0
    # All on one of 4: 2·(4·10)/(4·10) − 5/4 = 0.75 = (n − 1)/n.
    assert m.gini(np.array([0.0, 0.0, 0.0, 10.0])) == pytest.approx(0.75)
    assert m.gini(np.zeros(3)) == 0.0


def _space(
    features: list[list[float]], categories: list[list[float]], pop: list[float]
) -> ItemSpace:
    return ItemSpace(
        sparse.csr_matrix(np.array(features)),
        sparse.csr_matrix(np.array(categories)),
        np.array(pop),
    )


def test_intra_list_diversity() -> None:
    # Items 0 and 1 identical (cosine 1), item 2 orthogonal to both.
    space = _space([[1, 0], [1, 0], [0, 1]], [[1], [1], [1]], [1, 1, 1])
    # [0, 1]: 1 − 1 = 0. [0, 2]: 1 − 0 = 1. [0, 1, 2]: pairs (1, 0, 0) → 1 − 1/3.
    lists = np.array([[0, 1, -1], [0, 2, -1], [0, 1, 2]])
    assert m.intra_list_diversity(lists, space) == pytest.approx([0.0, 1.0, 2 / 3])


def test_novelty() -> None:
    # 7 users; popularity 7 → −log2(8/8) = 0; popularity 0 → −log2(1/8) = 3 bits.
    lists = np.array([[0, 1]])
    assert m.novelty(lists, np.array([7.0, 0.0]), 7)[0] == pytest.approx(1.5)


def test_miscalibration() -> None:
    # History all genre A: p = (1, 0). A list of one A and one B: q = (0.5, 0.5);
    #   q̃ = 0.99·q + 0.01·p = (0.505, 0.495); KL = 1·ln(1/0.505) = 0.68320.
    space = _space([[1], [1], [1]], [[1, 0], [1, 0], [0, 1]], [1, 1, 1])
    history = sparse.csr_matrix(np.array([[1.0, 0.0, 0.0]]))
    assert m.miscalibration(np.array([[1, 2]]), history, space)[0] == pytest.approx(
        math.log(1 / 0.505), abs=1e-9
    )
    # A list of A only: q̃ = p, KL = 0.
    assert m.miscalibration(np.array([[1, -1]]), history, space)[0] == pytest.approx(0.0)


def test_share_of_slots() -> None:
    mask = np.array([True, False, True, False])
    # Filled slots: 0, 1, 2, 3, 0 → members 0, 2, 0 → 3/5.
    assert m.share(np.array([[0, 1, 2], [3, 0, -1]]), mask) == pytest.approx(0.6)
