"""Batch work on Apache Spark: the diagnosis, the embeddings, audits and implicit ALS run on a
Spark cluster (``local[N]`` on one machine), reading the catalogue from PostgreSQL over JDBC or
from a Parquet export, and running Lanterne's own code on each partition.

pyspark is an optional dependency (``pip install 'lanterne[spark]'``; ``make spark``): nothing
else in Lanterne imports this package, and its modules import pyspark only when they run.
"""

from lanterne.batch._als import (
    ALSReport,
    Interactions,
    SparkALSConfig,
    batch_als,
    evaluate_als,
    interactions_source,
    load_als,
    reg_param,
    resolved_config,
)
from lanterne.batch._audit import (
    Quarantine,
    batch_audit,
    capture_columns,
    check_partition,
    sums_partition,
)
from lanterne.batch._diagnose import batch_diagnose, diagnose_partition
from lanterne.batch._embed import batch_embed, embed_partition
from lanterne.batch._export import export_parquet
from lanterne.batch._source import jdbc_target, read_works
from lanterne.batch._spark import jdbc_jar, normalise_master, spark_session

__all__ = [
    "ALSReport",
    "Interactions",
    "Quarantine",
    "SparkALSConfig",
    "batch_als",
    "batch_audit",
    "batch_diagnose",
    "batch_embed",
    "capture_columns",
    "check_partition",
    "diagnose_partition",
    "embed_partition",
    "evaluate_als",
    "export_parquet",
    "interactions_source",
    "jdbc_jar",
    "jdbc_target",
    "load_als",
    "normalise_master",
    "read_works",
    "reg_param",
    "resolved_config",
    "spark_session",
    "sums_partition",
]
