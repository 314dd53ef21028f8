"""Interaction data for recommendation: who chose what, and what each item is.

Two CSV files describe any dataset without code (see docs/recommend.md):

* interactions: ``user,item[,rating][,timestamp]``: every row is an implicit positive;
* item attributes: ``item,attribute,value``, one row per value (``country,FR``,
  ``european,true``, ``genre,Comedy``); an item may have several values of one attribute.

Rows that cannot be used are never dropped silently: each becomes a ``Rejected`` entry with the
file, the line, the field and what to do, and ``read == used + rejected`` holds for each file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import sparse

from lanterne._csv_cells import restore
from lanterne.errors import BadInput, InputNotFound
from lanterne.rejected import Rejected

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

TRUE_VALUES = frozenset({"true", "1", "yes", "oui", "vrai"})


class FileCounts(msgspec.Struct, kw_only=True):
    file: str
    read: int = 0
    used: int = 0
    merged: int = 0
    """Rows that repeat a user–item pair already read: used once, counted here."""
    rejected: int = 0


class Attributes:
    """Item attributes as boolean masks over the item axis: ``mask("country", "FR")``."""

    def __init__(self, n_items: int, values: dict[str, dict[str, Bools]]) -> None:
        self.n_items = n_items
        self._values = values

    @property
    def names(self) -> list[str]:
        return sorted(self._values)

    def values(self, attribute: str) -> list[str]:
        return sorted(self._values.get(attribute, {}))

    def mask(self, attribute: str, value: str) -> Bools:
        """Items having ``attribute=value`` (all false when nobody has it)."""
        found = self._values.get(attribute, {}).get(value)
        return found if found is not None else np.zeros(self.n_items, dtype=np.bool_)

    def known(self, attribute: str) -> Bools:
        """Items with at least one value of ``attribute``."""
        known = np.zeros(self.n_items, dtype=np.bool_)
        for mask in self._values.get(attribute, {}).values():
            known |= mask
        return known

    def matrix(self, attribute: str) -> sparse.csr_matrix:
        """Items × values of ``attribute``, one row per item, rows summing to 1 (or 0)."""
        names = self.values(attribute)
        if not names:
            return sparse.csr_matrix((self.n_items, 0))
        dense = np.stack([self._values[attribute][v] for v in names], axis=1).astype(np.float64)
        totals = dense.sum(axis=1, keepdims=True)
        np.divide(dense, totals, out=dense, where=totals > 0)
        return sparse.csr_matrix(dense)


class Dataset:
    """Users × items of implicit positives, with item attributes and the reading report."""

    def __init__(
        self,
        users: list[str],
        items: list[str],
        matrix: sparse.csr_matrix,
        attributes: Attributes,
        counts: list[FileCounts],
        rejected: list[Rejected],
    ) -> None:
        self.users = users
        self.items = items
        self.matrix = matrix
        self.attributes = attributes
        self.counts = counts
        self.rejected = rejected
        self.item_index = {item: i for i, item in enumerate(items)}
        self.user_index = {user: u for u, user in enumerate(users)}

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)


def _open_rows(path: Path, required: Sequence[str]) -> tuple[csv.DictReader[str], object]:
    if not path.is_file():
        raise InputNotFound("input.not_found", path=path)
    handle = path.open(encoding="utf-8-sig", newline="")
    reader = csv.DictReader(handle)
    header = reader.fieldnames or []
    if not header:
        handle.close()
        raise BadInput("input.empty", path=path)
    missing = [c for c in required if c not in header]
    if missing:
        handle.close()
        raise BadInput(
            "recommend.missing_columns",
            path=path,
            columns=", ".join(missing),
            found=", ".join(header),
        )
    return reader, handle


def load_dataset(
    interactions: Path,
    attributes: Path | None = None,
    *,
    min_rating: float | None = None,
) -> Dataset:
    """Read both CSV files. Items of the attributes file without interactions stay in the catalogue
    (they are the new works a recommender must still be able to show)."""
    rejected: list[Rejected] = []
    counts_i = FileCounts(file=str(interactions))
    user_index: dict[str, int] = {}
    item_index: dict[str, int] = {}
    pairs: set[tuple[int, int]] = set()
    reader, handle = _open_rows(interactions, ("user", "item"))
    with handle:  # type: ignore[attr-defined]
        for row in reader:
            counts_i.read += 1
            line = reader.line_num
            problem = _interaction_problem(row, min_rating)
            if problem is not None:
                field, reason = problem
                rejected.append(Rejected(str(interactions), line, field, reason))
                counts_i.rejected += 1
                continue
            u = user_index.setdefault(row["user"].strip(), len(user_index))
            i = item_index.setdefault(row["item"].strip(), len(item_index))
            if (u, i) in pairs:
                counts_i.merged += 1
            else:
                pairs.add((u, i))
            counts_i.used += 1
    counts = [counts_i]
    values: dict[str, dict[str, list[int]]] = {}
    if attributes is not None:
        counts_a = FileCounts(file=str(attributes))
        reader, handle = _open_rows(attributes, ("item", "attribute", "value"))
        with handle:  # type: ignore[attr-defined]
            for row in reader:
                counts_a.read += 1
                blank = next((f for f in ("item", "attribute", "value") if not _cell(row, f)), None)
                if blank is not None:
                    rejected.append(
                        Rejected(
                            str(attributes),
                            reader.line_num,
                            blank,
                            "empty: fill it or drop the row",
                        )
                    )
                    counts_a.rejected += 1
                    continue
                i = item_index.setdefault(_cell(row, "item"), len(item_index))
                value = restore(_cell(row, "value"))  # as written (_csv_cells)
                attribute = _cell(row, "attribute")
                if attribute in {"european", "eof", "local", "new"}:
                    value = "true" if value.lower() in TRUE_VALUES else "false"
                values.setdefault(attribute, {}).setdefault(value, []).append(i)
                counts_a.used += 1
        counts.append(counts_a)
    if not pairs:
        raise BadInput("recommend.no_interactions", path=interactions)
    n_users, n_items = len(user_index), len(item_index)
    rows, cols = zip(*sorted(pairs), strict=True)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows)), (np.asarray(rows), np.asarray(cols))), shape=(n_users, n_items)
    )
    masks: dict[str, dict[str, Bools]] = {}
    for attribute, by_value in values.items():
        for value, members in by_value.items():
            mask = np.zeros(n_items, dtype=np.bool_)
            mask[members] = True
            masks.setdefault(attribute, {})[value] = mask
    return Dataset(
        users=list(user_index),
        items=list(item_index),
        matrix=matrix,
        attributes=Attributes(n_items, masks),
        counts=counts,
        rejected=rejected,
    )


def _cell(row: dict[str, str | None], name: str) -> str:
    return (row.get(name) or "").strip()


def _interaction_problem(
    row: dict[str, str | None], min_rating: float | None
) -> tuple[str, str] | None:
    if None in row:
        return "(line)", "more cells than the header: check the delimiter and the quotes"
    for name in ("user", "item"):
        if not _cell(row, name):
            return name, "empty: every row needs a user and an item"
    rating = _cell(row, "rating")
    if rating:
        try:
            value = float(rating.replace(",", "."))
        except ValueError:
            return "rating", f"« {rating} » is not a number"
        if min_rating is not None and value < min_rating:
            return "rating", f"below min_rating {min_rating}: not a positive"
    elif min_rating is not None:
        return "rating", "empty while the configuration sets min_rating"
    return None


def from_pairs(
    pairs: Iterable[tuple[str, str]],
    item_values: dict[str, dict[str, list[str]]] | None = None,
    items: Sequence[str] = (),
) -> Dataset:
    """A dataset built in memory: (user, item) pairs and ``{item: {attribute: [values]}}``."""
    user_index: dict[str, int] = {}
    item_index: dict[str, int] = {item: i for i, item in enumerate(items)}
    cells: set[tuple[int, int]] = set()
    for user, item in pairs:
        cells.add(
            (
                user_index.setdefault(user, len(user_index)),
                item_index.setdefault(item, len(item_index)),
            )
        )
    for item in item_values or {}:
        item_index.setdefault(item, len(item_index))
    n_items = len(item_index)
    masks: dict[str, dict[str, Bools]] = {}
    for item, by_attribute in (item_values or {}).items():
        for attribute, vals in by_attribute.items():
            for value in vals:
                mask = masks.setdefault(attribute, {}).setdefault(
                    value, np.zeros(n_items, dtype=np.bool_)
                )
                mask[item_index[item]] = True
    ordered = sorted(cells)
    rows = np.asarray([r for r, _ in ordered], dtype=np.int64)
    cols = np.asarray([c for _, c in ordered], dtype=np.int64)
    matrix = sparse.csr_matrix(
        (np.ones(len(ordered)), (rows, cols)), shape=(len(user_index), n_items)
    )
    return Dataset(
        users=list(user_index),
        items=list(item_index),
        matrix=matrix,
        attributes=Attributes(n_items, masks),
        counts=[],
        rejected=[],
    )


def split_per_user(
    matrix: sparse.csr_matrix, test_fraction: float, seed: int
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Per-user random split: ``round(test_fraction × n)`` of each user's items go to the test
    side (none for a user with a single item). Seeded, so a configuration reproduces it."""
    rng = np.random.default_rng(seed)
    matrix = matrix.tocsr()
    train_rows: list[Ints] = []
    test_rows: list[Ints] = []
    train_cols: list[Ints] = []
    test_cols: list[Ints] = []
    for u in range(matrix.shape[0]):
        items = matrix.indices[matrix.indptr[u] : matrix.indptr[u + 1]].astype(np.int64)
        n_test = round(test_fraction * len(items)) if len(items) > 1 else 0
        order = rng.permutation(len(items))
        test, train = items[order[:n_test]], items[order[n_test:]]
        train_rows.append(np.full(len(train), u, dtype=np.int64))
        train_cols.append(train)
        test_rows.append(np.full(len(test), u, dtype=np.int64))
        test_cols.append(test)

    def build(rows: list[Ints], cols: list[Ints]) -> sparse.csr_matrix:
        r, c = np.concatenate(rows), np.concatenate(cols)
        return sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=matrix.shape)

    return build(train_rows, train_cols), build(test_rows, test_cols)
