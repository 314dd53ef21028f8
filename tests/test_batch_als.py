"""``lanterne batch als``: implicit ALS on Spark MLlib (a real local[2] Spark, no mocks).

On ml-latest-small, Spark's ALS must rank as well as Lanterne's own ALS on the same per-user
split (within 1 % nDCG@10), and its item factors must serve Lanterne's recommender.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from helpers import lanterne, without_footprint
from lanterne.batch import (
    SparkALSConfig,
    batch_als,
    evaluate_als,
    interactions_source,
    load_als,
    reg_param,
    resolved_config,
)
from lanterne.errors import BadInput, InputNotFound

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MOVIELENS = SHARED / "movielens-latest-small"

# Two tastes: users u1–u4 chose works a, b, c; users u5–u8 chose x, y, z. Row 10 repeats a
# pair (kept, fitted once), row 12 has a rating that is not a number and row 13 no user (both
# rejected, as Lanterne's reader rejects them): 21 rows read = 19 kept + 2 rejected, and 18
# distinct pairs.
LOG = """user,item,rating
u1,a,5
u1,b,4
u2,a,4
u2,c,5
u3,b,3
u3,c,4
u4,a,5
u4,b,5
u4,c,4
u4,c,4
u5,x,5
u6,y,quatre
,z,4
"""
LOG_TAIL = """u5,y,4
u6,x,4
u6,z,5
u7,y,5
u7,z,4
u8,x,3
u8,y,4
u8,z,5
"""


@pytest.fixture()
def log(tmp_path: Path) -> Path:
    path = tmp_path / "interactions.csv"
    path.write_text(LOG + LOG_TAIL, encoding="utf-8")
    return path


SMALL = SparkALSConfig(factors=2, reg=0.1, alpha=10.0, iterations=10, seed=3)


def test_the_mapping_gives_the_same_total_penalty() -> None:
    # λ = 0.1 on 610 users + 9,724 items = 1,033.4 in all; MLlib adds regParam × 2 × 100,836
    # over one sweep (each interaction counted once for its user, once for its item).
    assert reg_param(0.1, 610, 9724, 100_836) == pytest.approx(1033.4 / 201_672)


def test_factors_are_written_counted_and_loadable(spark: Any, log: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "out"
    report = batch_als(spark, interactions_source(log), out, SMALL)
    c = report.counts
    assert (c.read, c.used, c.rejected, c.merged) == (21, 19, 2, 1)
    assert (c.users, c.items, c.interactions) == (8, 6, 18)
    # users: u1…u8 (u6 without its rejected « quatre » row still has x and z)
    users = pq.read_table(out / "user_factors").to_pylist()
    items = pq.read_table(out / "item_factors").to_pylist()
    assert sorted(r["user"] for r in users) == [f"u{n}" for n in range(1, 9)]
    assert sorted(r["item"] for r in items) == list("abcxyz")
    assert all(len(r["factors"]) == 2 for r in users + items)

    # Lanterne's recommender, in a dataset's own item order (and an item Spark never saw).
    order = ["z", "new", "a", "y", "c", "x", "b"]
    model = load_als(out / "als.npz", order)
    by_item = {r["item"]: r["factors"] for r in items}
    for n, item in enumerate(order):
        expected = by_item.get(item, [0.0, 0.0])
        assert model.item_factors[n] == pytest.approx(expected, rel=1e-6)
    history = np.zeros((1, len(order)))
    history[0, [order.index("a"), order.index("b")]] = 1
    from scipy import sparse

    scores = model.score(sparse.csr_matrix(history))[0]
    unseen = {item: scores[n] for n, item in enumerate(order) if item not in ("a", "b")}
    assert max(unseen, key=unseen.__getitem__) == "c"  # a and b's taste, not x, y, z's


def test_an_empty_log_is_bad_input_with_its_name(spark: Any, tmp_path: Path) -> None:
    header = tmp_path / "header-only.csv"
    header.write_text("user,item,rating\n", encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        batch_als(spark, interactions_source(header), tmp_path / "out", SMALL)
    assert caught.value.key == "recommend.no_interactions"
    assert str(header) in caught.value.message("en")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        interactions_source(empty)
    assert caught.value.key == "input.empty"
    with pytest.raises(InputNotFound):
        interactions_source(tmp_path / "absent.csv")
    other = tmp_path / "other.csv"
    other.write_text("userId,title\n1,x\n", encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        interactions_source(other)
    assert "user, item" in caught.value.message("en")


def test_options_then_the_configuration_then_the_defaults(tmp_path: Path, log: Path) -> None:
    config = tmp_path / "eval.json"
    config.write_text(
        json.dumps(
            {
                "name": "t",
                "interactions": "interactions.csv",
                "seeds": [7],
                "test_fraction": 0.2,
                "models": [{"name": "als", "model": "als", "params": {"factors": 32, "alpha": 5}}],
            }
        ),
        encoding="utf-8",
    )
    source = interactions_source(config)
    assert (source.path, source.seeds, source.test_fraction) == (log, (7,), 0.2)
    chosen = resolved_config(source, factors=8, reg=None, alpha=None)
    assert (chosen.factors, chosen.alpha, chosen.reg, chosen.iterations) == (8, 5.0, 0.1, 12)
    with pytest.raises(BadInput) as caught:
        resolved_config(source, factors=0)
    assert caught.value.key == "batch.als_bad_parameter"


def test_bad_input_on_the_command_line_is_said_without_a_traceback(tmp_path: Path) -> None:
    out = str(tmp_path / "o")
    log = tmp_path / "log.csv"
    log.write_text("user,item\nu,a\n", encoding="utf-8")
    bad = lanterne(tmp_path, "batch", "als", "--master", "yarn", "--data", str(log), "-o", out)
    assert bad.returncode == 2, bad.stderr
    assert "Maître Spark « yarn » inconnu" in bad.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    done = lanterne(tmp_path, "--lang", "en", "batch", "als", "--data", str(empty), "-o", out)
    assert done.returncode == 4, done.stderr
    assert f"The file {empty} is empty" in done.stderr
    for run in (bad, done):
        assert "Traceback" not in run.stderr
    assert not (tmp_path / "o").exists()


def test_the_command_fits_writes_and_says_it(log: Path, tmp_path: Path) -> None:
    # A process of its own: the command starts and stops its own Spark session.
    out = tmp_path / "out"
    done = lanterne(
        tmp_path,
        "--lang",
        "en",
        "batch",
        "als",
        "--data",
        str(log),
        "--factors",
        "2",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "21 rows read: 19 kept, 2 rejected, 1 repeats; 8 users, 6 works" in done.stdout
    assert "Spark ALS: 2 factors, α = 10, regParam = " in done.stdout
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["counts"]["interactions"] == 18
    assert report["reg_param"] == pytest.approx(reg_param(0.1, 8, 6, 18))
    assert (out / "als.npz").is_file()
    assert "Traceback" not in without_footprint(done.stderr)


@pytest.mark.slow
@pytest.mark.skipif(
    not MOVIELENS.is_dir(),
    reason=f"MovieLens not found at {MOVIELENS} (../shared/data); it may not be redistributed",
)
def test_spark_ranks_movielens_as_well_as_lanterne_on_the_same_split(spark: Any) -> None:
    # The configuration of examples/movielens-latest-small.json's ALS (32 factors, λ 0.1,
    # α 5, 12 iterations), seed 1's 75/25 per-user split, as `lanterne eval recommend`.
    source = interactions_source(MOVIELENS)
    config = SparkALSConfig(factors=32, reg=0.1, alpha=5.0, iterations=12)
    results, split = evaluate_als(spark, source, config, [1], compare=True)
    assert (split["users"], split["interactions"]) == (610, 100_836)
    ndcg = {r.engine: r.metrics["ndcg@10"] for r in results}
    # Measured: Lanterne 0.3493, Spark 0.3478 (−0.4 %), Spark's items through Lanterne's
    # recommender 0.3476 (−0.5 %).
    assert ndcg["lanterne"] > 0.34
    for engine in ("spark", "spark→lanterne"):
        assert abs(ndcg[engine] / ndcg["lanterne"] - 1) < 0.01, ndcg
