"""The footprint of an operation: what it used (CPU and wall time, peak memory, bytes moved),
the energy that is estimated to have cost, and the CO₂e on a configured electricity grid.

A cross-cutting service: the command line measures every long command (``cli._footprint``),
the web API every request that does real work (``web._footprint``); reports say their own cost.
Every figure is labelled an estimate with its method (docs/footprint.md)::

    with measure() as meter:
        work()
    print(line(footprint_of(meter), "fr"))  # ≈ 0,8 Wh · ≈ 0,05 g CO₂e, estimation, réseau FR
"""

from lanterne.footprint._measure import Meter, Usage, current, measure, peak_memory_bytes
from lanterne.footprint._model import (
    CPU_WATTS_PER_CORE,
    MEMORY_WATTS_PER_GIB,
    EnergyModel,
    Footprint,
    Grid,
    estimate,
    grids,
)
from lanterne.footprint._show import (
    about,
    configured_grid,
    cost_note,
    footprint_of,
    line,
    server_timing,
)

__all__ = [
    "CPU_WATTS_PER_CORE",
    "MEMORY_WATTS_PER_GIB",
    "EnergyModel",
    "Footprint",
    "Grid",
    "Meter",
    "Usage",
    "about",
    "configured_grid",
    "cost_note",
    "current",
    "estimate",
    "footprint_of",
    "grids",
    "line",
    "measure",
    "peak_memory_bytes",
    "server_timing",
]
