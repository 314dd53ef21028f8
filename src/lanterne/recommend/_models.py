"""Candidate models on scipy.sparse and numpy.

Every model learns from a users × items matrix of implicit positives and scores any history
vector, so a new user (a list of works, no account) is scored without refitting. Scores are only
compared within one user's row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Protocol

import msgspec
import numpy as np
import numpy.typing as npt
import scipy.linalg
from scipy import sparse

from lanterne import registry

Floats = npt.NDArray[np.float64]


class Model(Protocol):
    name: str

    def fit(self, train: sparse.csr_matrix) -> None: ...

    def score(self, history: sparse.csr_matrix) -> Floats:
        """Rows of ``history`` (users × items, 1 where chosen) → users × items scores."""
        ...

    def neighbours(self, history_items: npt.NDArray[np.int64], item: int) -> Floats:
        """How much each history item contributes to ``item``'s score (for explanations)."""
        ...

    def state(self) -> dict[str, npt.NDArray[np.generic]]:
        """The fitted arrays, to keep a fitted model in a cache file (numpy, no pickle)."""
        ...

    def restore(self, state: dict[str, npt.NDArray[np.generic]]) -> None: ...


class ModelInputs(msgspec.Struct, kw_only=True):
    """What a model is made from besides its configuration: data, not parameters."""

    embeddings: npt.NDArray[np.float32] | None = None
    """Items × dimensions text vectors (for a model that ``needs`` ``"embeddings"``)."""
    side: sparse.csr_matrix | None = None
    """Items × tags, 1 where a work has the tag (EASE's side information)."""


class ItemKNNConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    k: Annotated[int, msgspec.Meta(ge=1)] = 100
    """Neighbours each item keeps."""


class EASEConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    lam: Annotated[float, msgspec.Meta(ge=0)] = msgspec.field(default=500.0, name="lambda")
    """L2 regularisation λ (``lambda`` in JSON)."""
    side_weight: Annotated[float, msgspec.Meta(ge=0)] = 0.0
    """Weight α of the side information (0: plain EASE)."""


class ALSConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    factors: Annotated[int, msgspec.Meta(ge=1)] = 64
    reg: Annotated[float, msgspec.Meta(ge=0)] = 0.1
    alpha: Annotated[float, msgspec.Meta(ge=0)] = 10.0
    """Confidence 1 + α of a chosen item."""
    iterations: Annotated[int, msgspec.Meta(ge=0)] = 12
    seed: int = 0


class Popularity:
    """Most chosen first: the floor any model must beat."""

    name = "popularity"

    def __init__(self) -> None:
        self.counts: Floats = np.zeros(0)

    def fit(self, train: sparse.csr_matrix) -> None:
        self.counts = np.asarray(train.sum(axis=0), dtype=np.float64).ravel()

    def score(self, history: sparse.csr_matrix) -> Floats:
        return np.tile(self.counts, (history.shape[0], 1))

    def state(self) -> dict[str, npt.NDArray[np.generic]]:
        return {"counts": self.counts}

    def restore(self, state: dict[str, npt.NDArray[np.generic]]) -> None:
        self.counts = np.asarray(state["counts"], dtype=np.float64)

    def neighbours(self, history_items: npt.NDArray[np.int64], item: int) -> Floats:
        return np.zeros(len(history_items))


def _cosine_item_similarity(train: sparse.csr_matrix) -> sparse.csr_matrix:
    x = train.tocsc().astype(np.float64)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    xn = x @ sparse.diags(inverse)
    sim = (xn.T @ xn).tocsr()
    sim.setdiag(0)
    sim.eliminate_zeros()
    return sim


class ItemKNN:
    """Item-based k nearest neighbours with cosine similarity (Sarwar et al. 2001; Deshpande and
    Karypis 2004): an item's score is the sum of its similarities to the user's items, each item
    keeping its ``k`` most similar neighbours."""

    name = "itemknn"

    def __init__(self, k: int = 100) -> None:
        self.k = k
        self.sim = sparse.csr_matrix((0, 0))

    def fit(self, train: sparse.csr_matrix) -> None:
        sim = _cosine_item_similarity(train).tocsc()
        # Keep, for each target item (column), its k largest similarities.
        data, rows, cols = [], [], []
        for j in range(sim.shape[1]):
            start, end = sim.indptr[j], sim.indptr[j + 1]
            values = sim.data[start:end]
            idx = sim.indices[start:end]
            if len(values) > self.k:
                keep = np.argpartition(-values, self.k)[: self.k]
                values, idx = values[keep], idx[keep]
            data.append(values)
            rows.append(idx)
            cols.append(np.full(len(idx), j))
        self.sim = sparse.csr_matrix(
            (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=sim.shape
        )

    def score(self, history: sparse.csr_matrix) -> Floats:
        return np.asarray((history @ self.sim).todense(), dtype=np.float64)

    def state(self) -> dict[str, npt.NDArray[np.generic]]:
        sim = self.sim.tocsr()
        return {
            "data": sim.data,
            "indices": sim.indices,
            "indptr": sim.indptr,
            "shape": np.asarray(sim.shape),
        }

    def restore(self, state: dict[str, npt.NDArray[np.generic]]) -> None:
        shape = tuple(int(v) for v in state["shape"])
        self.sim = sparse.csr_matrix(
            (state["data"], state["indices"], state["indptr"]), shape=shape
        )

    def neighbours(self, history_items: npt.NDArray[np.int64], item: int) -> Floats:
        return np.asarray(self.sim[history_items, item].todense(), dtype=np.float64).ravel()


class EASE:
    """EASE (Steck 2019): the closed-form item–item linear model
    B = I − P·diagMat(1 / diag(P)), P = (XᵀX + λI)⁻¹, diag(B) = 0. Items never chosen in
    training keep zero weights (they are left out of the inversion, which is exact).

    With ``side`` (items × tags, 1 where a work has the tag: its genres, its countries) and
    ``side_weight`` α > 0, the tags join the matrix as extra rows weighted α: collective EASE
    (Jeunen, Van Balen and Goethals, RecSys 2020), P = (XᵀX + α²·SSᵀ + λI)⁻¹. Works that share
    tags come closer, which helps most the works few people chose. Without them it is EASE."""

    name = "ease"

    def __init__(
        self, lam: float = 500.0, side: sparse.csr_matrix | None = None, side_weight: float = 0.0
    ) -> None:
        if side_weight < 0:
            raise ValueError("EASE: side_weight cannot be negative")
        if side_weight > 0 and side is None:
            raise ValueError("EASE: side_weight needs side attributes (the model's « side »)")
        self.lam = lam
        self.side = side
        self.side_weight = side_weight
        self.B: Floats = np.zeros((0, 0))
        self.active: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.n_items = 0

    def fit(self, train: sparse.csr_matrix) -> None:
        self.n_items = train.shape[1]
        counts = np.asarray(train.sum(axis=0)).ravel()
        self.active = np.flatnonzero(counts > 0)
        x = train.tocsc()[:, self.active].astype(np.float64)
        gram = np.asarray((x.T @ x).todense())
        if self.side is not None and self.side_weight > 0:
            self._add_side(gram)
        gram[np.diag_indices_from(gram)] += self.lam
        # Cholesky inverse: the Gram matrix plus λI is symmetric positive definite.
        factor, info = scipy.linalg.lapack.dpotrf(gram, lower=0, overwrite_a=1)
        if info != 0:
            raise ValueError(f"EASE: Cholesky factorisation failed (info={info}); raise lambda")
        p, info = scipy.linalg.lapack.dpotri(factor, lower=0, overwrite_c=1)
        if info != 0:
            raise ValueError(f"EASE: inversion failed (info={info})")
        p = np.triu(p) + np.triu(p, 1).T
        b = p / (-np.diag(p))
        b[np.diag_indices_from(b)] = 0.0
        self.B = b

    def _add_side(self, gram: Floats) -> None:
        """gram += α²·SSᵀ over the active items, by blocks of rows (SSᵀ is as large as gram)."""
        assert self.side is not None
        if self.side.shape[0] != self.n_items:
            raise ValueError("EASE: side needs one row per item")
        tags = np.asarray((sparse.csr_matrix(self.side)[self.active] > 0).todense(), np.float64)
        weight = self.side_weight**2
        for start in range(0, len(tags), 1024):
            gram[start : start + 1024] += weight * (tags[start : start + 1024] @ tags.T)

    def state(self) -> dict[str, npt.NDArray[np.generic]]:
        return {"B": self.B, "active": self.active, "n_items": np.asarray(self.n_items)}

    def restore(self, state: dict[str, npt.NDArray[np.generic]]) -> None:
        self.B = np.asarray(state["B"], dtype=np.float64)
        self.active = np.asarray(state["active"], dtype=np.int64)
        self.n_items = int(state["n_items"])

    def score(self, history: sparse.csr_matrix) -> Floats:
        out = np.zeros((history.shape[0], self.n_items))
        h = history.tocsc()[:, self.active]
        out[:, self.active] = np.asarray(h @ self.B)
        return out

    def neighbours(self, history_items: npt.NDArray[np.int64], item: int) -> Floats:
        position = np.searchsorted(self.active, item)
        if position >= len(self.active) or self.active[position] != item:
            return np.zeros(len(history_items))
        rows = np.searchsorted(self.active, history_items)
        rows = np.clip(rows, 0, len(self.active) - 1)
        found = self.active[rows] == history_items
        return np.where(found, self.B[rows, position], 0.0)


class ALS:
    """Implicit alternating least squares (Hu, Koren and Volinsky 2008): confidence 1 + α for a
    chosen item, preference 1, L2 regularisation; exact solves per user and per item. A new user
    is folded in with the item factors fixed."""

    name = "als"

    def __init__(
        self,
        factors: int = 64,
        reg: float = 0.1,
        alpha: float = 10.0,
        iterations: int = 12,
        seed: int = 0,
    ) -> None:
        self.factors = factors
        self.reg = reg
        self.alpha = alpha
        self.iterations = iterations
        self.seed = seed
        self.item_factors: Floats = np.zeros((0, factors))

    def _solve(self, chosen: sparse.csr_matrix, fixed: Floats) -> Floats:
        gram = fixed.T @ fixed
        base = gram + self.reg * np.eye(self.factors)
        out = np.zeros((chosen.shape[0], self.factors))
        indptr, indices = chosen.indptr, chosen.indices
        for r in range(chosen.shape[0]):
            cols = indices[indptr[r] : indptr[r + 1]]
            if len(cols) == 0:
                continue
            y = fixed[cols]
            a = base + self.alpha * (y.T @ y)
            b = (1.0 + self.alpha) * y.sum(axis=0)
            out[r] = scipy.linalg.solve(a, b, assume_a="pos", check_finite=False)
        return out

    def fit(self, train: sparse.csr_matrix) -> None:
        rng = np.random.default_rng(self.seed)
        users = train.tocsr()
        items = train.T.tocsr()
        self.item_factors = rng.normal(0, 0.01, (train.shape[1], self.factors))
        for _ in range(self.iterations):
            user_factors = self._solve(users, self.item_factors)
            self.item_factors = self._solve(items, user_factors)

    def state(self) -> dict[str, npt.NDArray[np.generic]]:
        return {"item_factors": self.item_factors}

    def restore(self, state: dict[str, npt.NDArray[np.generic]]) -> None:
        self.item_factors = np.asarray(state["item_factors"], dtype=np.float64)

    def score(self, history: sparse.csr_matrix) -> Floats:
        user_factors = self._solve(history.tocsr(), self.item_factors)
        return np.asarray(user_factors @ self.item_factors.T)

    def neighbours(self, history_items: npt.NDArray[np.int64], item: int) -> Floats:
        y = self.item_factors
        target = y[item]
        norms = np.linalg.norm(y[history_items], axis=1) * (np.linalg.norm(target) or 1.0)
        return np.asarray(
            np.divide(y[history_items] @ target, norms, out=np.zeros(len(norms)), where=norms > 0),
            dtype=np.float64,
        )


class Content:
    """Content similarity from text embeddings (the search encoder's): a history's profile is the
    mean of its works' unit vectors; works are scored by cosine. Needs no interaction, so it
    serves new works and new users."""

    name = "content"

    def __init__(self, embeddings: npt.NDArray[np.float32]) -> None:
        norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
        self.vectors = np.divide(
            embeddings, norms, out=np.zeros_like(embeddings), where=norms > 0
        ).astype(np.float64)

    def fit(self, train: sparse.csr_matrix) -> None:
        if train.shape[1] != self.vectors.shape[0]:
            raise ValueError("Content: one embedding per item is needed")

    def state(self) -> dict[str, npt.NDArray[np.generic]]:
        return {"vectors": self.vectors}

    def restore(self, state: dict[str, npt.NDArray[np.generic]]) -> None:
        self.vectors = np.asarray(state["vectors"], dtype=np.float64)

    def score(self, history: sparse.csr_matrix) -> Floats:
        profile = np.asarray(history @ self.vectors)
        norms = np.linalg.norm(profile, axis=1, keepdims=True)
        profile = np.divide(profile, norms, out=np.zeros_like(profile), where=norms > 0)
        return np.asarray(profile @ self.vectors.T)

    def neighbours(self, history_items: npt.NDArray[np.int64], item: int) -> Floats:
        return np.asarray(self.vectors[history_items] @ self.vectors[item])


def standardised(scores: Floats, history: sparse.csr_matrix) -> Floats:
    """Each row minus its mean, over its standard deviation, both taken over the works the user
    has not chosen (the ones a list may hold); a constant row becomes zeros."""
    unseen = np.asarray(history.todense()) <= 0
    n = np.maximum(unseen.sum(axis=1, keepdims=True), 1)
    mean = np.where(unseen, scores, 0.0).sum(axis=1, keepdims=True) / n
    centred = scores - mean
    std = np.sqrt(np.where(unseen, centred**2, 0.0).sum(axis=1, keepdims=True) / n)
    return np.asarray(
        np.divide(centred, std, out=np.zeros_like(centred), where=std > 0), dtype=np.float64
    )


class Blend:
    """Several models at once: each model's scores standardised per user (mean 0, standard
    deviation 1 over the works the user has not chosen), then summed with weights. Models err in
    different places (an item–item model on close neighbours, a factor model on broad taste), so
    their standardised sum ranks better than either where both are weak, deep in the list."""

    name = "blend"

    def __init__(self, parts: Sequence[tuple[Model, float]]) -> None:
        if not parts:
            raise ValueError("blend: at least one model is needed")
        self.parts = list(parts)

    def fit(self, train: sparse.csr_matrix) -> None:
        for model, _ in self.parts:
            model.fit(train)

    def score(self, history: sparse.csr_matrix) -> Floats:
        total = np.zeros(history.shape)
        for model, weight in self.parts:
            total += weight * standardised(model.score(history), history)
        return total

    def neighbours(self, history_items: npt.NDArray[np.int64], item: int) -> Floats:
        # Each model's contributions on its own scale: scaled to at most 1, then weighted.
        total = np.zeros(len(history_items))
        for model, weight in self.parts:
            part = model.neighbours(history_items, item)
            top = float(np.abs(part).max()) if len(part) else 0.0
            if top > 0:
                total += weight * part / top
        return total

    def state(self) -> dict[str, npt.NDArray[np.generic]]:
        return {
            f"{i}.{key}": value
            for i, (model, _) in enumerate(self.parts)
            for key, value in model.state().items()
        }

    def restore(self, state: dict[str, npt.NDArray[np.generic]]) -> None:
        for i, (model, _) in enumerate(self.parts):
            prefix = f"{i}."
            model.restore({k[len(prefix) :]: v for k, v in state.items() if k.startswith(prefix)})


def make_model(
    name: str,
    params: Mapping[str, float | str | bool],
    embeddings: npt.NDArray[np.float32] | None = None,
    side: sparse.csr_matrix | None = None,
) -> Model:
    """A model registered as ``name`` (``lanterne.registry``), from its parameters (``side``:
    items × tags, for EASE's ``side_weight``). Parameters the model does not take are left out
    here; ``load_config`` refuses them. A ``blend`` is made from fitted models: ``Blend``."""
    if name == "blend":
        raise ValueError("blend: made of fitted models (Blend), named in a configuration")
    if name not in registry.names("model"):
        allowed = ", ".join((*registry.names("model"), "blend"))
        raise ValueError(f"unknown model « {name} »: {allowed}")
    component = registry.get("model", name)
    known = {f.encode_name for f in msgspec.structs.fields(component.config)}
    config = component.validate({k: v for k, v in params.items() if k in known})
    model: Model = component.build(config, ModelInputs(embeddings=embeddings, side=side))
    return model


MODELS = ("popularity", "itemknn", "ease", "als", "content", "blend")
"""The built-in models (``lanterne.registry.names("model")`` adds plug-ins' ones; a ``blend``
is made of the others)."""
