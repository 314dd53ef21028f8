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
from lanterne.ingest._readers import Item, RawRecord, ReadProblem
from lanterne.ingest._transform import Outcome, transform_record
from lanterne.profile import PROFILE_VERSION, work_id

# (kind, item, unresolved @id links): one item read from a source, as the pipeline opens it.
Opened = tuple[str, Item, list[tuple[str, str]]]


_WORKER_MAPPER: Mapper | None = None
CHUNK = 1000


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
    if not sys.platform.startswith("linux"):
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


_PR_SET_PDEATHSIG = 1


_ToMap = tuple[str, dict[str, Any], str | None]


def _map_all(mapper: Mapper, chunk: list[_ToMap]) -> list[Outcome]:
    return [transform_record(mapper, kind, data, sid) for kind, data, sid in chunk]


def _map_chunk(chunk: list[_ToMap]) -> list[Outcome]:
    """In a worker: map with the mapper inherited from the forking process."""
    assert _WORKER_MAPPER is not None
    return _map_all(_WORKER_MAPPER, chunk)


Lookup = Callable[[Sequence[str]], dict[str, bytes]]
# What to do with one item of a chunk: nothing (a read problem), skip it (unchanged since the
# last import), or map it; the raw record's digest goes along.
_Plan = tuple[str, str | None, bytes]


def _plan(
    mapper: Mapper, chunk: list[Opened], lookup: Lookup | None, stamp: bytes
) -> list[_Plan | None]:
    plans: list[_Plan | None] = []
    ids: list[str | None] = []
    source = mapper.profile.source
    for _, item, _ in chunk:
        if isinstance(item, ReadProblem):
            plans.append(None)
            ids.append(None)
            continue
        try:
            source_id: str | None = mapper.source_id(item.data)
        except RecordProblem:
            source_id = None  # the mapping reports it
        raw = hashlib.blake2b(item.raw.encode(), digest_size=16, key=stamp).digest()
        plans.append(("map", source_id, raw))
        ids.append(None if source_id is None else work_id(source, source_id))
    known = [i for i in ids if i is not None]
    stored = lookup(known) if lookup is not None and known else {}
    if stored:
        for i, (plan, wid) in enumerate(zip(plans, ids, strict=True)):
            if plan is not None and wid is not None and stored.get(wid) == plan[2]:
                plans[i] = ("unchanged", plan[1], plan[2])
    return plans


def outcomes(
    mapper: Mapper,
    opened: Iterator[Opened],
    workers: int,
    lookup: Lookup | None,
    stamp: bytes,
) -> Iterator[tuple[Opened, Outcome | None]]:
    """Each item with its outcome, in input order.

    Records whose raw text and mapping are those of the stored work are not mapped again; the
    others are mapped here (``workers`` = 0) or in ``workers`` forked processes.
    """
    global _WORKER_MAPPER
    pool: ProcessPoolExecutor | None = None
    if workers > 0:
        _WORKER_MAPPER = mapper
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )
    pending: deque[tuple[list[Opened], list[_Plan | None], Future[list[Outcome]]]] = deque()
    try:
        while True:
            chunk = list(islice(opened, CHUNK))
            if chunk:
                plans = _plan(mapper, chunk, lookup, stamp)
                records: list[_ToMap] = [
                    (kind, item.data, plan[1])
                    for (kind, item, _), plan in zip(chunk, plans, strict=True)
                    if plan is not None and plan[0] == "map" and isinstance(item, RawRecord)
                ]
                if pool is None:
                    future: Future[list[Outcome]] = Future()
                    future.set_result(
                        [transform_record(mapper, k, d, sid) for k, d, sid in records]
                    )
                else:
                    future = pool.submit(_map_chunk, records)
                pending.append((chunk, plans, future))
            while pending and (len(pending) > 2 * workers or not chunk):
                items, plans, done = pending.popleft()
                results = iter(done.result())
                for item, plan in zip(items, plans, strict=True):
                    if plan is None:
                        yield item, None
                    elif plan[0] == "unchanged":
                        yield item, ("unchanged", plan[1], ())
                    else:
                        status, source_id, payload = next(results)
                        if status == "ok":
                            payload = (*payload, plan[2])
                        yield item, (status, source_id, payload)
            if not chunk and not pending:
                return
    except BaseException:
        for _, _, waiting in pending:
            waiting.cancel()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        _WORKER_MAPPER = None


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
