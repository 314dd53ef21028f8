"""The catalogue: the single source of truth, with its change log, quarantine and ingest runs."""

from pathlib import Path

import msgspec

from lanterne._location import beside, display_name, is_server, without_password
from lanterne.catalogue._diff import field_diff
from lanterne.catalogue._interface import (
    BatchOutcome,
    Catalogue,
    Change,
    QuarantineEntry,
    RunInfo,
    StateFilter,
    StoredWork,
    WorkState,
)
from lanterne.catalogue._sqlite import SqliteCatalogue
from lanterne.catalogue._stats import CatalogueStats


def open_catalogue(location: str | Path) -> Catalogue:
    """Open the catalogue at ``location``: a SQLite file (created if missing), or a PostgreSQL
    database named by its URL (``postgresql://user@host:5432/lanterne``), which gets the schema
    when it has none."""
    if is_server(location):
        # Only a server's catalogue needs psycopg: imported when one is named.
        from lanterne.catalogue._postgres import PostgresCatalogue

        return PostgresCatalogue(str(location))
    return SqliteCatalogue(location)


class Migration(msgspec.Struct, frozen=True):
    """What ``migrate_catalogue`` did: the schema version before and after."""

    location: str
    before: int
    after: int


def migrate_catalogue(location: str | Path) -> Migration:
    """Bring the catalogue's schema up to date (a new catalogue gets it whole)."""
    if is_server(location):
        from lanterne.catalogue._postgres import connect, migrate

        shown = without_password(str(location))
        with connect(str(location), shown) as db:
            before, after = migrate(db, shown)
        return Migration(shown, before, after)
    from lanterne.catalogue._sqlite import file_schema_version

    before = file_schema_version(location)
    with SqliteCatalogue(location):  # opening a SQLite file upgrades it
        pass
    return Migration(str(location), before, file_schema_version(location))


__all__ = [
    "BatchOutcome",
    "Catalogue",
    "CatalogueStats",
    "Change",
    "Migration",
    "QuarantineEntry",
    "RunInfo",
    "SqliteCatalogue",
    "StateFilter",
    "StoredWork",
    "WorkState",
    "beside",
    "display_name",
    "field_diff",
    "is_server",
    "migrate_catalogue",
    "open_catalogue",
]
