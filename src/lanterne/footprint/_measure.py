"""What one command, request or batch job used: CPU time, wall time, peak memory, bytes moved.

Read from the operating system, never sampled: ``resource.getrusage`` (the process's CPU time
and that of the children it waited for, peak resident memory), ``/proc/self/io``
(bytes through ``read``/``write``, where Linux has it). No power counter is read: none is on the
machines Lanterne targets (no RAPL on a VM), so energy is a model of these figures
(``lanterne.footprint._model``).
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import msgspec

_IO = Path("/proc/self/io")
# ru_maxrss is in kibibytes on Linux, in bytes on macOS.
_MAXRSS_UNIT = 1 if sys.platform == "darwin" else 1024


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    """The resources one measured piece of work used."""

    cpu_seconds: float
    """CPU time (user + system) of the process, every thread included."""
    children_cpu_seconds: float
    """CPU time of the child processes it started and waited for (ingest's workers)."""
    wall_seconds: float
    peak_memory_bytes: int
    """The process's peak resident memory plus its largest child's (a lower bound when several
    children ran at once). The operating system keeps one peak per process, since its start: for
    a request in a server it is the server's peak, held while the request ran."""
    read_bytes: int | None = None
    """Bytes the process read through ``read`` calls (page cache included); ``None`` where the
    system does not say (no ``/proc/self/io``)."""
    written_bytes: int | None = None

    @property
    def core_seconds(self) -> float:
        return self.cpu_seconds + self.children_cpu_seconds


@dataclass(frozen=True)
class _Reading:
    wall: float
    cpu: float
    children_cpu: float
    read: int | None
    written: int | None

    @classmethod
    def now(cls) -> _Reading:
        # getrusage, not os.times: microseconds, where os.times counts clock ticks (10 ms),
        # longer than a whole search request.
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        read, written = _io()
        return cls(
            time.perf_counter(),
            own.ru_utime + own.ru_stime,
            children.ru_utime + children.ru_stime,
            read,
            written,
        )


def _io() -> tuple[int | None, int | None]:
    try:
        text = _IO.read_text("ascii")
    except OSError:
        return None, None
    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    try:
        return int(fields["rchar"]), int(fields["wchar"])
    except (KeyError, ValueError):
        return None, None


def peak_memory_bytes() -> int:
    """The process's peak resident memory plus its largest waited-for child's."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return int((own + children) * _MAXRSS_UNIT)


def _spent(before: int | None, after: int | None) -> int | None:
    return None if before is None or after is None else max(0, after - before)


class Meter:
    """Measures from its creation: ``usage()`` is what was used since (callable many times)."""

    def __init__(self) -> None:
        self._start = _Reading.now()

    def usage(self) -> Usage:
        end = _Reading.now()
        start = self._start
        return Usage(
            cpu_seconds=max(0.0, end.cpu - start.cpu),
            children_cpu_seconds=max(0.0, end.children_cpu - start.children_cpu),
            wall_seconds=max(0.0, end.wall - start.wall),
            peak_memory_bytes=peak_memory_bytes(),
            read_bytes=_spent(start.read, end.read),
            written_bytes=_spent(start.written, end.written),
        )


_current: ContextVar[Meter | None] = ContextVar("lanterne_footprint_meter", default=None)


def current() -> Meter | None:
    """The meter of the innermost ``measure()`` running in this context, if any."""
    return _current.get()


@contextmanager
def measure() -> Iterator[Meter]:
    """Measure the block; ``current()`` gives its meter inside it (to put the footprint in the
    JSON a command prints before it ends)."""
    meter = Meter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)
