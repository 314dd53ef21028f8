"""Capture files in Parquet, read through Apache Arrow (pyarrow) in columns.

The same fields as the CSV form (docs/audit.md): the fixed columns, ``row``, ``column``,
``group``, ``title``, and any ``attr:NAME`` column (a string, several values separated by ``|``,
or a list of strings). Cells may be strings, whole numbers, booleans or timestamps (written in
ISO 8601, as ``datetime.isoformat`` does); a row number counts from 1 across the file.

Two readers give the same captures (a test compares them): ``parquet_rows`` hands each row to
the ordinary row path (used when Parquet files come with CSV or JSON Lines ones), and
``read_parquet`` checks and codes whole columns at once, each distinct value once, so that ten
million rows are not ten million Python objects. A column that is not a capture field is
refused for the whole file, with what to do, rather than on every row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lanterne.audit._fields import _FIXED, CaptureLimits, _whole
from lanterne.errors import BadInput
from lanterne.rejected import Rejected

OPTIONAL = ("row", "column", "group", "title")
ROWS_PER_BYTE = 20
"""More rows than this per byte of file is a file that unpacks into far more than it weighs
(run-length encoding can make a billion rows of a few kilobytes): refused before it is read,
so that reading costs a bounded multiple of the file's size. Real capture files hold well under
one row per byte (0.1 in benchmarks/audit.py's file); three million copies of one row, the
densest pyarrow writes them, hold 64."""
_NUMBERS = ("position", "row", "column")
_TEXTS = ("platform", "surface", "persona", "session", "timestamp", "item")


def cell(value: Any) -> Any:
    """A Parquet cell as the CSV reader would have it: text stripped, a timestamp in ISO 8601,
    a boolean ``true``/``false``; whole numbers stay numbers (positions are checked later)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


_LIST, _ITEM = "\x1e", "\x1f"
"""How the columnar reader writes a list cell as one text (control characters no capture has)."""


def _attribute(value: Any) -> list[str]:
    """An ``attr:NAME`` cell's values: a list's items, or a string split on ``|``."""
    if isinstance(value, str) and value.startswith(_LIST):
        value = value[1:].split(_ITEM) if len(value) > 1 else []
    items = value if isinstance(value, list) else str(cell(value)).split("|")
    return [s for s in (str(cell(v)).strip() for v in items if v is not None) if s]


def parquet_columns(path: Path) -> list[str]:
    """The columns of a Parquet capture file, read from its footer alone: a file too dense to
    read, unreadable, or whose columns are not capture fields is refused here."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
        schema = meta.schema.to_arrow_schema()
    except (pa.ArrowException, OSError) as exc:
        raise BadInput("audit.unreadable_parquet", path=path, detail=str(exc)[:300]) from None
    if meta.num_rows > ROWS_PER_BYTE * max(path.stat().st_size, 1):
        raise BadInput("audit.parquet_too_dense", path=path, rows=meta.num_rows, most=ROWS_PER_BYTE)
    names = list(schema.names)
    missing = [c for c in _FIXED if c not in names]
    if missing:
        raise BadInput("audit.missing_columns", path=path, columns=", ".join(missing))
    unknown = [n for n in names if n not in _FIXED + OPTIONAL and not n.startswith("attr:")]
    if unknown:
        raise BadInput("audit.unknown_parquet_columns", path=path, columns=", ".join(unknown))
    return names


def _open(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet_columns(path)
    try:
        schema = pq.ParquetFile(path).schema_arrow
        texts = [f.name for f in schema if pa.types.is_string(f.type)]
        # Text columns stay dictionaries (as exporters write them): a value once, not a row.
        # Each chunk keeps its own dictionary: ``_Coder`` maps each distinct one once.
        return pq.read_table(path, read_dictionary=texts)
    except (pa.ArrowException, OSError) as exc:
        raise BadInput("audit.unreadable_parquet", path=path, detail=str(exc)[:300]) from None


def parquet_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, None]]:
    """Each row of a Parquet capture file as the row readers give theirs (row number, data)."""
    table = _open(path)
    number = 0
    for batch in table.to_batches(max_chunksize=8192):
        for row in batch.to_pylist():
            number += 1
            data: dict[str, Any] = {}
            attributes: dict[str, str | list[str]] = {}
            for name, value in row.items():
                if value is None:
                    continue
                if name.startswith("attr:"):
                    parts = _attribute(value)
                    if parts:
                        attributes[name[5:]] = parts if len(parts) > 1 else parts[0]
                else:
                    value = cell(value)
                    if value != "":
                        data[name] = value if name in _NUMBERS else str(value)
            data["attributes"] = attributes
            yield number, data, None


class _Coder:
    """Distinct values to whole numbers, across files (each distinct value of a file's column
    is looked up once)."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.index: dict[Any, int] = {}
        self._last: tuple[Any, np.ndarray[Any, Any]] | None = None

    def codes(self, column: Any, convert: Any, empty: Any = "") -> np.ndarray[Any, Any]:
        """The global code of each row of ``column`` (-1 where null or ``empty``), chunk by
        chunk: each chunk's dictionary (its own, as Parquet's row groups have them; a column
        that is not one is encoded first) is looked up once, its indices then map through it."""
        self._last = None
        parts = [self._chunk(chunk, convert, empty) for chunk in column.chunks]
        self._last = None
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _chunk(self, chunk: Any, convert: Any, empty: Any) -> np.ndarray[Any, Any]:
        import pyarrow as pa
        import pyarrow.compute as pc

        if pa.types.is_list(chunk.type) or pa.types.is_large_list(chunk.type):
            # Lists have no dictionary: each is one text, marked as a list (_LIST, _ITEM).
            chunk = pc.binary_join_element_wise(_LIST, pc.binary_join(chunk, _ITEM), "")
        if not pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary_encode()
        # The chunks of a row group share their dictionary, and writers often give every row
        # group the same one (a whole column's categories): a dictionary equal to the last one
        # is not mapped again. (Arrow's unify_dictionaries took a quarter of the reading time
        # of ten million rows whose 77 chunks each carried the same million sessions.)
        dictionary = chunk.dictionary
        if self._last is not None and (
            self._last[0] is dictionary or self._last[0].equals(dictionary)
        ):
            table = self._last[1]
        else:
            table = self._table(dictionary, convert, empty)
            self._last = (dictionary, table)
        indices = chunk.indices
        if indices.null_count:
            indices = indices.fill_null(-1)
        found: np.ndarray[Any, Any] = table[indices.to_numpy(zero_copy_only=False)]
        return found

    def _table(self, dictionary: Any, convert: Any, empty: Any) -> np.ndarray[Any, Any]:
        """A dictionary's global codes, and -1 for a null (its last entry)."""
        table = np.empty(len(dictionary) + 1, dtype=np.int64)
        table[-1] = -1  # a null's code, -1, indexes this last entry
        for k, raw in enumerate(dictionary.to_pylist()):
            value = convert(raw)
            if value == empty:
                table[k] = -1
                continue
            key = repr(value) if isinstance(value, list) else value
            code = self.index.get(key)
            if code is None:
                code = self.index[key] = len(self.values)
                self.values.append(value)
            table[k] = code
        return table


def first_order(codes: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Codes renumbered by first appearance (as the row path numbers them): the new code of
    each row, and for each new code the old one. Arrow's hash table: no sort."""
    import pyarrow as pa

    encoded = pa.array(codes, pa.int64()).dictionary_encode()
    new = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return new, encoded.dictionary.to_numpy(zero_copy_only=False).astype(np.int64)


def _firsts(codes: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Which rows are the first of their code, for codes numbered by first appearance."""
    if not len(codes):
        return np.zeros(0, dtype=bool)
    seen = np.maximum.accumulate(codes)
    first: np.ndarray[Any, Any] = np.empty(len(codes), dtype=bool)
    first[0] = True
    first[1:] = codes[1:] > seen[:-1]
    return first


def pair_codes(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Rows of two code columns (each from 0) coded together, by first appearance."""
    width = int(b.max()) + 1 if len(b) else 1
    return first_order(a * width + b)[0]


def _number(value: Any) -> Any:
    """A position, row or column cell before ``_whole`` checks it (``None`` when empty)."""
    value = cell(value)
    return None if value is None or value == "" else value


def _text(value: Any) -> str:
    return "" if value is None else str(cell(value))


Columns = dict[str, np.ndarray[Any, Any]]


def new_coders() -> tuple[dict[str, _Coder], dict[str, _Coder], dict[str, _Coder]]:
    """Fresh coders for ``check_table``: text columns, numbers, attributes."""
    texts = {name: _Coder() for name in (*_TEXTS, "group", "title")}
    return texts, {name: _Coder() for name in _NUMBERS}, {}


def check_table(
    table: Any,
    limits: CaptureLimits,
    coders: dict[str, _Coder],
    numbers: dict[str, _Coder],
    attributes: dict[str, _Coder],
) -> tuple[Columns, np.ndarray[Any, Any], dict[int, tuple[str, str]]]:
    """Lanterne's checks of capture rows in an Arrow table, in columns: each row's codes (in
    ``coders``, ``numbers`` and ``attributes``; positions, rows and columns as numbers), which
    rows are rejected, and the field and reason of each (by row index). A Spark partition runs
    the same checks on its batches."""
    needs = "missing: every row needs " + ", ".join(_FIXED)
    n = table.num_rows
    bad = np.zeros(n, dtype=bool)
    why: dict[int, tuple[str, str]] = {}
    cols: Columns = {}

    def reject(mask: np.ndarray[Any, Any], field: str, reason: Any) -> None:
        for i in np.flatnonzero(mask & ~bad):
            why[int(i)] = (field, reason(int(i)) if callable(reason) else reason)
        bad[mask] = True

    for name in (*_TEXTS, "group", "title"):
        if name in table.column_names:
            cols[name] = coders[name].codes(table.column(name), _text)
        else:
            cols[name] = np.full(n, -1, dtype=np.int64)
    for name in _FIXED:  # the row path's order: the first fault of a row is its reason
        if name in _TEXTS:
            reject(cols[name] < 0, name, needs)
        else:
            checked = numbers[name].codes(table.column(name), _number, None)
            reject(checked < 0, name, needs)
    for name in _NUMBERS:
        if name not in table.column_names:
            cols[name] = np.zeros(n, dtype=np.int64)
            continue
        coder = numbers[name]
        codes = coder.codes(table.column(name), _number, None)
        verdict = [_whole(name, v, limits) for v in coder.values]
        ok = np.array([isinstance(v, int) for v in verdict] + [name != "position"], bool)
        value = np.array([v if isinstance(v, int) else 0 for v in verdict] + [0], np.int64)

        def said(i: int, codes: Any = codes, verdict: Any = verdict) -> str:
            return str(verdict[codes[i]][1])

        reject(~ok[codes], name, said)
        cols[name] = value[codes]
    for name in table.column_names:
        if name.startswith("attr:"):
            coder = attributes.setdefault(name[5:], _Coder())
            cols[name] = coder.codes(table.column(name), _attribute, [])
    return cols, bad, why


def read_parquet(paths: Sequence[Path], limits: CaptureLimits) -> dict[str, Any]:
    """The captures of Parquet files, checked and coded in columns (module docstring): the
    same rows kept and the same rows rejected, for the same reasons, as the row path. What
    ``Captures`` is made of: ``columns`` (``Captures.from_columns``'s arguments), ``titles``,
    ``rejected``, ``read``."""
    coders, numbers, attributes = new_coders()
    parts: list[dict[str, np.ndarray[Any, Any]]] = []
    rejected: list[tuple[int, Rejected]] = []
    read = 0
    for f, path in enumerate(paths):
        table = _open(path)
        read += table.num_rows
        cols, bad, why = check_table(table, limits, coders, numbers, attributes)
        rejected.extend((f, Rejected(str(path), i + 1, *why[i])) for i in sorted(why))
        keep = ~bad
        # Rows rejected are rare: without them, the columns are taken as they are (no copy).
        part = {k: v[keep] for k, v in cols.items()} if bad.any() else dict(cols)
        part["_file"] = np.full(int(keep.sum()), f, dtype=np.int64)
        part["_row"] = np.flatnonzero(keep).astype(np.int64) + 1
        parts.append(part)

    def joined(name: str) -> np.ndarray[Any, Any]:
        return np.concatenate(
            [p.get(name, np.full(len(p["_row"]), -1, dtype=np.int64)) for p in parts]
            or [np.zeros(0, dtype=np.int64)]
        )

    return _build(paths, coders, attributes, joined, rejected, read)


def _build(
    paths: Sequence[Path],
    coders: dict[str, _Coder],
    attributes: dict[str, _Coder],
    joined: Any,
    rejected: list[tuple[int, Rejected]],
    read: int,
) -> dict[str, Any]:
    platform, platforms = first_order(joined("platform"))
    surface, surfaces = first_order(joined("surface"))
    persona, personas = first_order(joined("persona"))
    session, sessions = first_order(joined("session"))
    stamp = joined("timestamp")
    # A list is its platform, surface, persona, session and time: coded a column at a time
    # (each product stays far below 2**63), the last coding numbering lists as they appear.
    lists = pair_codes(
        pair_codes(pair_codes(pair_codes(platform, surface), persona), session), stamp
    )
    list_rows = np.flatnonzero(_firsts(lists))  # the first row of each list, in list order
    keys = np.stack([platform, surface, persona, session], axis=1)
    position = joined("position")
    # A slot filled twice: the later rows are rejected, as the row path does.
    again = ~_firsts(pair_codes(lists, position))
    files, rows = joined("_file"), joined("_row")
    for i in np.flatnonzero(again):
        reason = f"position {position[i]} already filled in this list: keep one row per slot"
        rejected.append(
            (int(files[i]), Rejected(str(paths[files[i]]), int(rows[i]), "position", reason))
        )
    rejected.sort(key=lambda r: (r[0], r[1].line))  # reading order, as the row path has them
    kept = ~again
    item, items = first_order(joined("item")[kept])
    group = joined("group")
    first_of_persona = np.flatnonzero(_firsts(persona))  # persona codes are 0…P-1, in order
    persona_group = [coders["group"].values[g] if g >= 0 else "" for g in group[first_of_persona]]
    titles: dict[str, str] = {}
    title = joined("title")[kept]
    names = [coders["item"].values[k] for k in items]
    with_title = np.flatnonzero(title >= 0)
    titled = item[with_title]
    for k in np.flatnonzero(_firsts(first_order(titled)[0])):
        titles[names[titled[k]]] = coders["title"].values[title[with_title[k]]]
    item_attributes: dict[str, dict[str, set[str]]] = {}
    for key, coder in attributes.items():
        codes = joined(f"attr:{key}")[kept]
        has = codes >= 0
        width = len(coder.values) + 1
        for both in first_order(item[has] * width + codes[has])[1]:  # each pair once
            it, code = divmod(int(both), width)
            known = item_attributes.setdefault(names[it], {})
            known.setdefault(key, set()).update(coder.values[code])
    columns = {
        "platforms": [coders["platform"].values[k] for k in platforms],
        "surfaces": [coders["surface"].values[k] for k in surfaces],
        "personas": [coders["persona"].values[k] for k in personas],
        "persona_group": persona_group,
        "sessions": [coders["session"].values[k] for k in sessions],
        "items": names,
        "item_attributes": item_attributes,
        "list_keys": keys[list_rows],
        "list_times": [coders["timestamp"].values[k] for k in stamp[list_rows]],
        "rows": {
            "list": lists[kept],
            "position": position[kept],
            "row": joined("row")[kept],
            "column": joined("column")[kept],
            "item": item,
        },
    }
    return {
        "columns": columns,
        "titles": titles,
        "rejected": [r for _, r in rejected],
        "read": read,
    }
