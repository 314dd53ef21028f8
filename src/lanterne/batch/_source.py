"""Where a batch job reads the works: a Parquet export (``lanterne export parquet``) or the
PostgreSQL catalogue itself over JDBC, in ranges of its ``position`` column so that each Spark
task reads its own slice."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from lanterne._location import is_server
from lanterne.errors import BadInput, InputNotFound

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_LIVE_WORKS = "(SELECT position, id, source, doc FROM works WHERE NOT deleted) AS w"


def jdbc_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL (``postgresql://USER:PASSWORD@HOST:PORT/DB?…``) as a JDBC URL and its
    connection properties. The password comes from the URL or ``PGPASSWORD``; a Unix socket
    cannot be reached over JDBC."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    host = parts.hostname or query.pop("host", None) or "127.0.0.1"
    if host.startswith("/"):
        raise BadInput("batch.jdbc_socket", host=host)
    port = parts.port or 5432
    database = unquote(parts.path.lstrip("/")) or "postgres"
    props = {"driver": "org.postgresql.Driver"}
    user = unquote(parts.username) if parts.username else os.environ.get("PGUSER")
    password = unquote(parts.password) if parts.password else os.environ.get("PGPASSWORD")
    if user:
        props["user"] = user
    if password:
        props["password"] = password
    keep = {k: v for k, v in query.items() if k in {"sslmode", "sslrootcert", "options"}}
    suffix = f"?{urlencode(keep)}" if keep else ""
    shown_host = f"[{host}]" if ":" in host else host
    return f"jdbc:postgresql://{shown_host}:{port}/{database}{suffix}", props


def read_works(
    spark: SparkSession, where: str, source: str | None = None, partitions: int | None = None
) -> DataFrame:
    """The live works as a DataFrame with at least ``id``, ``source`` and ``doc`` (the profile's
    JSON), from a Parquet export (file or folder) or a ``postgresql://`` catalogue."""
    if is_server(where):
        return _from_postgres(spark, where, source, partitions)
    path = Path(where)
    if not path.exists():
        raise InputNotFound("batch.no_input", path=where)
    frame = spark.read.parquet(str(path))
    missing = {"id", "source", "doc"} - set(frame.columns)
    if missing:
        raise BadInput("batch.not_an_export", path=where, missing=", ".join(sorted(missing)))
    if source is not None:
        frame = frame.where(frame.source == source)
    if partitions:
        frame = frame.repartition(partitions)
    return frame


def _from_postgres(
    spark: SparkSession, url: str, source: str | None, partitions: int | None
) -> DataFrame:
    import psycopg

    from lanterne.catalogue import open_catalogue

    # Opening it checks the schema's version (and says what to do when it is not current).
    open_catalogue(url).close()
    with psycopg.connect(url) as db:
        row = db.execute(
            "SELECT min(position), max(position), count(*) FROM works WHERE NOT deleted"
            + ("" if source is None else " AND source = %s"),
            () if source is None else (source,),
        ).fetchone()
    low, high, count = row if row is not None else (None, None, 0)
    jdbc_url, props = jdbc_target(url)
    reader: Any = spark.read.format("jdbc").option("url", jdbc_url).option("dbtable", _LIVE_WORKS)
    for key, value in props.items():
        reader = reader.option(key, value)
    reader = reader.option("fetchsize", "2000")
    if count:
        wanted = partitions or max(2, min(200, count // 20_000 + 1))
        reader = (
            reader.option("partitionColumn", "position")
            .option("lowerBound", str(low))
            .option("upperBound", str(int(high) + 1))
            .option("numPartitions", str(wanted))
        )
    frame: DataFrame = reader.load()
    if source is not None:
        # A filter Spark pushes down to PostgreSQL with its own quoting: the source is data.
        frame = frame.where(frame.source == source)
    return frame


__all__ = ["jdbc_target", "read_works"]
