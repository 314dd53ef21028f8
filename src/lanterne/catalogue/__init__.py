"""The catalogue: the single source of truth, with its change log, quarantine and ingest runs."""

from pathlib import Path
from types import ModuleType
from typing import Protocol

import msgspec

from lanterne._location import beside, display_name, is_server, without_password
from lanterne.catalogue._diff import field_diff
from lanterne.catalogue._entities import ENTITY_KINDS, EntityKind
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
from lanterne.errors import ToolMissing


def open_catalogue(location: str | Path) -> Catalogue:
    """Open the catalogue at ``location``: a SQLite file (created if missing), or a PostgreSQL
    database named by its URL (``postgresql://user@host:5432/lanterne``), which gets the schema
    when it has none."""
    if is_server(location):
        server: Catalogue = _server_backend().PostgresCatalogue(str(location))
        return server
    return SqliteCatalogue(location)


def _server_backend() -> ModuleType:
    """The PostgreSQL backend, imported when a server's catalogue is named: only it needs
    psycopg, and without psycopg it says what to install."""
    try:
        from lanterne.catalogue import _postgres
    except ImportError as missing:
        raise ToolMissing("store.no_psycopg", detail=str(missing)) from None
    return _postgres


class ChangeFeed(Protocol):
    """Told when the catalogue's change log grows, so that a follower need not ask it."""

    def wait(self, timeout: float) -> int | None:
        """The last change's ``seq`` told within ``timeout`` seconds (0: only what came
        already), or ``None`` when nothing was."""
        ...

    def close(self) -> None: ...


def change_feed(location: str | Path) -> ChangeFeed | None:
    """A feed of the catalogue's changes when its store tells of them (PostgreSQL's
    ``LISTEN``); ``None`` for a SQLite file, whose followers look at the log now and then."""
    if not is_server(location):
        return None
    feed: ChangeFeed = _server_backend().ChangeListener(str(location))
    return feed


class Migration(msgspec.Struct, frozen=True):
    """What ``migrate_catalogue`` did: the schema version before and after."""

    location: str
    before: int
    after: int


def migrate_catalogue(location: str | Path) -> Migration:
    """Bring the catalogue's schema up to date (a new catalogue gets it whole)."""
    if is_server(location):
        pg = _server_backend()
        shown = without_password(str(location))
        with pg.connect(str(location), shown) as db:
            before, after = pg.migrate(db, shown)
        return Migration(shown, before, after)
    from lanterne.catalogue._sqlite import file_schema_version

    before = file_schema_version(location)
    with SqliteCatalogue(location):  # opening a SQLite file upgrades it
        pass
    return Migration(str(location), before, file_schema_version(location))


class Move(msgspec.Struct, frozen=True):
    """What ``move_catalogue`` did: the rows copied per table, in the order copied."""

    source: str
    target: str
    """The database's URL, without its password."""
    rows: dict[str, int]
    last_change: int
    """The last change's ``seq``, the same in both: a follower of the log carries on from it."""
    upgraded_from: int | None
    """The file's schema version when it was older and brought up to date first."""
    seconds: float


def move_catalogue(source: str | Path, url: str) -> Move:
    """Copy the whole catalogue of the SQLite file ``source`` into the PostgreSQL database
    ``url`` (empty, or with the schema and no rows) in one transaction, every row with its
    numbers (positions, change ``seq``, quarantine ids); the file is left as it is.

    Raises ``InputNotFound`` when there is no such file; ``StoreError`` when the database is
    not empty, cannot be reached, or refuses a row (nothing written: all or nothing)."""
    _server_backend()  # without psycopg, says what to install
    from lanterne.catalogue import _move

    return _move.move_catalogue(source, url)


__all__ = [
    "ENTITY_KINDS",
    "BatchOutcome",
    "Catalogue",
    "CatalogueStats",
    "Change",
    "ChangeFeed",
    "EntityKind",
    "ImageHash",
    "Migration",
    "Move",
    "QuarantineEntry",
    "RunInfo",
    "SqliteCatalogue",
    "StateFilter",
    "StoredWork",
    "WorkState",
    "beside",
    "change_feed",
    "display_name",
    "field_diff",
    "is_server",
    "migrate_catalogue",
    "move_catalogue",
    "open_catalogue",
]
