"""Map records in input order, in forked worker processes, skipping those unchanged since last time.

Worker processes are forked with the compiled mapper (and its joins) already in memory, so only
records (or blocks of CSV files, which the workers read themselves: ``_blocks``) and outcomes
cross process boundaries. Outcomes come back in input order, so the pipeline's duplicate
detection and counts do not depend on scheduling.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import msgspec

from lanterne import __version__
from lanterne.ingest._blocks import BlockRecord, following_open, join_open, read_block
from lanterne.ingest._mapper import Mapper, RecordProblem
from lanterne.ingest._mapping_profile import MappingProfile
from lanterne.ingest._readers import Item, RawRecord, ReadProblem
from lanterne.ingest._records import CsvBlock, CsvLayout, Encoded, Unchanged
from lanterne.ingest._transform import Outcome, transform_record
from lanterne.profile import PROFILE_VERSION, work_id

# (kind, item, unresolved @id links): one item read from a source, as the pipeline opens it.
Opened = tuple[str, Item | BlockRecord, list[tuple[str, str]]]


CHUNK = 1000
# Chunks sent ahead per worker, at least. While this process stores a batch, the workers map
# what was sent ahead: with less than a batch in flight they sat idle through every commit.
AHEAD = 3
Lookup = Callable[[Sequence[str]], dict[str, bytes]]


class Stage:
    """What mapping a record needs besides the record: the same in this process or a worker."""

    def __init__(
        self,
        mapper: Mapper,
        stamp: bytes,
        lookup: Lookup | None,
        layouts: dict[str, CsvLayout],
    ) -> None:
        self.mapper = mapper
        self.stamp = stamp
        self.lookup = lookup
        self.layouts = layouts
        """The layout of each CSV file whose records travel as raw text (kind ``csv``)."""


class ToMap(msgspec.Struct, gc=False):
    """A record to map. Records of kind ``csv`` travel as raw text only (``data`` is empty) and
    are parsed again where they are mapped, which is cheaper than sending their fields to
    another process."""

    kind: str
    file: str
    data: dict[str, Any]
    raw: str


class _Keyed(msgspec.Struct, gc=False):
    """A record to map with its id and digests, read before deciding whether to map it."""

    kind: str
    data: dict[str, Any]
    source_id: str | None
    digest: bytes
    """Digest of the raw text under the mapping's fingerprint (``Stage.stamp``)."""
    work_id: str | None


def map_records(stage: Stage, records: Sequence[ToMap]) -> list[Outcome]:
    """The outcome of each record, in order; records unchanged since the last import are skipped.

    A record is skipped when the work stored under its id was made from the same raw text with
    the same mapping (``mapping_fingerprint``); the others are mapped, and the raw digest goes
    with the mapped work so that the next import can skip it.
    """
    mapper = stage.mapper
    source = mapper.profile.source
    parsed = _parse_csv(stage, records)
    keyed = hashlib.blake2b(digest_size=16, key=stage.stamp)
    rows: list[_Keyed] = []
    for i, record in enumerate(records):
        kind, data = record.kind, record.data
        if kind == "csv":
            data = parsed[i]
            kind = "record"
        try:
            source_id: str | None = mapper.source_id(data)
        except RecordProblem:
            source_id = None  # the mapping reports it
        hasher = keyed.copy()
        hasher.update(record.raw.encode())
        wid = None if source_id is None else work_id(source, source_id)
        rows.append(_Keyed(kind, data, source_id, hasher.digest(), wid))
    known = [row.work_id for row in rows if row.work_id is not None]
    stored = stage.lookup(known) if stage.lookup is not None and known else {}
    done: list[Outcome] = []
    for row in rows:
        wid, source_id = row.work_id, row.source_id
        if stored and wid is not None and source_id is not None and stored.get(wid) == row.digest:
            done.append(Unchanged(source_id))
            continue
        outcome = transform_record(mapper, row.kind, row.data, source_id)
        if isinstance(outcome, Encoded):
            outcome.source_digest = row.digest
        done.append(outcome)
    return done


def _worker_start(parent: int) -> None:
    """Make a map worker die with the ingest that forked it, even when that one is SIGKILLed.

    Otherwise an orphaned worker waits on its queue forever, holding the catalogue open.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(1)
    gc.set_threshold(50_000, 20, 20)
    gc.freeze()  # what the worker inherited (mapper, tables) is never garbage: skip it
    if not sys.platform.startswith("linux"):
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


_PR_SET_PDEATHSIG = 1


def _parse_csv(stage: Stage, records: Sequence[ToMap]) -> dict[int, dict[str, Any]]:
    """The fields of the records sent as raw CSV text, by position, one parser per file."""
    by_file: dict[str, list[int]] = {}
    for i, record in enumerate(records):
        if record.kind == "csv":
            by_file.setdefault(record.file, []).append(i)
    parsed: dict[int, dict[str, Any]] = {}
    for file, positions in by_file.items():
        rows = stage.layouts[file].parse_many([records[i].raw for i in positions])
        parsed.update(zip(positions, rows, strict=True))
    return parsed


# In a map worker: the stage inherited from the forking process, and the worker's own
# connection to the catalogue (a connection never crosses a fork).
_WORKER_STAGE: Stage | None = None
_WORKER_OPEN: Callable[[], Lookup] | None = None


def _worker_map(layouts: dict[str, CsvLayout], records: list[ToMap]) -> list[Outcome]:
    stage = _WORKER_STAGE
    assert stage is not None
    if stage.lookup is None and _WORKER_OPEN is not None:
        stage.lookup = _WORKER_OPEN()
    stage.layouts.update(layouts)  # files opened after this worker was forked
    return map_records(stage, records)


Entry = Opened | CsvBlock
"""What the pipeline opens: one item, or a block of a CSV file that a worker reads itself."""


class RecordSpan(msgspec.Struct, gc=False):
    """Where a record read from a block lies: its line, and its raw text in the block's data."""

    line: int
    begin: int
    end: int


class BlockOutcome(msgspec.Struct):
    """A block read and mapped: each entry a problem or where a record lies."""

    entries: list[ReadProblem | RecordSpan]
    outcomes: list[Outcome]
    """The outcome of each record, in order."""
    open_at: int | None
    open_line: int


def map_block(stage: Stage, block: CsvBlock) -> BlockOutcome:
    """Read a block of a CSV file and map its records (``map_records``)."""
    read = read_block(block)
    records: list[ToMap] = []
    entries: list[ReadProblem | RecordSpan] = []
    for item, (begin, end) in zip(read.items, read.spans, strict=True):
        if isinstance(item, RawRecord):
            records.append(ToMap("record", item.file, item.data, item.raw))
            entries.append(RecordSpan(item.line, begin, end))
        else:
            entries.append(item)
    return BlockOutcome(entries, map_records(stage, records), read.open_at, read.open_line)


def _worker_map_block(block: CsvBlock) -> BlockOutcome:
    stage = _WORKER_STAGE
    assert stage is not None
    if stage.lookup is None and _WORKER_OPEN is not None:
        stage.lookup = _WORKER_OPEN()
    return map_block(stage, block)


class _Sent:
    """Work in flight: a chunk of items, or a block, with its future and its record count."""

    __slots__ = ("block", "future", "items", "records")

    def __init__(
        self, items: list[Opened], block: CsvBlock | None, future: Future[Any], records: int
    ) -> None:
        self.items = items
        self.block = block
        self.future = future
        self.records = records


def outcomes(
    stage: Stage,
    opened: Iterator[Entry],
    workers: int,
    open_lookup: Callable[[], Lookup] | None = None,
    ahead: int = 0,
) -> Iterator[tuple[Opened, Outcome | None]]:
    """Each item with its outcome, in input order.

    Records are mapped here (``workers`` = 0) or in ``workers`` forked processes, each of which
    looks stored digests up through its own connection from ``open_lookup`` (none: map all).
    Items travel in chunks of ``CHUNK``, blocks of CSV files one by one. About ``ahead``
    records (the batch size) are kept in flight, and never fewer than ``AHEAD`` chunks per
    worker.
    """
    global _WORKER_STAGE, _WORKER_OPEN
    pool: ProcessPoolExecutor | None = None
    if workers > 0:
        _WORKER_STAGE = Stage(stage.mapper, stage.stamp, None, {})
        _WORKER_OPEN = open_lookup
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )
    flow = _Flow(stage, pool, opened)
    try:
        # Mapped here, a chunk's outcomes are ready at once: nothing to keep in flight.
        yield from flow.run(ahead if pool is not None else 0, AHEAD * workers)
    except BaseException:
        for sent in flow.pending:
            sent.future.cancel()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        _WORKER_STAGE = None
        _WORKER_OPEN = None


class _Flow:
    """Sends the opened entries to the workers and gives their outcomes back in order."""

    def __init__(self, stage: Stage, pool: ProcessPoolExecutor | None, opened: Iterator[Entry]):
        self.stage = stage
        self.pool = pool
        self.opened = opened
        self.pending: deque[_Sent] = deque()
        self.records = 0
        """Records in flight."""

    def run(self, ahead: int, chunks: int) -> Iterator[tuple[Opened, Outcome | None]]:
        buffer: list[Opened] = []
        for entry in self.opened:
            if isinstance(entry, CsvBlock):
                if buffer:
                    self._send_items(buffer)
                    buffer = []
                self._send_block(entry)
            else:
                buffer.append(entry)
                if len(buffer) >= CHUNK:
                    self._send_items(buffer)
                    buffer = []
            while self.pending and self.records > ahead and len(self.pending) > chunks:
                yield from self._receive()
        if buffer:
            self._send_items(buffer)
        while self.pending:
            yield from self._receive()

    def _send_items(self, items: list[Opened]) -> None:
        records: list[ToMap] = [
            ToMap(kind, item.file, item.data, item.raw)
            for kind, item, _ in items
            if isinstance(item, RawRecord)
        ]
        if self.pool is None:
            future: Future[Any] = Future()
            future.set_result(map_records(self.stage, records))
        else:
            files = {record.file for record in records if record.kind == "csv"}
            layouts = {file: self.stage.layouts[file] for file in files}
            future = self.pool.submit(_worker_map, layouts, records)
        self.pending.append(_Sent(items, None, future, len(records)))
        self.records += len(records)

    def _send_block(self, block: CsvBlock) -> None:
        if self.pool is None:
            future: Future[Any] = Future()
            future.set_result(map_block(self.stage, block))
        else:
            future = self.pool.submit(_worker_map_block, block)
        records = block.data.count(b"\n")  # about as many records as lines
        self.pending.append(_Sent([], block, future, records))
        self.records += records

    def _receive(self) -> Iterator[tuple[Opened, Outcome | None]]:
        sent = self.pending.popleft()
        self.records -= sent.records
        if sent.block is None:
            results = iter(sent.future.result())
            for item in sent.items:
                yield item, (next(results) if isinstance(item[1], RawRecord) else None)
            return
        block, done = sent.block, sent.future.result()
        yield from _expand(block, done)
        while done.open_at is not None:
            # The cut fell inside a record: read it again, with what follows, from its start
            # (here; it is rare). The following blocks' own outcomes started mid-record:
            # dropped.
            following = following_open(block, done.open_at, partial(self._next_block, block))
            block = join_open(block, done.open_at, done.open_line, *following)
            done = map_block(self.stage, block)
            yield from _expand(block, done)

    def _next_block(self, block: CsvBlock) -> CsvBlock:
        if self.pending:
            sent = self.pending.popleft()
            self.records -= sent.records
            sent.future.cancel()
            following = sent.block
        else:
            entry = next(self.opened)
            following = entry if isinstance(entry, CsvBlock) else None
        # A file's blocks are opened one after the other, and only its last is final.
        assert following is not None and following.file == block.file
        return following


def _expand(block: CsvBlock, done: BlockOutcome) -> Iterator[tuple[Opened, Outcome | None]]:
    results = iter(done.outcomes)
    encoding = block.layout.encoding
    for entry in done.entries:
        if isinstance(entry, ReadProblem):
            yield ("record", entry, []), None
        else:
            span = (entry.begin, entry.end)
            record = BlockRecord(block.file, entry.line, block.data, span, encoding)
            yield ("csv", record, []), next(results)


def mapping_fingerprint(profile: MappingProfile, base: Path) -> bytes:
    """What a stored work's mapping depended on besides its own raw record.

    A re-import skips a record only when this and the raw text are unchanged: same Lanterne
    version, same profile text, same join and context files.
    """
    digest = hashlib.blake2b(digest_size=32)
    for part in (__version__, PROFILE_VERSION, profile.text):
        digest.update(part.encode())
        digest.update(b"\0")
    others = [j.file for j in profile.join] + [j.lookup.file for j in profile.join if j.lookup]
    for name in [*others, *profile.reader.context_files]:
        path = base / name
        if path.is_file():
            with path.open("rb") as f:
                digest.update(hashlib.file_digest(f, "blake2b").digest())
    return digest.digest()
