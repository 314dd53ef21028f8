"""Map records in input order, in forked worker processes, skipping those unchanged since last time.

Worker processes are forked with the compiled mapper (and its joins) already in memory, so only
records and outcomes cross process boundaries. Outcomes come back in input order, so the
pipeline's duplicate detection and counts do not depend on scheduling.
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
from itertools import islice
from pathlib import Path
from typing import Any

from lanterne import __version__
from lanterne.ingest._mapper import Mapper, RecordProblem
from lanterne.ingest._profile import MappingProfile
from lanterne.ingest._readers import CsvLayout, Item, RawRecord
from lanterne.ingest._transform import Outcome, transform_record
from lanterne.profile import PROFILE_VERSION, work_id

# (kind, item, unresolved @id links): one item read from a source, as the pipeline opens it.
Opened = tuple[str, Item, list[tuple[str, str]]]


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


# A record to map: (kind, file, data, raw text). Records of kind ``csv`` travel as raw text
# only (``data`` is empty) and are parsed again where they are mapped, which is cheaper than
# sending their fields to another process.
_ToMap = tuple[str, str, dict[str, Any], str]


def map_records(stage: Stage, records: Sequence[_ToMap]) -> list[Outcome]:
    """The outcome of each record, in order; records unchanged since the last import are skipped.

    A record is skipped when the work stored under its id was made from the same raw text with
    the same mapping (``mapping_fingerprint``); the others are mapped, and the raw digest goes
    with the mapped work so that the next import can skip it.
    """
    mapper = stage.mapper
    source = mapper.profile.source
    parsed = _parse_csv(stage, records)
    keyed = hashlib.blake2b(digest_size=16, key=stage.stamp)
    rows: list[tuple[str, dict[str, Any], str | None, bytes, str | None]] = []
    for i, (kind, _, data, raw) in enumerate(records):
        if kind == "csv":
            data = parsed[i]
            kind = "record"
        try:
            source_id: str | None = mapper.source_id(data)
        except RecordProblem:
            source_id = None  # the mapping reports it
        hasher = keyed.copy()
        hasher.update(raw.encode())
        wid = None if source_id is None else work_id(source, source_id)
        rows.append((kind, data, source_id, hasher.digest(), wid))
    known = [row[4] for row in rows if row[4] is not None]
    stored = stage.lookup(known) if stage.lookup is not None and known else {}
    done: list[Outcome] = []
    for kind, data, source_id, digest, wid in rows:
        if stored and wid is not None and stored.get(wid) == digest:
            done.append(("unchanged", source_id, ()))
            continue
        status, found_id, payload = transform_record(mapper, kind, data, source_id)
        if status == "ok":
            payload = (*payload, digest)
        done.append((status, found_id, payload))
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


def _parse_csv(stage: Stage, records: Sequence[_ToMap]) -> dict[int, dict[str, Any]]:
    """The fields of the records sent as raw CSV text, by position, one parser per file."""
    by_file: dict[str, list[int]] = {}
    for i, (kind, file, _, _) in enumerate(records):
        if kind == "csv":
            by_file.setdefault(file, []).append(i)
    parsed: dict[int, dict[str, Any]] = {}
    for file, positions in by_file.items():
        rows = stage.layouts[file].parse_many([records[i][3] for i in positions])
        parsed.update(zip(positions, rows, strict=True))
    return parsed


# In a map worker: the stage inherited from the forking process, and the worker's own
# connection to the catalogue (a connection never crosses a fork).
_WORKER_STAGE: Stage | None = None
_WORKER_OPEN: Callable[[], Lookup] | None = None


def _worker_map(layouts: dict[str, CsvLayout], records: list[_ToMap]) -> list[Outcome]:
    stage = _WORKER_STAGE
    assert stage is not None
    if stage.lookup is None and _WORKER_OPEN is not None:
        stage.lookup = _WORKER_OPEN()
    stage.layouts.update(layouts)  # files opened after this worker was forked
    return map_records(stage, records)


def outcomes(
    stage: Stage,
    opened: Iterator[Opened],
    workers: int,
    open_lookup: Callable[[], Lookup] | None = None,
    ahead: int = 0,
) -> Iterator[tuple[Opened, Outcome | None]]:
    """Each item with its outcome, in input order.

    Records are mapped here (``workers`` = 0) or in ``workers`` forked processes, each of which
    looks stored digests up through its own connection from ``open_lookup`` (none: map all).
    About ``ahead`` records (the batch size) are kept in flight, and never fewer than
    ``AHEAD`` chunks per worker.
    """
    in_flight = max(AHEAD * workers, -(-ahead // CHUNK))
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
    pending: deque[tuple[list[Opened], Future[list[Outcome]]]] = deque()
    try:
        while True:
            chunk = list(islice(opened, CHUNK))
            if chunk:
                records: list[_ToMap] = [
                    (kind, item.file, item.data, item.raw)
                    for kind, item, _ in chunk
                    if isinstance(item, RawRecord)
                ]
                if pool is None:
                    future: Future[list[Outcome]] = Future()
                    future.set_result(map_records(stage, records))
                else:
                    files = {file for kind, file, _, _ in records if kind == "csv"}
                    layouts = {file: stage.layouts[file] for file in files}
                    future = pool.submit(_worker_map, layouts, records)
                pending.append((chunk, future))
            while pending and (len(pending) > in_flight or not chunk):
                items, done = pending.popleft()
                results = iter(done.result())
                for item in items:
                    yield item, (next(results) if isinstance(item[1], RawRecord) else None)
            if not chunk and not pending:
                return
    except BaseException:
        for _, waiting in pending:
            waiting.cancel()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        _WORKER_STAGE = None
        _WORKER_OPEN = None


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
