"""Moving a whole catalogue from its SQLite file into a PostgreSQL database
(``lanterne migrate --to postgresql://…``), for an organisation that outgrows one file.

Every row goes across as it is, with its numbers: a work's ``rowid`` becomes its ``position``
(what ``entity_works`` and OAI-PMH's resumption tokens refer to), each change keeps its ``seq``
(a search index's ``change_seq``, a harvester's token and its ``from`` dates stay valid), each
quarantine entry, image and piece of evidence its ``id`` (``runs.quarantine_mark`` counts by
them). The identity sequences are then set past the largest number copied, so that the next
import continues the log rather than colliding with it.

The whole copy is one transaction holding the catalogue's advisory write lock, with ``COPY``
for every table: a failure or a kill at any point leaves the database as it was (the server
rolls back), and no import can write into it meanwhile. The file is read under its own write
lock, taken and never used: no import changes it during the move, so what is on the server is
exactly what the file holds, and the file, untouched, stays the user's backup. Only a file of
an older schema is written to, before the move, as any command opening it would
(``SqliteCatalogue`` brings it up to date).

PostgreSQL has no ``set_counts`` (the SQLite file's counts of OAI-PMH sets, kept as it writes):
the server reads the sets from its live works (docs/postgresql.md), so there is nothing to copy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import apsw
import msgspec
import psycopg

from lanterne._location import without_password
from lanterne.catalogue import Move
from lanterne.catalogue._pg_schema import SCHEMA_VERSION as PG_SCHEMA_VERSION
from lanterne.catalogue._postgres import _LOCK, _unreachable, connect, migrate, schema_version
from lanterne.catalogue._schema import SCHEMA_VERSION
from lanterne.catalogue._sqlite import SqliteCatalogue, file_schema_version
from lanterne.errors import InputNotFound, StoreError

_Row = tuple[Any, ...]


class _Table(msgspec.Struct, frozen=True):
    """One table to copy: its columns in the file and on the server (same order), and the
    server's identity column, if any, whose sequence goes past the copied maximum."""

    name: str
    sqlite: str
    postgres: str
    order: str
    """How the file's rows are read: by their key, the order they were written in, so that the
    server's rows lie as the file's did."""
    identity: str | None = None
    convert: Callable[[_Row], _Row] | None = None


def _work(row: _Row) -> _Row:
    # ``deleted`` is 0/1 in the file, a boolean on the server.
    return (*row[:8], bool(row[8]), *row[9:])


# In the order they are copied: a batch names its run (a foreign key), so runs come first.
TABLES: tuple[_Table, ...] = (
    _Table(
        "runs",
        "id, source, profile, files, started_at, finished_at, status, summary, quarantine_mark",
        "id, source, profile, files, started_at, finished_at, status, summary, quarantine_mark",
        order="rowid",
    ),
    _Table(
        "batches",
        "id, run_id, seq, committed_at, created, updated, unchanged, deleted, quarantined",
        "id, run_id, seq, committed_at, created, updated, unchanged, deleted, quarantined",
        order="rowid",
    ),
    _Table(
        "works",
        "rowid, id, source, source_id, type, doc, digest, source_digest, deleted, created_at, "
        "updated_at, batch_id",
        "position, id, source, source_id, type, doc, digest, source_digest, deleted, "
        "created_at, updated_at, batch_id",
        order="rowid",
        identity="position",
        convert=_work,
    ),
    _Table(
        "changes",
        "seq, work_id, kind, at, batch_id, fields",
        "seq, work_id, kind, at, batch_id, fields",
        order="seq",
        identity="seq",
    ),
    _Table(
        "quarantine",
        "id, run_id, batch_id, source, file, line, reason, message, params, field, record_key, "
        "raw, at, resolved",
        "id, run_id, batch_id, source, file, line, reason, message, params, field, record_key, "
        "raw, at, resolved",
        order="id",
        identity="id",
    ),
    _Table(
        "image_hashes",
        "id, work_id, label, pdq, quality, phash, file, sha256, registered_at, batch_id",
        "id, work_id, label, pdq, quality, phash, file, sha256, registered_at, batch_id",
        order="id",
        identity="id",
    ),
    _Table(
        "entity_works",
        "kind, scheme, value, work",
        "kind, scheme, value, work",
        order="kind, scheme, value, work",
    ),
    _Table(
        "label_evidence",
        "id, work_id, method, identifier, evidence, added_at",
        "id, work_id, method, identifier, evidence, added_at",
        order="id",
        identity="id",
    ),
)


def move_catalogue(source: str | Path, url: str) -> Move:
    """Copy the whole catalogue of the SQLite file ``source`` into the PostgreSQL database
    ``url`` (empty, or with the schema and no rows), in one transaction.

    Raises ``InputNotFound`` when there is no such file, ``StoreError`` when the database is not
    empty (nothing written), cannot be reached, or the copy fails (rolled back: nothing
    written)."""
    started = time.perf_counter()
    path = Path(source)
    shown = without_password(url)
    if not path.is_file():
        raise InputNotFound("move.no_file", path=path)
    found = file_schema_version(path)
    if found > SCHEMA_VERSION:
        raise StoreError("store.newer", path=path, found=found, known=SCHEMA_VERSION)
    step = "schema_version"  # the table being written when the server refused, for the message
    with connect(url, shown) as db:
        try:
            with db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                _make_ready(db, shown)  # a refusal here has touched neither side
                if found < SCHEMA_VERSION:
                    with SqliteCatalogue(path):  # opening an older file brings it up to date
                        pass
                with _FileHold(path) as file:
                    rows: dict[str, int] = {}
                    for table in TABLES:
                        step = table.name
                        rows[table.name] = _copy(file, db, table)
                    last = _continue_sequences(file, db)
        except psycopg.OperationalError as exc:
            raise _unreachable(shown, exc) from None
        except psycopg.Error as exc:
            raise StoreError(
                "move.failed", target=shown, table=step, detail=_first_line(exc)
            ) from None
    upgraded_from = found if found < SCHEMA_VERSION else None
    return Move(str(path), shown, rows, last, upgraded_from, time.perf_counter() - started)


class _Held:
    """The file's connection, inside its write transaction (``_FileHold``)."""

    def __init__(self, db: apsw.Connection) -> None:
        self.db = db

    def rows(self, sql: str) -> Iterator[_Row]:
        yield from self.db.execute(sql)

    def scalar(self, sql: str) -> Any:
        row = self.db.execute(sql).fetchone()
        return None if row is None else row[0]


class _FileHold:
    """The file opened and its write lock taken, never used to write (rolled back at the end):
    an import of the file waits for the move, so the server gets exactly what the file holds."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def __enter__(self) -> _Held:
        self._db = apsw.Connection(str(self._path))
        try:
            self._db.set_busy_timeout(5_000)
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except apsw.ReadOnlyError:
                # A file this user may only read (a backup on a read-only disk): no import can
                # write to it either, and a read transaction is a snapshot that holds as well.
                self._db.execute("BEGIN")
                self._db.execute("SELECT count(*) FROM sqlite_master").fetchall()
        except apsw.BusyError:
            self._db.close()
            raise StoreError("store.locked", path=self._path) from None
        except (apsw.CorruptError, apsw.NotADBError) as corrupt:
            self._db.close()
            raise StoreError("store.corrupt", path=self._path, detail=str(corrupt)) from None
        return _Held(self._db)

    def __exit__(self, *exc: object) -> None:
        try:
            self._db.execute("ROLLBACK")
        finally:
            self._db.close()


def _make_ready(db: psycopg.Connection[Any], shown: str) -> None:
    """Give an empty database the schema, or check that one with the schema has no rows; any
    other database is refused (``move.not_empty``), inside the transaction: nothing written."""
    version = schema_version(db)
    if version == 0:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            )
        ]
        if tables:
            raise StoreError(
                "move.foreign_tables", target=shown, tables=", ".join(tables[:5]), count=len(tables)
            )
    if version > PG_SCHEMA_VERSION:
        raise StoreError("store.newer", path=shown, found=version, known=PG_SCHEMA_VERSION)
    if version < PG_SCHEMA_VERSION:
        migrate(db, shown)  # its transactions are savepoints of this one: undone with it
    # Works first: what a person looks for in a catalogue they did not mean to overwrite.
    for table in sorted(TABLES, key=lambda t: t.name != "works"):
        if db.execute(f"SELECT EXISTS (SELECT 1 FROM {table.name})").fetchone() != (False,):
            n = db.execute(f"SELECT count(*) FROM {table.name}").fetchone()
            raise StoreError(
                "move.not_empty", target=shown, table=table.name, rows=n[0] if n else "?"
            )


def _copy(file: _Held, db: psycopg.Connection[Any], table: _Table) -> int:
    """``COPY`` the file's rows of ``table`` into the server's: the number of rows copied, as
    the server counted them."""
    rows = file.rows(f"SELECT {table.sqlite} FROM {table.name} ORDER BY {table.order}")
    cur = db.cursor()
    with cur.copy(f"COPY {table.name} ({table.postgres}) FROM STDIN") as copy:
        convert = table.convert
        for row in rows:
            copy.write_row(row if convert is None else convert(row))
    return max(cur.rowcount, 0)


def _continue_sequences(file: _Held, db: psycopg.Connection[Any]) -> int:
    """Set each identity sequence past the largest number copied (for the change log, past
    the file's own ``AUTOINCREMENT`` counter too, so that no number is ever given twice); the
    last change's ``seq``."""
    last = 0
    for table in TABLES:
        if table.identity is None:
            continue
        row = db.execute(f"SELECT coalesce(max({table.identity}), 0) FROM {table.name}").fetchone()
        top = int(row[0]) if row else 0
        if table.name == "changes":
            last = top
            counted = file.scalar("SELECT seq FROM sqlite_sequence WHERE name = 'changes'")
            top = max(top, int(counted or 0))
        db.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
            (table.name, table.identity, top + 1),
        )
    return last


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


__all__ = ["TABLES", "move_catalogue"]
