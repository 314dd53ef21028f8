"""Capture files in Parquet: the columnar reader gives the same captures as the row path
(kept rows, codes, titles, attributes, rejected rows with their reasons), on crafted and on
generated files; bad files say what is wrong; an audit reads Parquet as it reads JSON Lines."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanterne.audit import Captures, read_captures, write_jsonl
from lanterne.audit._capture import CaptureLimits
from lanterne.errors import BadInput

LIMITS = CaptureLimits(max_position=500)
UTC = dt.UTC


def _write(path: Path, rows: list[dict[str, Any]], schema: pa.Schema | None = None) -> Path:
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def _same(a: Captures, b: Captures) -> None:
    assert (a.read, a.rejected) == (b.read, b.rejected)
    for name in ("platforms", "surfaces", "personas", "persona_group", "sessions", "items"):
        assert getattr(a, name) == getattr(b, name), name
    assert a.titles == b.titles
    assert a.item_attributes == b.item_attributes
    assert a.list_times == b.list_times
    left, right = a.arrays(), b.arrays()
    assert left.keys() == right.keys()
    for key in left:
        assert np.array_equal(left[key], right[key]), key


def _both(paths: list[Path]) -> tuple[Captures, Captures]:
    columns = read_captures(paths, limits=LIMITS)
    rows = read_captures(paths, Captures(), limits=LIMITS)  # a Captures given: the row path
    assert columns._columns is not None and rows._columns is None
    return columns, rows


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
        ("title", pa.string()),
        ("attr:genre", pa.list_(pa.string())),
        ("attr:european", pa.bool_()),
        ("attr:country", pa.string()),
    ]
)


def _row(**given: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "platform": "tv",
        "surface": "home",
        "persona": "p1",
        "session": "s1",
        "timestamp": dt.datetime(2026, 5, 1, 20, 0, tzinfo=UTC),
        "position": 1,
        "item": "film:1",
        "row": 1,
        "column": 1,
        "group": "control",
        "title": "Kamouraska",
        "attr:genre": ["drame"],
        "attr:european": False,
        "attr:country": "CA",
    }
    return base | given


def test_parquet_captures_read_in_columns_as_the_row_path_reads_them(tmp_path: Path) -> None:
    first = _write(
        tmp_path / "a.parquet",
        [
            _row(),
            _row(position=2, item="film:2", title="Amélie", **{"attr:country": "FR|BE"}),
            _row(position=2, item="film:3"),  # the slot again: rejected, film:3 unseen
            _row(persona=None),  # missing
            _row(item="  "),  # empty once stripped: missing
            _row(position=0),  # positions start at 1
            _row(position=501),  # above the bound
            _row(persona="p2", group=None, row=None, column=None, position=3),
            _row(session="s2", title=None, **{"attr:genre": ["comédie", "drame"]}),
        ],
        SCHEMA,
    )
    second = _write(
        tmp_path / "b.parquet",
        [_row(persona="p3", item="film:2", **{"attr:european": True}), _row(platform="web")],
        SCHEMA,
    )
    columns, rows = _both([first, second])
    _same(columns, rows)
    assert columns.read == 11 and columns.n_rows == 6
    assert [(r.line, r.field) for r in columns.rejected] == [
        (3, "position"),
        (4, "persona"),
        (5, "item"),
        (6, "position"),
        (7, "position"),
    ]
    assert columns.item_attributes["film:2"]["country"] == {"FR", "BE", "CA"}
    assert columns.item_attributes["film:2"]["european"] == {"false", "true"}
    assert columns.list_times[0] == "2026-05-01T20:00:00+00:00"
    assert columns.persona_group == ["control", "", "control"]


def test_parquet_positions_written_as_text_are_checked_as_csv_checks_them(tmp_path: Path) -> None:
    rows = [
        {k: (str(v) if k == "position" else v) for k, v in _row(position=p).items()} for p in (1, 2)
    ]
    rows += [
        _row() | {"position": " 3 "},
        _row() | {"position": "trois"},
        _row() | {"position": ""},
    ]
    texts = pa.schema([(f.name, pa.string()) if f.name == "position" else f for f in SCHEMA])
    path = _write(tmp_path / "t.parquet", rows, texts)
    columns, by_rows = _both([path])
    _same(columns, by_rows)
    assert [(r.line, r.field) for r in columns.rejected] == [(4, "position"), (5, "position")]
    assert "missing" in columns.rejected[1].reason


_VALUE = st.sampled_from(["a", "b", " a ", "", None])
_POSITION = st.one_of(st.integers(-1, 4), st.none(), st.sampled_from(["2", "x", "600"]))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "platform": st.sampled_from(["tv", "web"]),
                "surface": st.sampled_from(["home", "search"]),
                "persona": _VALUE,
                "session": st.sampled_from(["s1", "s2"]),
                "timestamp": st.sampled_from(["2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"]),
                "position": _POSITION,
                "item": _VALUE,
                "row": st.one_of(st.none(), st.integers(1, 3)),
                "group": _VALUE,
                "title": _VALUE,
                "attr:genre": st.one_of(st.none(), st.sampled_from(["x", "x|y", "|", " "])),
            }
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 3),
)
def test_parquet_columns_and_rows_agree_on_any_file(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]], files: int
) -> None:
    folder = tmp_path_factory.mktemp("pq")
    schema = pa.schema(
        [(name, pa.string()) for name in ("platform", "surface", "persona", "session", "timestamp")]
        + [("position", pa.string()), ("item", pa.string()), ("row", pa.int64())]
        + [("group", pa.string()), ("title", pa.string()), ("attr:genre", pa.string())]
    )
    typed = [r | {"position": None if r["position"] is None else str(r["position"])} for r in rows]
    paths = [
        _write(folder / f"{n}.parquet", typed[n::files], schema)
        for n in range(min(files, len(typed)))
    ]
    columns, by_rows = _both(paths)
    _same(columns, by_rows)
    assert columns.read == len(rows) == columns.n_rows + len(columns.rejected)


def test_a_parquet_file_that_is_not_one_says_so_with_its_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(BadInput) as caught:
        read_captures([broken], limits=LIMITS)
    assert "broken.parquet" in caught.value.message("fr") and "Parquet" in caught.value.message(
        "en"
    )
    extra = _write(tmp_path / "extra.parquet", [_row() | {"genre": "drame"}])
    with pytest.raises(BadInput) as caught:
        read_captures([extra], limits=LIMITS)
    assert "genre" in caught.value.message("fr") and "attr:" in caught.value.message("fr")
    short = _write(tmp_path / "short.parquet", [{"platform": "tv", "item": "x"}])
    with pytest.raises(BadInput) as caught:
        read_captures([short], limits=LIMITS)
    assert "persona" in caught.value.message("fr")


def test_an_audit_of_a_parquet_file_is_the_audit_of_the_same_rows_in_json_lines(
    tmp_path: Path,
) -> None:
    rows = [
        _row(persona=f"p{p}", session=f"s{s}", position=k + 1, item=f"film:{(p + s + k) % 7}")
        | {"attr:european": (p + k) % 3 == 0}
        for p in range(6)
        for s in range(3)
        for k in range(5)
    ]
    parquet = _write(tmp_path / "c.parquet", rows, SCHEMA)
    jsonl = tmp_path / "c.jsonl"
    as_json = []
    for r in rows:
        attributes = {"genre": r["attr:genre"], "european": str(r["attr:european"]).lower()}
        attributes["country"] = r["attr:country"]
        plain = {k: v for k, v in r.items() if not k.startswith("attr:")}
        as_json.append(plain | {"timestamp": r["timestamp"].isoformat(), "attributes": attributes})
    write_jsonl(iter(as_json), jsonl)
    answers = []
    for path in (parquet, jsonl):
        done = subprocess.run(
            [sys.executable, "-m", "lanterne", "audit", str(path), "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        answers.append(json.loads(done.stdout))
    for answer in answers:
        answer.pop("inputs", None)
        answer.pop("generated", None)
        answer.pop("footprint", None)  # the CPU each run took
    assert answers[0] == answers[1]


def test_a_parquet_file_that_unpacks_into_far_more_rows_than_it_weighs_is_not_read(
    tmp_path: Path,
) -> None:
    n = 3_000_000  # one repeated row: run-length encoding packs it into a few kilobytes
    one = {k: [v] for k, v in _row().items() if not k.startswith("attr:")}
    table = pa.table({k: pa.repeat(pa.array(v)[0], n) for k, v in one.items()})
    dense = tmp_path / "dense.parquet"
    pq.write_table(table, dense, row_group_size=n, data_page_size=1 << 30, write_statistics=False)
    assert n > 20 * dense.stat().st_size  # the premise: far more rows than bytes
    with pytest.raises(BadInput) as caught:
        read_captures([dense], limits=LIMITS)
    assert "dense.parquet" in caught.value.message("en") and "per byte" in caught.value.message(
        "en"
    )


def test_a_dictionary_every_row_group_repeats_is_mapped_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exporters give every row group a whole column's categories (pandas' categoricals do):
    # mapping each chunk's dictionary afresh made the cost chunks × categories, and unifying
    # them first took a quarter of the reading time at ten million rows.
    import lanterne.audit._parquet as module

    sessions = [f"s{i}" for i in range(5_000)]
    rows = 2_000
    picked = np.arange(rows) % 40
    table = pa.table(
        {
            "platform": ["p"] * rows,
            "surface": ["home"] * rows,
            "persona": [f"u{i % 40}" for i in range(rows)],
            "session": pa.DictionaryArray.from_arrays(pa.array(picked, pa.int32()), sessions),
            "timestamp": ["2026-01-01T00:00:00Z"] * rows,
            "position": (np.arange(rows) // 40 + 1).tolist(),
            "item": [f"w{i % 97}" for i in range(rows)],
        }
    )
    path = tmp_path / "c.parquet"
    pq.write_table(table, path, row_group_size=100)  # 20 row groups, each with 5,000 sessions
    assert pq.ParquetFile(path).metadata.num_row_groups == 20
    seen: list[Any] = []
    text = module._text

    def counting(value: Any) -> str:
        seen.append(value)
        return text(value)

    monkeypatch.setattr(module, "_text", counting)
    captures = read_captures([path])
    assert captures.n_lists == 40  # each list: persona and session i % 40, positions 1–50
    assert len([v for v in seen if str(v).startswith("s")]) == len(sessions)
