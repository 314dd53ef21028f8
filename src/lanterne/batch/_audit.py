"""``lanterne batch audit``: the exposure audit of Parquet capture files on Spark.

What runs where (docs/audit.md, « Sur Spark »):

1. Spark reads each file with its own Parquet reader; each task runs Lanterne's capture checks
   (``lanterne.audit.check_table``, the columnar reader's) on its batches: rows kept, or
   rejected with their file, row and reason.
2. Rows are shuffled by (persona, session), so that every list and every (persona, session)
   cell lies in one partition; each partition rejects a slot filled twice (the later row in
   reading order, as the one-process reader does) and is kept on disk for the steps after
   (rejected rows with it: the files are read and checked once).
3. Small aggregations tell the driver the personas, surfaces and items in reading order and
   the items' attributes; the driver decides what each item counts as (``prepare``: the
   catalogue join, groups, genres) and sends it to every task.
4. Each partition sums its rows into a ``Parts`` (per unit, surface, position, item, persona,
   and per cell): the heavy step. The driver merges the parts (a failed and retried task's
   part is discarded by Spark, so no row counts twice) and draws the report from them with
   the one-process code (``report_from_parts``): bootstrap, Gini, verdicts, drift.

The report equals ``lanterne audit`` on the same files with the same seed (a test compares them
field by field); sums may differ in the last bits, being added in another order.
"""

from __future__ import annotations

import math
import pickle
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial as bind
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lanterne.audit import (
    AuditConfig,
    CaptureLimits,
    Captures,
    Items,
    Lists,
    Parts,
    Report,
    check_table,
    list_blocks,
    n_blocks,
    new_coders,
    parquet_columns,
    partial,
    prepare,
    report_from_parts,
    unit_kind,
)
from lanterne.errors import BadInput, InputNotFound
from lanterne.rejected import Rejected

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

Lookup = Callable[[str], dict[str, set[str]] | None]
Batches = Callable[[Iterable[Any]], Iterator[Any]]

_KEYS = ("platform", "surface", "persona", "session", "timestamp")
_NUMBERS = ("position", "row", "column")
ORDER_WIDTH = 2**40
"""A row's reading order is file × ORDER_WIDTH + row (files of fewer than 2⁴⁰ rows)."""
ROWS_PER_PARTITION = 1_000_000


@dataclass
class Quarantine:
    """The rows set aside: how many, per field, and the first ones in reading order."""

    rows: int = 0
    by_field: dict[str, int] = field(default_factory=dict)
    first: list[Rejected] = field(default_factory=list)


def _schema(attributes: int) -> Any:
    from pyspark.sql.types import (
        ArrayType,
        IntegerType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    text = StringType()
    return StructType(
        [
            StructField("file", IntegerType(), False),
            StructField("line", LongType(), False),
            *(StructField(k, text, True) for k in _KEYS),
            *(StructField(k, LongType(), True) for k in _NUMBERS),
            StructField("item", text, True),
            StructField("group", text, True),
            *(StructField(f"a{k}", ArrayType(text, False), True) for k in range(attributes)),
            StructField("field", text, True),
            StructField("reason", text, True),
        ]
    )


def _arrow_schema(attributes: int) -> pa.Schema:
    import pyarrow as pa

    text = pa.string()
    return pa.schema(
        [
            pa.field("file", pa.int32(), False),
            pa.field("line", pa.int64(), False),
            *(pa.field(k, text) for k in _KEYS),
            *(pa.field(k, pa.int64()) for k in _NUMBERS),
            pa.field("item", text),
            pa.field("group", text),
            *(
                pa.field(f"a{k}", pa.list_(pa.field("element", text, False)))
                for k in range(attributes)
            ),
            pa.field("field", text),
            pa.field("reason", text),
        ]
    )


def check_partition(
    batches: Iterable[Any], *, file: int, attributes: Sequence[str], limits: CaptureLimits
) -> Iterator[Any]:
    """Lanterne's capture checks on a task's batches of one file (``_line``: the row's index
    in the file, from 0): every row out, kept or with the field and reason that reject it."""
    import pyarrow as pa

    schema = _arrow_schema(len(attributes))
    for batch in batches:
        table = pa.Table.from_batches([batch])
        n = table.num_rows
        if not n:
            continue
        texts, numbers, attrs = new_coders()
        capture = table.drop_columns(["_line"])
        for k, column in enumerate(capture.columns):
            if pa.types.is_timestamp(column.type) and column.type.tz:
                # Spark hands instants in its session's zone; pyarrow reads them in UTC.
                utc = pa.timestamp(column.type.unit, "UTC")
                capture = capture.set_column(k, capture.field(k).with_type(utc), column.cast(utc))
        cols, _bad, why = check_table(capture, limits, texts, numbers, attrs)
        out: dict[str, Any] = {
            "file": pa.array(np.full(n, file, dtype=np.int32)),
            "line": pa.array(table.column("_line").to_numpy().astype(np.int64) + 1),
        }
        for name in (*_KEYS, "item", "group"):
            out[name] = _decoded(cols[name], texts[name].values, pa.string())
        for name in _NUMBERS:
            out[name] = pa.array(cols[name])
        for k, name in enumerate(attributes):
            column = cols.get(f"attr:{name}")
            coder = attrs.get(name)
            if column is None or coder is None:
                out[f"a{k}"] = pa.nulls(n, schema.field(f"a{k}").type)
            else:
                out[f"a{k}"] = _decoded(column, coder.values, schema.field(f"a{k}").type)
        fields: list[str | None] = [None] * n
        reasons: list[str | None] = [None] * n
        for i, (name, reason) in why.items():
            fields[i], reasons[i] = name, reason
        out["field"] = pa.array(fields, pa.string())
        out["reason"] = pa.array(reasons, pa.string())
        yield pa.RecordBatch.from_pydict(out, schema=schema)


def _decoded(codes: Any, values: list[Any], kind: Any) -> Any:
    """Codes (-1: none) back to their values, as an Arrow column."""
    import pyarrow as pa

    table = pa.array(values, kind) if values else pa.nulls(0, kind)
    indices = pa.array(codes, pa.int64(), mask=codes < 0)
    return table.take(indices)


def slots_partition(batches: Iterable[Any]) -> Iterator[Any]:
    """A partition's rows, whole lists: rows the checks rejected pass through; of the kept, a
    slot filled twice keeps its first row in reading order and the later ones are rejected, as
    the one-process reader rejects them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    batches = list(batches)
    if not batches:
        return
    every = pa.Table.from_batches(batches)
    rejected = pc.is_valid(every.column("reason"))
    yield from every.filter(rejected).to_batches()
    table = every.filter(pc.invert(rejected))
    if not table.num_rows:
        return
    keys = [*_KEYS, "position"]
    table = table.sort_by([(k, "ascending") for k in (*keys, "file", "line")])
    same = np.ones(table.num_rows, dtype=bool)
    same[0] = False
    for k in keys:
        values = table.column(k).combine_chunks()
        same[1:] &= pc.equal(values[1:], values[:-1]).to_numpy(zero_copy_only=False)
    reasons: list[str | None] = [None] * table.num_rows
    fields: list[str | None] = [None] * table.num_rows
    position = table.column("position").to_numpy()
    for i in np.flatnonzero(same).tolist():
        fields[i] = "position"
        reasons[i] = f"position {position[i]} already filled in this list: keep one row per slot"
    table = table.set_column(
        table.schema.get_field_index("field"), "field", pa.array(fields, pa.string())
    )
    table = table.set_column(
        table.schema.get_field_index("reason"), "reason", pa.array(reasons, pa.string())
    )
    yield from table.to_batches()


@dataclass
class _Plan:
    """What every summing task is told: the driver's decisions."""

    items: Items
    config: AuditConfig
    personas: list[str]
    surfaces: list[str]
    kind: str
    n_units: int
    home: int | None


def sums_partition(batches: Iterable[Any], *, plan: _Plan) -> Iterator[Any]:
    """A partition's kept rows (whole lists and cells) summed into one ``Parts``, pickled in a
    one-row batch."""
    import pyarrow as pa

    batches = list(batches)
    table = pa.Table.from_batches(batches) if batches else None
    if table is None or not table.num_rows:
        return
    parts = _sums(table, plan)
    yield pa.RecordBatch.from_pydict(
        {"part": pa.array([pickle.dumps(parts, protocol=5)], pa.large_binary())}
    )


def _codes(column: Any, names: list[str]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.index_in(column, value_set=pa.array(names, pa.string()))
    return found.to_numpy(zero_copy_only=False).astype(np.int64)


def _sums(table: Any, plan: _Plan) -> Parts:
    from lanterne.audit import first_order, pair_codes

    def local(name: str) -> Any:
        column = table.column(name).combine_chunks().dictionary_encode()
        return column.indices.to_numpy(zero_copy_only=False).astype(np.int64), column.dictionary

    coded = {k: local(k) for k in _KEYS}
    lst = coded["platform"][0]
    for k in _KEYS[1:]:
        lst = pair_codes(lst, coded[k][0])
    lst = first_order(lst)[0]
    n_lists = int(lst.max()) + 1
    first = np.unique(lst, return_index=True)[1]  # each list's first row here
    order = table.column("file").to_numpy().astype(np.int64) * ORDER_WIDTH + table.column(
        "line"
    ).to_numpy().astype(np.int64)
    list_order = np.full(n_lists, np.iinfo(np.int64).max)
    np.minimum.at(list_order, lst, order)
    persona = _codes(table.column("persona"), plan.personas)[first]
    surface = _codes(table.column("surface"), plan.surfaces)[first]
    times = coded["timestamp"][1].to_pylist()
    time = [times[t] for t in coded["timestamp"][0][first]]
    if plan.kind == "persona":
        unit = persona
    else:
        strings = {k: coded[k][1].to_pylist() for k in _KEYS}
        keys = [tuple(strings[k][int(coded[k][0][r])] for k in _KEYS) for r in first.tolist()]
        unit = list_blocks(keys, plan.config.seed, plan.n_units)
    lists = Lists(surface, persona, coded["session"][0][first], unit, time, list_order)
    rows = {
        "item": _codes(table.column("item"), plan.items.names),
        "list": lst,
        **{k: table.column(k).to_numpy().astype(np.int64) for k in _NUMBERS},
    }
    return partial(
        rows,
        lists,
        plan.items,
        plan.config,
        n_units=plan.n_units,
        n_personas=len(plan.personas),
        n_surfaces=len(plan.surfaces),
        home=plan.home,
    )


def _empty(plan: _Plan) -> Parts:
    """The part of no rows: where merging starts."""
    none = np.zeros(0, dtype=np.int64)
    rows = {"item": none, "list": none, **dict.fromkeys(_NUMBERS, none)}
    lists = Lists(none, none, none, none, [], none)
    return partial(
        rows,
        lists,
        plan.items,
        plan.config,
        n_units=plan.n_units,
        n_personas=len(plan.personas),
        n_surfaces=len(plan.surfaces),
        home=plan.home,
    )


def _map_in_arrow(frame: DataFrame, task: Batches, schema: Any) -> DataFrame:
    """``frame.mapInArrow``: Arrow batches in and out, no pandas (pyspark checks pandas'
    version all the same, and warns of pandas 3, which this path does not use)."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "PySpark does not yet fully support pandas", FutureWarning
        )
        return frame.mapInArrow(task, schema)


def _firsts(frame: DataFrame, key: str, *extra: str) -> list[Any]:
    """The distinct values of ``key`` in reading order (with ``extra`` columns of their first
    row)."""
    from pyspark.sql import functions as F

    first = F.min(F.struct("file", "line", *extra)).alias("first")
    rows: list[Any] = frame.groupBy(key).agg(first).collect()
    rows.sort(key=lambda r: (r["first"]["file"], r["first"]["line"]))
    return rows


def capture_columns(paths: Sequence[Path]) -> list[list[str]]:
    """Each file's columns, from its footer: a missing file, one that is not Parquet, or whose
    columns are not capture fields is refused before Spark starts."""
    columns: list[list[str]] = []
    for path in paths:
        if not path.is_file():
            raise InputNotFound("input.not_found", path=path)
        if path.suffix.lower() not in (".parquet", ".pq"):
            raise BadInput("batch.audit_not_parquet", path=path)
        columns.append(parquet_columns(path))
    return columns


def batch_audit(
    spark: SparkSession,
    paths: Sequence[Path],
    config: AuditConfig | None = None,
    *,
    lookup: Lookup | None = None,
    source: str | None = None,
    catalogue_items: dict[str, dict[str, set[str]]] | None = None,
    histories: dict[str, list[str]] | None = None,
    partitions: int | None = None,
    check: Callable[..., Iterator[Any]] = check_partition,
    sums: Callable[..., Iterator[Any]] = sums_partition,
) -> tuple[Report, Quarantine]:
    """Audit Parquet capture files on Spark: the report ``run_audit`` gives of the same files,
    and the rows set aside. ``check`` and ``sums`` are the tasks' code (tests wrap them to make
    tasks fail)."""
    import pyarrow.parquet as pq
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    config = config or AuditConfig()
    limits = CaptureLimits.load()
    columns = capture_columns(paths)
    read = sum(pq.ParquetFile(p).metadata.num_rows for p in paths)
    attributes = sorted({c[5:] for names in columns for c in names if c.startswith("attr:")})
    checked: DataFrame | None = None
    for f, (path, names) in enumerate(zip(paths, columns, strict=True)):
        frame = spark.read.parquet(str(path.resolve())).select(
            *[F.col(f"`{n}`") for n in names if n != "title"],
            F.col("_metadata.row_index").alias("_line"),
        )
        task = bind(check, file=f, attributes=attributes, limits=limits)
        part = _map_in_arrow(frame, task, _schema(len(attributes)))
        checked = part if checked is None else checked.unionByName(part)
    assert checked is not None
    n = partitions or max(
        2 * spark.sparkContext.defaultParallelism, math.ceil(read / ROWS_PER_PARTITION)
    )
    # Rejected rows travel with the kept ones, so that the files are read and checked once.
    slots = _map_in_arrow(
        checked.repartition(n, "persona", "session"), slots_partition, _schema(len(attributes))
    ).persist(StorageLevel.DISK_ONLY)
    try:
        return _audit(
            spark,
            slots,
            paths,
            attributes,
            read,
            config,
            lookup=lookup,
            source=source,
            catalogue_items=catalogue_items,
            histories=histories,
            sums=sums,
        )
    finally:
        slots.unpersist()


def _audit(
    spark: SparkSession,
    slots: DataFrame,
    paths: Sequence[Path],
    attributes: list[str],
    read: int,
    config: AuditConfig,
    *,
    lookup: Lookup | None,
    source: str | None,
    catalogue_items: dict[str, dict[str, set[str]]] | None,
    histories: dict[str, list[str]] | None,
    sums: Callable[..., Iterator[Any]],
) -> tuple[Report, Quarantine]:
    from pyspark.sql import functions as F
    from pyspark.sql.types import BinaryType, StructField, StructType

    kept = slots.where(F.col("reason").isNull())
    rejected = slots.where(F.col("reason").isNotNull())
    quarantine = _quarantine(rejected, paths)
    personas = _firsts(kept, "persona", "group")
    surfaces = [r["surface"] for r in _firsts(kept, "surface")]
    items = _item_firsts(kept, attributes)
    skeleton = Captures()
    skeleton.personas = [r["persona"] for r in personas]
    skeleton.persona_group = [r["first"]["group"] or "" for r in personas]
    skeleton.surfaces = surfaces
    skeleton.items = [name for name, _ in items]
    skeleton.item_attributes = {name: attrs for name, attrs in items if attrs}
    skeleton.read = read
    sessions = kept.select("session").distinct().count()
    kind = unit_kind(len(skeleton.personas))
    if kind == "persona":
        n_units = len(skeleton.personas)
    else:
        n_units = n_blocks(kept.select(*_KEYS).distinct().count())
    described, join, catalogue_items = prepare(
        skeleton,
        config,
        lookup=lookup,
        source=source,
        catalogue_items=catalogue_items,
        histories=histories,
    )
    home = config.quotas.home_surface
    plan = _Plan(
        items=described,
        config=config,
        personas=skeleton.personas,
        surfaces=surfaces,
        kind=kind,
        n_units=max(n_units, 1),
        home=surfaces.index(home) if home in surfaces else None,
    )
    shared = spark.sparkContext.broadcast(plan)

    def task(batches: Iterable[Any]) -> Iterator[Any]:
        return sums(batches, plan=shared.value)

    schema = StructType([StructField("part", BinaryType(), False)])
    merged = _empty(plan)
    for row in _map_in_arrow(kept, task, schema).collect():
        merged = merged.merge(pickle.loads(row["part"]))
    shared.unpersist()
    report = report_from_parts(
        merged,
        described,
        config,
        captures=skeleton,
        kind=kind,
        sessions=sessions,
        rejected=quarantine.rows,
        source=source,
        catalogue_items=catalogue_items,
        histories=histories,
        lookup=lookup,
        join=join,
    )
    return report, quarantine


def _item_firsts(kept: DataFrame, attributes: list[str]) -> list[tuple[str, dict[str, set[str]]]]:
    """The items in reading order with their attributes (the union over their kept rows)."""
    from pyspark.sql import functions as F

    values = [
        F.array_distinct(F.flatten(F.collect_set(f"a{k}"))).alias(f"a{k}")
        for k in range(len(attributes))
    ]
    first = F.min(F.struct("file", "line")).alias("first")
    rows = kept.groupBy("item").agg(first, *values).collect()
    rows.sort(key=lambda r: (r["first"]["file"], r["first"]["line"]))
    out = []
    for r in rows:
        found = {name: set(r[f"a{k}"]) for k, name in enumerate(attributes) if r[f"a{k}"]}
        out.append((r["item"], found))
    return out


def _quarantine(rejected: DataFrame, paths: Sequence[Path]) -> Quarantine:
    from pyspark.sql import functions as F

    counts = {r["field"]: int(r["count"]) for r in rejected.groupBy("field").count().collect()}
    first = [
        Rejected(str(paths[r["file"]]), int(r["line"]), r["field"], r["reason"])
        for r in rejected.orderBy(F.col("file"), F.col("line")).limit(10).collect()
    ]
    return Quarantine(rows=sum(counts.values()), by_field=dict(sorted(counts.items())), first=first)
