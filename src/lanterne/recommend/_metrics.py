"""Offline metrics over many users' lists (item indices, −1 for an empty slot).

Accuracy: nDCG@k (binary gains, ideal over min(|test|, k) hits), Precision@k, Recall@k.
Beyond accuracy: catalogue coverage, intra-list diversity (1 − mean pairwise cosine of item
features), novelty (mean self-information −log2 of an item's share of users), exposure Gini
over every catalogue item, miscalibration (Steck's KL with α = 0.01), attribute shares of the
slots, goal satisfaction.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse

from lanterne.audit import gini, kl_divergence
from lanterne.recommend._rerank import ItemSpace

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def _hits(lists: Ints, test: sparse.csr_matrix) -> Bools:
    rows = np.repeat(np.arange(lists.shape[0]), lists.shape[1])
    cols = lists.ravel()
    valid = cols >= 0
    hits = np.zeros(lists.size, dtype=np.bool_)
    hits[valid] = np.asarray(test[rows[valid], cols[valid]]).ravel() > 0
    return hits.reshape(lists.shape)


def ndcg(lists: Ints, test: sparse.csr_matrix, k: int) -> Floats:
    """Per user nDCG@k."""
    hits = _hits(lists[:, :k], test)
    discount = 1.0 / np.log2(np.arange(k) + 2.0)
    dcg = (hits * discount[: hits.shape[1]]).sum(axis=1)
    relevant = np.asarray(test.getnnz(axis=1))
    ideal = np.concatenate([[0.0], np.cumsum(discount)])[np.minimum(relevant, k)]
    return np.asarray(
        np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0), dtype=np.float64
    )


def precision(lists: Ints, test: sparse.csr_matrix, k: int) -> Floats:
    return np.asarray(_hits(lists[:, :k], test).sum(axis=1) / k, dtype=np.float64)


def recall(lists: Ints, test: sparse.csr_matrix, k: int) -> Floats:
    relevant = np.asarray(test.getnnz(axis=1), dtype=np.float64)
    found = _hits(lists[:, :k], test).sum(axis=1)
    return np.asarray(
        np.divide(found, relevant, out=np.zeros_like(relevant), where=relevant > 0),
        dtype=np.float64,
    )


def coverage(lists: Ints, n_items: int) -> float:
    shown = np.unique(lists[lists >= 0])
    return len(shown) / n_items if n_items else 0.0


def exposure_gini(lists: Ints, n_items: int) -> float:
    counts = np.bincount(lists[lists >= 0], minlength=n_items).astype(np.float64)
    return gini(counts)


def intra_list_diversity(lists: Ints, space: ItemSpace) -> Floats:
    out = np.zeros(lists.shape[0])
    for u, row in enumerate(lists):
        items = row[row >= 0]
        if len(items) < 2:
            continue
        sim = space.similarity(items)
        n = len(items)
        out[u] = 1.0 - (sim.sum() - np.trace(sim)) / (n * (n - 1))
    return out


def novelty(lists: Ints, popularity: Floats, n_users: int) -> Floats:
    """Mean −log2((pop + 1) / (users + 1)) of each list's items (add-one so unseen items count)."""
    info = -np.log2((popularity + 1.0) / (n_users + 1.0))
    values = np.where(lists >= 0, info[np.maximum(lists, 0)], np.nan)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.nanmean(values, axis=1), dtype=np.float64)


def miscalibration(
    lists: Ints, history: sparse.csr_matrix, space: ItemSpace, alpha: float = 0.01
) -> Floats:
    out = np.zeros(lists.shape[0])
    history = history.tocsr()
    for u, row in enumerate(lists):
        seen = history.indices[history.indptr[u] : history.indptr[u + 1]]
        p = space.distribution(seen.astype(np.int64))
        if p.sum() == 0:
            continue
        q = space.distribution(row[row >= 0])
        out[u] = float(kl_divergence(p, q, alpha))
    return out


def share(lists: Ints, mask: Bools) -> float:
    """Share of the filled slots whose item has the attribute."""
    filled = lists[lists >= 0]
    return float(mask[filled].mean()) if len(filled) else 0.0
