"""CSV files cut into blocks of whole lines, so that map workers read the records themselves.

The process that reads a file only cuts it: at a line break after which the block holds an
even number of ``"``, which in well-formed CSV ends a record. A map worker reads its block with
the same parser as ``CsvReader`` (``csv_items``), starting from a record's start. Quotes inside
unquoted fields (``12" vinyl``) can fool the cut; the worker then finds its last record still
open where the block ends (``OpenRecord``), and the reader joins that record's lines to the next
block and reads them again (``join_open``). Every block is thus read from a record's start, and
the records, problems and line numbers are exactly those of reading the file in one go (a
property test checks it).
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from lanterne.ingest._readers import (
    CsvLayout,
    CsvReader,
    DecodedLines,
    Item,
    OpenRecord,
    csv_items,
)

BLOCK_SIZE = 512 * 1024
"""Bytes per block: about a thousand records of the bundled catalogues."""


class CsvBlock(msgspec.Struct, frozen=True):
    """Whole lines of a CSV file, from the start of a record."""

    file: str
    first_line: int
    data: bytes
    final: bool
    """Whether the block runs to the end of the file."""
    layout: CsvLayout


class BlockRead(msgspec.Struct):
    """What a block holds: its items, each record's bytes, and where a record stayed open."""

    items: list[Item]
    spans: list[tuple[int, int]]
    """For each item, where its raw text lies in the block's data."""
    open_at: int | None = None
    """Where the record still open at the end of the block starts in its data (never final)."""
    open_line: int = 0


class BlockRecord:
    """A record read from a block, whose raw text is decoded only when asked for."""

    __slots__ = ("_data", "_encoding", "_span", "file", "line")

    def __init__(self, file: str, line: int, data: bytes, span: tuple[int, int], enc: str) -> None:
        self.file = file
        self.line = line
        self._data = data
        self._span = span
        self._encoding = enc

    @property
    def raw(self) -> str:
        start, end = self._span
        return self._data[start:end].decode(self._encoding)


def split_blocks(reader: CsvReader, size: int | None = None) -> Iterator[CsvBlock]:
    """The records of ``reader`` (its header read) as blocks of about ``size`` bytes."""
    name = str(reader.path)
    line, pieces = reader.rest(size or BLOCK_SIZE)
    carry = b""
    for piece in pieces:
        data = carry + piece
        cut = _cut(data)
        if cut == 0:
            carry = data  # no line break at even quote parity yet: read on
            continue
        carry = data[cut:]
        yield CsvBlock(name, line, data[:cut], False, reader.layout)
        line += data.count(b"\n", 0, cut)
    yield CsvBlock(name, line, carry, True, reader.layout)


def _cut(data: bytes) -> int:
    """Just after the last line break preceded by an even number of quotes.

    Without one (a stray quote early in the data), just after the last line break: the worker
    finds out whether a record is still open there. Without any line break, 0: read on.
    """
    last = end = data.rfind(b"\n")
    if end < 0:
        return 0
    quotes = data.count(b'"', 0, end)
    while quotes % 2:
        before = data.rfind(b"\n", 0, end)
        if before < 0:
            return last + 1
        quotes -= data.count(b'"', before, end)
        end = before
    return end + 1


def read_block(block: CsvBlock, parse: bool = True) -> BlockRead:
    """The items of ``block``, read as ``CsvReader`` reads the file."""
    lines = _BlockLines(block.data, block.first_line, block.layout.encoding, block.final)
    read = BlockRead([], [])
    try:
        for item in csv_items(block.file, block.layout, lines, parse):
            read.items.append(item)
            read.spans.append(lines.span)
    except OpenRecord as open_record:
        read.open_at = lines.mark
        read.open_line = open_record.line
    return read


def join_open(block: CsvBlock, open_at: int, open_line: int, following: CsvBlock) -> CsvBlock:
    """The block that starts with ``block``'s open record and goes on with ``following``.

    ``open_at`` and ``open_line`` say where that record starts (``BlockRead``).
    """
    assert not block.final and following.file == block.file
    data = block.data[open_at:] + following.data
    return CsvBlock(block.file, open_line, data, following.final, block.layout)


class _BlockLines(DecodedLines):
    """The lines of a block, decoded one by one as a file's are."""

    def __init__(self, data: bytes, first_line: int, encoding: str, final: bool) -> None:
        super().__init__(encoding, first_line - 1, final)
        self._data = data
        self._pos = 0
        self.mark = 0
        """Where the text not taken yet starts in the data."""
        self.span = (0, 0)
        """Where the text of the last ``take()`` lies in the data."""

    def __next__(self) -> str:
        data, pos = self._data, self._pos
        if pos >= len(data):
            raise StopIteration
        end = data.find(b"\n", pos) + 1 or len(data)
        self._pos = end
        return self.hand_out(data[pos:end])

    def take(self) -> str:
        self.span = (self.mark, self._pos)
        self.mark = self._pos
        return super().take()

    def at_end_without_newline(self) -> bool:
        return self.complete and self._pos >= len(self._data) and not self._last.endswith(b"\n")
