"""From what a piece of work used to an estimate of its energy and its carbon.

The model (docs/footprint.md)::

    energy (J)   = CPU seconds (process + children) × CPU_WATTS_PER_CORE
                 + peak memory (GiB) × MEMORY_WATTS_PER_GIB × wall seconds
    energy (Wh)  = energy (J) / 3600
    CO₂e (g)     = energy (Wh) / 1000 × grid intensity (g CO₂e per kWh)

Only the work's own share counts: a core busy for one second, memory held while it ran; the
idle machine, the network and the screen are left out, so it is a floor, not a bill. It is always
an estimate: no power counter is read (there is none on the virtual machines Lanterne runs on).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import msgspec

from lanterne.footprint._measure import Usage

CPU_WATTS_PER_CORE = 4.0
"""Watts one busy core (hardware thread) draws: codecarbon 3.3.2's ``DEFAULT_POWER_PER_CORE``
(``codecarbon.core.cpu``), what it assumes per thread for a processor its table of TDPs does not
know — the virtual « Intel(R) Xeon(R) Processor » of these machines is one."""

MEMORY_WATTS_PER_GIB = 3.0 / 8.0
"""Watts per GiB of memory held: 3 W per 8 GB of DDR3 or DDR4 (Crucial's figure, the heuristic
codecarbon used before its version 3, cited in ``codecarbon.external.ram``)."""

GIB = 1024**3
SECONDS_PER_HOUR = 3600.0

METHOD = (
    "estimate, no power counter read: CPU seconds (process and children) × {cpu} W per core "
    "+ peak memory × {memory} W per GiB × wall seconds; CO₂e = energy × the {grid} grid's "
    "{intensity} g CO₂e/kWh ({year}, {source})"
)


class EnergyModel(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The power figures of the model (their sources: ``CPU_WATTS_PER_CORE``,
    ``MEMORY_WATTS_PER_GIB``)."""

    cpu_watts_per_core: float = CPU_WATTS_PER_CORE
    memory_watts_per_gib: float = MEMORY_WATTS_PER_GIB

    def joules(self, usage: Usage) -> float:
        cpu = usage.core_seconds * self.cpu_watts_per_core
        memory = usage.peak_memory_bytes / GIB * self.memory_watts_per_gib * usage.wall_seconds
        return cpu + memory


class Grid(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An electricity grid's carbon intensity, where it comes from and the year it describes."""

    code: str
    """ISO 3166-1 (``FR``) or ISO 3166-2 (``CA-QC``)."""
    name_fr: str
    name_en: str
    g_co2e_per_kwh: float
    year: int
    source: str


class Footprint(msgspec.Struct, frozen=True, kw_only=True):
    """What a piece of work used, and the energy and carbon it is estimated to have cost."""

    estimate: bool
    """Always true: the energy is modelled, not measured."""
    method: str
    energy_wh: float
    co2e_g: float
    usage: Usage
    grid: Grid
    model: EnergyModel


@cache
def grids() -> dict[str, Grid]:
    """Every grid Lanterne knows (``footprint/data/grids.toml``), by code."""
    text = resources.files("lanterne.footprint").joinpath("data", "grids.toml").read_text("utf-8")
    return {
        code: msgspec.convert({"code": code, **row}, Grid)
        for code, row in tomllib.loads(text).items()
    }


def estimate(usage: Usage, grid: Grid, model: EnergyModel | None = None) -> Footprint:
    """The footprint of ``usage`` on ``grid`` by ``model`` (the default constants)."""
    model = model or EnergyModel()
    wh = model.joules(usage) / SECONDS_PER_HOUR
    method = METHOD.format(
        cpu=f"{model.cpu_watts_per_core:g}",
        memory=f"{model.memory_watts_per_gib:g}",
        grid=grid.code,
        intensity=f"{grid.g_co2e_per_kwh:g}",
        year=grid.year,
        source=grid.source,
    )
    return Footprint(
        estimate=True,
        method=method,
        energy_wh=wh,
        co2e_g=wh / 1000.0 * grid.g_co2e_per_kwh,
        usage=usage,
        grid=grid,
        model=model,
    )
