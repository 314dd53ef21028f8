"""Recommender benchmark on ml-latest-small + Wikidata countries, beside a peer library.

    .venv/bin/python benchmarks/recommend.py [--seeds 1 2 3] [--json out.json]
    .venv/bin/python benchmarks/recommend.py --tradeoff docs/recommend-tradeoff.svg
    .venv/bin/python benchmarks/recommend.py --tune
    .venv/bin/python benchmarks/recommend.py --tune-goals

Protocol of ``lanterne eval recommend`` (docs/recommend.md): per-user random 75/25 split
(seeded), every rating an implicit positive, full ranking over each user's unseen items, k = 10.

1. Accuracy beside the peer: Cornac 3.0.1 (PyPI) EASE fitted on the very same training matrix
   in this process; both lists scored with Lanterne's nDCG@10 *and* with Cornac's own
   ``cornac.metrics.NDCG`` (cross-check of the metric code).
2. Fit time of each Lanterne model beside Cornac's EASE.
3. Re-ranking cost per user: time of one user's list with a re-ranker minus the time of the
   same list without it (candidates and scores excluded), over every user.
4. Peak memory (ru_maxrss) of the process.
5. ``--tradeoff``: nDCG@10 and goal satisfaction of the constrained ranker (with the goal model
   of the configuration's ``ease+goals`` run, and without) and of the naive prefix quota for
   European goals from 0 to 80 % (with French at a third of it), plotted.
6. ``--tune`` / ``--tune-goals``: hyper-parameters on inner 75/25 splits of seed 1's training
   side only (never its test side): the models' (one inner split), the goal model's side weight
   and blend weight (five inner splits, the goals' nDCG@10 beside the prefix quota's).

Nothing here asserts on time. Needs ../shared/data (MovieLens is not redistributable).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
CONFIG = ROOT / "examples" / "movielens-latest-small.json"
DATA = ROOT / "build" / "eval" / "movielens"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _energy import Energy, Rate  # noqa: E402


def _dataset() -> Any:
    from lanterne.recommend import load_dataset
    from lanterne.recommend._export import convert_movielens

    if not (DATA / "interactions.csv").is_file():
        if not (SHARED / "movielens-latest-small").is_dir():
            sys.exit(f"{SHARED}/movielens-latest-small is missing: this benchmark needs it")
        convert_movielens(SHARED, DATA)
    return load_dataset(DATA / "interactions.csv", DATA / "item-attributes.csv")


GOAL_RUN = "ease+goals"
"""The configuration's run whose goal model the benchmark measures."""


def _fitted(config: Any, dataset: Any, train: Any, name: str, fitted: dict[str, Any]) -> Any:
    """The configuration's model ``name`` fitted on ``train`` (a blend: its models first)."""
    from lanterne.recommend._eval import build_model

    if name not in fitted:
        mc = next(mc for mc in config.models if mc.name == name)
        if mc.model == "blend":
            for part in mc.params:
                _fitted(config, dataset, train, part, fitted)
        model = build_model(mc, dataset, fitted)
        if mc.model != "blend":
            model.fit(train)
        fitted[name] = model
    return fitted[name]


def _goal_model(config: Any, dataset: Any, train: Any) -> Any:
    run = next(run for run in config.runs if run.name == GOAL_RUN)
    if run.goal_model is None:
        sys.exit(f"the run {GOAL_RUN} of {CONFIG} has no goal_model")
    return _fitted(config, dataset, train, run.goal_model, {})


def _cornac_lists(model: Any, train_set: Any, train: Any, n_items: int, k: int) -> np.ndarray:
    """Cornac's scores for every item it knows, ranked over each user's unseen items."""
    iid = train_set.iid_map  # our item index (as str) → Cornac's
    ours = np.array([int(i) for i in iid], dtype=np.int64)
    theirs = np.array(list(iid.values()), dtype=np.int64)
    lists = np.full((train.shape[0], k), -1, dtype=np.int64)
    for uid, u in train_set.uid_map.items():
        user = int(uid)
        raw = np.asarray(model.score(u)).ravel()
        scores = np.full(n_items, -np.inf)
        scores[ours] = raw[theirs]
        scores[train.indices[train.indptr[user] : train.indptr[user + 1]]] = -np.inf
        top = np.argpartition(-scores, k)[:k]
        lists[user] = top[np.argsort(-scores[top], kind="stable")]
    return lists


def _cornac_ndcg(lists: np.ndarray, test: Any, users: np.ndarray, k: int) -> float:
    from cornac.metrics import NDCG

    metric = NDCG(k=k)
    values = []
    for u in users:
        gt = test.indices[test.indptr[u] : test.indptr[u + 1]]
        values.append(metric.compute(gt_pos=gt, pd_rank=lists[u][lists[u] >= 0]))
    return float(np.mean(values))


def accuracy(seeds: list[int]) -> dict[str, Any]:
    import cornac
    from cornac.data import Dataset as CornacDataset

    from lanterne.recommend import Recommender, load_config, make_model, split_per_user
    from lanterne.recommend import _metrics as m
    from lanterne.recommend._eval import item_space

    config = load_config(CONFIG)
    dataset = _dataset()
    lam = next(mc.params["lambda"] for mc in config.models if mc.model == "ease" and not mc.side)
    rows: list[dict[str, Any]] = []
    fits: dict[str, Energy] = {}  # each model's fits, over the seeds (one operation a fit)
    for seed in seeds:
        train, test = split_per_user(dataset.matrix, 0.25, seed)
        users = np.flatnonzero(test.getnnz(axis=1) > 0)
        space = item_space(dataset, train, config)
        row: dict[str, Any] = {
            "seed": seed,
            "fit_s": {},
            "ndcg_lanterne_metric": {},
            "ndcg_cornac_metric": {},
        }
        for mc in config.models:
            # Peers of Cornac's models only: the cold-start model, and the goal model's side
            # information and blends, are evaluated by lanterne eval recommend.
            if mc.model in ("content", "blend") or mc.side:
                continue
            model = make_model(mc.model, mc.params)
            start = time.perf_counter()
            with fits.setdefault(mc.name, Energy()) as fitting:
                model.fit(train)
            row["fit_s"][mc.name] = time.perf_counter() - start
            fitting.operations += 1
            lists = (
                Recommender(model, space, dataset.items, attribute_mask=dataset.attributes.mask)
                .lists(train)
                .top
            )
            row["ndcg_lanterne_metric"][mc.name] = float(
                m.ndcg(lists[users], test[users], 10).mean()
            )
            row["ndcg_cornac_metric"][mc.name] = _cornac_ndcg(lists, test, users, 10)
        coo = train.tocoo()
        triplets = [(str(u), str(i), 1.0) for u, i in zip(coo.row, coo.col, strict=True)]
        train_set = CornacDataset.build(triplets, fmt="UIR", seed=seed)
        for name, pos_b in (("cornac-ease", False), ("cornac-ease-posB", True)):
            peer = cornac.models.EASE(lamb=lam, posB=pos_b, verbose=False, seed=seed)
            start = time.perf_counter()
            with fits.setdefault(name, Energy()) as fitting:
                peer.fit(train_set)
            row["fit_s"][name] = time.perf_counter() - start
            fitting.operations += 1
            lists = _cornac_lists(peer, train_set, train, dataset.n_items, 10)
            row["ndcg_lanterne_metric"][name] = float(m.ndcg(lists[users], test[users], 10).mean())
            row["ndcg_cornac_metric"][name] = _cornac_ndcg(lists, test, users, 10)
        rows.append(row)
        print(json.dumps(row), flush=True)
    names = list(rows[0]["fit_s"])
    summary = {
        name: {
            "ndcg@10": float(np.mean([r["ndcg_lanterne_metric"][name] for r in rows])),
            "ndcg@10 (cornac metric)": float(
                np.mean([r["ndcg_cornac_metric"][name] for r in rows])
            ),
            "fit_s": float(np.mean([r["fit_s"][name] for r in rows])),
            "fit_energy": fits[name].rate().to_dict(),
        }
        for name in names
    }
    best = max(
        (n for n in names if not n.startswith("cornac")), key=lambda n: summary[n]["ndcg@10"]
    )
    peer = summary["cornac-ease"]["ndcg@10"]
    return {
        "per_seed": rows,
        "mean": summary,
        "best_model": best,
        "best_vs_cornac_ease": summary[best]["ndcg@10"] / peer - 1.0,
        "ease_lambda": lam,
    }


def rerank_cost(seed: int = 1) -> tuple[dict[str, float], dict[str, Any]]:
    """Milliseconds per user each re-ranker adds, and the energy of each setup's whole lists
    (scores given) per 1,000 lists."""
    from lanterne.recommend import (
        Recommender,
        Surface,
        load_config,
        make_model,
        parse_goal,
        split_per_user,
    )
    from lanterne.recommend._eval import item_space

    config = load_config(CONFIG)
    dataset = _dataset()
    train, _ = split_per_user(dataset.matrix, 0.25, seed)
    space = item_space(dataset, train, config)
    mc = next(mc for mc in config.models if mc.model == "ease")
    model = make_model(mc.model, mc.params)
    model.fit(train)
    scores = model.score(train)
    goal_model = _goal_model(config, dataset, train)
    goals = (parse_goal("european=true:0.6"), parse_goal("country=FR:0.2"))
    setups: dict[str, dict[str, Any]] = {
        "none": {},
        "mmr (curiosity 0.5)": {"curiosity": 0.5, "diversifier": "mmr"},
        "calibrated (curiosity 0.5)": {"curiosity": 0.5, "diversifier": "calibrated"},
        "longtail (curiosity 0.5)": {"curiosity": 0.5, "diversifier": "longtail"},
        "goals 60/20, uniform": {"goals": goals},
        "goals 60/20, log surface": {"goals": goals, "surface": Surface(kind="log")},
        "goals 60/20, home grid": {"goals": goals, "surface": Surface(kind="grid")},
        "goals 60/20 + mmr": {"goals": goals, "curiosity": 0.5},
        "prefix quota 60/20 (reference)": {"goals": goals, "reference": "prefix"},
        "goals 60/20 + goal model, uniform": {"goals": goals, "goal_model": goal_model},
    }
    histories = [
        train.indices[train.indptr[u] : train.indptr[u + 1]].astype(np.int64)
        for u in range(train.shape[0])
    ]
    out: dict[str, float] = {}
    energy: dict[str, Any] = {}
    for name, kwargs in setups.items():
        rec = Recommender(
            model, space, dataset.items, attribute_mask=dataset.attributes.mask, **kwargs
        )
        # With a goal model the ranker sees the goal-ordered scores (timed apart, below).
        given = rec.scores(train) if "goal_model" in kwargs else scores
        best = np.inf
        ranking = Energy(3 * len(histories))
        for _ in range(3):
            start = time.perf_counter()
            with ranking:
                for u, seen in enumerate(histories):
                    rec.rank(given[u], seen)
            best = min(best, (time.perf_counter() - start) / len(histories))
        out[name] = best * 1e3
        energy[name] = ranking.rate().to_dict()
    base = out["none"]
    result = {name: (value - base if name != "none" else value) for name, value in out.items()}
    # The goal model's step, part of scoring: its own scores and the hand-out of the main
    # model's scores to the goal works, beyond the main model's scores, per user.
    rec = Recommender(
        model,
        space,
        dataset.items,
        attribute_mask=dataset.attributes.mask,
        goals=goals,
        goal_model=goal_model,
    )
    plain_s, ordered_s = np.inf, np.inf
    for _ in range(3):
        start = time.perf_counter()
        model.score(train)
        plain_s = min(plain_s, time.perf_counter() - start)
        start = time.perf_counter()
        rec.scores(train)
        ordered_s = min(ordered_s, time.perf_counter() - start)
    result["goal model step (scoring, not re-ranking)"] = (
        (ordered_s - plain_s) / len(histories) * 1e3
    )
    return result, energy


def tradeoff(seeds: list[int], plot: Path) -> dict[str, Any]:
    from lanterne.recommend import Goal, Recommender, load_config, make_model, split_per_user
    from lanterne.recommend import _metrics as m
    from lanterne.recommend._eval import item_space

    config = load_config(CONFIG)
    dataset = _dataset()
    mc = next(mc for mc in config.models if mc.model == "ease" and not mc.side)
    targets = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    kinds = ("goal_model", "constrained", "prefix")
    result: dict[str, dict[str, Any]] = {kind: {} for kind in kinds}
    per_seed: dict[str, list[list[float]]] = {kind: [] for kind in kinds}
    met: dict[str, list[list[float]]] = {kind: [] for kind in kinds}
    for seed in seeds:
        train, test = split_per_user(dataset.matrix, 0.25, seed)
        users = np.flatnonzero(test.getnnz(axis=1) > 0)
        space = item_space(dataset, train, config)
        model = make_model(mc.model, mc.params)
        model.fit(train)
        goal_model = _goal_model(config, dataset, train)
        for kind in kinds:
            ndcgs, sats = [], []
            for t in targets:
                goals = (
                    (
                        Goal(conditions=(("european", "true"),), share=t),
                        Goal(conditions=(("country", "FR"),), share=round(t / 3, 4)),
                    )
                    if t > 0
                    else ()
                )
                rec = Recommender(
                    model,
                    space,
                    dataset.items,
                    attribute_mask=dataset.attributes.mask,
                    goals=goals,
                    reference="prefix" if kind == "prefix" else None,
                    goal_model=goal_model if kind == "goal_model" else None,
                )
                lists = rec.lists(train)
                ndcgs.append(float(m.ndcg(lists.top[users], test[users], 10).mean()))
                sats.append(float(lists.satisfied[users].mean()))
            per_seed[kind].append(ndcgs)
            met[kind].append(sats)
    base = np.mean([row[0] for row in per_seed["constrained"]])
    for kind in result:
        result[kind]["ndcg"] = [float(v) for v in np.mean(per_seed[kind], axis=0)]
        result[kind]["loss"] = [float(1 - v / base) for v in result[kind]["ndcg"]]
        result[kind]["satisfied"] = [float(v) for v in np.mean(met[kind], axis=0)]
        result[kind]["ndcg_per_seed"] = per_seed[kind]
    report = {"targets": targets, **result}
    plot_tradeoff(report, plot)
    return report


def plot_tradeoff(report: dict[str, Any], plot: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    targets = report["targets"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4.4))
    pct = [100 * t for t in targets]
    ours = "Lanterne : rangeur sous contraintes\nconstrained ranker"
    goal = "Lanterne : rangeur + modèle des objectifs\nconstrained ranker + goal model"
    ref = "Référence : quota par préfixe (top-100)\nnaive prefix quota (top 100)"
    lines = [("goal_model", goal, "D", "-")] if "goal_model" in report else []
    lines += [("constrained", ours, "o", "-"), ("prefix", ref, "s", "--")]
    for key, label, marker, style in lines:
        ax.plot(pct, report[key]["ndcg"], marker=marker, linestyle=style, label=label)
    ax.set_xlabel("Objectif européen (%) ; français = 1/3\nEuropean goal (%); French = 1/3")
    ax.set_ylabel("nDCG@10")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    for key, label, marker, style in lines:
        satisfied = [100 * v for v in report[key]["satisfied"]]
        bx.plot(pct, satisfied, marker=marker, linestyle=style, label=label)
    bx.set_xlabel("Objectif européen (%)\nEuropean goal (%)")
    bx.set_ylabel("Listes qui tiennent les deux objectifs (%)\nlists meeting both goals (%)")
    bx.set_ylim(0, 105)
    bx.grid(alpha=0.3)
    fig.suptitle(
        "ml-latest-small + Wikidata, EASE (lambda 300), k = 10, 3 graines / seeds"
        + ("\nmodèle des objectifs / goal model: EASE + genres, pays / countries, + ALS"
           if "goal_model" in report else "")
    )  # fmt: skip
    fig.tight_layout()
    plot.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(plot, format="svg", metadata={"Date": None})


def tune(seed: int = 1) -> dict[str, float]:
    from lanterne.recommend import Recommender, load_config, make_model, split_per_user
    from lanterne.recommend import _metrics as m
    from lanterne.recommend._eval import item_space

    config = load_config(CONFIG)
    dataset = _dataset()
    train, _ = split_per_user(dataset.matrix, 0.25, seed)
    inner, valid = split_per_user(train, 0.25, 1000 + seed)
    space = item_space(dataset, inner, config)
    users = np.flatnonzero(valid.getnnz(axis=1) > 0)
    grid = [("ease", {"lambda": v}) for v in (100, 200, 300, 500, 1000)]
    grid += [("itemknn", {"k": v}) for v in (50, 100, 200)]
    grid += [("als", {"factors": f, "reg": 0.1, "alpha": a}) for f in (32, 64) for a in (5, 10)]
    out = {}
    for name, params in grid:
        model = make_model(name, params)
        model.fit(inner)
        lists = (
            Recommender(model, space, dataset.items, attribute_mask=dataset.attributes.mask)
            .lists(inner)
            .top
        )
        out[f"{name} {params}"] = float(m.ndcg(lists[users], valid[users], 10).mean())
        print(f"{name} {params}: {out[f'{name} {params}']:.4f}", flush=True)
    return out


def _inner_ndcg(
    dataset: Any, space: Any, history: Any, truth: Any, model: Any, **kwargs: Any
) -> float:
    """nDCG@10 of the lists of ``model`` for the users with works in ``truth``."""
    from lanterne.recommend import Recommender
    from lanterne.recommend import _metrics as m

    users = np.flatnonzero(truth.getnnz(axis=1) > 0)
    rec = Recommender(model, space, dataset.items, attribute_mask=dataset.attributes.mask, **kwargs)
    return float(m.ndcg(rec.lists(history).top[users], truth[users], 10).mean())


def tune_goals(seed: int = 1, splits: int = 5) -> dict[str, dict[str, float]]:
    """The goal model of the ``ease+goals`` run, a blend of an EASE with side information and
    another model: its side weight and the other model's weight, chosen on ``splits`` inner
    75/25 splits of seed 1's training side (inner seeds 1000·r + 1). For each pair, the mean
    nDCG@10 of the goals' lists and its loss against the prefix quota's (side weight 0: EASE
    itself in the blend)."""
    from lanterne.recommend import Blend, load_config, parse_goal, split_per_user
    from lanterne.recommend._eval import build_model, item_space

    config = load_config(CONFIG)
    dataset = _dataset()
    run = next(run for run in config.runs if run.name == GOAL_RUN)
    goals = tuple(parse_goal(g) for g in run.goals)
    by_name = {mc.name: mc for mc in config.models}
    assert run.goal_model is not None
    blend = by_name[run.goal_model]
    side_name = next(n for n in blend.params if by_name[n].side)
    other_name = next(n for n in blend.params if n != side_name)
    side_weights = (0.0, 1.0, 2.0, 3.0, 4.0)
    other_weights = (0.5, 0.75, 1.0)
    train, _ = split_per_user(dataset.matrix, 0.25, seed)
    rows: dict[str, list[float]] = {}
    for r in range(1, splits + 1):
        inner, valid = split_per_user(train, 0.25, 1000 * r + seed)
        split = (dataset, item_space(dataset, inner, config), inner, valid)
        main = build_model(by_name[run.model], dataset, {})
        main.fit(inner)
        other = build_model(by_name[other_name], dataset, {})
        other.fit(inner)
        rows.setdefault("ease", []).append(_inner_ndcg(*split, main))
        rows.setdefault("prefix", []).append(
            _inner_ndcg(*split, main, goals=goals, reference="prefix")
        )
        rows.setdefault("goals, EASE's order", []).append(_inner_ndcg(*split, main, goals=goals))
        for alpha in side_weights:
            mc = by_name[side_name]
            params = {**mc.params, "side_weight": alpha}
            side = build_model(msgspec.structs.replace(mc, params=params), dataset, {})
            side.fit(inner)
            for weight in other_weights:
                scorer = Blend([(side, 1.0), (other, weight)])
                name = f"goals, side weight {alpha:g}, {other_name} weight {weight:g}"
                rows.setdefault(name, []).append(
                    _inner_ndcg(*split, main, goals=goals, goal_model=scorer)
                )
            del scorer, side  # one item × item matrix less while the next one is fitted
        print(f"inner split {r}: done", flush=True)
    mean = {name: float(np.mean(values)) for name, values in rows.items()}
    out: dict[str, dict[str, float]] = {}
    for name, value in mean.items():
        loss = 1 - value / mean["ease"]
        out[name] = {"ndcg@10": value, "loss": loss}
        if name.startswith("goals"):
            out[name]["loss / prefix loss"] = loss / (1 - mean["prefix"] / mean["ease"])
        print(f"{name:<48} nDCG@10 {value:.4f}  loss {loss:.2%}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--tradeoff", type=Path)
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--tune-goals", action="store_true")
    parser.add_argument("--replot", type=Path, help="redraw --tradeoff from a saved --json report")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }
    if args.replot and args.tradeoff:
        plot_tradeoff(json.loads(args.replot.read_text())["tradeoff"], args.tradeoff)
        return
    if args.tune:
        report["tuning"] = tune()
    elif args.tune_goals:
        report["goal_tuning"] = tune_goals()
    elif args.tradeoff:
        report["tradeoff"] = tradeoff(args.seeds, args.tradeoff)
        t = report["tradeoff"]
        for i, target in enumerate(t["targets"]):
            print(
                f"European ≥ {target:.0%}: nDCG with goal model {t['goal_model']['ndcg'][i]:.4f}"
                f" (loss {t['goal_model']['loss'][i]:.1%}) ·"
                f" constrained {t['constrained']['ndcg'][i]:.4f}"
                f" (loss {t['constrained']['loss'][i]:.1%}) · prefix {t['prefix']['ndcg'][i]:.4f}"
                f" (loss {t['prefix']['loss'][i]:.1%}) · lists meeting both goals"
                f" {t['goal_model']['satisfied'][i]:.1%}, {t['constrained']['satisfied'][i]:.1%}"
                f" vs {t['prefix']['satisfied'][i]:.1%}"
            )
    else:
        report["accuracy"] = accuracy(args.seeds)
        report["rerank_ms_per_user"], report["rerank_energy"] = rerank_cost()
        acc = report["accuracy"]
        print("\nnDCG@10, mean of seeds", args.seeds)
        for name, row in acc["mean"].items():
            print(
                f"  {name:<18} {row['ndcg@10']:.4f}"
                f" (Cornac's metric: {row['ndcg@10 (cornac metric)']:.4f})"
                f"  fit {row['fit_s']:.2f} s,"
                f" {Rate.from_dict(row['fit_energy']).text('en', 'fits')}"
            )
        print(
            f"best Lanterne model {acc['best_model']}:"
            f" {acc['best_vs_cornac_ease']:+.2%} vs Cornac EASE"
        )
        print(
            "re-ranking cost, ms per user (beyond candidates), and the energy of the whole "
            "list from given scores:"
        )
        for name, value in report["rerank_ms_per_user"].items():
            given = report["rerank_energy"].get(name)
            shown = f"  {Rate.from_dict(given).text('en', 'lists')}" if given else ""
            print(f"  {name:<32} {value:.3f}{shown}")
        print("energy: estimated (docs/footprint.md), this process; Cornac runs in it too")
    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {report['peak_rss_mb']:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
