"""``lanterne batch diagnose``: the discoverability diagnosis of every work on Spark.

Each task decodes its works and runs Lanterne's own rules on them (``lanterne.diagnose``), one
row per work written to ``OUT/diagnoses`` (Parquet) by Spark's output committer: a task that
fails and is retried leaves its rows once. The catalogue's report is then summed from those
rows, partition by partition (``ReportBuilder.merge``), in an action whose failed tasks'
results Spark discards: no work is lost or counted twice. The report equals ``lanterne
diagnose --format json`` on the same works (a test compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from lanterne._location import display_name
from lanterne.batch._source import read_works
from lanterne.batch._spark import spark_errors
from lanterne.diagnose import CatalogueReport, Diagnosis, ReportBuilder, diagnose
from lanterne.errors import NotFound

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Partition = Callable[[Iterable[Any]], Iterator[tuple[Any, ...]]]

_diagnosis_json = msgspec.json.Encoder()


def row_schema() -> Any:
    from pyspark.sql.types import (
        ArrayType,
        BooleanType,
        IntegerType,
        StringType,
        StructField,
        StructType,
    )

    text = StringType()
    return StructType(
        [
            StructField("work_id", text, False),
            StructField("source", text, False),
            StructField("type", text, False),
            StructField("territory", text, True),
            StructField("title", text, False),
            StructField("score", IntegerType(), False),
            StructField("metadata_tier", text, False),
            StructField("content_tier", text, True),
            StructField("edm_valid", BooleanType(), True),
            StructField("failed", ArrayType(text, False), False),
            StructField("next_action", text, True),
            StructField("gain", IntegerType(), False),
            StructField("diagnosis", text, False),
        ]
    )


def diagnose_partition(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """One Spark partition of works (rows with ``doc``) → one diagnosis row per work."""
    from lanterne.profile import decode_work

    for row in rows:
        work = decode_work(row["doc"])
        d = diagnose(work)
        t = d.targets
        action = d.next_action
        yield (
            d.work_id,
            d.source,
            d.type,
            d.territory,
            work.title,
            t.score,
            t.europeana_metadata.tier,
            None if t.europeana_content is None else str(t.europeana_content.tier),
            None if t.europeana_edm is None else t.europeana_edm.valid,
            list(d.failed),
            None if action is None else action.fix,
            0 if action is None else action.score_gain,
            _diagnosis_json.encode(d).decode("utf-8"),
        )


def _partial_report(rows: Iterable[Any]) -> Iterator[ReportBuilder]:
    decoder = msgspec.json.Decoder(Diagnosis)
    builder = ReportBuilder()
    for row in rows:
        builder.add(decoder.decode(row["diagnosis"]), row["title"])
    yield builder


def _merge(a: ReportBuilder, b: ReportBuilder) -> ReportBuilder:
    return a.merge(b)


def batch_diagnose(
    spark: SparkSession,
    where: str,
    out: Path,
    source: str | None = None,
    partitions: int | None = None,
    partition: Partition = diagnose_partition,
) -> CatalogueReport:
    """Diagnose the works of ``where`` (a Parquet export or a PostgreSQL catalogue) into
    ``out/diagnoses`` (replaced) and return the catalogue's report. ``partition`` is the task's
    code (the default is Lanterne's diagnosis; tests wrap it to make tasks fail)."""
    works = read_works(spark, where, source, partitions)
    target = out / "diagnoses"
    with spark_errors():
        rows = works.select("doc").rdd.mapPartitions(partition)
        frame = spark.createDataFrame(rows, row_schema())
        frame.write.mode("overwrite").parquet(str(target))
        written = spark.read.parquet(str(target))
        parts = written.select("title", "diagnosis").rdd.mapPartitions(_partial_report)
        builder: ReportBuilder = parts.fold(ReportBuilder(), _merge)
    if builder.total.records == 0:
        raise NotFound("diagnose.empty", where=f" ({source})" if source else "")
    return builder.report(display_name(where), source)
