"""The catalogue: the single source of truth, with its change log, quarantine and ingest runs."""

from pathlib import Path

from lanterne.catalogue._diff import field_diff
from lanterne.catalogue._interface import (
    BatchOutcome,
    Catalogue,
    Change,
    ImageHash,
    QuarantineEntry,
    RunInfo,
    StateFilter,
    StoredWork,
    WorkState,
)
from lanterne.catalogue._sqlite import SqliteCatalogue
from lanterne.catalogue._stats import CatalogueStats


def open_catalogue(location: str | Path) -> Catalogue:
    """Open the catalogue at ``location`` (a SQLite file; server URLs come with that backend)."""
    return SqliteCatalogue(location)


__all__ = [
    "BatchOutcome",
    "Catalogue",
    "CatalogueStats",
    "Change",
    "ImageHash",
    "QuarantineEntry",
    "RunInfo",
    "SqliteCatalogue",
    "StateFilter",
    "StoredWork",
    "WorkState",
    "field_diff",
    "open_catalogue",
]
