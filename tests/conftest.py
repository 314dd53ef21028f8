"""Shared test settings."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests assert behaviour, never speed: a busy CI machine must not fail them on time.
settings.register_profile("lanterne", deadline=None)
settings.load_profile("lanterne")


# No test leaves an embedding daemon behind: those of tests/test_search_daemon.py are started
# and stopped by the tests themselves (the variable reaches the CLI's subprocesses too).
os.environ["LANTERNE_ENCODER_IDLE"] = "0"


def pytest_report_header() -> str:
    import lanterne.catalogue
    import lanterne.ingest  # noqa: F401  (loads the modules the compiled build may replace)
    from lanterne._accel import compiled_modules

    found = compiled_modules()
    return f"lanterne: {len(found)} compiled modules" if found else "lanterne: plain Python"


@pytest.fixture(scope="session")
def demo_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo catalogue, ingested, indexed and audited once for the web tests."""
    from web_helpers import build_demo

    return build_demo(tmp_path_factory.mktemp("demo-site"))
