"""The JSON and JSON Lines readers: a file's records (objects) or problems, each with its line.

As the CSV reader (``_readers``), they never raise on a bad record: the record is a
``ReadProblem`` with its raw text, quarantined by the pipeline; ``BadInput`` only when the file as
a whole cannot be read.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from lanterne.errors import BadInput
from lanterne.ingest._encoding import bom_length, detect_encoding
from lanterne.ingest._readers import (
    KEPT_BYTES,
    Item,
    RawRecord,
    ReadProblem,
    _check_not_empty,
    _too_large,
)
from lanterne.ingest._records import ReadLimits

# JSON and JSON Lines -----------------------------------------------------------------------


# Bytes that did not decode, kept as lone surrogates (``surrogateescape``) until the record that
# holds them is known: that record is quarantined, with « \ufffd » in its raw text.
# (Built with chr(): mypyc refuses surrogates in string literals.)
_ESCAPED = re.compile(f"[{chr(0xDC80)}-{chr(0xDCFF)}]")


class _Text(msgspec.Struct):
    text: str
    encoding: str
    escaped: bool
    """Whether some bytes did not decode (``_ESCAPED`` finds them)."""

    def raw(self, raw: str) -> str:
        """``raw`` as it can be stored: its undecodable bytes replaced."""
        return _ESCAPED.sub("\ufffd", raw) if self.escaped else raw

    def undecodable(self, name: str, line: int, raw: str) -> ReadProblem | None:
        """A problem when ``raw`` (found at line ``line``) holds undecodable bytes, else None."""
        found = _ESCAPED.search(raw) if self.escaped else None
        if found is None:
            return None
        bad_line = line + raw.count("\n", 0, found.start())
        params = {"encoding": self.encoding, "detail": f"ligne {bad_line}"}
        return ReadProblem(name, line, "reason.undecodable", params, self.raw(raw))


def _text_of(path: Path, encoding: str | None) -> _Text:
    _check_not_empty(path)
    name = detect_encoding(path, encoding)
    data = path.read_bytes()
    data = data[bom_length(data) :]
    try:
        return _Text(data.decode(name), name, False)
    except UnicodeDecodeError:
        return _Text(data.decode(name, errors="surrogateescape"), name, True)


class _LineIndex:
    def __init__(self, text: str) -> None:
        self._starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self._starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def line_col(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def read_json_items(
    path: Path,
    encoding: str | None = None,
    records_path: str = "",
    limits: ReadLimits | None = None,
) -> Iterator[Item]:
    """Items of a JSON array (or of the array at ``records_path``), decoded one at a time.

    Decoding item by item means that a file cut or broken in the middle still yields every item
    before the break; the rest is kept whole as one quarantined problem. An item nested deeper
    than ``limits.max_json_depth`` is one problem, and the items after it are read.
    """
    limits = limits or ReadLimits()
    decoded = _text_of(path, encoding)
    text = decoded.text
    index = _LineIndex(text)
    name = str(path)
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if records_path or not text.startswith("[", pos):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            if records_path or exc.pos <= pos:  # not JSON from the first character
                raise BadInput(
                    "input.not_json", path=path, line=exc.lineno, column=exc.colno, detail=exc.msg
                ) from None
            yield ReadProblem(
                name,
                exc.lineno,
                "reason.bad_json",
                {"line": str(exc.lineno), "column": str(exc.colno), "detail": exc.msg},
                decoded.raw(text),
            )
            return
        except RecursionError:
            yield _too_deep(name, 1, limits, decoded.raw(text))
            return
        for key in filter(None, records_path.split(".")):
            document = document.get(key, []) if isinstance(document, dict) else []
        items = document if isinstance(document, list) else [document]
        for item in items:
            try:
                raw = json.dumps(item, ensure_ascii=False)
            except RecursionError:
                # As deep as the parser could go: the document's start is enough to find it.
                yield _too_deep(name, 1, limits, decoded.raw(text[:_DEEP_RAW]))
                continue
            yield decoded.undecodable(name, 1, raw) or _as_record(name, 1, item, raw, limits)
        return
    pos += 1
    while True:
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == "]":
            return
        start = pos
        line = index.line_col(start)[0]
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            bad_line, column = index.line_col(exc.pos)
            yield ReadProblem(
                name,
                line,
                "reason.bad_json",
                {"line": str(bad_line), "column": str(column), "detail": exc.msg},
                decoded.raw(text[start:]),
            )
            return
        except RecursionError:
            # Too deep for the parser: skip the item without it, and read on after.
            pos = _end_of_value(text, start)
            yield _too_deep(name, line, limits, decoded.raw(text[start:pos]))
        else:
            raw = text[start:pos]
            if len(raw) > limits.max_record_bytes:  # characters here: the file is read whole
                yield _too_large(name, line, limits.max_record_bytes, decoded.raw(raw))
            else:
                yield decoded.undecodable(name, line, raw) or _as_record(
                    name, line, item, raw, limits
                )
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != "]":
            bad_line, column = index.line_col(pos)
            detail = "fin de fichier avant « ] »" if pos >= len(text) else "« , » ou « ] » attendu"
            yield ReadProblem(
                name,
                bad_line,
                "reason.bad_json",
                {"line": str(bad_line), "column": str(column), "detail": detail},
                decoded.raw(text[pos:]),
            )
            return


def read_json_lines(
    path: Path, encoding: str | None = None, limits: ReadLimits | None = None
) -> Iterator[Item]:
    """One JSON object per line; a bad line is one problem, the others are read."""
    limits = limits or ReadLimits()
    _check_not_empty(path)
    name = str(path)
    enc = detect_encoding(path, encoding)
    limit = limits.max_record_bytes
    with path.open("rb") as f:
        number = 0
        while data := f.readline(limit + 1):
            number += 1
            if number == 1:
                data = data[bom_length(data) :]
            if len(data) > limit and not data.endswith(b"\n"):
                # Never held whole: its start is kept, the rest of the line skipped.
                while (more := f.readline(1 << 20)) and not more.endswith(b"\n"):
                    pass
                raw = data[:KEPT_BYTES].decode(enc, errors="replace")
                yield _too_large(name, number, limit, raw)
                continue
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                text = data.decode(enc, errors="replace")
                params = {"encoding": enc, "detail": f"ligne {number}"}
                yield ReadProblem(name, number, "reason.undecodable", params, text)
                continue
            if not text.strip():
                continue
            try:
                # Without its line break, an error at the end of a line gets that line's column.
                item = json.loads(text.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                yield ReadProblem(
                    name,
                    number,
                    "reason.bad_json",
                    {"line": str(number), "column": str(exc.colno), "detail": exc.msg},
                    text,
                )
                continue
            except RecursionError:
                yield _too_deep(name, number, limits, text)
                continue
            yield _as_record(name, number, item, text, limits)


_DEEP_RAW = 64 * 1024
"""Characters kept of a document too deep to be cut into its items."""
# What the parser steps over to find where a value too deep for it ends.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def _end_of_value(text: str, start: int) -> int:
    """Where the array or object at ``start`` ends (after its closing bracket), or the end of
    the text: brackets counted, strings stepped over, without recursion."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text, start):
        first = token.group()[0]
        if first in "[{":
            depth += 1
        elif first in "]}":
            depth -= 1
            if depth <= 0:
                return token.end()
    return len(text)


def _deeper_than(item: Any, limit: int) -> bool:
    """Whether ``item`` nests arrays and objects more than ``limit`` deep (``{}`` is 1)."""
    stack: list[tuple[Any, int]] = [(item, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _too_deep(name: str, line: int, limits: ReadLimits, raw: str) -> ReadProblem:
    params = {"limit": str(limits.max_json_depth)}
    return ReadProblem(name, line, "reason.too_deep", params, raw)


def _as_record(name: str, line: int, item: Any, raw: str, limits: ReadLimits) -> Item:
    if isinstance(item, dict):
        if _deeper_than(item, limits.max_json_depth):
            return _too_deep(name, line, limits, raw)
        return RawRecord(name, line, item, raw)
    kind = type(item).__name__
    return ReadProblem(name, line, "reason.not_object", {"kind": kind}, raw)
