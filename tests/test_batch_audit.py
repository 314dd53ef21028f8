"""``lanterne batch audit``: the audit of Parquet captures on Spark is the one-process audit of
the same files (same seed), field by field, with the same rows kept and rejected; a task that
dies or fails is retried and its rows are counted once."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lanterne.audit import AuditConfig, Weighting, read_captures, run_audit
from lanterne.batch import batch_audit, check_partition, sums_partition

SCHEMA = pa.schema(
    [
        ("platform", pa.string()),
        ("surface", pa.string()),
        ("persona", pa.string()),
        ("session", pa.string()),
        ("timestamp", pa.timestamp("s", tz="UTC")),
        ("position", pa.int64()),
        ("item", pa.string()),
        ("row", pa.int64()),
        ("column", pa.int64()),
        ("group", pa.string()),
        ("attr:genre", pa.list_(pa.string())),
        ("attr:european", pa.bool_()),
        ("attr:eof", pa.string()),
        ("attr:country", pa.string()),
    ]
)
GENRES = ("drame", "comédie", "documentaire", "animation")


def _captures(tmp_path: Path, personas: int, seed: int = 3) -> list[Path]:
    """Two files of lists of 5 from 30 items (some of unknown nationality), two surfaces,
    three sessions per persona, one control in five; a missing persona, a position 0 and a
    slot filled twice among them."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    start = dt.datetime(2026, 5, 1, 20, 0, tzinfo=dt.UTC)
    for p in range(personas):
        for s in range(3):
            for surface in ("home", "search"):
                when = start + dt.timedelta(hours=s, minutes=int(rng.integers(0, 3)))
                for position, item in enumerate(rng.choice(30, size=5, replace=False), 1):
                    k = int(item)
                    rows.append(
                        {
                            "platform": "tv",
                            "surface": surface,
                            "persona": f"p{p}",
                            "session": f"p{p}-s{s}",
                            "timestamp": when,
                            "position": position,
                            "item": f"film:{k}",
                            "row": (position - 1) // 3 + 1,
                            "column": (position - 1) % 3 + 1,
                            "group": "control" if p % 5 == 0 else "treated",
                            "attr:genre": [GENRES[k % 4]]
                            + ([GENRES[(k + 1) % 4]] if k % 3 == 0 else []),
                            "attr:european": None if k % 7 == 0 else k % 2 == 0,
                            "attr:eof": "true" if k % 5 == 0 else "false",
                            "attr:country": "FR" if k % 5 == 0 else "CA",
                        }
                    )
    rows[4] = rows[4] | {"persona": None}
    rows[11] = rows[11] | {"position": 0}
    rows.insert(20, rows[17] | {"item": "film:29"})  # slot 3 of that list, filled twice
    half = len(rows) // 2
    paths = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    for path, part in zip(paths, (rows[:half], rows[half:]), strict=True):
        pq.write_table(pa.Table.from_pylist(part, schema=SCHEMA), path)
    return paths


def _close(a: Any, b: Any, where: str = "") -> None:
    """Equal, floats to 1e-9 (sums added in another order differ in the last bits)."""
    if isinstance(a, float) and isinstance(b, float):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12), (
            where
        )
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            _close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple) and len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{k}]")
    else:
        assert a == b, where


CONFIG = AuditConfig(weighting=Weighting(kind="grid"), resamples=200, permutations=200, seed=7)


@pytest.mark.parametrize(("personas", "unit"), [(40, "persona"), (6, "list")])
def test_the_audit_on_spark_is_the_one_process_audit(
    spark: Any, tmp_path: Path, personas: int, unit: str
) -> None:
    paths = _captures(tmp_path, personas)
    histories = {f"p{p}": [f"film:{p % 30}", f"film:{(p + 3) % 30}"] for p in range(personas)}
    captures = read_captures(paths)
    alone = run_audit(captures, CONFIG, histories=histories)
    report, quarantine = batch_audit(spark, paths, CONFIG, histories=histories, partitions=3)
    assert report.unit == alone.unit == unit
    assert report.counts == alone.counts
    # read = used + rejected, and the same rows rejected for the same reasons.
    assert alone.counts["rows_read"] == alone.counts["rows_used"] + alone.counts["rows_rejected"]
    assert quarantine.rows == 3
    assert quarantine.first == captures.rejected[:10]
    assert quarantine.by_field == {"persona": 1, "position": 2}
    assert report.drift and report.compliance and report.miscalibration is not None
    _close(msgspec.to_builtins(report), msgspec.to_builtins(alone))


def _dies_once(batches: Iterable[Any], **kw: Any) -> Iterator[Any]:
    from pyspark import TaskContext

    context = TaskContext.get()
    if context is not None and context.attemptNumber() == 0 and context.partitionId() == 0:
        os._exit(3)  # the Python worker dies mid-task
    yield from sums_partition(batches, **kw)


def _fails_once(batches: Iterable[Any], **kw: Any) -> Iterator[Any]:
    from pyspark import TaskContext

    context = TaskContext.get()
    batches = list(batches)  # half read, then the task fails
    if context is not None and context.attemptNumber() == 0 and context.partitionId() == 0:
        raise RuntimeError("a task that fails once")
    yield from check_partition(batches, **kw)


def test_a_task_that_fails_is_retried_and_its_rows_count_once(spark: Any, tmp_path: Path) -> None:
    import sys

    from pyspark import cloudpickle

    # The wrappers travel by value: the executors cannot import this test module.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    paths = _captures(tmp_path, 40)
    alone = run_audit(read_captures(paths), CONFIG)
    report, quarantine = batch_audit(
        spark, paths, CONFIG, partitions=3, check=_fails_once, sums=_dies_once
    )
    assert report.counts == alone.counts
    assert quarantine.rows == alone.counts["rows_rejected"]
    _close(msgspec.to_builtins(report), msgspec.to_builtins(alone))


def test_cli_batch_audit_writes_the_report_and_says_what_it_set_aside(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import contextlib

    from lanterne import batch
    from lanterne.cli import main

    @contextlib.contextmanager
    def the_tests_session(*args: Any, **kw: Any) -> Iterator[Any]:
        yield spark  # the CLI's own session would stop the tests' one as it ends

    monkeypatch.setattr(batch, "spark_session", the_tests_session)
    paths = _captures(tmp_path, 40)
    out = tmp_path / "report.json"
    none = ["--catalogue", str(tmp_path / "none.db")]

    def run(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as done:
            main([*none, "batch", "audit", *args])
        said = capsys.readouterr()
        return int(done.value.code or 0), said.out + said.err

    code, said = run(*map(str, paths), "--seed", "7", "--resamples", "50", "-o", str(out))
    assert code == 0, said
    report = json.loads(out.read_text("utf-8"))
    assert report["counts"]["rows_rejected"] == 3
    assert "3 lignes écartées (persona 1, position 2)" in said
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text("{}\n", "utf-8")
    code, said = run(str(jsonl))
    assert code != 0 and "Parquet" in said and "Traceback" not in said


def test_captures_whose_every_row_is_bad_give_an_empty_report_on_spark_too(
    spark: Any, tmp_path: Path
) -> None:
    path = tmp_path / "bad.parquet"
    rows = [
        {"platform": "tv", "surface": "home", "persona": None, "session": "s", "position": 1}
        | {"timestamp": dt.datetime(2026, 5, 1, tzinfo=dt.UTC), "item": "film:1"},
        {"platform": "tv", "surface": "home", "persona": "p", "session": "s", "position": 0}
        | {"timestamp": dt.datetime(2026, 5, 1, tzinfo=dt.UTC), "item": "film:2"},
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), path)
    alone = run_audit(read_captures([path]), CONFIG)
    report, quarantine = batch_audit(spark, [path], CONFIG)
    assert quarantine.rows == 2 and report.counts == alone.counts
    assert alone.counts["rows_read"] == 2 and alone.counts["rows_used"] == 0
    _close(msgspec.to_builtins(report), msgspec.to_builtins(alone))
