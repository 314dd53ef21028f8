"""The open capture format: what a platform showed, to whom, where and when.

One row per item shown. A *list* is what one persona (or user) saw on one surface in one session
at one time: rows sharing platform, surface, persona, session and timestamp. Positions start at
1; grid surfaces also give row and column (from 1). Item metadata travels in ``attributes``
(``european``, ``eof``, ``francophone``, ``country``, ``territory``, ``independent``,
``creation``, ``genre`` …) or is joined from a Lanterne catalogue when absent.

Two forms, the same fields (docs/audit.md; JSON Schema: ``lanterne audit --schema``,
docs/schema/capture.schema.json):

* JSON Lines: one object per row, ``attributes`` an object of strings or lists of strings;
* CSV: the fixed columns, then any ``attr:NAME`` column (several values separated by ``|``);
* Parquet: the CSV form's columns, typed or not (``_parquet.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
import numpy.typing as npt

from lanterne.audit._fields import _FIXED, CaptureLimits, _whole
from lanterne.errors import BadInput, InputNotFound
from lanterne.messages import say_partial
from lanterne.rejected import Rejected

if TYPE_CHECKING:
    from lanterne.ingest import ReadProblem

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

SURFACES = ("home", "search", "autoplay", "carousel", "list")
FORMAT_VERSION = "1.0"


class Capture(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One item shown to one persona."""

    platform: str
    surface: str
    persona: str
    session: str
    timestamp: str
    """ISO 8601 date and time of the list."""
    position: int
    item: str
    row: int | None = None
    column: int | None = None
    group: str | None = None
    """The persona's group: ``control`` personas are the baseline of drift tests."""
    title: str | None = None
    attributes: dict[str, str | list[str]] = {}


class Captures:
    """Rows in columns: one entry per item shown, lists numbered in reading order."""

    def __init__(self) -> None:
        self.platforms: list[str] = []
        self.surfaces: list[str] = []
        self.personas: list[str] = []
        self.persona_group: list[str] = []
        self.sessions: list[str] = []
        self.items: list[str] = []
        self.titles: dict[str, str] = {}
        self.item_attributes: dict[str, dict[str, set[str]]] = {}
        """item → attribute → values (from the captures, then the catalogue)."""
        self.list_keys: list[tuple[int, int, int, int, str]] = []
        """platform, surface, persona, session, timestamp of each list."""
        self.rows_list: list[int] = []
        self.rows_position: list[int] = []
        self.rows_row: list[int] = []
        self.rows_column: list[int] = []
        self.rows_item: list[int] = []
        self.read = 0
        self.rejected: list[Rejected] = []
        self._index: dict[str, dict[str, int]] = {}
        self._list_index: dict[tuple[int, int, int, int, str], int] = {}
        self._seen: set[tuple[int, int]] = set()
        self._columns: dict[str, Ints] | None = None

    def _code(self, kind: str, value: str, table: list[str]) -> int:
        index = self._index.setdefault(kind, {})
        code = index.get(value)
        if code is None:
            code = index[value] = len(table)
            table.append(value)
        return code

    def add(self, capture: Capture, file: str, line: int) -> None:
        platform = self._code("platform", capture.platform, self.platforms)
        surface = self._code("surface", capture.surface, self.surfaces)
        persona = self._code("persona", capture.persona, self.personas)
        if persona == len(self.persona_group):
            self.persona_group.append(capture.group or "")
        session = self._code("session", capture.session, self.sessions)
        key = (platform, surface, persona, session, capture.timestamp)
        list_id = self._list_index.get(key)
        if list_id is None:
            list_id = self._list_index[key] = len(self.list_keys)
            self.list_keys.append(key)
        if (list_id, capture.position) in self._seen:
            self.rejected.append(
                Rejected(
                    file,
                    line,
                    "position",
                    f"position {capture.position} already filled in this list:"
                    " keep one row per slot",
                )
            )
            return
        self._seen.add((list_id, capture.position))
        item = self._code("item", capture.item, self.items)
        if capture.title:
            self.titles.setdefault(capture.item, capture.title)
        if capture.attributes:
            known = self.item_attributes.setdefault(capture.item, {})
            for name, value in capture.attributes.items():
                values = [value] if isinstance(value, str) else value
                known.setdefault(name, set()).update(v for v in values if v != "")
        self.rows_list.append(list_id)
        self.rows_position.append(capture.position)
        self.rows_row.append(capture.row or 0)
        self.rows_column.append(capture.column or 0)
        self.rows_item.append(item)

    @property
    def n_lists(self) -> int:
        return len(self.list_keys)

    @property
    def n_rows(self) -> int:
        return len(self._columns["item"]) if self._columns is not None else len(self.rows_item)

    @classmethod
    def from_columns(
        cls,
        *,
        platforms: list[str],
        surfaces: list[str],
        personas: list[str],
        persona_group: list[str],
        sessions: list[str],
        items: list[str],
        item_attributes: dict[str, dict[str, set[str]]],
        list_keys: Ints,
        list_times: list[str],
        rows: dict[str, Ints],
    ) -> Captures:
        """Captures already in columns (a million lists need not go through Python rows):
        ``list_keys`` is lists × (platform, surface, persona, session) codes; ``rows`` holds
        ``list``, ``position``, ``row``, ``column``, ``item`` arrays."""
        c = cls()
        c.platforms, c.surfaces, c.personas, c.persona_group = (
            platforms,
            surfaces,
            personas,
            persona_group,
        )
        c.sessions, c.items, c.item_attributes = sessions, items, item_attributes
        c.list_keys = [(0, 0, 0, 0, t) for t in list_times]
        c._columns = {"keys": np.asarray(list_keys, dtype=np.int64), **rows}
        c.read = len(rows["item"])
        return c

    @property
    def list_times(self) -> list[str]:
        return [k[4] for k in self.list_keys]

    def arrays(self) -> dict[str, Ints]:
        """Rows sorted by list then position, as arrays."""
        if self._columns is not None:
            col = self._columns
            order = np.lexsort((col["position"], col["list"]))
            keys = col["keys"]
            return {
                "list": col["list"][order],
                "position": col["position"][order],
                "row": col["row"][order],
                "column": col["column"][order],
                "item": col["item"][order],
                "list_platform": keys[:, 0],
                "list_surface": keys[:, 1],
                "list_persona": keys[:, 2],
                "list_session": keys[:, 3],
            }
        lst = np.asarray(self.rows_list, dtype=np.int64)
        pos = np.asarray(self.rows_position, dtype=np.int64)
        order = np.lexsort((pos, lst))
        keys = np.asarray([k[:4] for k in self.list_keys], dtype=np.int64).reshape(-1, 4)
        return {
            "list": lst[order],
            "position": pos[order],
            "row": np.asarray(self.rows_row, dtype=np.int64)[order],
            "column": np.asarray(self.rows_column, dtype=np.int64)[order],
            "item": np.asarray(self.rows_item, dtype=np.int64)[order],
            "list_platform": keys[:, 0],
            "list_surface": keys[:, 1],
            "list_persona": keys[:, 2],
            "list_session": keys[:, 3],
        }


# A capture row nests three deep (row, ``attributes``, a list of values); well past that the
# parser would recurse until Python stops it, so deeper lines are set aside before parsing.
_MAX_DEPTH = 16


def _problem(data: dict[str, Any], limits: CaptureLimits) -> tuple[str, str] | None:
    for name in _FIXED:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return name, "missing: every row needs " + ", ".join(_FIXED)
    highest = limits.max_position
    for name in ("position", "row", "column"):
        value = data.get(name)
        if type(value) is int and 0 < value <= highest:
            continue  # JSON's usual case, without a call
        if name != "position" and (value is None or value == ""):
            data[name] = None
            continue
        number = _whole(name, value, limits)
        if isinstance(number, tuple):
            return number
        data[name] = number
    return None


_Row = tuple[int, dict[str, Any] | None, tuple[str, str] | None]


def _unread(problem: ReadProblem) -> _Row:
    """A row the ingest's reader set aside (undecodable bytes, stray quote, extra cells)."""
    return problem.line, None, ("(line)", say_partial(problem.reason, "en", problem.params))


def _rows_csv(path: Path) -> Iterator[_Row]:
    # The ingest's reader, imported when captures are read: a command that only weighs
    # positions (a recommendation) must not load the ingest.
    from lanterne.ingest import CsvReader, ReadProblem

    reader = CsvReader(path)
    missing = [c for c in _FIXED if c not in reader.header]
    if missing:
        # The reader keeps its file open until its records are read; none will be.
        reader._lines._file.close()
        raise BadInput("audit.missing_columns", path=path, columns=", ".join(missing))
    for record in reader:
        if isinstance(record, ReadProblem):
            yield _unread(record)
            continue
        data: dict[str, Any] = {}
        attributes: dict[str, str | list[str]] = {}
        for name, value in record.data.items():
            if name.startswith("attr:"):
                if value:
                    parts = [v.strip() for v in value.split("|") if v.strip()]
                    attributes[name[5:]] = parts if len(parts) > 1 else parts[0] if parts else ""
            elif value:
                data[name] = value.strip()
        data["attributes"] = attributes
        yield record.line, data, None


def _too_deep(text: str) -> bool:
    """Whether ``text``'s arrays and objects nest more than ``_MAX_DEPTH`` deep (brackets in
    strings not counted); the scan stops at the first bracket past the limit."""
    if text.count("[") + text.count("{") <= _MAX_DEPTH:
        return False  # too few brackets to be too deep: the common case, no scan
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return True
        elif first in "]}":
            depth -= 1
    return False


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def _json_int(text: str) -> int:
    """A JSON integer; past 40 digits its sign only (beyond any bound, and Python refuses to
    convert 4,300 digits or more)."""
    if len(text) <= 40:
        return int(text)
    return -(10**40) if text.startswith("-") else 10**40


def _rows_jsonl(path: Path) -> Iterator[_Row]:
    from lanterne.ingest import FileLines, ReadLimits, detect_encoding

    encoding = detect_encoding(path)
    # A line longer than a record may be is handed out cut (and rejected), never held whole.
    lines = FileLines(path, encoding, ReadLimits.from_settings().max_record_bytes)
    for line in lines:
        number = lines.number
        lines.take()
        if lines.bad_lines:
            lines.bad_lines = []
            detail = {"encoding": encoding, "detail": f"line {number}"}
            yield number, None, ("(line)", say_partial("reason.undecodable", "en", detail))
            continue
        if not line.strip():
            continue
        if _too_deep(line):
            yield number, None, ("(line)", f"nested more than {_MAX_DEPTH} deep: not a capture row")
            continue
        try:
            data = json.loads(line, parse_int=_json_int)
        except json.JSONDecodeError as exc:
            yield number, None, ("(line)", f"not JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:  # only if Python's own limit is set below _MAX_DEPTH
            yield number, None, ("(line)", "nested too deep: not a capture row")
            continue
        if not isinstance(data, dict):
            yield number, None, ("(line)", "not a JSON object")
            continue
        yield number, data, None


def read_captures(
    paths: Iterable[Path], captures: Captures | None = None, limits: CaptureLimits | None = None
) -> Captures:
    """Read CSV (``.csv``), Parquet (``.parquet``, ``.pq``: through Arrow, in columns when
    every file is Parquet) or JSON Lines (anything else) capture files.

    Files are decoded as the ingest decodes its own (UTF-8 with or without BOM, UTF-16 with a
    BOM, Windows-1252 …); a row that does not decode, nests too deep or holds a number beyond
    ``limits`` is rejected with its file, line and field, and the others are used.
    """
    paths = list(paths)
    limits = limits or CaptureLimits.load()
    for path in paths:
        if not path.is_file():
            raise InputNotFound("input.not_found", path=path)
    if captures is None and paths and all(_parquet(p) for p in paths):
        from lanterne.audit._parquet import read_parquet

        found = read_parquet(paths, limits)  # in columns: the same captures, faster
        columnar = Captures.from_columns(**found["columns"])
        columnar.titles, columnar.rejected = found["titles"], found["rejected"]
        columnar.read = found["read"]
        return columnar
    captures = captures or Captures()
    for path in paths:
        rows: Iterator[_Row]
        if _parquet(path):
            from lanterne.audit._parquet import parquet_rows

            rows = parquet_rows(path)
        else:
            rows = _rows_csv(path) if path.suffix.lower() == ".csv" else _rows_jsonl(path)
        for line, data, problem in rows:
            captures.read += 1
            if problem is None and data is not None:
                problem = _problem(data, limits)
            if problem is not None or data is None:
                field, reason = problem or ("(line)", "unreadable")
                captures.rejected.append(Rejected(str(path), line, field, reason))
                continue
            try:
                capture = msgspec.convert(data, Capture, strict=False)
            except msgspec.ValidationError as exc:
                captures.rejected.append(Rejected(str(path), line, _field_of(exc), str(exc)))
                continue
            captures.add(capture, str(path), line)
    return captures


def _parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _field_of(exc: msgspec.ValidationError) -> str:
    """The top-level field a validation error names (``… - at `$.title` ``), else ``(row)``."""
    found = re.search(r"at `\$\.([A-Za-z_]+)", str(exc))
    if found:
        return found.group(1)
    found = re.search(r"field `([A-Za-z_]+)`", str(exc))
    return found.group(1) if found else "(row)"


def capture_schema() -> dict[str, Any]:
    """The JSON Schema of one capture row (JSON Lines form)."""
    schema: dict[str, Any] = msgspec.json.schema(Capture)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Lanterne capture row, format {FORMAT_VERSION}"
    return schema
