"""Ready-to-use recommenders, for the command line and the web: over an evaluation dataset (a
configuration file) or over a Lanterne catalogue (content similarity from the search index)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import sparse

from lanterne import registry
from lanterne.catalogue import Catalogue
from lanterne.errors import BadInput, NotFound
from lanterne.recommend._content import embeddings_for, item_texts, read_titles
from lanterne.recommend._data import Dataset, from_pairs, load_dataset
from lanterne.recommend._eval import (
    EvalConfig,
    ModelConfig,
    _resolve,
    item_space,
    load_config,
    side_matrix,
)
from lanterne.recommend._export import work_attributes
from lanterne.recommend._goals import Goal, Surface
from lanterne.recommend._models import Blend, Content, Model, make_model
from lanterne.recommend._pipeline import Recommendation, Recommender
from lanterne.recommend._rerank import ItemSpace


class Options(msgspec.Struct, frozen=True, kw_only=True):
    """What a caller may choose about a list: goals, surface, curiosity dial, length."""

    goals: tuple[Goal, ...] = ()
    only: tuple[tuple[str, str], ...] = ()
    """Conditions every work of the list meets (``creation=human``): a filter, not a goal."""
    surface: Surface = msgspec.field(default_factory=Surface)
    curiosity: float = 0.0
    diversifier: str = "mmr"
    k: int = 10


class RecommenderService:
    """Items, titles, histories and a recommender built the same way for every caller."""

    def __init__(
        self,
        model: Model,
        space: ItemSpace,
        dataset: Dataset,
        titles: dict[str, str],
        options: Options | None = None,
        goal_model: Model | None = None,
    ) -> None:
        self.model = model
        self.space = space
        self.dataset = dataset
        self.titles = titles
        self.goal_model = goal_model
        """Chooses which works of the goals fill their slots (``Recommender``), when given."""
        self._variants: dict[Options, Recommender] = {}
        self.recommender = self.with_options(options or Options())
        """The recommender with the options the service was made with."""

    def history_of(self, user: str) -> list[int]:
        u = self.dataset.user_index.get(user)
        if u is None:
            raise NotFound("recommend.unknown_user", user=user)
        m = self.dataset.matrix
        return [int(i) for i in m.indices[m.indptr[u] : m.indptr[u + 1]]]

    def indices(self, items: Sequence[str]) -> list[int]:
        missing = [i for i in items if i not in self.dataset.item_index]
        if missing:
            raise NotFound("recommend.unknown_items", items=", ".join(missing[:5]))
        return [self.dataset.item_index[i] for i in items]

    def recommend(self, history: Sequence[int]) -> Recommendation:
        return self.recommender.recommend(history)

    def title(self, item: str) -> str:
        return self.titles.get(item, item)

    def attributes(self, item: int) -> dict[str, list[str]]:
        """The item's attributes (for a capture or a page)."""
        out: dict[str, list[str]] = {}
        attrs = self.dataset.attributes
        for name in attrs.names:
            for value in attrs.values(name):
                if attrs.mask(name, value)[item]:
                    out.setdefault(name, []).append(value)
        return out

    def with_options(self, options: Options) -> Recommender:
        """The same model and items with other goals or dial (built once per option set)."""
        found = self._variants.get(options)
        if found is None:
            found = Recommender(
                self.model,
                self.space,
                self.dataset.items,
                attribute_mask=self.dataset.attributes.mask,
                goals=options.goals,
                only=options.only,
                surface=options.surface,
                k=options.k,
                curiosity=options.curiosity,
                diversifier=options.diversifier,
                goal_model=self.goal_model,
            )
            if len(self._variants) > 64:
                self._variants.clear()
            self._variants[options] = found
        return found


def _digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            stat = part.stat()
            h.update(f"{part.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        else:
            h.update(repr(part).encode())
    return h.hexdigest()[:16]


def fitted_model(
    name: str,
    params: dict[str, float | str | bool],
    train: sparse.csr_matrix,
    cache: Path | None,
    *key: object,
    embeddings: npt.NDArray[np.float32] | None = None,
    side: tuple[list[str], sparse.csr_matrix | None] = ([], None),
) -> Model:
    """A model fitted on ``train``, from ``cache`` when the same data and parameters were seen
    (``side``: the side attributes' names, part of the key, and their matrix)."""
    model = make_model(name, params, embeddings, side[1])
    digest = _digest(name, sorted(params.items()), *side[0], *key)
    target = cache / f"{name}-{digest}.npz" if cache else None
    if target is not None and target.is_file():
        with np.load(target) as data:
            model.restore({k: data[k] for k in data.files})
        return model
    model.fit(train)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        np.savez(target, **model.state())  # type: ignore[arg-type]
    return model


def dataset_service(
    config_path: Path,
    *,
    model: str | None = None,
    goal_model: str | None = None,
    options: Options | None = None,
) -> RecommenderService:
    """Recommend from an evaluation configuration's data, with all of it as training;
    ``goal_model`` names the configuration's model that chooses the goals' works."""
    config: EvalConfig = load_config(config_path)
    base = config_path.parent
    interactions = _resolve(base, config.interactions)
    attributes = _resolve(base, config.attributes) if config.attributes else None
    dataset = load_dataset(interactions, attributes, min_rating=config.min_rating)
    titles = read_titles(_resolve(base, config.titles)) if config.titles else {}
    by_name = {m.name: m for m in config.models}
    for wanted in (model, goal_model):
        if wanted and wanted not in by_name:
            raise BadInput(
                "recommend.bad_config", path=config_path, detail=f"no model « {wanted} »"
            )
    chosen = (
        by_name[model]
        if model
        else next((m for m in config.models if m.model == "ease"), config.models[0])
    )
    cache = interactions.parent / ".lanterne-cache"
    files = [interactions] + ([attributes] if attributes else [])
    fitted: dict[str, Model] = {}

    def fit(mc: ModelConfig) -> Model:
        if mc.name in fitted:
            return fitted[mc.name]
        if mc.model == "blend":
            found: Model = Blend([(fit(by_name[n]), float(w)) for n, w in mc.params.items()])
        else:
            embeddings = None
            if "embeddings" in registry.get("model", mc.model).needs:
                embeddings = embeddings_for(item_texts(dataset, titles), cache)
            found = fitted_model(
                mc.model,
                mc.params,
                dataset.matrix,
                cache,
                *files,
                config.min_rating,
                embeddings=embeddings,
                side=(mc.side, side_matrix(dataset, mc.side)),
            )
        fitted[mc.name] = found
        return found

    main = fit(chosen)
    goal = fit(by_name[goal_model]) if goal_model else None
    space = item_space(dataset, dataset.matrix, config)
    return RecommenderService(main, space, dataset, titles, options, goal_model=goal)


def catalogue_service(catalogue: Catalogue, options: Options | None = None) -> RecommenderService:
    """Recommend works of a catalogue by content similarity (the search index's vectors, kept
    up to date from the change log); goals read the works' own attributes."""
    from lanterne.search import CatalogueIndex

    index = CatalogueIndex(catalogue)
    index.update()
    ids, vectors = index.engine.embeddings()
    values: dict[str, dict[str, list[str]]] = {}
    titles: dict[str, str] = {}
    for work_id in ids:
        work = catalogue.get(work_id)
        if work is None:
            continue
        titles[work_id] = work.title
        by_attribute: dict[str, list[str]] = {}
        for attribute, value in work_attributes(work):
            by_attribute.setdefault(attribute, []).append(value)
        values[work_id] = by_attribute
    dataset = from_pairs([], values, items=ids)
    model = Content(vectors)
    space = ItemSpace(vectors, dataset.attributes.matrix("genre"), np.ones(len(ids)))
    return RecommenderService(model, space, dataset, titles, options)
