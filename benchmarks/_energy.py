"""Energy beside speed: what a timed block of a benchmark cost, per 1,000 of its operations.

One helper for every script of ``benchmarks/`` (issue 22, « Frugality »), built on
``lanterne.footprint``'s model and nothing else (docs/footprint.md: CPU seconds × 4 W per core +
peak memory × 0.375 W per GiB × wall seconds; CO₂e on the configured grid,
``LANTERNE_FOOTPRINT_GRID``, France by default)::

    with Energy(len(queries)) as energy:
        for q in queries:
            engine.search(q)
    rate = energy.rate()
    print(f"{rate.per_second:,.0f} queries/s, {rate.text('en')}")
    # 412 queries/s, ≈ 0.0097 Wh · ≈ 0.00054 g CO₂e per 1,000 (estimate, FR grid)

What is measured:

- by default this process and the children it waited for (``lanterne.footprint.Meter``:
  ``getrusage`` of the process and of its children, peak resident memory);
- with ``processes=[pid, …]``, other processes as well — a server started apart, PostgreSQL's
  backend — read with psutil: CPU time (user + system, and that of the children each one waited
  for) of each process and of its live descendants, and their resident memory at the end of the
  block (psutil gives no peak of another process over an interval). ``own=False`` leaves this
  process out (a server measured alone, without the load generator that drives it).

The same ``Energy`` can time several blocks (``with energy:`` in a loop, the operations set
once or added up): their usages are added (CPU and wall seconds summed, the largest peak
memory kept). A child process that measures its own work sends ``Rate.to_dict()`` in its JSON;
``Rate.from_dict`` gives it back with the same figures.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import msgspec

from lanterne.footprint import (
    Footprint,
    Grid,
    Meter,
    Usage,
    about,
    configured_grid,
    estimate,
    grids,
)

PER = 1000
"""Energy and carbon are given per this many operations."""

HEADER = ("Wh/1k", "gCO₂e/1k")
"""Column titles of the two figures in a benchmark's table (``Rate.cells``)."""

THIS_PROCESS = "this process and its waited-for children"


class Rate(msgspec.Struct, frozen=True, kw_only=True):
    """Speed, energy and carbon of ``operations`` done in one measured block (or several)."""

    operations: int
    footprint: Footprint
    measured: str = THIS_PROCESS
    """Which processes the CPU time and memory are those of."""

    @property
    def seconds(self) -> float:
        return self.footprint.usage.wall_seconds

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds if self.seconds > 0 else 0.0

    @property
    def wh_per_1000(self) -> float:
        return self.footprint.energy_wh * PER / self.operations if self.operations else 0.0

    @property
    def co2e_g_per_1000(self) -> float:
        return self.footprint.co2e_g * PER / self.operations if self.operations else 0.0

    def cells(self, lang: str = "en") -> tuple[str, str]:
        """Wh and g CO₂e per 1,000, two significant figures, for a table (``HEADER``)."""
        return about(self.wh_per_1000, lang), about(self.co2e_g_per_1000, lang)

    def text(self, lang: str = "en", unit: str = "") -> str:
        """« ≈ 0,52 Wh · ≈ 0,029 g CO₂e pour 1 000 (estimation, réseau FR) », ``unit`` (in
        ``lang``) after « 1 000 » when given."""
        wh, co2e = self.cells(lang)
        grid = self.footprint.grid.code
        of = f" {unit}" if unit else ""
        if lang == "en":
            return f"≈ {wh} Wh · ≈ {co2e} g CO₂e per 1,000{of} (estimate, {grid} grid)"
        return f"≈ {wh} Wh · ≈ {co2e} g CO₂e pour 1 000{of} (estimation, réseau {grid})"

    def bilingual(self) -> str:
        """French first, then English: « … pour 1 000 (…) / … per 1,000 (…) »."""
        return f"{self.text('fr')} / {self.text('en')}"

    def to_dict(self) -> dict[str, Any]:
        """The figures for a benchmark's JSON, with the usage they come from."""
        return {
            "operations": self.operations,
            "seconds": self.seconds,
            "per_second": self.per_second,
            "wh_per_1000": self.wh_per_1000,
            "co2e_g_per_1000": self.co2e_g_per_1000,
            "energy_wh": self.footprint.energy_wh,
            "co2e_g": self.footprint.co2e_g,
            "grid": self.footprint.grid.code,
            "estimate": True,
            "measured": self.measured,
            "usage": msgspec.to_builtins(self.footprint.usage),
        }

    @classmethod
    def from_dict(cls, figures: dict[str, Any]) -> Rate:
        """The rate ``to_dict`` wrote (in a child process), estimated again from its usage."""
        usage = msgspec.convert(figures["usage"], Usage)
        return rate(usage, figures["operations"], grids()[figures["grid"]], figures["measured"])


def rate(
    usage: Usage, operations: int, grid: Grid | None = None, measured: str = THIS_PROCESS
) -> Rate:
    """The rate of ``operations`` done with ``usage``, by ``lanterne.footprint.estimate``."""
    return Rate(
        operations=operations,
        footprint=estimate(usage, grid or configured_grid()),
        measured=measured,
    )


def total(usages: Iterable[Usage]) -> Usage:
    """Several blocks' usages as one: seconds and bytes added up, the largest peak memory."""
    every = list(usages)
    return Usage(
        cpu_seconds=sum(u.cpu_seconds for u in every),
        children_cpu_seconds=sum(u.children_cpu_seconds for u in every),
        wall_seconds=sum(u.wall_seconds for u in every),
        peak_memory_bytes=max((u.peak_memory_bytes for u in every), default=0),
        read_bytes=_sum_known(u.read_bytes for u in every),
        written_bytes=_sum_known(u.written_bytes for u in every),
    )


def _sum_known(values: Iterable[int | None]) -> int | None:
    known = list(values)
    return None if any(v is None for v in known) else sum(v for v in known if v is not None)


def _run_seconds(pid: int) -> float | None:
    """Seconds process ``pid`` has run on a CPU, to the nanosecond (Linux ``schedstat``), where
    psutil's ``cpu_times`` counts clock ticks (10 ms, more than a query)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def _processes_cpu(pids: Sequence[int]) -> tuple[dict[int, float], int]:
    """CPU seconds of each process of ``pids`` and of its live descendants (with those of the
    children each waited for), and their resident memory now (psutil; a process gone is left
    out)."""
    import psutil  # type: ignore[import-untyped]

    cpu: dict[int, float] = {}
    rss = 0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            family = [root, *root.children(recursive=True)]
        except psutil.Error:
            continue
        for process in family:
            try:
                t = process.cpu_times()
                ran = _run_seconds(process.pid)
                own = t.user + t.system if ran is None else ran
                cpu[process.pid] = own + t.children_user + t.children_system
                rss += process.memory_info().rss
            except psutil.Error:
                continue
    return cpu, rss


class Energy:
    """Times one block or several (``with energy:``) and gives their ``rate()``.

    Args:
        operations: what the blocks do, in all (also settable or addable afterwards).
        processes: other processes to measure with this one (their pids), read with psutil.
        own: whether this process (and its waited-for children) is measured.
        grid: the grid (default: ``configured_grid()``).
    """

    def __init__(
        self,
        operations: int = 0,
        *,
        processes: Sequence[int] = (),
        own: bool = True,
        grid: Grid | None = None,
    ) -> None:
        self.operations = operations
        self.processes = list(processes)
        self.own = own
        self.grid = grid
        self.usages: list[Usage] = []
        self._meter: Meter | None = None
        self._started = 0.0
        self._cpu: dict[int, float] = {}

    def __enter__(self) -> Energy:
        self._cpu = _processes_cpu(self.processes)[0] if self.processes else {}
        self._meter = Meter() if self.own else None
        self._started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        wall = time.perf_counter() - self._started
        mine = self._meter.usage() if self._meter else None
        others, rss = _processes_cpu(self.processes) if self.processes else ({}, 0)
        # A process born during the block counts from zero; one gone is counted by its parent
        # (children CPU time) when that parent is measured and waited for it.
        theirs = max(0.0, sum(others.values()) - sum(self._cpu.get(p, 0.0) for p in others))
        self.usages.append(
            Usage(
                cpu_seconds=mine.cpu_seconds if mine else 0.0,
                children_cpu_seconds=(mine.children_cpu_seconds if mine else 0.0) + theirs,
                wall_seconds=mine.wall_seconds if mine else wall,
                peak_memory_bytes=(mine.peak_memory_bytes if mine else 0) + rss,
                read_bytes=mine.read_bytes if mine else None,
                written_bytes=mine.written_bytes if mine else None,
            )
        )

    def measured(self) -> str:
        """Which processes the figures are those of, said plainly."""
        parts = [THIS_PROCESS] if self.own else []
        if self.processes:
            pids = ", ".join(str(p) for p in self.processes)
            parts.append(f"process {pids} and its descendants (psutil)")
        return " + ".join(parts)

    def rate(self) -> Rate:
        """Speed, Wh and g CO₂e per 1,000 of the blocks timed so far."""
        return rate(total(self.usages), self.operations, self.grid, self.measured())
