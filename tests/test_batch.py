"""``lanterne export parquet`` and ``lanterne batch diagnose`` on a real Spark (local[2]).

The Spark job runs Lanterne's own diagnosis on each partition; what it reports must be what
``lanterne diagnose`` reports on the same works, from a Parquet export and from PostgreSQL over
JDBC, even when a task's Python worker dies and Spark retries it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import lanterne, without_footprint
from lanterne.batch import (
    batch_diagnose,
    diagnose_partition,
    export_parquet,
    jdbc_target,
    normalise_master,
)
from lanterne.catalogue import open_catalogue
from lanterne.diagnose import ReportBuilder, build_report, diagnose
from lanterne.errors import InvalidRequest
from lanterne.ingest import ingest, load_mapping_profile
from lanterne.profile import Work, decode_work

VARYING = ("generated_at", "catalogue")


def _fill(location: str | Path) -> None:
    demo = resources.files("lanterne.demo")
    with open_catalogue(location) as db:
        for profile, name in (
            ("festivals-france", "festivals-demo.csv"),
            ("joconde-costumes", "joconde-demo.csv"),
        ):
            with resources.as_file(demo.joinpath(name)) as csv:
                ingest(db, csv, load_mapping_profile(profile))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "demo.sqlite"
    _fill(path)
    return path


@pytest.fixture(scope="module")
def export(demo: Path) -> Path:
    out = demo.with_name("works.parquet")
    with open_catalogue(demo) as db:
        export_parquet(db, out)
    return out


def _report(location: str | Path, source: str | None = None) -> dict[str, Any]:
    with open_catalogue(location) as db:
        report = build_report(db.iter_works(source), "x", source)
    return _comparable(report)


def _comparable(report: object) -> dict[str, Any]:
    data = msgspec.to_builtins(report)
    assert isinstance(data, dict)
    for key in VARYING:
        data.pop(key)
    return data


def test_the_export_holds_every_live_work_as_the_catalogue_stores_it(
    demo: Path, export: Path
) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(export)
    assert table.column_names == ["position", "id", "source", "type", "title", "doc"]
    with open_catalogue(demo) as db:
        works = {w.id: w for w in db.iter_works()}
        assert table.num_rows == len(works) == db.count() > 300
    rows = table.to_pylist()
    assert [r["position"] for r in rows] == list(range(len(rows)))
    for row in rows:
        work = works[row["id"]]
        assert decode_work(row["doc"]) == work
        assert (row["source"], row["type"], row["title"]) == (
            work.provenance.source,
            work.type,
            work.title,
        )


def test_an_interrupted_export_leaves_no_file(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lanterne.batch._export as module

    monkeypatch.setattr(module, "ROW_GROUP", 10)
    out = tmp_path / "works.parquet"

    def stop(written: int) -> None:
        if written >= 30:
            raise KeyboardInterrupt

    with open_catalogue(demo) as db, pytest.raises(KeyboardInterrupt):
        export_parquet(db, out, progress=stop)
    assert list(tmp_path.iterdir()) == []


def _works(demo: Path) -> list[Work]:
    with open_catalogue(demo) as db:
        return list(db.iter_works())


@settings(max_examples=15)
@given(st.data())
def test_reports_of_parts_merged_in_any_order_equal_the_whole(
    demo: Path, data: st.DataObject
) -> None:
    works = _WORKS.setdefault("demo", _works(demo))
    whole = _comparable(build_report(works, "x"))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(works)), max_size=6)))
    shuffled = data.draw(st.randoms(use_true_random=False))
    order = list(range(len(works)))
    shuffled.shuffle(order)
    parts: list[ReportBuilder] = []
    for low, high in zip([0, *cuts], [*cuts, len(works)], strict=True):
        part = ReportBuilder()
        for i in order[low:high]:
            part.add(diagnose(works[i]), works[i].title)
        parts.append(part)
    merged = ReportBuilder()
    for part in data.draw(st.permutations(parts)):
        merged.merge(part)
    assert _comparable(merged.report("x")) == whole


_WORKS: dict[str, list[Work]] = {}


def test_spark_diagnoses_a_parquet_export_as_lanterne_diagnose_does(
    spark: Any, demo: Path, export: Path, tmp_path: Path
) -> None:
    report = batch_diagnose(spark, str(export), tmp_path, partitions=3)
    assert _comparable(report) == _report(demo)
    rows = spark.read.parquet(str(tmp_path / "diagnoses")).collect()
    works = {w.id: w for w in _works(demo)}
    assert sorted(r.work_id for r in rows) == sorted(works)
    for row in rows[:50]:
        expected = diagnose(works[row.work_id])
        assert row.score == expected.targets.score
        assert list(row.failed) == expected.failed
        assert json.loads(row.diagnosis) == msgspec.to_builtins(expected)


def test_spark_diagnoses_one_source_only(
    spark: Any, demo: Path, export: Path, tmp_path: Path
) -> None:
    report = batch_diagnose(spark, str(export), tmp_path, source="joconde")
    expected = _report(demo, "joconde")
    assert expected["records"] > 0
    assert _comparable(report) == expected


def _by_value() -> None:
    """This module's functions travel to Spark's workers by value (they cannot import tests/)."""
    import sys

    from pyspark import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _dies_once(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """Lanterne's diagnosis, but the first attempt of partition 1 kills its Python worker half
    way through (as the kernel's OOM killer or a lost node would)."""
    from pyspark import TaskContext

    context = TaskContext.get()
    dying = context is not None and context.partitionId() == 1 and context.attemptNumber() == 0
    for i, out in enumerate(diagnose_partition(rows)):
        if dying and i == 5:
            os._exit(1)
        yield out


def test_a_task_whose_worker_dies_is_retried_and_counts_once(
    spark: Any, demo: Path, export: Path, tmp_path: Path
) -> None:
    _by_value()
    report = batch_diagnose(spark, str(export), tmp_path, partitions=4, partition=_dies_once)
    assert _comparable(report) == _report(demo)
    assert spark.read.parquet(str(tmp_path / "diagnoses")).count() == report.records


def test_spark_reads_the_postgresql_catalogue_over_jdbc(
    spark: Any, postgres_url: str, tmp_path: Path
) -> None:
    _fill(postgres_url)
    report = batch_diagnose(spark, postgres_url, tmp_path, partitions=3)
    assert _comparable(report) == _report(postgres_url)
    assert report.records > 300


def test_jdbc_urls_carry_host_port_database_and_credentials() -> None:
    url, props = jdbc_target(
        "postgresql://ana%40x:s%C3%A9cret@db.example:6543/lanterne?sslmode=require&application_name=x"
    )
    assert url == "jdbc:postgresql://db.example:6543/lanterne?sslmode=require"
    assert props == {"driver": "org.postgresql.Driver", "user": "ana@x", "password": "sécret"}
    assert jdbc_target("postgresql://[::1]/c")[0] == "jdbc:postgresql://[::1]:5432/c"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("local", "local[1,4]"),
        ("local[2]", "local[2,4]"),
        ("local[*]", "local[*,4]"),
        ("local[3,1]", "local[3,1]"),
        (" spark://10.0.0.5:7077 ", "spark://10.0.0.5:7077"),
        ("spark://a:7077,b:7077", "spark://a:7077,b:7077"),
    ],
)
def test_masters_get_task_retries(given: str, expected: str) -> None:
    assert normalise_master(given) == expected


@pytest.mark.parametrize(
    "bad", ["local[0]", "yarn", "local[two]", "spark://host", "local[2]; rm -rf /", ""]
)
def test_unknown_masters_are_refused(bad: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        normalise_master(bad)
    assert caught.value.key == "batch.bad_master"


def test_the_command_writes_rows_and_report_and_says_it(
    demo: Path, export: Path, tmp_path: Path
) -> None:
    # A process of its own: the command starts and stops its own Spark session.
    (tmp_path / "c.sqlite").write_bytes(demo.read_bytes())
    out = tmp_path / "out"
    done = lanterne(
        tmp_path, "--lang", "en", "batch", "diagnose", "--input", str(export), "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text("utf-8"))
    for key in VARYING:
        report.pop(key)
    assert report == _report(demo)
    assert f"Records: {report['records']}" in done.stdout
    assert str(out / "diagnoses") in done.stdout
    assert without_footprint(done.stderr) == ""


def test_a_bad_master_or_a_missing_export_is_said_before_spark_starts(
    demo: Path, tmp_path: Path
) -> None:
    (tmp_path / "c.sqlite").write_bytes(demo.read_bytes())
    bad = lanterne(tmp_path, "batch", "diagnose", "--master", "yarn", "-o", str(tmp_path / "o"))
    assert bad.returncode == 2
    assert "Maître Spark « yarn » inconnu" in bad.stderr
    assert "Traceback" not in bad.stderr
    none = str(tmp_path / "none.parquet")
    missing = lanterne(tmp_path, "batch", "diagnose", "--input", none, "-o", str(tmp_path / "o"))
    assert missing.returncode == 3, missing.stderr
    assert f"{none} est introuvable" in missing.stderr
    assert not (tmp_path / "o").exists()


def test_a_parquet_file_that_is_not_an_export_is_refused(spark: Any, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"id": ["a"], "title": ["x"]}), other)
    from lanterne.errors import BadInput

    with pytest.raises(BadInput) as caught:
        batch_diagnose(spark, str(other), tmp_path / "out")
    assert caught.value.key == "batch.not_an_export"
    assert "doc, source" in caught.value.message("fr")


def _always_fails(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    for _ in rows:
        raise ValueError("une notice illisible")
    yield from ()


def test_a_task_failing_every_attempt_fails_the_job_with_its_cause(
    spark: Any, export: Path, tmp_path: Path
) -> None:
    from lanterne.errors import BatchFailed

    _by_value()
    with pytest.raises(BatchFailed) as caught:
        batch_diagnose(spark, str(export), tmp_path, partitions=2, partition=_always_fails)
    assert "ValueError: une notice illisible" in caught.value.message("fr")


def test_spark_embeds_the_texts_the_index_embeds_as_one_process_does(
    spark: Any, demo: Path, export: Path, tmp_path: Path
) -> None:
    import numpy as np

    from lanterne.batch import batch_embed, read_works
    from lanterne.search import MODEL, Encoder, embedding_text, text_digest

    # One partition, in the export's order: the same texts in the same batches as one process
    # encoding them in that order. (The quantized model's vectors depend slightly on the other
    # texts of their batch, cosine ≈ 0.997: here the batches are the same, so are the vectors.)
    assert read_works(spark, str(export)).rdd.getNumPartitions() == 1
    written = batch_embed(spark, str(export), tmp_path)
    works = _works(demo)
    assert written == len(works)
    rows = {r.work_id: r for r in spark.read.parquet(str(tmp_path / "embeddings")).collect()}
    assert set(rows) == {w.id for w in works}
    texts = [embedding_text(w) for w in works]
    here = Encoder(threads=1).encode(texts)
    for work, text, vector in zip(works, texts, here, strict=True):
        row = rows[work.id]
        assert row.model == MODEL
        assert row.digest == text_digest(text)
        there = np.frombuffer(row.vector, dtype="<f4")
        np.testing.assert_allclose(there, vector, atol=1e-6)


def test_the_index_reuses_spark_vectors_and_encodes_only_what_changed(
    spark: Any, demo: Path, export: Path, tmp_path: Path
) -> None:
    from lanterne.batch import batch_embed
    from lanterne.search import CatalogueIndex, Precomputed

    batch_embed(spark, str(export), tmp_path)
    fresh = tmp_path / "fresh.sqlite"
    fresh.write_bytes(demo.read_bytes())
    reused = tmp_path / "reused.sqlite"
    reused.write_bytes(demo.read_bytes())
    with open_catalogue(fresh) as db:
        CatalogueIndex(db).update()
        expected = CatalogueIndex(db).engine.search("costume de scène brodé", limit=10)
    encoder = Precomputed(tmp_path / "embeddings")
    with open_catalogue(reused) as db:
        CatalogueIndex(db, encoder=encoder).update()
        got = CatalogueIndex(db).engine.search("costume de scène brodé", limit=10)
        assert (encoder.reused, encoder.encoded) == (db.count(), 0)
        # A work whose text changed after the batch: its old vector is not used.
        work = next(iter(db.iter_works("joconde")))
    assert [h.id for h in got.hits] == [h.id for h in expected.hits]
    changed = msgspec.structs.replace(work, descriptions=[])
    assert Precomputed(tmp_path / "embeddings").encode([embedding_text_of_work(changed)]).shape == (
        1,
        512,
    )
    again = Precomputed(tmp_path / "embeddings")
    again.encode([embedding_text_of_work(changed), embedding_text_of_work(work)])
    assert (again.reused, again.encoded) == (1, 1)


def embedding_text_of_work(work: Work) -> str:
    from lanterne.search import embedding_text

    return embedding_text(work)


def test_vectors_of_another_model_or_no_vectors_are_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lanterne.errors import BadInput, InputNotFound
    from lanterne.search import Precomputed

    with pytest.raises(InputNotFound):
        Precomputed(tmp_path / "none")
    other = tmp_path / "other"
    other.mkdir()
    pq.write_table(
        pa.table(
            {
                "work_id": ["a"],
                "digest": [b"0" * 16],
                "model": ["word2vec"],
                "vector": [b"\0" * 2048],
            }
        ),
        other / "part-0.parquet",
    )
    with pytest.raises(BadInput) as caught:
        Precomputed(other)
    assert caught.value.key == "search.other_model_embeddings"
    short = tmp_path / "short"
    short.mkdir()
    from lanterne.search import MODEL

    pq.write_table(
        pa.table(
            {"work_id": ["a"], "digest": [b"0" * 16], "model": [MODEL], "vector": [b"\0" * 8]}
        ),
        short / "part-0.parquet",
    )
    with pytest.raises(BadInput) as caught:
        Precomputed(short)
    assert caught.value.key == "search.bad_embeddings"


def test_a_second_session_in_one_process_starts_its_own_jvm(tmp_path: Path) -> None:
    # In a process of its own (the tests' session is running in this one). pyspark kept the
    # first session's stopped gateway for every later one, which then failed.
    import subprocess
    import sys

    script = (
        "from lanterne.batch import spark_session\n"
        "pids = []\n"
        "for _ in range(2):\n"
        "    with spark_session('local[1]') as s:\n"
        "        assert s.sparkContext.parallelize(range(10), 2).sum() == 45\n"
        "        proc = s.sparkContext._gateway.proc\n"
        "        pids.append(proc.pid)\n"
        "    assert proc.poll() is not None, 'the JVM outlived its session'\n"
        "assert pids[0] != pids[1]\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
