"""CSV files cut into blocks of whole lines, so that map workers read the records themselves.

The process that reads a file only cuts it: at a line break after which the block holds an
even number of ``"``, which in well-formed CSV ends a record. A map worker reads its block with
the same parser as ``CsvReader`` (``csv_items``), starting from a record's start. Quotes inside
unquoted fields (``12" vinyl``) can fool the cut; the worker then finds its last record still
open where the block ends (``OpenRecord``), and the reader joins that record's lines to the
following blocks and reads them again (``join_open``), at least doubling what it joins each time
so that a record over many blocks costs a bounded multiple of its size. The cut carries the
quote parity from piece to piece, so a quoted field over many lines is held until it closes
rather than cut at every block. Every block is thus read from a record's start, and
the records, problems and line numbers are exactly those of reading the file in one go (a
property test checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import msgspec

from lanterne.ingest._readers import (
    KEPT_BYTES,
    CsvReader,
    DecodedLines,
    Item,
    OpenRecord,
    csv_items,
)
from lanterne.ingest._records import CsvBlock

BLOCK_SIZE = 512 * 1024
"""Bytes per block: about a thousand records of the bundled catalogues."""
HOLD = 8
"""Blocks' worth of data held without a line break at even quote parity before cutting anyway."""


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
    """The records of ``reader`` (its header read) as blocks of about ``size`` bytes.

    Each byte is looked at once: the quote parity since the last cut is carried from piece to
    piece, and a cut is searched for in the new piece only. A quoted field over many lines is
    thus held, not scanned again with every piece; past ``HOLD`` blocks' worth without a cut
    (a stray quote makes the parity lie), the data is cut at its last line break anyway and
    the reader finds out where the record really ends.
    """
    size = size or BLOCK_SIZE
    name = str(reader.path)
    limit = reader.layout.max_record_bytes
    line, pieces = reader.rest(size)
    held: list[bytes] = []
    held_size = 0
    one_line = True
    """Whether the held bytes are (the start of) one line."""
    skipping = False
    """Whether the rest of a line too long for a record is being skipped."""
    odd = False
    """Whether the bytes since the last cut at even parity hold an odd number of quotes."""
    for piece in pieces:
        if skipping:
            newline = piece.find(b"\n")
            if newline < 0:
                continue
            piece, skipping = piece[newline + 1 :], False
        cut = _cut(piece, odd)
        if cut == 0:
            held.append(piece)
            held_size += len(piece)
            one_line = one_line and b"\n" not in piece
            odd ^= piece.count(b'"') % 2 == 1
            if one_line and held_size > limit:
                # Its start only, then on after its end, where the parser starts afresh.
                data = b"".join(held)[: min(KEPT_BYTES, limit + 1)]  # as ``CsvReader`` keeps
                yield CsvBlock(name, line, data, False, reader.layout, cut=True)
                line += 1
                held, held_size, one_line, odd, skipping = [], 0, True, False, True
                continue
            if held_size < HOLD * size or b"\n" not in piece:
                continue
            # The parity is left as it is: the next block starts where this one stopped.
            cut = piece.rfind(b"\n") + 1
            piece = held.pop()
            odd_end = True
        else:
            odd = piece.count(b'"', cut) % 2 == 1
            odd_end = False
        data = b"".join([*held, piece[:cut]])
        yield CsvBlock(name, line, data, False, reader.layout, odd_end=odd_end)
        line += data.count(b"\n")
        held = [piece[cut:]]
        held_size = len(held[0])
        one_line = b"\n" not in held[0]
    yield CsvBlock(name, line, b"".join(held), True, reader.layout)


def _cut(data: bytes, odd: bool) -> int:
    """Just after the last line break of ``data`` at an even count of quotes, or 0.

    ``odd`` says whether the bytes before ``data`` (since the last cut) hold an odd count. The
    search steps back from quote to quote: between two quotes the parity does not change.
    """
    end = len(data)
    even = not odd ^ (data.count(b'"') % 2 == 1)
    while True:
        quote = data.rfind(b'"', 0, end)
        if even:
            newline = data.rfind(b"\n", quote + 1, end)
            if newline >= 0:
                return newline + 1
        if quote < 0:
            return 0
        end, even = quote, not even


def read_block(block: CsvBlock, parse: bool = True) -> BlockRead:
    """The items of ``block``, read as ``CsvReader`` reads the file."""
    lines = _BlockLines(block)
    read = BlockRead([], [])
    try:
        for item in csv_items(block.file, block.layout, lines, parse):
            read.items.append(item)
            read.spans.append(lines.span)
    except OpenRecord as open_record:
        read.open_at = lines.mark
        read.open_line = open_record.line
    return read


def following_open(
    block: CsvBlock, open_at: int, next_block: Callable[[], CsvBlock]
) -> list[CsvBlock]:
    """The blocks to join to the record left open at ``open_at`` in ``block`` (``join_open``).

    Blocks cut at an odd count of quotes go with it (a long quoted field goes on through them),
    and at least as many bytes as the open record already holds: a record over many blocks is
    thus read again a bounded number of times in all (twice its size at most), not once per
    block it spans.
    """
    held = len(block.data) - open_at
    following = [next_block()]
    while (
        not following[-1].final
        and not following[-1].cut
        and (following[-1].odd_end or sum(len(f.data) for f in following) < held)
    ):
        following.append(next_block())
    return following


def join_open(block: CsvBlock, open_at: int, open_line: int, *following: CsvBlock) -> CsvBlock:
    """The block that starts with ``block``'s open record and goes on with ``following``.

    ``open_at`` and ``open_line`` say where that record starts (``BlockRead``).
    """
    assert not block.final and following and all(f.file == block.file for f in following)
    assert not any(f.cut for f in following[:-1])  # a cut line ends where it was cut
    data = b"".join([block.data[open_at:], *(f.data for f in following)])
    last = following[-1]
    return CsvBlock(
        block.file, open_line, data, last.final, block.layout, cut=last.cut, odd_end=last.odd_end
    )


class _BlockLines(DecodedLines):
    """The lines of a block, decoded one by one as a file's are."""

    def __init__(self, block: CsvBlock) -> None:
        layout = block.layout
        super().__init__(
            layout.encoding, block.first_line - 1, block.final, layout.max_record_bytes
        )
        self._data = block.data
        self._cut = block.cut
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
        return self.hand_out(data[pos:end], cut=self._cut and end == len(data))

    def take(self) -> str:
        self.span = (self.mark, self._pos)
        self.mark = self._pos
        return super().take()

    def at_end_without_newline(self) -> bool:
        return self.complete and self._pos >= len(self._data) and not self._last.endswith(b"\n")
