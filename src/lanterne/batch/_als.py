"""``lanterne batch als``: implicit ALS on Apache Spark MLlib, for interaction logs too large
for one machine, with the accuracy of Lanterne's own ALS (``lanterne.recommend.ALS``).

Both are Hu, Koren and Volinsky's implicit ALS: every interaction a preference of 1 with
confidence 1 + α, exact least-squares solves alternating between users and items. They differ
in the ridge term: Lanterne adds a constant λ to every solve, MLlib adds ``regParam × n`` where
``n`` is the number of interactions of the user or item solved ("ALS-WR", Zhou et al. 2008;
``ALS.computeFactors`` in Spark's source). No single ``regParam`` equals a constant λ;
:func:`reg_param` gives the same total penalty over one sweep, λ·(users + items) =
``regParam``·2·interactions, scaled by :data:`REG_SCALE`, chosen on an inner split of the
training side (docs/recommend.md, benchmarks/batch_als.py ``--tune``).

Spark reads the log itself (CSV or Parquet, in partitions), so fitting needs no machine that
holds it; ``--evaluate`` reads it on the driver with Lanterne's reader and splits it with
Lanterne's ``split_per_user``, so its figures come from the very split ``lanterne eval
recommend`` uses.
"""

from __future__ import annotations

import csv
import json
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import sparse

from lanterne.errors import BadInput, InputNotFound, ToolMissing
from lanterne.recommend import (
    ALS,
    ALSConfig,
    Dataset,
    ItemSpace,
    Recommender,
    load_config,
    load_dataset,
    ndcg,
    precision,
    recall,
    split_per_user,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Floats = npt.NDArray[np.float64]

REG_SCALE = 1.0
"""Multiplier of the total-penalty mapping of λ to MLlib's ``regParam``, checked on an inner
75/25 split (seed 1001) of seed 1's training side of ml-latest-small (benchmarks/batch_als.py
``--tune``): Lanterne's ALS 0.1961 nDCG@10 there, Spark 0.1950 at 1× and 0.1971 at 3× (both
within 0.6 %, as close as two initial seeds of one engine), higher beyond (0.2025 at 30×:
MLlib's per-count penalty then ranks better than Lanterne's, no longer the same results)."""

K = 10


class SparkALSConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Lanterne's ALS hyper-parameters (``ALSConfig``), plus MLlib's ``regParam`` when given
    (otherwise mapped from ``reg`` by :func:`reg_param`)."""

    factors: Annotated[int, msgspec.Meta(ge=1)] = 64
    reg: Annotated[float, msgspec.Meta(ge=0)] = 0.1
    alpha: Annotated[float, msgspec.Meta(ge=0)] = 10.0
    iterations: Annotated[int, msgspec.Meta(ge=1)] = 12
    seed: int = 0
    reg_param: Annotated[float, msgspec.Meta(ge=0)] | None = None


class Interactions(msgspec.Struct, frozen=True, kw_only=True):
    """Where the log is and how to read it."""

    path: Path
    format: Literal["csv", "parquet"]
    user: str = "user"
    item: str = "item"
    rating: str | None = None
    min_rating: float | None = None
    test_fraction: float = 0.25
    seeds: tuple[int, ...] = (1, 2, 3)
    als: dict[str, float | str | bool] = {}
    """The first ``als`` model's parameters of an evaluation configuration."""


class Counts(msgspec.Struct, kw_only=True):
    read: int
    used: int
    """Rows kept (a repeated user–item pair counts in ``used`` and in ``merged``)."""
    merged: int
    rejected: int
    users: int
    items: int
    interactions: int
    """Distinct user–item pairs fitted."""


class EngineResult(msgspec.Struct, kw_only=True):
    engine: str
    metrics: dict[str, float]
    per_seed: list[dict[str, float]]


class ALSReport(msgspec.Struct, kw_only=True):
    data: str
    master: str
    config: SparkALSConfig
    reg_param: float
    counts: Counts
    fit_seconds: float
    outputs: dict[str, str]
    evaluation: list[EngineResult] = []
    split: dict[str, Any] = {}


def reg_param(reg: float, users: int, items: int, interactions: int) -> float:
    """MLlib's ``regParam`` for Lanterne's λ: the same total ridge penalty over one sweep of
    users and items (Σ λ = Σ regParam·n), times :data:`REG_SCALE`."""
    if interactions == 0:
        return reg
    return REG_SCALE * reg * (users + items) / (2 * interactions)


def interactions_source(given: Path) -> Interactions:
    """An evaluation configuration (JSON), a MovieLens folder (``ratings.csv``), a folder of
    the prepared form (``interactions.csv``), a CSV file or Parquet (file or folder)."""
    if not given.exists():
        raise InputNotFound("input.not_found", path=given)
    if given.suffix == ".json":
        config = load_config(given)
        path = Path(config.interactions)
        path = path if path.is_absolute() else given.parent / path
        als = next((dict(m.params) for m in config.models if m.model == "als"), {})
        found = interactions_source(path)
        return msgspec.structs.replace(
            found,
            min_rating=config.min_rating,
            test_fraction=config.test_fraction,
            seeds=tuple(config.seeds),
            als=als,
        )
    if given.is_dir():
        if (given / "interactions.csv").is_file():
            return interactions_source(given / "interactions.csv")
        if (given / "ratings.csv").is_file():  # GroupLens' own files
            return Interactions(
                path=given / "ratings.csv",
                format="csv",
                user="userId",
                item="movieId",
                rating="rating",
            )
        if any(given.glob("*.parquet")):
            return _parquet(given)
        raise InputNotFound("batch.als_no_log", path=given)
    if given.suffix == ".parquet":
        return _parquet(given)
    header = _csv_header(given)
    missing = [c for c in ("user", "item") if c not in header]
    if missing:
        raise BadInput(
            "recommend.missing_columns",
            path=given,
            columns=", ".join(missing),
            found=", ".join(header),
        )
    return Interactions(path=given, format="csv", rating="rating" if "rating" in header else None)


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    if not header:
        raise BadInput("input.empty", path=path)
    return [h.strip() for h in header]


def _parquet(path: Path) -> Interactions:
    import pyarrow.parquet as pq

    first = path if path.is_file() else sorted(path.glob("*.parquet"))[0]
    names = pq.read_schema(first).names
    missing = [c for c in ("user", "item") if c not in names]
    if missing:
        raise BadInput(
            "recommend.missing_columns",
            path=path,
            columns=", ".join(missing),
            found=", ".join(names),
        )
    return Interactions(path=path, format="parquet", rating="rating" if "rating" in names else None)


def resolved_config(source: Interactions, **given: float | int | None) -> SparkALSConfig:
    """Options given on the command line, else the configuration's ``als`` model, else
    Lanterne's ALS defaults."""
    fields = {f.name for f in msgspec.structs.fields(ALSConfig)}
    values: dict[str, Any] = {k: v for k, v in source.als.items() if k in fields}
    values.update({k: v for k, v in given.items() if v is not None})
    try:
        return msgspec.convert(values, SparkALSConfig)
    except msgspec.ValidationError as exc:
        raise BadInput("batch.als_bad_parameter", detail=str(exc)) from None


def _read_log(spark: SparkSession, source: Interactions) -> DataFrame:
    """Every row as ``user``, ``item`` (trimmed text) and ``rating`` (text or null)."""
    from pyspark.sql import functions as F

    if source.format == "parquet":
        raw = spark.read.parquet(str(source.path))
    else:
        raw = spark.read.option("header", True).option("encoding", "UTF-8").csv(str(source.path))
    rating = F.col(source.rating).cast("string") if source.rating else F.lit(None)
    return raw.select(
        F.trim(F.col(source.user).cast("string")).alias("user"),
        F.trim(F.col(source.item).cast("string")).alias("item"),
        F.trim(rating).alias("rating"),
    )


def _usable(min_rating: float | None) -> Any:
    """The rows Lanterne's reader keeps (``load_dataset``): a user and an item, a rating that
    is a number when present, at least ``min_rating`` when one is set."""
    from pyspark.sql import functions as F

    value = F.regexp_replace(F.col("rating"), ",", ".").try_cast("double")
    blank = F.col("rating").isNull() | (F.col("rating") == "")
    ok = F.col("user").isNotNull() & (F.col("user") != "")
    ok = ok & F.col("item").isNotNull() & (F.col("item") != "")
    ok = ok & (blank | value.isNotNull())
    if min_rating is not None:
        ok = ok & ~blank & (value >= F.lit(min_rating))
    return ok


def _index(frame: DataFrame, column: str, index: str) -> DataFrame:
    """Distinct values of ``column`` numbered 0… in sorted order: the same numbers whenever a
    lost partition is recomputed (``distinct`` alone may come back in another order)."""
    values = frame.select(column).distinct().orderBy(column)
    spark = frame.sparkSession
    numbered = values.rdd.map(lambda row: row[0]).zipWithIndex()
    return spark.createDataFrame(numbered, f"{column} string, {index} long")


def _spark_als(config: SparkALSConfig, regularisation: float, blocks: int | None) -> Any:
    from pyspark.ml.recommendation import ALS as MLlibALS

    als = MLlibALS(
        rank=config.factors,
        maxIter=config.iterations,
        regParam=regularisation,
        alpha=config.alpha,
        implicitPrefs=True,
        seed=config.seed,
        userCol="u",
        itemCol="i",
        ratingCol="r",
    )
    if blocks:
        als = als.setNumUserBlocks(blocks).setNumItemBlocks(blocks)
    return als


def _job(what: str) -> Any:
    """Spark's own errors (py4j, analysis) as a message, not a traceback."""

    @contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except (BadInput, InputNotFound):
            raise
        except Exception as exc:  # py4j and Java errors are not typed
            if type(exc).__module__.startswith(("pyspark", "py4j")):
                text = str(exc).strip()
                detail = text.splitlines()[0][:300] if text else type(exc).__name__
                raise ToolMissing("batch.als_failed", what=what, detail=detail) from None
            raise

    return guard()


def batch_als(
    spark: SparkSession,
    source: Interactions,
    out: Path,
    config: SparkALSConfig,
    partitions: int | None = None,
) -> ALSReport:
    """Fit implicit ALS on Spark over the whole log of ``source`` and write ``out``:
    ``user_factors/`` and ``item_factors/`` (Parquet: the id, then ``factors``, a list of
    floats) and ``als.npz`` (``items`` and ``item_factors``: what ``load_als`` gives Lanterne's
    recommender)."""
    from pyspark.sql import functions as F

    with _job("lecture / reading"):
        rows = _read_log(spark, source)
        if partitions:
            rows = rows.repartition(partitions)
        flagged = rows.withColumn("ok", _usable(source.min_rating)).cache()
        tally = flagged.groupBy("ok").count().collect()
    by = {bool(r["ok"]): int(r["count"]) for r in tally}
    read, used = sum(by.values()), by.get(True, 0)
    if read == 0:
        raise BadInput("recommend.no_interactions", path=source.path)
    pairs = flagged.where("ok").select("user", "item").distinct().cache()
    with _job("index"):
        n_pairs = pairs.count()
        if n_pairs == 0:
            raise BadInput("recommend.no_interactions", path=source.path)
        users = _index(pairs, "user", "u").cache()
        items = _index(pairs, "item", "i").cache()
        n_users, n_items = users.count(), items.count()
    flagged.unpersist()
    regularisation = (
        config.reg_param
        if config.reg_param is not None
        else reg_param(config.reg, n_users, n_items, n_pairs)
    )
    fit_frame = (
        pairs.join(users, "user")
        .join(items, "item")
        .select(F.col("u").cast("int"), F.col("i").cast("int"), F.lit(1.0).alias("r"))
    )
    with _job("ALS"):
        start = time.perf_counter()
        model = _spark_als(config, regularisation, partitions).fit(fit_frame)
        user_rows = model.userFactors.join(users, model.userFactors.id == users.u)
        item_rows = model.itemFactors.join(items, model.itemFactors.id == items.i)
        out.mkdir(parents=True, exist_ok=True)
        user_rows.select("user", F.col("features").alias("factors")).write.mode(
            "overwrite"
        ).parquet(str(out / "user_factors"))
        item_rows.select("item", F.col("features").alias("factors")).write.mode(
            "overwrite"
        ).parquet(str(out / "item_factors"))
        seconds = time.perf_counter() - start
        table = spark.read.parquet(str(out / "item_factors")).orderBy("item").toArrow()
    pairs.unpersist()
    _write_npz(out / "als.npz", table, config)
    return ALSReport(
        data=str(source.path),
        master=spark.sparkContext.master or "",
        config=config,
        reg_param=regularisation,
        counts=Counts(
            read=read,
            used=used,
            merged=used - n_pairs,
            rejected=read - used,
            users=n_users,
            items=n_items,
            interactions=n_pairs,
        ),
        fit_seconds=seconds,
        outputs={
            "user_factors": str(out / "user_factors"),
            "item_factors": str(out / "item_factors"),
            "npz": str(out / "als.npz"),
        },
    )


def _write_npz(path: Path, table: Any, config: SparkALSConfig) -> None:
    from lanterne.publish import atomic_file

    ids = np.asarray(table["item"].to_pylist(), dtype=np.str_)
    factors = _stack(table["factors"], config.factors)
    with atomic_file(path) as handle:
        np.savez(
            handle,
            items=ids,
            item_factors=factors,
            config=np.asarray(json.dumps(msgspec.to_builtins(config))),
        )


def _stack(column: Any, width: int) -> Floats:
    values = column.combine_chunks().flatten().to_numpy()
    return np.asarray(values, dtype=np.float64).reshape(-1, width)


def load_als(path: Path, items: Sequence[str]) -> ALS:
    """Lanterne's ALS with the item factors Spark fitted (``als.npz`` of ``lanterne batch
    als``), in the order of ``items`` (a dataset's ``items``); an item Spark never saw gets
    zeros, as Lanterne's own ALS gives an item nobody chose. New users are folded in with the
    factors' own α and λ, like any Lanterne ALS."""
    try:
        with np.load(path, allow_pickle=False) as data:
            ids = [str(i) for i in data["items"]]
            factors = np.asarray(data["item_factors"], dtype=np.float64)
            config = msgspec.json.decode(str(data["config"]), type=SparkALSConfig)
    except FileNotFoundError:
        raise InputNotFound("input.not_found", path=path) from None
    except (KeyError, ValueError, OSError, msgspec.DecodeError):
        raise BadInput("batch.als_bad_npz", path=path) from None
    where = {item: n for n, item in enumerate(ids)}
    aligned = np.zeros((len(items), factors.shape[1]))
    for n, item in enumerate(items):
        row = where.get(item)
        if row is not None:
            aligned[n] = factors[row]
    model = ALS(
        factors=factors.shape[1],
        reg=config.reg,
        alpha=config.alpha,
        iterations=config.iterations,
        seed=config.seed,
    )
    model.restore({"item_factors": aligned})
    return model


# Evaluation: Lanterne's reader and split on the driver, Spark's fit on the training side.


@contextmanager
def _as_interactions_csv(source: Interactions) -> Iterator[Path]:
    """The log as Lanterne's reader wants it (``user,item[,rating]``): itself, or a copy with
    its columns renamed (MovieLens' ``userId,movieId``)."""
    if source.format != "csv":
        raise BadInput("batch.als_evaluate_csv", path=source.path)
    if (source.user, source.item) == ("user", "item"):
        yield source.path
        return
    with tempfile.TemporaryDirectory(prefix="lanterne-als-") as tmp:
        target = Path(tmp) / "interactions.csv"
        columns = [c for c in (source.user, source.item, source.rating) if c]
        with (
            source.path.open(encoding="utf-8-sig", newline="") as src,
            target.open("w", encoding="utf-8", newline="") as dst,
        ):
            writer = csv.writer(dst)
            writer.writerow(["user", "item", "rating"][: len(columns)])
            for row in csv.DictReader(src):
                writer.writerow([row.get(c) or "" for c in columns])
        yield target


def _lists(scores: Floats, seen: sparse.csr_matrix, k: int) -> npt.NDArray[np.int64]:
    """Each row's ``k`` best unseen items (−1 where fewer are scored)."""
    scores = scores.copy()
    rows = np.repeat(np.arange(seen.shape[0]), np.diff(seen.indptr))
    scores[rows, seen.indices] = -np.inf
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.where(np.isfinite(np.take_along_axis(scores, top, axis=1)), top, -1)


def _accuracy(lists: npt.NDArray[np.int64], test: sparse.csr_matrix) -> dict[str, float]:
    users = np.flatnonzero(test.getnnz(axis=1) > 0)
    top, t = lists[users], test[users]
    return {
        f"ndcg@{K}": float(ndcg(top, t, K).mean()),
        f"precision@{K}": float(precision(top, t, K).mean()),
        f"recall@{K}": float(recall(top, t, K).mean()),
    }


def _lanterne_lists(
    model: ALS, train: sparse.csr_matrix, dataset: Dataset
) -> npt.NDArray[np.int64]:
    """The lists Lanterne's recommender makes from ``model`` (no goal, no curiosity): what
    ``lanterne eval recommend`` scores."""
    popularity = np.asarray(train.sum(axis=0), dtype=np.float64).ravel()
    space = ItemSpace(
        sparse.csr_matrix(train.T), sparse.csr_matrix((train.shape[1], 0)), popularity
    )
    recommender = Recommender(
        model, space, dataset.items, attribute_mask=dataset.attributes.mask, k=K
    )
    return recommender.lists(train).top


def _fit_on(
    spark: SparkSession, train: sparse.csr_matrix, config: SparkALSConfig
) -> tuple[Floats, Floats, float]:
    """Spark's user and item factors fitted on ``train`` (indices as ids), and the seconds."""
    import pyarrow as pa

    coo = train.tocoo()
    table = pa.table(
        {
            "u": pa.array(coo.row.astype(np.int32)),
            "i": pa.array(coo.col.astype(np.int32)),
            "r": pa.array(np.ones(coo.nnz, dtype=np.float32)),
        }
    )
    users = int((train.getnnz(axis=1) > 0).sum())
    items = int((train.getnnz(axis=0) > 0).sum())
    regularisation = (
        config.reg_param
        if config.reg_param is not None
        else reg_param(config.reg, users, items, train.nnz)
    )
    with _job("ALS"):
        frame = spark.createDataFrame(table).cache()
        frame.count()
        start = time.perf_counter()
        model = _spark_als(config, regularisation, None).fit(frame)
        user_table = model.userFactors.orderBy("id").toArrow()
        item_table = model.itemFactors.orderBy("id").toArrow()
        seconds = time.perf_counter() - start
        frame.unpersist()
    u = np.zeros((train.shape[0], config.factors))
    v = np.zeros((train.shape[1], config.factors))
    u[user_table["id"].to_numpy()] = _stack(user_table["features"], config.factors)
    v[item_table["id"].to_numpy()] = _stack(item_table["features"], config.factors)
    return u, v, seconds


def evaluate_als(
    spark: SparkSession,
    source: Interactions,
    config: SparkALSConfig,
    seeds: Sequence[int],
    compare: bool = False,
) -> tuple[list[EngineResult], dict[str, Any]]:
    """Spark's ALS on each seed's per-user split (``split_per_user``, as ``lanterne eval
    recommend``), scored by Lanterne's metrics over full rankings of unseen items: with Spark's
    own user factors (``spark``), and through Lanterne's recommender from Spark's item factors
    (``spark→lanterne``: what ``load_als`` serves); with ``compare``, Lanterne's ALS on the same
    split (``lanterne``)."""
    with _as_interactions_csv(source) as path:
        dataset = load_dataset(path, min_rating=source.min_rating)
    per: dict[str, list[dict[str, float]]] = {}
    for seed in seeds:
        train, test = split_per_user(dataset.matrix, source.test_fraction, seed)
        u, v, seconds = _fit_on(spark, train, config)
        own = _accuracy(_lists(u @ v.T, train, K), test)
        per.setdefault("spark", []).append({**own, "fit_seconds": seconds})
        folded = ALS(factors=config.factors, reg=config.reg, alpha=config.alpha)
        folded.restore({"item_factors": v})
        lists = _lanterne_lists(folded, train, dataset)
        per.setdefault("spark→lanterne", []).append(
            {**_accuracy(lists, test), "fit_seconds": seconds}
        )
        if compare:
            lanterne = ALS(
                factors=config.factors,
                reg=config.reg,
                alpha=config.alpha,
                iterations=config.iterations,
                seed=config.seed,
            )
            start = time.perf_counter()
            lanterne.fit(train)
            seconds = time.perf_counter() - start
            lists = _lanterne_lists(lanterne, train, dataset)
            per.setdefault("lanterne", []).append(
                {**_accuracy(lists, test), "fit_seconds": seconds}
            )
    results = [
        EngineResult(
            engine=engine,
            metrics={key: float(np.mean([r[key] for r in rows])) for key in rows[0]},
            per_seed=rows,
        )
        for engine, rows in per.items()
    ]
    split = {
        "test_fraction": source.test_fraction,
        "seeds": list(seeds),
        "users": dataset.n_users,
        "items": dataset.n_items,
        "interactions": int(dataset.matrix.nnz),
        "rejected": len(dataset.rejected),
    }
    return results, split
