"""Lanterne: francophone cultural works findable, recommended with diversity, exposure audited."""

__version__ = "0.1.0"

__all__ = ["__version__"]
