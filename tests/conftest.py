"""Shared test settings."""

from hypothesis import settings

# Property tests assert behaviour, never speed: a busy CI machine must not fail them on time.
settings.register_profile("lanterne", deadline=None)
settings.load_profile("lanterne")
