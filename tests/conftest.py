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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """One PostgreSQL server for the session (tests/pg_server.py), or a skip saying why; under
    ``CI=true`` a server that cannot start fails the tests that need it instead."""
    import pg_server

    server, why = pg_server.start()
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL cannot run: " + why)
        pytest.skip(why)
    try:
        import psycopg

        from lanterne.catalogue import open_catalogue

        # The catalogue's schema once, in a template each test's database is copied from.
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {PG_TEMPLATE} TEMPLATE template0 ENCODING 'UTF8'")
        open_catalogue(server.url(PG_TEMPLATE)).close()
        yield server
    finally:
        server.stop()


def _template() -> str:
    import pg_server

    return pg_server.TEMPLATE


PG_TEMPLATE = _template()


@pytest.fixture
def postgres_url(postgres_server: object) -> Iterator[str]:
    """The URL of a new catalogue database (schema made, no works) of the session's server,
    dropped after the test."""
    import pg_server

    assert isinstance(postgres_server, pg_server.Server)
    with postgres_server.database(PG_TEMPLATE) as url:
        yield url


@pytest.fixture
def postgres_empty_url(postgres_server: object) -> Iterator[str]:
    """The URL of a new, empty database (no tables at all), dropped after the test."""
    import pg_server

    assert isinstance(postgres_server, pg_server.Server)
    with postgres_server.database() as url:
        yield url


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One Spark session (``local[2]``, loopback, with PostgreSQL's JDBC driver) for the
    session's batch tests, stopped after them; or a skip saying why (no pyspark, no Java, no
    driver), which under ``CI=true`` is a failure: ``make test`` installs them (``make spark``)."""
    import contextlib

    from lanterne.batch import jdbc_jar, spark_session
    from lanterne.errors import LanterneError

    stack = contextlib.ExitStack()
    try:
        # PostgreSQL's JDBC driver from the start (a session's jars are fixed when it starts).
        session = stack.enter_context(spark_session("local[2]", "lanterne tests", [jdbc_jar()]))
    except LanterneError as exc:
        why = "Spark cannot run here: " + exc.message("en")
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but " + why)
        pytest.skip(why)
    with stack:
        yield session
