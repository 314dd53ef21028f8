"""Lanterne: francophone cultural works findable, recommended with diversity, exposure audited."""

from lanterne import _accel

__version__ = "0.1.0"

# The compiled ingest hot path, when a build matching these sources exists (see ``_accel``).
_accel.enable()

__all__ = ["__version__"]
