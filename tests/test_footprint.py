"""The footprint model: measured usage, the energy and carbon arithmetic on hand-checked
fixtures, the grids' figures against codecarbon's own data, and codecarbon's offline formulas
on the same CPU seconds (docs/footprint.md)."""

from __future__ import annotations

import json
import time
from importlib import resources
from pathlib import Path

import msgspec
import pytest

from lanterne.errors import BadSetting
from lanterne.footprint import (
    CPU_WATTS_PER_CORE,
    MEMORY_WATTS_PER_GIB,
    EnergyModel,
    Meter,
    Usage,
    about,
    configured_grid,
    current,
    estimate,
    grids,
    line,
    measure,
    server_timing,
)

GIB = 1024**3
FRANCOPHONE = ("FR", "CA-QC", "BE", "CH", "LU", "CA", "SN", "CI", "MA", "TN")


def _usage(**given: float) -> Usage:
    base = {
        "cpu_seconds": 2.0,
        "children_cpu_seconds": 0.5,
        "wall_seconds": 4.0,
        "peak_memory_bytes": GIB // 2,
    }
    return msgspec.convert({**base, **given}, Usage)


def test_energy_and_carbon_of_a_hand_checked_fixture() -> None:
    fp = estimate(_usage(), grids()["FR"])
    # CPU: (2.0 + 0.5) core-seconds × 4 W = 10 J
    # memory: 0.5 GiB × 0.375 W/GiB × 4.0 s = 0.75 J
    # energy: 10.75 J / 3600 = 0.00298611… Wh
    assert fp.energy_wh == pytest.approx(10.75 / 3600)
    # CO₂e: 0.00298611 Wh / 1000 × 56.039 g/kWh = 0.000167338… g
    assert fp.co2e_g == pytest.approx(0.00016734, rel=1e-4)
    assert fp.estimate is True
    assert "estimate" in fp.method and "4 W per core" in fp.method and "FR" in fp.method
    assert "2023" in fp.method


def test_a_grid_changes_only_the_carbon() -> None:
    # One hour of one busy core: 3600 s × 4 W = 4 Wh; nothing held in memory.
    hour = _usage(cpu_seconds=3600.0, children_cpu_seconds=0.0, peak_memory_bytes=0)
    quebec = estimate(hour, grids()["CA-QC"])
    senegal = estimate(hour, grids()["SN"])
    assert quebec.energy_wh == senegal.energy_wh == pytest.approx(4.0)
    # 4 Wh = 0.004 kWh: × 3.937 g/kWh = 0.015748 g in Québec, × 511.598 = 2.046392 g in Senegal
    assert quebec.co2e_g == pytest.approx(0.015748)
    assert senegal.co2e_g == pytest.approx(2.046392)


def test_memory_counts_for_as_long_as_it_is_held() -> None:
    # No CPU; 8 GiB for 3600 s: 8 × 0.375 W = 3 W for an hour = 3 Wh.
    held = _usage(cpu_seconds=0.0, children_cpu_seconds=0.0, wall_seconds=3600.0)
    held = msgspec.structs.replace(held, peak_memory_bytes=8 * GIB)
    assert estimate(held, grids()["FR"]).energy_wh == pytest.approx(3.0)
    # A model with other constants: 10 W per core, no memory term.
    busy = _usage(peak_memory_bytes=0)
    other = EnergyModel(cpu_watts_per_core=10.0, memory_watts_per_gib=0.0)
    assert estimate(busy, grids()["FR"], other).energy_wh == pytest.approx(25.0 / 3600)


def test_every_francophone_grid_has_a_figure_a_source_and_a_year() -> None:
    known = grids()
    for code in FRANCOPHONE:
        grid = known[code]
        assert grid.g_co2e_per_kwh > 0 and 2020 <= grid.year <= 2026
        assert grid.source and grid.name_fr and grid.name_en
    # Québec's grid is mostly hydro, Morocco's mostly coal and gas.
    assert known["CA-QC"].g_co2e_per_kwh < known["FR"].g_co2e_per_kwh < known["MA"].g_co2e_per_kwh


def test_the_grids_are_codecarbons_own_figures() -> None:
    from codecarbon.core.emissions import Emissions

    data = resources.files("codecarbon").joinpath("data", "private_infra")
    world = json.loads(data.joinpath("global_energy_mix.json").read_text("utf-8"))
    canada = json.loads(data.joinpath("2023", "canada_energy_mix.json").read_text("utf-8"))
    alpha3 = {"FR": "FRA", "CA": "CAN", "BE": "BEL", "CH": "CHE", "LU": "LUX", "SN": "SEN"}
    alpha3 |= {"CI": "CIV", "MA": "MAR", "TN": "TUN", "HT": "HTI"}
    provinces = {"CA-QC": "quebec", "CA-NB": "new brunswick"}
    assert set(grids()) == set(alpha3) | set(provinces)
    for code, iso in alpha3.items():
        row = world[iso]
        assert (grids()[code].g_co2e_per_kwh, grids()[code].year) == (
            row["carbon_intensity"],
            row["year"],
        ), code
    for code, province in provinces.items():
        rate = Emissions._region_energy_mix_to_emissions_rate(canada[province])
        assert grids()[code].g_co2e_per_kwh == pytest.approx(rate.kgs_per_kWh * 1000, abs=5e-4)


def test_codecarbon_turns_the_same_energy_into_the_same_carbon() -> None:
    from codecarbon.core.emissions import Emissions
    from codecarbon.core.units import Energy
    from codecarbon.external.geography import GeoMetadata
    from codecarbon.input import DataSource

    fp = estimate(_usage(cpu_seconds=900.0), grids()["FR"])
    kg = Emissions(DataSource()).get_private_infra_emissions(
        Energy.from_energy(kWh=fp.energy_wh / 1000), GeoMetadata(country_iso_code="FRA")
    )
    assert fp.co2e_g == pytest.approx(kg * 1000)


def test_codecarbon_counts_the_same_cpu_seconds_the_same_way(tmp_path: Path) -> None:
    """codecarbon's offline tracker, on a machine without RAPL and a processor its table does
    not know, gives each CPU ``threads × 4 W`` and, tracking a process, a power of
    ``TDP × (CPU seconds / interval) / threads``: 4 W per CPU second, our figure. Its memory
    term differs: 5 W per estimated memory slot of the process's memory, two slots at least
    (10 W however little is held), where this model counts 0.375 W per GiB held."""
    from codecarbon.core.cpu import DEFAULT_POWER_PER_CORE
    from codecarbon.core.util import count_cpus
    from codecarbon.external.hardware import CPU
    from codecarbon.external.ram import RAM

    assert CPU_WATTS_PER_CORE == DEFAULT_POWER_PER_CORE
    threads = count_cpus()
    peer = CPU.from_utils(
        str(tmp_path), "cpu_load", "unknown", threads * DEFAULT_POWER_PER_CORE, "process"
    )
    peer._get_power_from_cpu_load()  # its baseline
    meter = Meter()
    started = time.time()
    spin = time.process_time() + 0.5
    while time.process_time() < spin:
        pass
    watts = peer._get_power_from_cpu_load().W
    interval = time.time() - started
    ours = estimate(meter.usage(), grids()["FR"], EnergyModel(memory_watts_per_gib=0.0))
    assert watts * interval / 3600 == pytest.approx(ours.energy_wh, rel=0.1)
    ram = RAM(tracking_mode="process")
    assert ram._calculate_ram_power(0.05) == 10.0  # 50 MB held: 10 W by codecarbon
    assert 0.05 * MEMORY_WATTS_PER_GIB < 0.02  # and under 0.02 W here


def test_a_meter_measures_the_work_of_its_block() -> None:
    assert current() is None
    with measure() as meter:
        assert current() is meter
        spin = time.process_time() + 0.2
        while time.process_time() < spin:
            pass
        Path(__file__).read_bytes()
    assert current() is None
    used = meter.usage()
    assert used.cpu_seconds >= 0.2 and used.wall_seconds >= 0.2
    assert used.peak_memory_bytes > 1024 * 1024
    if Path("/proc/self/io").exists():
        assert used.read_bytes is not None and used.read_bytes >= Path(__file__).stat().st_size


@pytest.mark.parametrize(
    ("x", "fr", "en"),
    [
        (0.8, "0,8", "0.8"),
        (0.04951, "0,05", "0.05"),
        (0.000167338, "0,00017", "0.00017"),
        (12.34, "12", "12"),
        (1234.5, "1\u202f234", "1,234"),
        (0.0, "0", "0"),
    ],
)
def test_about_keeps_two_significant_figures(x: float, fr: str, en: str) -> None:
    assert (about(x, "fr"), about(x, "en")) == (fr, en)


def test_the_line_says_it_is_an_estimate_and_on_which_grid() -> None:
    fp = estimate(
        _usage(cpu_seconds=720.0, children_cpu_seconds=0.0, peak_memory_bytes=0), grids()["FR"]
    )
    # 720 s × 4 W = 2880 J = 0.8 Wh; 0.0008 kWh × 56.039 = 0.0448312 g
    assert line(fp, "fr") == "≈ 0,8 Wh · ≈ 0,045 g CO₂e, estimation, réseau FR"
    assert line(fp, "en") == "≈ 0.8 Wh · ≈ 0.045 g CO₂e, estimate, FR grid"
    timing = server_timing(fp)
    assert timing.startswith('cpu;dur=720000.000;desc="CPU", total;dur=4000.000')
    assert 'energy;desc="0.8 Wh, estimate"' in timing


def test_the_grid_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANTERNE_FOOTPRINT_GRID", raising=False)
    assert configured_grid().code == "FR"
    monkeypatch.setenv("LANTERNE_FOOTPRINT_GRID", "ca-qc")
    assert configured_grid().code == "CA-QC"
    assert configured_grid("SN").code == "SN"
    monkeypatch.setenv("LANTERNE_FOOTPRINT_GRID", "Atlantide")
    with pytest.raises(BadSetting) as refused:
        configured_grid()
    assert "LANTERNE_FOOTPRINT_GRID" in refused.value.message("fr")
    assert "CA-QC" in refused.value.message("en")
