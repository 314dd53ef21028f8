"""The benchmarks' energy helper (benchmarks/_energy.py): per-1,000 arithmetic on a fixed usage,
blocks added up, and the figures a child process sends back."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from lanterne.footprint import Usage, grids

ROOT = Path(__file__).resolve().parents[1]


def _helper():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("_energy", ROOT / "benchmarks" / "_energy.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_energy"] = module  # msgspec resolves the Struct's annotations through it
    spec.loader.exec_module(module)
    return module


energy = _helper()

GIB = 1024**3
# 2 s of CPU in the process and 0.5 s in its children, 0.5 GiB held for 4 s, 500 operations:
#   CPU     2.5 core-s × 4 W              = 10 J
#   memory  0.5 GiB × 0.375 W × 4 s       =  0.75 J
#   total   10.75 J / 3600                = 0.0029861 Wh for 500 operations
#   per 1,000: × 1000 / 500               = 0.0059722 Wh
#   CO₂e, France (56.039 g/kWh): 0.0059722 / 1000 × 56.039 = 0.00033468 g per 1,000
#   speed: 500 operations / 4 s           = 125 per second
USAGE = Usage(
    cpu_seconds=2.0, children_cpu_seconds=0.5, wall_seconds=4.0, peak_memory_bytes=GIB // 2
)


def test_per_thousand_of_a_fixed_usage() -> None:
    r = energy.rate(USAGE, 500, grids()["FR"])
    assert r.per_second == pytest.approx(125.0)
    assert r.wh_per_1000 == pytest.approx(10.75 / 3600 * 2, rel=1e-9)
    assert r.wh_per_1000 == pytest.approx(0.0059722, rel=1e-4)
    assert r.co2e_g_per_1000 == pytest.approx(0.00033468, rel=1e-4)
    assert r.cells("en") == ("0.006", "0.00033")
    assert r.cells("fr") == ("0,006", "0,00033")
    assert r.text("fr") == "≈ 0,006 Wh · ≈ 0,00033 g CO₂e pour 1 000 (estimation, réseau FR)"
    assert r.text("en") == "≈ 0.006 Wh · ≈ 0.00033 g CO₂e per 1,000 (estimate, FR grid)"
    assert r.bilingual().startswith("≈ 0,006 Wh")


def test_another_grid_scales_the_carbon_only() -> None:
    quebec = energy.rate(USAGE, 500, grids()["CA-QC"])
    # 0.0059722 Wh / 1000 × 3.937 g/kWh = 0.000023513 g per 1,000
    assert quebec.wh_per_1000 == pytest.approx(0.0059722, rel=1e-4)
    assert quebec.co2e_g_per_1000 == pytest.approx(0.000023513, rel=1e-3)


def test_no_operations_no_division() -> None:
    r = energy.rate(USAGE, 0, grids()["FR"])
    assert (r.wh_per_1000, r.co2e_g_per_1000) == (0.0, 0.0)
    nothing = Usage(cpu_seconds=0, children_cpu_seconds=0, wall_seconds=0, peak_memory_bytes=0)
    idle = energy.rate(nothing, 10, grids()["FR"])
    assert idle.per_second == 0.0


def test_blocks_add_up() -> None:
    other = Usage(
        cpu_seconds=1.0, children_cpu_seconds=0.0, wall_seconds=2.0, peak_memory_bytes=GIB
    )
    both = energy.total([USAGE, other])
    assert (both.cpu_seconds, both.children_cpu_seconds, both.wall_seconds) == (3.0, 0.5, 6.0)
    assert both.peak_memory_bytes == GIB  # the largest, not the sum
    # 3.5 × 4 = 14 J + 1 GiB × 0.375 W × 6 s = 2.25 J → 16.25 J = 0.0045139 Wh for 750
    r = energy.rate(both, 750, grids()["FR"])
    assert r.wh_per_1000 == pytest.approx(16.25 / 3600 / 750 * 1000)


def test_a_child_sends_its_rate_back_unchanged() -> None:
    r = energy.rate(USAGE, 500, grids()["BE"], "a child")
    again = energy.Rate.from_dict(r.to_dict())
    assert again == r
    assert r.to_dict()["wh_per_1000"] == pytest.approx(0.0059722, rel=1e-4)


def test_a_measured_block_counts_this_process_and_another() -> None:
    e = energy.Energy(3, processes=[os.getpid()], grid=grids()["FR"])
    with e:
        sum(i * i for i in range(200_000))
    with e:
        sum(i * i for i in range(200_000))
    r = e.rate()
    assert len(e.usages) == 2
    # This process is measured twice over (once as itself, once as the pid given): the CPU of
    # the pid side is what psutil reads, at least some of what getrusage reads.
    usage = r.footprint.usage
    assert usage.cpu_seconds > 0 and usage.children_cpu_seconds > 0
    assert r.operations == 3 and r.wh_per_1000 > 0
    assert "psutil" in r.measured
