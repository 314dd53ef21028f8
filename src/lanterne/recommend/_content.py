"""What the content model reads: the items' titles and genres, and their text vectors.

Shared by the evaluation and the service, which build the same content model from one
configuration.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lanterne._csv_cells import restore
from lanterne.errors import InputNotFound
from lanterne.recommend._data import Dataset


def read_titles(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise InputNotFound("input.not_found", path=path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        # Titles as written, quotes added against formula injection taken off (_csv_cells).
        return {
            row["item"]: restore(row["title"] or "")
            for row in csv.DictReader(handle)
            if row.get("item")
        }


def item_texts(dataset: Dataset, titles: dict[str, str]) -> list[str]:
    """What content similarity reads for each item: its title and its genres."""
    genres: list[list[str]] = [[] for _ in range(dataset.n_items)]
    for value in dataset.attributes.values("genre"):
        for i in np.flatnonzero(dataset.attributes.mask("genre", value)):
            genres[int(i)].append(value)
    return [
        " ".join([titles.get(item, ""), *sorted(genres[i])]).strip() or item
        for i, item in enumerate(dataset.items)
    ]


def embeddings_for(texts: list[str], cache: Path | None) -> npt.NDArray[np.float32]:
    """Text vectors from the search encoder, kept in ``cache`` (keyed by the texts)."""
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    if cache is not None:
        target = cache / f"embeddings-{key}.npy"
        if target.is_file():
            return np.asarray(np.load(target), dtype=np.float32)
    from lanterne.search import Encoder

    vectors = Encoder().encode(texts)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(target, vectors)
    return vectors
