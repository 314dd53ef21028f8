"""``lanterne batch embed``: the search index's text vectors of every work, computed on Spark.

Each Python worker loads the ONNX encoder once (Spark reuses its workers from task to task) and
encodes its partitions' texts, the very texts the index embeds (``lanterne.search
.embedding_text``); rows ``work_id``, ``digest`` (of the text), ``model`` and ``vector`` (512
little-endian float32) go to ``OUT/embeddings`` (Parquet), which ``lanterne index --embeddings``
then reads instead of encoding again. Encoding is most of the cost of building an index (about
1,400 texts/s on 2 cores here): on a cluster, it is what spreads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lanterne.batch._source import read_works
from lanterne.batch._spark import spark_errors

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from lanterne.search import Encoder

CHUNK = 256
"""Texts encoded at once by a task (the encoder batches them by 64)."""

_ENCODER: list[Encoder] = []
"""This Python worker's encoder, loaded by its first task, kept for the next ones."""


def _encoder() -> Encoder:
    if not _ENCODER:
        from lanterne.search import Encoder

        # One thread per task: Spark runs as many tasks at once as it has cores.
        _ENCODER.append(Encoder(threads=1))
    return _ENCODER[0]


def row_schema() -> Any:
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    return StructType(
        [
            StructField("work_id", StringType(), False),
            StructField("digest", BinaryType(), False),
            StructField("model", StringType(), False),
            StructField("vector", BinaryType(), False),
        ]
    )


def embed_partition(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """One partition of works (rows with ``doc``) → one row per work with its text's vector."""
    from lanterne.profile import decode_work
    from lanterne.search import MODEL, embedding_text, text_digest

    ids: list[str] = []
    texts: list[str] = []

    def flush() -> Iterator[tuple[Any, ...]]:
        vectors = _encoder().encode(texts).astype("<f4", copy=False)
        for work_id, text, vector in zip(ids, texts, vectors, strict=True):
            yield (work_id, text_digest(text if text.strip() else "-"), MODEL, vector.tobytes())
        ids.clear()
        texts.clear()

    for row in rows:
        work = decode_work(row["doc"])
        ids.append(work.id)
        texts.append(embedding_text(work))
        if len(texts) >= CHUNK:
            yield from flush()
    if texts:
        yield from flush()


def batch_embed(
    spark: SparkSession,
    where: str,
    out: Path,
    source: str | None = None,
    partitions: int | None = None,
) -> int:
    """Encode the works of ``where`` into ``out/embeddings`` (replaced); the count written."""
    works = read_works(spark, where, source, partitions)
    target = out / "embeddings"
    with spark_errors():
        rows = works.select("doc").rdd.mapPartitions(embed_partition)
        spark.createDataFrame(rows, row_schema()).write.mode("overwrite").parquet(str(target))
        return int(spark.read.parquet(str(target)).count())
