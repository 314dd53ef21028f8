"""A footprint said to a person: one line at the end of a command, a ``Server-Timing`` header,
the settings' grid."""

from __future__ import annotations

import math

from lanterne.errors import BadSetting
from lanterne.footprint._measure import Meter
from lanterne.footprint._model import EnergyModel, Footprint, Grid, estimate, grids
from lanterne.messages import translate
from lanterne.report import number
from lanterne.settings import setting, text

_MOST_DIGITS = 12


def configured_grid(code: str | None = None) -> Grid:
    """The grid ``code`` names, else ``LANTERNE_FOOTPRINT_GRID``, else France; a code Lanterne
    has no figure for is a usage error listing those it has."""
    value = text("footprint_grid", code).strip().upper()
    known = grids()
    found = known.get(value)
    if found is None:
        raise BadSetting(
            "footprint.unknown_grid",
            name=setting("footprint_grid").env,
            value=value,
            known=", ".join(known),
        )
    return found


def footprint_of(
    meter: Meter, grid: Grid | None = None, model: EnergyModel | None = None
) -> Footprint:
    """The footprint of what ``meter`` has measured so far, on the configured grid."""
    return estimate(meter.usage(), grid or configured_grid(), model)


def about(x: float, lang: str) -> str:
    """``x`` to two significant figures in the language's signs, trailing zeros dropped:
    0.8 → « 0,8 », 0.04951 → « 0,05 », 1234.5 → « 1 234 »."""
    if x <= 0 or math.isnan(x):
        return "0"
    digits = min(_MOST_DIGITS, max(0, 1 - math.floor(math.log10(x))))
    shown = number(x, lang, digits)
    if digits:
        point = "," if lang != "en" else "."
        shown = shown.rstrip("0").rstrip(point)
    return shown


def line(footprint: Footprint, lang: str) -> str:
    """« ≈ 0,8 Wh · ≈ 0,05 g CO₂e, estimation, réseau FR »."""
    return translate(
        lang,
        "≈ {energy} Wh · ≈ {co2e} g CO₂e, estimation, réseau {grid}",
        energy=about(footprint.energy_wh, lang),
        co2e=about(footprint.co2e_g, lang),
        grid=footprint.grid.code,
    )


def server_timing(footprint: Footprint) -> str:
    """The ``Server-Timing`` header of a request (W3C Server Timing): CPU and wall time in
    milliseconds, the estimated energy and carbon as descriptions."""
    usage = footprint.usage
    return (
        f'cpu;dur={usage.core_seconds * 1000:.3f};desc="CPU", '
        f"total;dur={usage.wall_seconds * 1000:.3f}, "
        f'energy;desc="{about(footprint.energy_wh, "en")} Wh, estimate", '
        f'co2e;desc="{about(footprint.co2e_g, "en")} g CO2e, {footprint.grid.code} grid"'
    )


def cost_note(lang: str) -> str | None:
    """What the measured work running now has cost so far, with its method, for a report to
    state its own cost; ``None`` outside ``measure()`` (a report rendered by other code)."""
    from lanterne.footprint._measure import current

    meter = current()
    if meter is None:
        return None
    footprint = footprint_of(meter)
    grid = footprint.grid
    return translate(
        lang,
        "Coût de ce rapport : {line} (temps de calcul × {cpu} W par cœur, mémoire × {memory} W "
        "par Gio pendant la durée ; {intensity} g CO₂e par kWh, {source}, {year}).",
        line=line(footprint, lang),
        cpu=about(footprint.model.cpu_watts_per_core, lang),
        memory=number(footprint.model.memory_watts_per_gib, lang, 3),
        intensity=about(grid.g_co2e_per_kwh, lang),
        source=grid.source,
        year=grid.year,
    )
