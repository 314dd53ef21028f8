"""The recommender end to end on a small dataset: goals, curiosity, new works, explanations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from helpers import FixedScores
from lanterne.recommend import EASE, Content, ItemSpace, Recommender, from_pairs, parse_goal
from lanterne.recommend import _metrics as m

# Two taste groups; European and French works are mostly outside what user histories share.
ITEMS = {
    "us1": {"european": ["false"], "genre": ["action"]},
    "us2": {"european": ["false"], "genre": ["action"]},
    "us3": {"european": ["false"], "genre": ["action"]},
    "us4": {"european": ["false"], "genre": ["drama"]},
    "us5": {"european": ["false"], "genre": ["drama"]},
    "de1": {"european": ["true"], "country": ["DE"], "genre": ["drama"]},
    "fr1": {"european": ["true"], "country": ["FR"], "genre": ["drama"]},
    "fr2": {"european": ["true"], "country": ["FR"], "genre": ["action"]},
    "fr-new": {"european": ["true"], "country": ["FR"], "genre": ["action"]},
}
PAIRS = [
    (f"u{u}", item)
    for u in range(12)
    for item in (["us1", "us2", "us3", "fr2"] if u % 2 else ["us4", "us5", "us1", "de1", "fr1"])
    if not (u < 4 and item in ("fr2", "fr1", "de1"))
] + [("u0", "us2"), ("u1", "us5")]


def _setup(**kwargs: object) -> tuple[Recommender, object]:
    ds = from_pairs(PAIRS, ITEMS)
    model = EASE(lam=1.0)
    model.fit(ds.matrix)
    space = ItemSpace(
        ds.attributes.matrix("genre"),
        ds.attributes.matrix("genre"),
        np.asarray(ds.matrix.sum(axis=0)).ravel(),
    )
    rec = Recommender(model, space, ds.items, attribute_mask=ds.attributes.mask, k=3, **kwargs)  # type: ignore[arg-type]
    return rec, ds


def test_goals_place_works_and_say_which_goal_and_what_they_replaced() -> None:
    goals = (parse_goal("european=true:0.67"),)
    rec, ds = _setup(goals=goals)
    history = [ds.item_index["us1"], ds.item_index["us2"]]  # type: ignore[attr-defined]
    plain, _ = _setup()
    before = [p.item for p in plain.recommend(history).items]
    result = rec.recommend(history)
    after = [p.item for p in result.items]
    european = {i for i, v in ITEMS.items() if v["european"] == ["true"]}
    assert sum(i in european for i in after) >= 2
    assert result.goals is not None and result.goals.satisfied
    placed = [p for p in result.items if p.explanation and p.explanation.placed_by == "goal"]
    assert placed, (before, after)
    for pick in placed:
        assert pick.explanation is not None
        assert pick.explanation.goals == ["european=true"]
        assert pick.explanation.replaced in before and pick.explanation.replaced not in after
    # Every pick says which of the history works it is close to, when any contributes.
    assert any(p.explanation and p.explanation.because for p in result.items)
    assert all(
        b.item in ("us1", "us2")
        for p in result.items
        if p.explanation
        for b in p.explanation.because
    )


def test_infeasible_goal_is_reported() -> None:
    # Only 4 European works exist; a user who has seen three cannot get 3 of 3.
    rec, ds = _setup(goals=(parse_goal("european=true:1.0"),))
    seen = [ds.item_index[i] for i in ("de1", "fr1", "fr2")]  # type: ignore[attr-defined]
    result = rec.recommend(seen)
    assert result.goals is not None
    assert not result.goals.feasible and not result.goals.satisfied
    assert result.goals.achieved[0] == pytest.approx(1 / 3)


def test_new_local_works_get_their_slot_through_content() -> None:
    ds = from_pairs(PAIRS, ITEMS)
    assert ds.matrix[:, ds.item_index["fr-new"]].nnz == 0
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(ds.n_items, 8)).astype(np.float32)
    vectors[ds.item_index["fr-new"]] = vectors[ds.item_index["us1"]] + 0.1  # close to us1
    model = EASE(lam=1.0)
    model.fit(ds.matrix)
    space = ItemSpace(
        ds.attributes.matrix("genre"),
        ds.attributes.matrix("genre"),
        np.asarray(ds.matrix.sum(axis=0)).ravel(),
    )
    rec = Recommender(
        model,
        space,
        ds.items,
        attribute_mask=ds.attributes.mask,
        k=3,
        goals=(parse_goal("new=true&country=FR:#1"),),
        cold=Content(vectors),
    )
    result = rec.recommend([ds.item_index["us1"]])
    items = [p.item for p in result.items]
    assert "fr-new" in items
    pick = result.items[items.index("fr-new")]
    assert pick.explanation is not None and pick.explanation.placed_by == "goal"
    assert pick.explanation.because and pick.explanation.because[0].item == "us1"


def _synthetic(seed: int = 0) -> tuple[Recommender, Recommender, object]:
    """200 users with one favourite genre each among 4; 80 works, 30 % European, 10 % French,
    the European ones chosen less often."""
    rng = np.random.default_rng(seed)
    items = {}
    for i in range(80):
        european = i % 10 < 3
        items[f"w{i}"] = {
            "genre": [f"g{i % 4}"],
            "european": ["true" if european else "false"],
            "country": ["FR" if i % 10 == 0 else ("DE" if european else "US")],
        }
    pairs = []
    for u in range(200):
        favourite = u % 4
        for i in range(80):
            p = (0.35 if i % 4 == favourite else 0.05) * (0.4 if i % 10 < 3 else 1.0)
            if rng.random() < p:
                pairs.append((f"u{u}", f"w{i}"))
    ds = from_pairs(pairs, items)
    model = EASE(lam=10.0)
    model.fit(ds.matrix)
    space = ItemSpace(
        ds.attributes.matrix("genre"),
        ds.attributes.matrix("genre"),
        np.asarray(ds.matrix.sum(axis=0)).ravel(),
    )

    def make(**kwargs: object) -> Recommender:
        return Recommender(
            model, space, ds.items, attribute_mask=ds.attributes.mask, k=10, **kwargs
        )  # type: ignore[arg-type]

    return make(), make(curiosity=1.0), ds


def test_curiosity_dial_raises_diversity() -> None:
    plain, curious, ds = _synthetic()
    history = ds.matrix  # type: ignore[attr-defined]
    ild_plain = m.intra_list_diversity(plain.lists(history).top, plain.space).mean()
    ild_curious = m.intra_list_diversity(curious.lists(history).top, plain.space).mean()
    assert ild_curious > ild_plain + 0.05


def test_amortised_goals_reach_the_share_across_lists() -> None:
    plain, _, ds = _synthetic()
    history = ds.matrix  # type: ignore[attr-defined]
    european = ds.attributes.mask("european", "true")  # type: ignore[attr-defined]
    before = m.share(plain.lists(history).top, european)
    goals = (parse_goal("european=true:0.3"),)
    amortised = Recommender(
        plain.model,
        plain.space,
        plain.items,
        attribute_mask=ds.attributes.mask,
        k=10,
        goals=goals,  # type: ignore[attr-defined]
    )
    bonus = amortised.calibrate(history)
    lists = amortised.lists(history)
    after = m.share(lists.top, european)
    assert before < 0.3 <= after < 0.32  # the smallest bonus that reaches the share
    assert bonus[0] > 0
    # Amortised: the share holds across lists, not in every list.
    assert not lists.satisfied.all()


def test_goal_model_chooses_the_goal_works_and_the_main_model_keeps_its_scores() -> None:
    # Three non-European works a0–a2 and three European e3–e5, everyone's scores from the main
    # model 0.9 … 0.4; the goal model orders the European ones e5 > e3 > e4.
    items = {f"a{i}": {"european": ["false"]} for i in range(3)}
    items |= {f"e{i}": {"european": ["true"]} for i in range(3, 6)}
    ds = from_pairs([("u0", item) for item in items], items)  # every work chosen once
    main = FixedScores([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], [0.1])
    goal = FixedScores([0.0, 0.0, 0.0, 0.2, 0.1, 0.3], [0.7])
    space = ItemSpace(
        ds.attributes.matrix("european"),
        ds.attributes.matrix("european"),
        np.ones(6),
    )

    def make(goal_model: FixedScores | None) -> Recommender:
        return Recommender(
            main,
            space,
            ds.items,
            attribute_mask=ds.attributes.mask,
            k=3,
            goals=(parse_goal("european=true:0.33"),),
            goal_model=goal_model,
        )

    with_goal = make(goal)
    e3 = ds.item_index["e3"]
    nobody = sparse.csr_matrix((1, 6))
    # Nothing seen: the European works' scores (0.6, 0.5, 0.4) go to e5, e3, e4 in that order;
    # a0–a2 keep 0.9, 0.8, 0.7.
    assert with_goal.scores(nobody)[0] == pytest.approx([0.9, 0.8, 0.7, 0.5, 0.4, 0.6])
    # One European slot of three: the best two others, then the goal model's first, e5.
    assert [p.item for p in make(None).recommend([]).items] == ["a0", "a1", "e3"]
    assert [p.item for p in with_goal.recommend([]).items] == ["a0", "a1", "e5"]
    # e3 seen: it keeps its own score (never shown); the unseen e5, e4 get 0.5, 0.4.
    seen = sparse.csr_matrix(([1.0], ([0], [e3])), shape=(1, 6))
    assert with_goal.scores(seen)[0] == pytest.approx([0.9, 0.8, 0.7, 0.6, 0.4, 0.5])
    # A goal work is explained by the goal model's contributions, the others by the main one's.
    result = with_goal.recommend([e3])
    why = {p.item: p.explanation for p in result.items}
    assert why["e5"] is not None and why["e5"].because[0].weight == pytest.approx(0.7)
    assert why["a0"] is not None and why["a0"].because[0].weight == pytest.approx(0.1)
    assert result.goals is not None and result.goals.satisfied
    # Without goals the goal model has nothing to order.
    plain = Recommender(
        main, space, ds.items, attribute_mask=ds.attributes.mask, k=3, goal_model=goal
    )
    assert plain.scores(nobody)[0] == pytest.approx(main.scores)
