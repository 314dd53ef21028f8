"""Candidate models against their definitions on small matrices."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from helpers import FixedScores
from lanterne.recommend import ALS, EASE, Blend, Content, ItemKNN, Popularity, make_model
from lanterne.recommend._models import standardised

# 4 users × 5 items; item 4 is never chosen.
X = sparse.csr_matrix(
    np.array(
        [
            [1, 1, 0, 0, 0],
            [1, 1, 1, 0, 0],
            [0, 1, 1, 1, 0],
            [0, 0, 1, 1, 0],
        ],
        dtype=float,
    )
)


def test_popularity() -> None:
    model = Popularity()
    model.fit(X)
    assert model.score(X[:1]).tolist() == [[2.0, 3.0, 3.0, 2.0, 0.0]]


def test_itemknn_is_cosine_between_item_columns() -> None:
    # Items 0 and 1: columns (1,1,0,0) and (1,1,1,0): cosine 2 / (√2·√3) = 0.8165.
    model = ItemKNN(k=10)
    model.fit(X)
    assert model.sim[0, 1] == pytest.approx(2 / np.sqrt(6))
    assert model.sim[0, 0] == 0
    # A user with item 0 only scores item j by sim(0, j).
    scores = model.score(sparse.csr_matrix(np.array([[1.0, 0, 0, 0, 0]])))[0]
    assert scores[1] == pytest.approx(2 / np.sqrt(6))
    assert scores[3] == 0  # items 0 and 3 share no user
    # k = 1 keeps one neighbour per target item.
    small = ItemKNN(k=1)
    small.fit(X)
    assert all(small.sim[:, j].nnz <= 1 for j in range(5))


def test_ease_matches_its_closed_form() -> None:
    lam = 2.0
    model = EASE(lam=lam)
    model.fit(X)
    # Steck 2019: P = (XᵀX + λI)⁻¹, B = I − P / diag(P), diag(B) = 0, over the chosen items.
    active = [0, 1, 2, 3]
    x = X.toarray()[:, active]
    p = np.linalg.inv(x.T @ x + lam * np.eye(4))
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    assert pytest.approx(b) == model.B
    scores = model.score(X)
    assert scores[:, active] == pytest.approx(x @ b)
    assert (scores[:, 4] == 0).all()
    assert model.neighbours(np.array([0, 2]), 1).tolist() == pytest.approx([b[0, 1], b[2, 1]])


def test_als_learns_co_occurrence_and_folds_in_new_users() -> None:
    model = ALS(factors=2, reg=1.0, alpha=10, iterations=15, seed=0)
    model.fit(X)
    # A new user with items 2 and 3 (like user 3): of the unseen items, item 1 (chosen with 2
    # by two users) comes well before item 0 (once with 2) and item 4 (never chosen).
    scores = model.score(sparse.csr_matrix(np.array([[0, 0, 1.0, 1.0, 0]])))[0]
    assert scores[1] > 0.3
    assert scores[1] > max(scores[0], scores[4]) + 0.2
    # The chosen items are reconstructed close to 1.
    assert scores[2] == pytest.approx(1.0, abs=0.15) and scores[3] == pytest.approx(1.0, abs=0.15)


def test_content_is_cosine_to_the_mean_of_the_history() -> None:
    vectors = np.array([[1, 0], [0, 1], [1, 1], [-1, 0]], dtype=np.float32)
    model = Content(vectors)
    model.fit(sparse.csr_matrix((0, 4)))
    scores = model.score(sparse.csr_matrix(np.array([[1.0, 1.0, 0, 0]])))[0]
    # Profile (1, 1)/√2: item 2 is the same direction (1.0); item 3 opposite to item 0 (−1/√2).
    assert scores[2] == pytest.approx(1.0)
    assert scores[3] == pytest.approx(-1 / np.sqrt(2))


def test_ease_with_side_information_is_collective_ease() -> None:
    # 2 users × 2 items, X = [[1, 1], [1, 0]]: XᵀX = [[2, 1], [1, 1]]; λ = 1.
    x = sparse.csr_matrix(np.array([[1.0, 1.0], [1.0, 0.0]]))
    plain = EASE(lam=1.0)
    plain.fit(x)
    # P = [[3, 1], [1, 2]]⁻¹ = [[2, −1], [−1, 3]] / 5; B₀₁ = −P₀₁/P₁₁ = 1/3, B₁₀ = −P₁₀/P₀₀ = 1/2.
    assert plain.B[0, 1] == pytest.approx(1 / 3) and plain.B[1, 0] == pytest.approx(1 / 2)
    # Both items carry one tag, weight α = 1: SSᵀ = [[1, 1], [1, 1]], so
    # P = [[4, 2], [2, 3]]⁻¹ = [[3, −2], [−2, 4]] / 8;
    # B₀₁ = (2/8)/(4/8) = 1/2, B₁₀ = (2/8)/(3/8) = 2/3.
    tags = sparse.csr_matrix(np.array([[1.0], [1.0]]))
    side = EASE(lam=1.0, side=tags, side_weight=1.0)
    side.fit(x)
    assert side.B[0, 1] == pytest.approx(1 / 2) and side.B[1, 0] == pytest.approx(2 / 3)
    assert side.B[0, 0] == 0 and side.B[1, 1] == 0
    # A user who chose item 0 scores item 1 by B₀₁: the shared tag brings it closer.
    one = sparse.csr_matrix(np.array([[1.0, 0.0]]))
    assert side.score(one)[0, 1] == pytest.approx(1 / 2)
    assert plain.score(one)[0, 1] == pytest.approx(1 / 3)
    # Weight 0 is EASE itself; a weight needs tags.
    same = EASE(lam=1.0, side=tags, side_weight=0.0)
    same.fit(x)
    assert pytest.approx(plain.B) == same.B
    with pytest.raises(ValueError, match="side"):
        EASE(lam=1.0, side_weight=1.0)


def test_standardised_uses_the_works_the_user_has_not_chosen() -> None:
    # The user chose item 1. Unseen items 0, 2, 3, 4 score 2, 3, 2, 0: mean 7/4, deviations
    # 1/4, 5/4, 1/4, −7/4, variance (1 + 25 + 1 + 49)/16/4 = 19/16, std √19/4 = 1.0897.
    history = sparse.csr_matrix(np.array([[0.0, 1.0, 0.0, 0.0, 0.0]]))
    z = standardised(np.array([[2.0, 3.0, 3.0, 2.0, 0.0]]), history)[0]
    std = np.sqrt(19) / 4
    assert z == pytest.approx(np.array([0.25, 1.25, 1.25, 0.25, -1.75]) / std)
    # A constant row has nothing to rank: zeros.
    assert standardised(np.ones((1, 5)), history).tolist() == [[0.0] * 5]


def test_blend_sums_standardised_scores_with_weights() -> None:
    # Model a ranks items 0 > 1 > 2, model b ranks 2 > 1 > 0, on scales 100 times apart; a new
    # user has chosen nothing. a: (3, 2, 1) → z = (1.2247, 0, −1.2247); b: (0, 100, 200) → z =
    # (−1.2247, 0, 1.2247). With weights 1 and 0.5: (0.6124, 0, −0.6124): a leads, b tempers it.
    a = FixedScores([3.0, 2.0, 1.0], [0.2, 0.1])
    b = FixedScores([0.0, 100.0, 200.0], [4.0, -8.0])
    blend = Blend([(a, 1.0), (b, 0.5)])
    scores = blend.score(sparse.csr_matrix((1, 3)))[0]
    z = np.sqrt(1.5)
    assert scores == pytest.approx([z / 2, 0.0, -z / 2])
    # Explanations: each model's contributions scaled to at most 1, then weighted:
    # (0.2, 0.1)/0.2 = (1, 0.5) and 0.5 × (4, −8)/8 = (0.25, −0.5): (1.25, 0).
    assert blend.neighbours(np.array([0, 1]), 2) == pytest.approx([1.25, 0.0])
    # Its state is its models' states, restored model by model.
    copy = Blend([(FixedScores([0.0] * 3, [0.0]), 1.0), (FixedScores([0.0] * 3, [0.0]), 0.5)])
    copy.restore(blend.state())
    assert copy.score(sparse.csr_matrix((1, 3))) == pytest.approx(
        blend.score(sparse.csr_matrix((1, 3)))
    )
    with pytest.raises(ValueError, match="blend"):
        Blend([])
    with pytest.raises(ValueError, match="blend"):
        make_model("blend", {})


@pytest.mark.parametrize("name", ["popularity", "itemknn", "ease", "als"])
def test_state_round_trip(name: str) -> None:
    model = make_model(name, {"factors": 3, "iterations": 3})
    model.fit(X)
    copy = make_model(name, {"factors": 3, "iterations": 3})
    copy.restore(model.state())
    assert copy.score(X) == pytest.approx(model.score(X))


def test_side_information_ease_state_round_trip() -> None:
    tags = sparse.csr_matrix(np.eye(5)[:, :2])
    model = make_model("ease", {"lambda": 2, "side_weight": 1.5}, side=tags)
    model.fit(X)
    copy = make_model("ease", {"lambda": 2})  # the fitted weights are all a copy needs
    copy.restore(model.state())
    assert copy.score(X) == pytest.approx(model.score(X))


def test_unknown_model() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        make_model("svd", {})
