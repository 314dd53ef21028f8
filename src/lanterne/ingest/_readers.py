"""Readers: turn a file into records (a dict each) or problems, with the line each starts on.
This module holds what every reader shares and the CSV reader; JSON and JSON Lines are read by
``_json``.

A reader never raises on a bad record: it yields a ``ReadProblem`` with the raw text so the
pipeline can quarantine it. It raises ``BadInput`` only when the file as a whole cannot be read
(empty, wrong encoding, no header), before anything is stored.
"""

from __future__ import annotations

import codecs
import csv
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import msgspec

from lanterne.errors import BadInput
from lanterne.ingest._encoding import bom_length, detect_encoding
from lanterne.ingest._records import CsvLayout, ReadLimits

DELIMITERS = ";,\t|"
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class RawRecord(msgspec.Struct):
    file: str
    line: int
    data: dict[str, Any]
    raw: str


class ReadProblem(msgspec.Struct):
    file: str
    line: int
    reason: str
    params: dict[str, str]
    raw: str
    record_key: str | None = None


Item = RawRecord | ReadProblem


KEPT_BYTES = 64 * 1024
"""What the quarantine keeps of a record over ``max_record_bytes``: its first 64 KiB."""


class RecordTooLarge(Exception):
    """A record grew past ``max_record_bytes``; what was read of it is cut to ``KEPT_BYTES``."""

    def __init__(self, cut: bool) -> None:
        super().__init__(cut)
        self.cut = cut
        """Whether one line was longer than that (its rest skipped), not the record's lines."""


def _too_large(name: str, line: int, limit: int, raw: str) -> ReadProblem:
    params = {"limit": str(limit), "kept": str(KEPT_BYTES)}
    return ReadProblem(name, line, "reason.too_large", params, raw[:KEPT_BYTES])


def _check_not_empty(path: Path) -> None:
    if not path.exists():
        from lanterne.errors import InputNotFound

        raise InputNotFound("input.not_found", path=path)
    if path.is_dir():
        raise BadInput("input.unreadable", path=path, reason="c'est un dossier")
    with path.open("rb") as f:
        head = f.read(4096)
    if not head[bom_length(head) :].strip():
        raise BadInput("input.empty", path=path)


# CSV ---------------------------------------------------------------------------------------


class CsvReader:
    """Reads a delimited text file; sniffs the delimiter and detects the encoding unless given.

    With ``parse=False`` the records it yields carry their raw text and an empty ``data``: the
    rows are still parsed here (to find where each record ends and check its width), and
    ``layout.parse_many(raws)`` gives the fields back where they are needed, in a map worker.
    """

    def __init__(
        self,
        path: Path,
        encoding: str | None = None,
        delimiter: str | None = None,
        parse: bool = True,
        limits: ReadLimits | None = None,
    ) -> None:
        _check_not_empty(path)
        self.path = path
        self.encoding = detect_encoding(path, encoding)
        limit = (limits or ReadLimits()).max_record_bytes
        self._lines = FileLines(path, self.encoding, limit)
        try:
            first = next(iter(self._lines), "")
        except RecordTooLarge:
            raise BadInput("input.no_header", path=path) from None
        self._lines.take()  # the header is not part of the first record's raw text
        self._lines.bad_lines = []  # nor are its undecodable bytes the first record's
        self.delimiter = delimiter if delimiter not in (None, "", "auto") else _sniff(first)
        try:
            header = next(csv.reader([first], delimiter=self.delimiter), [])
        except csv.Error as exc:  # e.g. a bare carriage return inside a column name
            self.close()
            raise BadInput("input.bad_header", path=path, detail=str(exc)) from None
        self.header = [h.strip() for h in header]
        if not any(self.header):
            self.close()
            raise BadInput("input.no_header", path=path)
        self.layout = CsvLayout(self.header, self.delimiter, self.encoding, limit)
        # UTF-16 text is cut into lines differently from ``layout.parse``: always parse it here.
        self.parse = parse or self._lines.wide

    def __iter__(self) -> Iterator[Item]:
        return csv_items(str(self.path), self.layout, self._lines, self.parse)

    def close(self) -> None:
        """Close the file before its end (a file refused on its header: a server must not keep
        a descriptor per refused import)."""
        self._lines._file.close()

    @property
    def splittable(self) -> bool:
        """Whether the rest of the file can be cut into blocks at ``\n`` bytes (``_blocks``).

        True for UTF-8 and one-byte encodings that write ``\n`` and ``"`` as ASCII does; a
        multi-byte encoding might hide those bytes inside other characters.
        """
        if self._lines.wide:
            return False
        if codecs.lookup(self.encoding).name == "utf-8":
            return True
        try:
            decoded = bytes(range(256)).decode(self.encoding)
        except UnicodeDecodeError:
            decoded = bytes(range(256)).decode(self.encoding, errors="replace")
        return len(decoded) == 256 and decoded[0x0A] == "\n" and decoded[0x22] == '"'

    def rest(self, size: int) -> tuple[int, Iterator[bytes]]:
        """The line number after the header, and the rest of the file in pieces of ``size``."""
        return self._lines.number + 1, self._lines.rest(size)


class LineSource(Protocol):
    """Lines handed to the CSV parser, remembering the text given since the last ``take()``."""

    number: int
    """Physical lines handed out so far, counting from the file's first line."""
    bad_lines: list[int]
    complete: bool
    """Whether these lines run to the end of the file (a block of it may stop short)."""

    def __iter__(self) -> Iterator[str]: ...

    def __next__(self) -> str: ...

    def take(self) -> str: ...

    def drain(self) -> Iterable[str]: ...

    def skip_quoted(self) -> bool: ...

    def at_end_without_newline(self) -> bool: ...


class OpenRecord(Exception):
    """The lines ran out inside a quoted field, before the end of the file (see ``_blocks``)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def csv_items(name: str, layout: CsvLayout, lines: LineSource, parse: bool) -> Iterator[Item]:
    """The records (or problems) of CSV ``lines``, each with the line it starts on.

    With ``parse=False`` records keep their raw text only (``data`` empty). When ``lines`` stop
    before the end of the file inside a quoted field, ``OpenRecord`` names the line that record
    started on; at the end of the file that record is a truncation.
    """
    header, delimiter = layout.header, layout.delimiter
    width = len(header)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    start = lines.number + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except RecordTooLarge as too_large:
            # It spoils this record only. Over many lines, the rest of it is skipped to where its
            # quotes close; the parser starts afresh on the line after.
            if not too_large.cut and not lines.skip_quoted() and not lines.complete:
                raise OpenRecord(start) from None
            lines.bad_lines = []
            yield _too_large(name, start, layout.max_record_bytes, lines.take())
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            start = lines.number + 1
            continue
        except csv.Error as exc:
            if "end of data" in str(exc):  # a quoted field still open where the lines end
                if not lines.complete:
                    raise OpenRecord(start) from None
                raw = lines.take()
                try:
                    rest = "".join(lines.drain())
                except RecordTooLarge:
                    yield _too_large(name, start, layout.max_record_bytes, raw + lines.take())
                    return
                params = {"detail": str(exc)}
                yield ReadProblem(name, start, "reason.truncated", params, raw + rest)
                return
            raw = lines.take()
            lines.bad_lines = []  # undecodable or not, the record is already set aside
            # A stray quote spoils this record only: the parser starts afresh on the next line.
            yield ReadProblem(name, start, "reason.bad_row", {"detail": str(exc)}, raw)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            start = lines.number + 1
            continue
        raw = lines.take()
        line, start = start, lines.number + 1
        bad = lines.bad_lines
        if bad:
            lines.bad_lines = []  # they belong to this record only
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if bad:
            yield ReadProblem(
                name,
                line,
                "reason.undecodable",
                {"encoding": layout.encoding, "detail": f"ligne {bad[0]}"},
                raw,
            )
            continue
        if len(row) != width:
            yield ReadProblem(
                name,
                line,
                "reason.field_count",
                {
                    "found": str(len(row)),
                    "expected": str(width),
                    "delimiter": delimiter,
                    "hint": _delimiter_hint(raw, delimiter, width, lines.at_end_without_newline()),
                },
                raw,
            )
            continue
        if parse:
            yield RawRecord(name, line, dict(zip(header, row, strict=True)), raw)
        else:
            yield RawRecord(name, line, {}, raw)


def _sniff(header_line: str) -> str:
    """The delimiter of a header line: the candidate that splits it into the most columns."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _delimiter_hint(raw: str, delimiter: str, width: int, truncated: bool) -> str:
    if truncated:
        return " ; fin de fichier sans retour à la ligne : fichier tronqué ?"
    for other in DELIMITERS:
        if other != delimiter:
            try:
                row = next(csv.reader([raw], delimiter=other), [])
            except csv.Error:  # « \r\n » inside quotes is no field of an unquoted row
                continue
            if len(row) == width:
                return f" ; cette ligne semble séparée par « {other} »"
    return ""


class DecodedLines(ABC):
    """Lines decoded one by one, so a bad byte spoils one record, not the file.

    It remembers the text handed to the CSV parser since the last ``take()``, which becomes
    the raw value kept in quarantine. ``FileLines`` reads them from a file, ``_blocks`` from
    a block of one.
    """

    def __init__(self, encoding: str, number: int, complete: bool, limit: int) -> None:
        self._encoding = encoding
        self._buffer: list[str] = []
        self._size = 0
        """Bytes handed out since the last ``take()``."""
        self._quotes = 0
        """Quotes handed out since the last ``take()``."""
        self._skipping = False
        self._limit = limit
        self._last = b""
        self.bad_lines: list[int] = []
        self.number = number
        """Physical lines handed out so far, counting from the file's first line."""
        self.complete = complete

    def __iter__(self) -> Iterator[str]:
        return self

    @abstractmethod
    def __next__(self) -> str:
        """The next physical line (each kind of source cuts its own)."""

    def hand_out(self, data: bytes, cut: bool = False) -> str:
        """One more physical line: decoded, remembered, counted.

        ``RecordTooLarge`` when the record grows past the limit, or the line was ``cut`` (only
        its start is given: it is longer than the limit). What is kept of the record is then
        its first ``limit`` + 1 bytes at most, wherever its lines came from.
        """
        self.number += 1
        self._last = data
        # A line too long, as ``FileLines`` finds it reading ``limit`` + 1 bytes at most: no
        # line break in them. Its quotes are not all known: when skipping, the skip ends there.
        limit = self._limit
        cut = cut or len(data) > limit + 1 or (len(data) == limit + 1 and data[-1:] != b"\n")
        if self._skipping:
            self._quotes = 0 if cut else self._quotes + self.quotes(data)
            return ""
        self._quotes += self.quotes(data)
        before = self._size
        self._size += len(data)
        if cut or self._size > limit:
            kept = data[: max(0, self._limit + 1 - before)][:KEPT_BYTES]
            self._buffer.append(kept.decode(self._encoding, errors="replace"))
            raise RecordTooLarge(cut)
        try:
            text = data.decode(self._encoding)
        except UnicodeDecodeError:
            text = data.decode(self._encoding, errors="replace")
            self.bad_lines.append(self.number)
        self._buffer.append(text)
        return text

    def quotes(self, data: bytes) -> int:
        """The quotes in the bytes of one line."""
        return data.count(b'"')

    def take(self) -> str:
        text = "".join(self._buffer)
        self._buffer.clear()
        self._size = self._quotes = 0
        return text

    def skip_quoted(self) -> bool:
        """Skip lines, kept nowhere, until the quotes since ``take()`` are even at a line's end;
        ``False`` when the lines run out first."""
        self._skipping = True
        try:
            return self._quotes % 2 == 0 or any(self._quotes % 2 == 0 for _ in self)
        finally:
            self._skipping = False

    def drain(self) -> Iterable[str]:
        yield from self
        yield self.take()


class FileLines(DecodedLines):
    """The physical lines of a file."""

    def __init__(self, path: Path, encoding: str, limit: int) -> None:
        super().__init__(encoding, 0, True, limit)
        self._file = path.open("rb")
        self._first = True
        self.wide = codecs.lookup(encoding).name.startswith("utf-16")
        self._wide = b""
        self._at = 0
        self._newline = b"\n"
        if self.wide:
            # UTF-16 is read whole (its "\n" is two bytes, at an even offset) and then cut and
            # decoded line by line, as other encodings are: a truncated or lone code unit spoils
            # its record only. The byte order is the BOM's (little-endian without one).
            with self._file:
                self._wide = self._file.read()
            big = self._wide.startswith(codecs.BOM_UTF16_BE) or (
                codecs.lookup(encoding).name == "utf-16-be"
            )
            if self._wide.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                self._at = 2
            self._encoding = "utf-16-be" if big else "utf-16-le"
            self._newline = b"\x00\n" if big else b"\n\x00"

    def _wide_line(self) -> bytes:
        """The next line of UTF-16 bytes, up to and with its two-byte "\n"."""
        data, start = self._wide, self._at
        end = data.find(self._newline, start)
        while end != -1 and (end - start) % 2:
            end = data.find(self._newline, end + 1)
        self._at = len(data) if end == -1 else end + 2
        return data[start : self._at]

    def quotes(self, data: bytes) -> int:
        if self.wide:
            return data.decode(self._encoding, errors="replace").count('"')
        return data.count(b'"')

    def __next__(self) -> str:
        if self.wide:
            line = self._wide_line()
            if not line:
                raise StopIteration
            if len(line) > self._limit + 1:
                # Longer than any record may be: only its start is kept.
                return self.hand_out(line[:KEPT_BYTES], cut=True)
            return self.hand_out(line)
        data = b"" if self._file.closed else self._file.readline(self._limit + 1)
        if not data:
            self._file.close()
            raise StopIteration
        if self._first:
            data = data[bom_length(data) :]
            self._first = False
        if len(data) > self._limit and not data.endswith(b"\n"):
            # Longer than any record may be: skip the rest of the line, never held whole.
            while (more := self._file.readline(1 << 20)) and not more.endswith(b"\n"):
                pass
            return self.hand_out(data[:KEPT_BYTES], cut=True)
        return self.hand_out(data)

    def at_end_without_newline(self) -> bool:
        if self.wide:
            return not self._last.endswith(self._newline) and self._at >= len(self._wide)
        # (a file the lines have run out of is closed: it is at its end)
        ended = self._file.closed or not self._file.peek(1)
        return not self._last.endswith(b"\n") and ended

    def rest(self, size: int) -> Iterator[bytes]:
        """The bytes not handed out yet, in pieces of ``size``; closes the file at the end."""
        if self.wide:
            rest, self._at = self._wide[self._at :], len(self._wide)
            for start in range(0, len(rest), size):
                yield rest[start : start + size]
            return
        with self._file:
            while piece := self._file.read(size):
                yield piece
