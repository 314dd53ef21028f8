"""Batch work on Apache Spark: the diagnosis, the embeddings, audits and implicit ALS run on a
Spark cluster (``local[N]`` on one machine), reading the catalogue from PostgreSQL over JDBC or
from a Parquet export, and running Lanterne's own code on each partition.

pyspark is an optional dependency (``pip install 'lanterne[spark]'``; ``make spark``): nothing
else in Lanterne imports this package, and its modules import pyspark only when they run.
"""

from lanterne.batch._audit import (
    Quarantine,
    batch_audit,
    capture_columns,
    check_partition,
    sums_partition,
)
from lanterne.batch._diagnose import batch_diagnose, diagnose_partition
from lanterne.batch._export import export_parquet
from lanterne.batch._source import jdbc_target, read_works
from lanterne.batch._spark import jdbc_jar, normalise_master, spark_session

__all__ = [
    "Quarantine",
    "batch_audit",
    "batch_diagnose",
    "capture_columns",
    "check_partition",
    "diagnose_partition",
    "export_parquet",
    "jdbc_jar",
    "jdbc_target",
    "normalise_master",
    "read_works",
    "spark_session",
    "sums_partition",
]
