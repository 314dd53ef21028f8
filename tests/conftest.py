"""Shared test settings."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests assert behaviour, never speed: a busy CI machine must not fail them on time.
settings.register_profile("lanterne", deadline=None)
settings.load_profile("lanterne")


# No test leaves an embedding daemon behind: those of tests/test_search_daemon.py are started
# and stopped by the tests themselves (the variable reaches the CLI's subprocesses too).
os.environ["LANTERNE_ENCODER_IDLE"] = "0"


@pytest.fixture(scope="session", autouse=True)
def _no_daemon_left_behind() -> Iterator[None]:
    """A test that runs the CLI in an environment of its own making (no LANTERNE_ENCODER_IDLE)
    would start this user's embedding daemon: one that was not running before the tests is
    stopped after them, and the run fails so that the test is found."""
    from lanterne.search import _daemon

    before = _daemon.is_running()
    yield
    if not before and _daemon.is_running():
        _daemon.stop()
        pytest.fail("a test left an embedding daemon running (LANTERNE_ENCODER_IDLE not set)")


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
