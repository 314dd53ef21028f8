"""Bounds on the work and memory a harness's input may cost, as multiples of its size.

Never the wall clock: the work is counted in Python function calls (``sys.setprofile``) and the
memory as tracemalloc's peak, both with generous factors, so a slow or busy machine never makes
a run fail while a quadratic or exponential path still does.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from lanterne.messages import LANGS, translations

CALLS_BASE = 50_000
"""Calls any input may cost (opening files, building a catalogue, a first query)."""
CALLS_PER_BYTE = 100
MEMORY_BASE = 16 * 1024 * 1024
MEMORY_PER_BYTE = 2_000


class OverBudget(AssertionError):
    """An input cost more than its bounds: a quadratic or exponential path, or a leak."""


class Work:
    """Function calls counted while a harness runs; raises as soon as the budget is spent."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.calls = 0

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" or event == "c_call":
            self.calls += 1
            if self.calls > self.limit:
                sys.setprofile(None)
                raise OverBudget(f"more than {self.limit} calls")


@contextmanager
def bounded(size: int, what: str) -> Iterator[Work]:
    """Run the block under call and memory budgets proportional to ``size`` bytes of input."""
    # The message catalogues are read once per process, whatever the input: a first error
    # message must not spend the budget that bounds the cost of the input itself.
    for lang in LANGS:
        translations(lang)
    work = Work(CALLS_BASE + CALLS_PER_BYTE * size)
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    previous = sys.getprofile()
    sys.setprofile(work)
    try:
        yield work
    finally:
        sys.setprofile(previous)
        peak = tracemalloc.get_traced_memory()[1] - base
        if started:
            tracemalloc.stop()
    limit = MEMORY_BASE + MEMORY_PER_BYTE * size
    if peak > limit:
        raise OverBudget(f"{what}: {peak} bytes at peak for {size} bytes of input (> {limit})")
