"""Reading interactions and item attributes: bad rows explained, counts that add up, the split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from lanterne.errors import BadInput, InputNotFound
from lanterne.recommend import load_dataset, split_per_user


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def test_rows_are_used_merged_or_rejected_with_a_reason(tmp_path: Path) -> None:
    interactions = _write(
        tmp_path / "i.csv",
        "user,item,rating,timestamp\n"
        "u1,a,4,1\n"
        "u1,b,3.5,2\n"
        "u1,a,5,3\n"  # same pair again: merged
        ",c,4,4\n"  # no user
        "u2,c,beaucoup,5\n"  # rating not a number
        "u2,d,4,6,extra\n"  # more cells than the header
        "u2,c,2,7\n",
    )
    attributes = _write(
        tmp_path / "a.csv",
        "item,attribute,value\na,european,TRUE\nb,european,non\nc,country,FR\nd,,x\ne,genre,drame\n",
    )
    ds = load_dataset(interactions, attributes)
    counts = {c.file: c for c in ds.counts}
    ci = counts[str(interactions)]
    assert (ci.read, ci.used, ci.merged, ci.rejected) == (7, 4, 1, 3)
    assert ci.read == ci.used + ci.rejected
    ca = counts[str(attributes)]
    assert (ca.read, ca.used, ca.rejected) == (5, 4, 1)
    reasons = {(r.line, r.field) for r in ds.rejected}
    assert reasons == {(5, "user"), (6, "rating"), (7, "(line)"), (5, "attribute")}
    assert all(r.reason for r in ds.rejected)
    assert ds.matrix.nnz == 3  # (u1, a), (u1, b), (u2, c)
    assert ds.attributes.mask("european", "true")[ds.item_index["a"]]
    assert ds.attributes.mask("european", "false")[ds.item_index["b"]]
    assert "e" in ds.item_index  # items of the attributes file stay in the catalogue


def test_min_rating_keeps_only_positives(tmp_path: Path) -> None:
    interactions = _write(tmp_path / "i.csv", "user,item,rating\nu,a,4\nu,b,2\nv,a,\n")
    ds = load_dataset(interactions, min_rating=3.5)
    assert ds.matrix.nnz == 1
    assert {r.field for r in ds.rejected} == {"rating"}


def test_whole_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound):
        load_dataset(tmp_path / "absent.csv")
    with pytest.raises(BadInput) as empty:
        load_dataset(_write(tmp_path / "empty.csv", ""))
    assert "empty.csv" in empty.value.message("fr")
    with pytest.raises(BadInput) as columns:
        load_dataset(_write(tmp_path / "cols.csv", "userId,movieId\n1,2\n"))
    assert "user, item" in columns.value.message("en")
    with pytest.raises(BadInput) as nothing:
        load_dataset(_write(tmp_path / "none.csv", "user,item\n,\n"))
    assert "no usable interaction" in nothing.value.message("en")


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.integers(0, 29), min_size=0, max_size=20, unique=True), min_size=1, max_size=15
    ),
    seed=st.integers(0, 1000),
    fraction=st.sampled_from([0.2, 0.25, 0.5]),
)
def test_split_is_a_seeded_partition(rows: list[list[int]], seed: int, fraction: float) -> None:
    cells = [(u, i) for u, items in enumerate(rows) for i in items]
    if not cells:
        return
    r, c = zip(*cells, strict=True)
    matrix = sparse.csr_matrix((np.ones(len(cells)), (r, c)), shape=(len(rows), 30))
    train, test = split_per_user(matrix, fraction, seed)
    assert (train + test - matrix).nnz == 0  # nothing lost
    assert train.multiply(test).nnz == 0  # nothing on both sides
    for u, items in enumerate(rows):
        expected = round(fraction * len(items)) if len(items) > 1 else 0
        assert test[u].nnz == expected
    _, again_test = split_per_user(matrix, fraction, seed)
    assert (again_test != test).nnz == 0
