"""Lanterne: make francophone cultural works findable, recommend them with diversity, audit exposure."""

__version__ = "0.1.0"

__all__ = ["__version__"]
