"""The recommender on real data: ml-latest-small with its Wikidata countries (../shared/data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

pytestmark = pytest.mark.skipif(
    not (SHARED / "movielens-latest-small").is_dir(),
    reason=f"MovieLens not found at {SHARED} (../shared/data); it may not be redistributed",
)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from lanterne.recommend import EASE, load_dataset, split_per_user
    from lanterne.recommend._eval import EvalConfig, item_space
    from lanterne.recommend._export import convert_movielens

    out = tmp_path_factory.mktemp("ml")
    summary = convert_movielens(SHARED, out)
    ds = load_dataset(out / "interactions.csv", out / "item-attributes.csv")
    train, test = split_per_user(ds.matrix, 0.25, 1)
    config = EvalConfig(name="t", interactions="", models=[])
    model = EASE(lam=300)
    model.fit(train)
    return {
        "summary": summary,
        "ds": ds,
        "train": train,
        "test": test,
        "space": item_space(ds, train, config),
        "model": model,
        "users": np.flatnonzero(test.getnnz(axis=1) > 0),
    }


def _ndcg(data: dict[str, Any], **kwargs: Any) -> tuple[float, Any]:
    from lanterne.recommend import Recommender
    from lanterne.recommend import _metrics as m

    ds = data["ds"]
    amortised = kwargs.pop("amortised", False)
    rec = Recommender(
        data["model"], data["space"], ds.items, attribute_mask=ds.attributes.mask, **kwargs
    )
    if amortised:
        rec.calibrate(data["train"])
    lists = rec.lists(data["train"])
    users = data["users"]
    return float(m.ndcg(lists.top[users], data["test"][users], 10).mean()), lists


@pytest.mark.slow
def test_conversion_keeps_every_rating_and_the_european_flag(data: dict[str, Any]) -> None:
    s, ds = data["summary"], data["ds"]
    assert (s.interactions, s.users, s.items, s.quarantined) == (100_836, 610, 9_742, 0)
    assert ds.matrix.nnz == 100_836 and not ds.rejected
    # 2,610 of 9,742 films have a European country of origin, 844 are French.
    assert int(ds.attributes.mask("european", "true").sum()) == 2_610
    assert int(ds.attributes.mask("country", "FR").sum()) == 844


@pytest.mark.slow
def test_two_goals_hold_in_every_feasible_list_at_less_cost_than_the_prefix_quota(
    data: dict[str, Any],
) -> None:
    from lanterne.recommend import parse_goal

    goals = (parse_goal("european=true:0.6"), parse_goal("country=FR:0.2"))
    base, _ = _ndcg(data)
    ours, lists = _ndcg(data, goals=goals)
    prefix, ref = _ndcg(data, goals=goals, reference="prefix")
    users = data["users"]
    feasible = lists.feasible[users]
    assert feasible.all()  # this catalogue always allows 6 European and 2 French films
    assert lists.satisfied[users][feasible].all()
    assert ref.satisfied[users].mean() < 1.0  # the top-100 re-ranked alone misses some lists
    assert base - ours < base - prefix


@pytest.mark.slow
def test_the_configured_goal_model_costs_at_most_0_8_of_the_prefix_quota(
    data: dict[str, Any],
) -> None:
    from lanterne.recommend import load_config, parse_goal
    from lanterne.recommend._eval import build_model

    # The goal model of the documented configuration's run, fitted on the same training side.
    examples = Path(__file__).resolve().parents[1] / "examples"
    config = load_config(examples / "movielens-latest-small.json")
    run = next(run for run in config.runs if run.name == "ease+goals")
    assert run.goal_model is not None
    fitted: dict[str, Any] = {}
    blend = next(mc for mc in config.models if mc.name == run.goal_model)
    for name in blend.params:
        part = build_model(next(mc for mc in config.models if mc.name == name), data["ds"], {})
        part.fit(data["train"])
        fitted[name] = part
    goal_model = build_model(blend, data["ds"], fitted)
    goals = tuple(parse_goal(g) for g in run.goals)
    base, _ = _ndcg(data)
    ours, lists = _ndcg(data, goals=goals, goal_model=goal_model)
    prefix, _ = _ndcg(data, goals=goals, reference="prefix")
    assert lists.satisfied[data["users"]].all()
    # Issue 5's point (on one seed here; docs/recommend.md has the mean of three).
    assert base - ours <= 0.8 * (base - prefix)


@pytest.mark.slow
def test_exposure_parity_costs_at_most_two_percent(data: dict[str, Any]) -> None:
    from lanterne.recommend import _metrics as m
    from lanterne.recommend import parse_goal

    ds = data["ds"]
    european = ds.attributes.mask("european", "true")
    french = ds.attributes.mask("country", "FR")
    goals = (
        parse_goal(f"european=true:{european.mean():.4f}"),
        parse_goal(f"country=FR:{french.mean():.4f}"),
    )
    base, plain = _ndcg(data)
    parity, lists = _ndcg(data, goals=goals, amortised=True)
    users = data["users"]
    assert m.share(plain.top[users], european) < european.mean()
    assert m.share(lists.top[users], european) >= european.mean() - 1e-9
    assert m.share(lists.top[users], french) >= french.mean() - 1e-9
    assert (base - parity) / base <= 0.02


@pytest.mark.slow
def test_ease_matches_cornac_on_the_same_split(data: dict[str, Any]) -> None:
    import cornac
    from cornac.data import Dataset as CornacDataset
    from cornac.metrics import NDCG

    train, test, users = data["train"], data["test"], data["users"]
    ours, lists = _ndcg(data)
    coo = train.tocoo()
    train_set = CornacDataset.build(
        [(str(u), str(i), 1.0) for u, i in zip(coo.row, coo.col, strict=True)], fmt="UIR", seed=1
    )
    peer = cornac.models.EASE(lamb=300, posB=False, verbose=False)
    peer.fit(train_set)
    known = np.array([int(i) for i in train_set.iid_map], dtype=np.int64)
    inner = np.array(list(train_set.iid_map.values()), dtype=np.int64)
    metric = NDCG(k=10)
    theirs, cross = [], []
    for u in users:
        scores = np.full(train.shape[1], -np.inf)
        scores[known] = np.asarray(peer.score(train_set.uid_map[str(u)])).ravel()[inner]
        scores[train[u].indices] = -np.inf
        top = np.argsort(-scores, kind="stable")[:10]
        gt = test[u].indices
        theirs.append(metric.compute(gt_pos=gt, pd_rank=top))
        cross.append(metric.compute(gt_pos=gt, pd_rank=lists.top[u]))
    assert ours == pytest.approx(float(np.mean(theirs)), rel=0.01)
    assert ours == pytest.approx(float(np.mean(cross)), abs=1e-12)  # Cornac's metric code agrees
