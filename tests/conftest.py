"""Shared test settings."""

from hypothesis import settings

# Property tests assert behaviour, never speed: a busy CI machine must not fail them on time.
settings.register_profile("lanterne", deadline=None)
settings.load_profile("lanterne")


def pytest_report_header() -> str:
    import lanterne.catalogue
    import lanterne.ingest  # noqa: F401  (loads the modules the compiled build may replace)
    from lanterne._accel import compiled_modules

    found = compiled_modules()
    return f"lanterne: {len(found)} compiled modules" if found else "lanterne: plain Python"
