"""The catalogue's write transactions, and a full disk said as such.

Each ``write_batch`` runs in one ``Transaction``: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back
whole on any exception, so a crash or a full disk leaves the file with the batches committed
before it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import apsw

from lanterne.errors import StoreError, StoreFull


def _free_bytes(location: str) -> int | None:
    try:
        return shutil.disk_usage(Path(location).resolve().parent).free
    except OSError:
        return None


def no_room(location: str) -> bool:
    """Less than 1 MiB left beside the catalogue: an I/O error there is the disk being full."""
    free = _free_bytes(location)
    return free is not None and free < 1_048_576


def disk_full(location: str) -> StoreFull:
    """The error for SQLITE_FULL on the catalogue at ``location``, with the room left there."""
    free = _free_bytes(location)
    room = "?" if free is None else f"{free / 1_048_576:.1f} Mio"
    return StoreFull("store.full", path=location, folder=Path(location).resolve().parent, free=room)


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception.

    A full disk (SQLITE_FULL, while writing or at ``COMMIT``) becomes ``StoreFull``: the
    transaction is rolled back whole, so the file holds the batches committed before it.
    """

    def __init__(self, db: apsw.Connection, location: str) -> None:
        self._db = db
        self._location = location

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except apsw.BusyError:
            raise StoreError("store.locked", path=self._location) from None
        except apsw.FullError:
            raise disk_full(self._location) from None

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
                return
            except apsw.FullError:
                self._rollback()
                raise disk_full(self._location) from None
        self._rollback()
        if exc_type is not None and issubclass(exc_type, apsw.FullError):
            raise disk_full(self._location) from None

    def _rollback(self) -> None:
        # SQLite may have rolled a full transaction back already.
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
