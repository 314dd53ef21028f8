"""``lanterne export parquet``: the catalogue's works in one Parquet file, for Spark (or pandas,
DuckDB, Arrow) to read in parallel without a database connection.

One row per live work: ``position`` (its order in the catalogue, for range partitions), ``id``,
``source``, ``type``, ``title`` and ``doc`` (the profile's canonical JSON, what the catalogue
stores: ``lanterne.profile.decode_work`` reads it back). Written in row groups of
``ROW_GROUP`` works, so that memory stays flat whatever the catalogue's size, under a temporary
name renamed only when complete.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lanterne.catalogue import Catalogue
from lanterne.profile import encode_work
from lanterne.publish import atomic_file

ROW_GROUP = 50_000
COLUMNS = ("position", "id", "source", "type", "title", "doc")


def schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("position", pa.int64()),
            ("id", pa.string()),
            ("source", pa.string()),
            ("type", pa.string()),
            ("title", pa.string()),
            ("doc", pa.string()),
        ]
    )


def export_parquet(
    catalogue: Catalogue,
    out: Path,
    source: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the live works (of ``source`` only, if given) to ``out``; the count written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    written = 0
    columns: dict[str, list[Any]] = {name: [] for name in COLUMNS}

    def flush(writer: Any) -> None:
        if columns["id"]:
            writer.write_table(pa.table(columns, schema=schema()))
            for values in columns.values():
                values.clear()

    with atomic_file(out) as handle:
        writer = pq.ParquetWriter(handle, schema(), compression="zstd")
        try:
            for work in catalogue.iter_works(source):
                columns["position"].append(written)
                columns["id"].append(work.id)
                columns["source"].append(work.provenance.source)
                columns["type"].append(work.type)
                columns["title"].append(work.title)
                columns["doc"].append(encode_work(work).decode("utf-8"))
                written += 1
                if len(columns["id"]) >= ROW_GROUP:
                    flush(writer)
                    if progress is not None:
                        progress(written)
            flush(writer)
        finally:
            writer.close()
    return written
