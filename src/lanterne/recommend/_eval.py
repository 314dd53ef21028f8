"""``lanterne eval recommend CONFIG.json``: any dataset, evaluated without code.

Protocol (docs/recommend.md): per-user random split (``test_fraction``, seeded), every
interaction an implicit positive, full ranking over each user's unseen items, lists of ``k``;
every metric averaged over users, then over seeds. The configuration is the whole experiment:
the same file gives the same figures.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import sparse

from lanterne import registry
from lanterne.errors import BadInput, InputNotFound
from lanterne.recommend import _metrics as m
from lanterne.recommend._content import embeddings_for, item_texts, read_titles
from lanterne.recommend._data import Dataset, load_dataset, split_per_user
from lanterne.recommend._goals import SURFACES, Goal, Surface, parse_goal
from lanterne.recommend._models import Blend, Model, make_model
from lanterne.recommend._pipeline import Recommender
from lanterne.recommend._rerank import ItemSpace


class ModelConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    model: str
    params: dict[str, float | str | bool] = {}
    """The model's parameters (its registered configuration, checked when the file is loaded);
    for a ``blend``, the weight of each model (by ``name``, models listed before it)."""
    side: list[str] = []
    """Attributes whose values are the model's side information (EASE's ``side_weight``)."""


class RunConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    model: str
    """The ``name`` of one of the models."""
    goals: list[str] = []
    """``attribute=value:share`` (or ``:#n`` for a number of slots)."""
    curiosity: float = 0.0
    diversifier: str | dict[str, float | str | bool] = "mmr"
    """A registered diversifier's name, or ``{"name": …, parameter: value…}``."""
    surface: str = "uniform"
    reference: str | None = None
    """``prefix``: the naive prefix-quota reference instead of the constrained ranker."""
    pool: int = 100
    cold: str | None = None
    """A model (``name``) that scores new works by content in this run."""
    amortised: bool = False
    """Goals over all the lists together (an exposure controller), not over each list."""
    goal_model: str | None = None
    """A model (``name``) that chooses which works of the goals fill their slots."""


class EvalConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    interactions: str
    attributes: str | None = None
    titles: str | None = None
    """``item,title`` (shown in lists; read with genres by the content model)."""
    min_rating: float | None = None
    test_fraction: float = 0.25
    seeds: list[int] = msgspec.field(default_factory=lambda: [1, 2, 3])
    k: int = 10
    similarity: str = "genre"
    """Attribute whose values make item features (intra-list diversity, MMR)."""
    calibration: str = "genre"
    """Attribute whose distribution calibration follows."""
    report: list[str] = []
    """``attribute=value`` whose share of slots is reported (and of the catalogue)."""
    models: list[ModelConfig]
    runs: list[RunConfig] = []
    description: str = ""


def diversifier_choice(run: RunConfig) -> tuple[str, dict[str, float | str | bool]]:
    """The run's diversifier name and parameters."""
    if isinstance(run.diversifier, str):
        return run.diversifier, {}
    params = dict(run.diversifier)
    name = params.pop("name", "mmr")
    return str(name), params


def _component(
    path: Path, where: str, kind: registry.Kind, name: str, params: dict[str, float | str | bool]
) -> None:
    """``BadInput`` (the configuration's) when ``name`` is not registered or ``params`` do not
    fit its configuration."""
    if name not in registry.names(kind):
        allowed = registry.names(kind) + (("blend",) if kind == "model" else ())
        raise BadInput(
            "recommend.bad_config",
            path=path,
            detail=f"{where}: unknown {kind} « {name} » (allowed: {', '.join(allowed)})",
        )
    try:
        registry.get(kind, name).validate(params)
    except BadInput as exc:
        raise BadInput(
            "recommend.bad_config", path=path, detail=f"{where} ({name}): {exc.params['detail']}"
        ) from None


def load_config(path: Path) -> EvalConfig:
    try:
        config = msgspec.json.decode(path.read_bytes(), type=EvalConfig)
    except FileNotFoundError:
        raise InputNotFound("input.not_found", path=path) from None
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise BadInput("recommend.bad_config", path=path, detail=str(exc)) from None
    names: set[str] = set()
    for mc in config.models:
        if mc.model != "blend":
            _component(path, f"model « {mc.name} »", "model", mc.model, mc.params)
        else:
            unknown = [n for n in mc.params if n not in names]
            if unknown or not mc.params:
                raise BadInput(
                    "recommend.bad_config",
                    path=path,
                    detail=f"blend « {mc.name} »: weigh models listed before it"
                    + (f" (not « {unknown[0]} »)" if unknown else ""),
                )
            words = [n for n, w in mc.params.items() if not isinstance(w, float)]
            if words:
                raise BadInput(
                    "recommend.bad_config",
                    path=path,
                    detail=f"blend « {mc.name} »: the weight of « {words[0]} » is not a number",
                )
        names.add(mc.name)
    for run in config.runs:
        if run.model not in names:
            raise BadInput(
                "recommend.bad_config",
                path=path,
                detail=f"run « {run.name} »: no model « {run.model} »",
            )
        for other in (run.cold, run.goal_model):
            if other and other not in names:
                raise BadInput(
                    "recommend.bad_config",
                    path=path,
                    detail=f"run « {run.name} »: no model « {other} »",
                )
        for goal in run.goals:
            parse_goal(goal)
        name, params = diversifier_choice(run)
        _component(path, f"run « {run.name} »", "diversifier", name, params)
        # Checked here, before any fit: the recommender refused them with a bare ValueError
        # once the models were fitted (an internal error, exit 1); an unknown surface was
        # ignored by a run without goals.
        if run.surface not in SURFACES:
            raise BadInput(
                "recommend.bad_config",
                path=path,
                detail=f"run « {run.name} »: surface « {run.surface} »"
                f" (allowed: {', '.join(SURFACES)})",
            )
        if not 0.0 <= run.curiosity <= 1.0:
            raise BadInput(
                "recommend.bad_config",
                path=path,
                detail=f"run « {run.name} »: curiosity {run.curiosity} is not within [0, 1]",
            )
    return config


def _resolve(base: Path, name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else base / path


def side_matrix(dataset: Dataset, attributes: list[str]) -> sparse.csr_matrix | None:
    """Items × the values of ``attributes``, 1 where an item has the value (None without any)."""
    if not attributes:
        return None
    blocks = [dataset.attributes.matrix(a) for a in attributes]
    return sparse.csr_matrix((sparse.hstack(blocks, format="csr") > 0).astype(np.float64))


def build_model(
    mc: ModelConfig,
    dataset: Dataset,
    fitted: dict[str, Model],
    embeddings: npt.NDArray[np.float32] | None = None,
) -> Model:
    """An unfitted model from its configuration, or a blend of the ``fitted`` models it names."""
    if mc.model == "blend":
        return Blend([(fitted[name], float(weight)) for name, weight in mc.params.items()])
    return make_model(mc.model, mc.params, embeddings, side_matrix(dataset, mc.side))


def item_space(dataset: Dataset, train: sparse.csr_matrix, config: EvalConfig) -> ItemSpace:
    features = dataset.attributes.matrix(config.similarity)
    if features.shape[1] == 0:  # no attribute: items are alike when chosen together
        features = sparse.csr_matrix(train.T)
    categories = dataset.attributes.matrix(config.calibration)
    popularity = np.asarray(train.sum(axis=0), dtype=np.float64).ravel()
    return ItemSpace(features, categories, popularity)


class RunResult(msgspec.Struct, kw_only=True):
    name: str
    model: str
    metrics: dict[str, float]
    per_seed: list[dict[str, float]]


class EvalReport(msgspec.Struct, kw_only=True):
    config: str
    name: str
    users: int
    items: int
    interactions: int
    rejected: int
    seeds: list[int]
    k: int
    catalogue_shares: dict[str, float]
    fit_seconds: dict[str, float]
    runs: list[RunResult]
    parameters: dict[str, Any]


def _goals(run: RunConfig) -> tuple[Goal, ...]:
    return tuple(parse_goal(g) for g in run.goals)


def evaluate_lists(
    lists_top: np.ndarray,
    lists_long: np.ndarray,
    train: sparse.csr_matrix,
    test: sparse.csr_matrix,
    space: ItemSpace,
    dataset: Dataset,
    config: EvalConfig,
    goals: tuple[Goal, ...],
    satisfied: np.ndarray,
    feasible: np.ndarray,
) -> dict[str, float]:
    k = config.k
    users = np.flatnonzero(test.getnnz(axis=1) > 0)
    top, longer = lists_top[users], lists_long[users]
    t, h = test[users], train[users]
    out = {
        f"ndcg@{k}": float(m.ndcg(top, t, k).mean()),
        f"precision@{k}": float(m.precision(top, t, k).mean()),
        f"recall@{k}": float(m.recall(top, t, k).mean()),
        "recall@20": float(m.recall(longer, t, 20).mean()),
        "coverage": m.coverage(top, dataset.n_items),
        "ild": float(m.intra_list_diversity(top, space).mean()),
        "novelty": float(np.nanmean(m.novelty(top, space.popularity, train.shape[0]))),
        "exposure_gini": m.exposure_gini(top, dataset.n_items),
        "miscalibration": float(m.miscalibration(top, h, space).mean()),
    }
    for spec in config.report:
        attribute, _, value = spec.partition("=")
        out[f"share:{spec}"] = m.share(top, dataset.attributes.mask(attribute, value))
    if goals:
        sat, feas = satisfied[users], feasible[users]
        out["goals_satisfied"] = float(sat.mean())
        out["goals_feasible"] = float(feas.mean())
        out["goals_satisfied_when_feasible"] = float(sat[feas].mean()) if feas.any() else 1.0
    return out


class EvalStep(msgspec.Struct, frozen=True, kw_only=True):
    """One finished step of an evaluation, for a progress display."""

    seed: int
    name: str
    """The model fitted or the run evaluated."""
    kind: Literal["fit", "run"]
    done: int
    total: int
    seconds: float
    """Since the evaluation started."""
    metrics: dict[str, float] | None = None
    """A run's figures (``None`` for a fit)."""


def run_evaluation(
    path: Path,
    *,
    seeds: list[int] | None = None,
    progress: Callable[[EvalStep], None] | None = None,
) -> EvalReport:
    config = load_config(path)
    base = path.parent
    dataset = load_dataset(
        _resolve(base, config.interactions),
        _resolve(base, config.attributes) if config.attributes else None,
        min_rating=config.min_rating,
    )
    seeds = seeds or config.seeds
    fits = sum(1 for mc in config.models if mc.model != "blend")
    total, done, began = len(seeds) * (fits + len(config.runs)), [0], time.perf_counter()

    def step(
        seed: int, name: str, kind: Literal["fit", "run"], metrics: dict[str, float] | None = None
    ) -> None:
        """One more fit or run done: say it to ``progress``."""
        done[0] += 1
        if progress is not None:
            seconds = time.perf_counter() - began
            progress(
                EvalStep(
                    seed=seed,
                    name=name,
                    kind=kind,
                    done=done[0],
                    total=total,
                    seconds=seconds,
                    metrics=metrics,
                )
            )

    fit_seconds: dict[str, list[float]] = {}
    per_run: dict[str, list[dict[str, float]]] = {run.name: [] for run in config.runs}
    for seed in seeds:
        train, test = split_per_user(dataset.matrix, config.test_fraction, seed)
        space = item_space(dataset, train, config)
        fitted: dict[str, Model] = {}
        for mc in config.models:
            embeddings = None
            if mc.model != "blend" and "embeddings" in registry.get("model", mc.model).needs:
                titles = read_titles(_resolve(base, config.titles)) if config.titles else {}
                cache = _resolve(base, config.interactions).parent / ".lanterne-cache"
                embeddings = embeddings_for(item_texts(dataset, titles), cache)
            model = build_model(mc, dataset, fitted, embeddings)
            if mc.model != "blend":  # a blend's models are fitted already
                start = time.perf_counter()
                model.fit(train)
                fit_seconds.setdefault(mc.name, []).append(time.perf_counter() - start)
                step(seed, mc.name, "fit")
            fitted[mc.name] = model
        for run in config.runs:
            goals = _goals(run)
            diversifier, diversifier_params = diversifier_choice(run)
            rec = Recommender(
                fitted[run.model],
                space,
                dataset.items,
                attribute_mask=dataset.attributes.mask,
                goals=goals,
                surface=Surface(kind=run.surface),
                k=config.k,
                pool=run.pool,
                curiosity=run.curiosity,
                diversifier=diversifier,
                diversifier_params=diversifier_params,
                reference=run.reference,
                cold=fitted[run.cold] if run.cold else None,
                goal_model=fitted[run.goal_model] if run.goal_model else None,
            )
            if run.amortised and goals:
                rec.calibrate(train)
            lists = rec.lists(train)
            per_run[run.name].append(
                evaluate_lists(
                    lists.top,
                    lists.longer,
                    train,
                    test,
                    space,
                    dataset,
                    config,
                    goals,
                    lists.satisfied,
                    lists.feasible,
                )
            )
            step(seed, run.name, "run", per_run[run.name][-1])
    shares = {}
    for spec in config.report:
        attribute, _, value = spec.partition("=")
        shares[spec] = float(dataset.attributes.mask(attribute, value).mean())
    runs = [
        RunResult(
            name=run.name,
            model=run.model,
            metrics={
                key: float(np.mean([r[key] for r in per_run[run.name]]))
                for key in per_run[run.name][0]
            },
            per_seed=per_run[run.name],
        )
        for run in config.runs
    ]
    return EvalReport(
        config=str(path),
        name=config.name,
        users=dataset.n_users,
        items=dataset.n_items,
        interactions=int(dataset.matrix.nnz),
        rejected=len(dataset.rejected),
        seeds=seeds,
        k=config.k,
        catalogue_shares=shares,
        fit_seconds={name: float(np.mean(v)) for name, v in fit_seconds.items()},
        runs=runs,
        parameters=json.loads(msgspec.json.encode(config)),
    )
