"""The embedded catalogue: one SQLite file in WAL mode, through apsw.

Each ``write_batch`` is one ``BEGIN IMMEDIATE … COMMIT`` transaction, so a crash (even SIGKILL)
leaves either the whole batch or none of it, and WAL keeps readers unblocked during ingest.
Works are stored as canonical JSON with a digest; a re-import compares digests and rewrites
only what changed.

A quarantine entry stands for one record of its source: the record's id (``record_key``), or,
for a record with no id or whose id was already read (a duplicate: several records share that
id, so it names none of them), its file and line. It stays open until that record is stored
(or found unchanged) by a later batch of another run (``resolved=1``), or until another run
quarantines the same record again (``resolved=2``, superseded by the newer entry). An entry known
by its line is also superseded when a complete run of its source, begun after it was written,
read its file: that run read the line again and did not quarantine it there again. No other
event closes an entry, so two imports of one source, one after the other or at once, never
close each other's entries for records neither stored (docs/cli.md, « Quarantaine »).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import apsw
import msgspec

from lanterne.catalogue._diff import field_diff
from lanterne.catalogue._entities import EntityKind, entity_identifiers, entity_rows
from lanterne.catalogue._evidence import decode_evidence, encode_evidence, replaced, with_evidence
from lanterne.catalogue._interface import (
    BatchOutcome,
    Change,
    ChangeKind,
    ImageHash,
    QuarantineEntry,
    RunInfo,
    RunStatus,
    StateFilter,
    StoredWork,
    WorkState,
)
from lanterne.catalogue._schema import (
    ADD_ENTITY_WORKS,
    ADD_SET_COUNTS,
    DROP_ENTITY_WORKS,
    FILL_SET_COUNTS,
    SCHEMA,
    SCHEMA_VERSION,
)
from lanterne.catalogue._sets import set_counts
from lanterne.catalogue._stats import CatalogueStats
from lanterne.catalogue._transaction import Transaction, disk_full, no_room
from lanterne.errors import StoreError
from lanterne.profile import LabelEvidence, Work, decode_work

_BUSY_MS = 5_000
"""How long a connection waits for another one's write lock."""

_AT_ITS_LINE = "(record_key IS NULL OR reason='reason.duplicate_id')"
"""SQL: the entries known by their file and line (no id, or an id another record holds)."""

OPEN, RESOLVED, SUPERSEDED = 0, 1, 2
"""Values of ``quarantine.resolved``: open; its record stored since; quarantined again since."""


_json = msgspec.json.Encoder(order="deterministic")

_TERRITORY = (
    "EXISTS (SELECT 1 FROM json_each(doc, '$.diversity.territories') t "
    "WHERE t.value->>'level' IN ('region', 'province') AND t.value->>'code' IS NOT NULL{})"
)
"""SQL: the work has a coded region or province (``{}``: and that one's code is ``?``)."""


def _state_clauses(where: StateFilter | None) -> tuple[str, list[str]]:
    """`` AND …`` clauses of ``work_states`` for ``where``, and their parameters."""
    if where is None:
        return "", []
    clauses: list[str] = []
    params: list[str] = []
    for column, value, test in (
        ("source", where.source, "="),
        ("type", where.type, "="),
        ("updated_at", where.modified_from, ">="),
        ("updated_at", where.modified_before, "<"),
    ):
        if value is not None:
            clauses.append(f"{column} {test} ?")
            params.append(value)
    if where.territory is not None:
        clauses.append(_TERRITORY.format(" AND t.value->>'code' = ?" if where.territory else ""))
        if where.territory:
            params.append(where.territory)
    return "".join(" AND " + c for c in clauses), params


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def file_schema_version(path: str | Path) -> int:
    """The schema version of the SQLite file at ``path``; 0 when there is no such file yet."""
    if not Path(path).is_file():
        return 0
    db = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        row = db.execute("PRAGMA user_version").fetchone()
    except (apsw.CorruptError, apsw.NotADBError) as corrupt:
        raise StoreError("store.corrupt", path=path, detail=str(corrupt)) from None
    finally:
        db.close()
    return int(row[0]) if row else 0


class SqliteCatalogue:
    """``Catalogue`` in one SQLite file. Open with ``SqliteCatalogue(path)``; close when done."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.location = str(path)
        if read_only:
            self._open_read_only(path)
            return
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = apsw.Connection(self.location)
        except apsw.FullError:
            raise disk_full(self.location) from None
        try:
            self._db.execute("PRAGMA page_size=8192")  # only takes effect on a new file
            self._db.set_busy_timeout(_BUSY_MS)
            self._enter_wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            # A large page cache keeps the id index in memory during big imports.
            self._db.execute("PRAGMA cache_size=-131072")
            # Fewer, larger checkpoints: an import appends megabytes per batch, and a page
            # rewritten by several batches is copied back once per checkpoint (up to 320 MB of
            # WAL; 10,000 pages cost 10 % more CPU per stored work at a million works).
            self._db.execute("PRAGMA wal_autocheckpoint=40000")
            found = self._scalar("PRAGMA user_version")
            if found > SCHEMA_VERSION:
                raise StoreError("store.newer", path=path, found=found, known=SCHEMA_VERSION)
            if found < SCHEMA_VERSION:
                # Only a new or older file is written to on opening: a full disk still lets
                # the catalogue open, to read it or to see what a failed import left.
                self._create_or_upgrade()
        except apsw.BusyError:
            raise StoreError("store.locked", path=path) from None
        except (apsw.FullError, apsw.IOError) as failed:
            self._db.close()
            # Opening a closed WAL file creates its -shm and -wal: an I/O error, not SQLITE_FULL.
            if isinstance(failed, apsw.FullError) or no_room(self.location):
                raise disk_full(self.location) from None
            raise
        except (apsw.CorruptError, apsw.NotADBError) as corrupt:
            raise StoreError("store.corrupt", path=path, detail=str(corrupt)) from None

    def _enter_wal(self) -> None:
        """WAL mode (kept in the file). Switching a new file to it takes an exclusive lock that
        SQLite does not wait for: several processes creating one catalogue at once retry here,
        for as long as the busy timeout, instead of failing as « locked »."""
        deadline = time.monotonic() + _BUSY_MS / 1000
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except apsw.BusyError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _create_or_upgrade(self) -> None:
        # BEGIN IMMEDIATE, not a deferred transaction: two processes opening the file at once
        # would both read the schema, and the second to write could not wait its turn
        # (SQLITE_BUSY at once, a snapshot gone stale) and failed as « locked ».
        with self._write():
            tables = {
                r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            self._db.execute(SCHEMA)
            if "set_counts" not in tables:  # a new file (nothing to count) or one before v3
                self._db.execute(FILL_SET_COUNTS)
            if "entity_works" not in tables:  # likewise, before version 4
                docs = self._db.execute("SELECT rowid, doc FROM works")
                self._db.executemany(ADD_ENTITY_WORKS, entity_rows(docs))
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(runs)")}
            if "quarantine_mark" not in columns:  # a version 1 file
                self._db.execute(
                    "ALTER TABLE runs ADD COLUMN quarantine_mark INTEGER NOT NULL DEFAULT 0"
                )
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _open_read_only(self, path: str | Path) -> None:
        try:
            self._db = apsw.Connection(self.location, flags=apsw.SQLITE_OPEN_READONLY)
            self._db.set_busy_timeout(_BUSY_MS)
            found = self._scalar("PRAGMA user_version")
        except (apsw.CantOpenError, apsw.CorruptError, apsw.NotADBError) as exc:
            raise StoreError("store.corrupt", path=path, detail=str(exc)) from None
        if found > SCHEMA_VERSION:
            raise StoreError("store.newer", path=path, found=found, known=SCHEMA_VERSION)

    def reader(self) -> SqliteCatalogue:
        return SqliteCatalogue(self.location, read_only=True)

    # Helpers -----------------------------------------------------------------------------

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self._db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _write(self) -> Transaction:
        return Transaction(self._db, self.location)

    # Runs --------------------------------------------------------------------------------

    def begin_run(self, source: str, profile: str, files: Sequence[str]) -> RunInfo:
        run = RunInfo(
            id=uuid.uuid4().hex,
            source=source,
            profile=profile,
            files=list(files),
            started_at=_now(),
        )
        with self._write():
            self._db.execute(
                "UPDATE runs SET status='interrupted' WHERE source=? AND status='running'",
                (source,),
            )
            # The last quarantine entry written before this run began: what a complete run
            # may supersede (entries with no id) is older than everything it read.
            self._db.execute(
                "INSERT INTO runs(id, source, profile, files, started_at, status, quarantine_mark) "
                "VALUES (?, ?, ?, ?, ?, 'running', (SELECT coalesce(max(id), 0) FROM quarantine))",
                (run.id, source, profile, _json.encode(run.files).decode(), run.started_at),
            )
        return run

    def finish_run(self, run_id: str, status: RunStatus, summary: dict[str, object]) -> None:
        with self._write():
            if status == "completed":
                # It read its files whole, after the mark: an entry known by its line (no id,
                # or a duplicate id) for those files was not quarantined again there (or it
                # would be superseded already). Entries known by their id close only through
                # their record (write_batch), never here: the run may not have held that
                # record, or another run may be writing entries at the same time.
                self._db.execute(
                    "UPDATE quarantine SET resolved=? FROM runs r WHERE r.id=? "
                    f"AND quarantine.resolved=? AND {_AT_ITS_LINE} "
                    "AND quarantine.source=r.source AND quarantine.id<=r.quarantine_mark "
                    "AND quarantine.run_id<>r.id "
                    "AND quarantine.file IN (SELECT value FROM json_each(r.files))",
                    (SUPERSEDED, run_id, OPEN),
                )
            self._db.execute(
                "UPDATE runs SET status=?, finished_at=?, summary=? WHERE id=?",
                (status, _now(), _json.encode(summary).decode(), run_id),
            )

    def runs(self, limit: int = 20, source: str | None = None) -> list[RunInfo]:
        rows = self._db.execute(
            "SELECT id, source, profile, files, started_at, finished_at, status, summary "
            "FROM runs WHERE ?1 IS NULL OR source=?1 ORDER BY started_at DESC LIMIT ?2",
            (source, limit),
        )
        return [
            RunInfo(
                id=r[0],
                source=r[1],
                profile=r[2],
                files=msgspec.json.decode(r[3]),
                started_at=r[4],
                finished_at=r[5],
                status=r[6],
                summary=msgspec.json.decode(r[7]),
            )
            for r in rows
        ]

    # Writing -----------------------------------------------------------------------------

    def write_batch(
        self,
        run_id: str,
        works: Sequence[StoredWork],
        quarantine: Sequence[QuarantineEntry] = (),
        delete_ids: Sequence[str] = (),
        unchanged: int = 0,
        unchanged_keys: Sequence[str] = (),
        run_summary: Callable[[BatchOutcome], dict[str, object]] | None = None,
    ) -> BatchOutcome:
        outcome = BatchOutcome(unchanged=unchanged)
        batch_id = uuid.uuid4().hex
        at = _now()
        with self._write():
            # Each step adds the change log rows of what it did, in this order.
            changes: list[tuple[Any, ...]] = []
            changed = self._insert_new(works, at, batch_id, changes, outcome)
            self._update_changed(changed, at, batch_id, changes, outcome)
            self._mark_deleted(delete_ids, at, batch_id, changes, outcome)
            if changes:
                self._db.executemany(
                    "INSERT INTO changes(work_id, kind, at, batch_id, fields) "
                    "VALUES (?, ?, ?, ?, ?)",
                    changes,
                )
            if works or unchanged_keys or quarantine:
                self._close_quarantined(run_id, works, unchanged_keys, quarantine)
            if quarantine:
                self._insert_quarantine(run_id, batch_id, at, quarantine)
                outcome.quarantined = len(quarantine)
            self._insert_batch(run_id, batch_id, at, outcome)
            if run_summary is not None:
                self._db.execute(
                    "UPDATE runs SET summary=? WHERE id=?",
                    (_json.encode(run_summary(outcome)).decode(), run_id),
                )
        return outcome

    def _insert_new(
        self,
        works: Sequence[StoredWork],
        at: str,
        batch_id: str,
        changes: list[tuple[Any, ...]],
        outcome: BatchOutcome,
    ) -> list[StoredWork]:
        """Insert the works not stored yet; count those stored as they are (noting a new source
        digest); return the others, changed or deleted before, for ``_update_changed``."""
        db = self._db
        ids = _json.encode([w.id for w in works]).decode()
        known = {
            row[0]: (row[1], row[2], row[3])
            for row in db.execute(
                "SELECT w.id, w.digest, w.deleted, w.source_digest FROM json_each(?) j "
                "JOIN works w ON w.id = j.value",
                (ids,),
            )
        }
        inserts: list[tuple[Any, ...]] = []
        changed: list[StoredWork] = []
        restamped: list[tuple[bytes | None, str]] = []
        for w in works:
            previous = known.get(w.id)
            if previous is None:
                inserts.append(
                    (
                        w.id,
                        w.source,
                        w.source_id,
                        w.type,
                        w.doc,
                        w.digest,
                        w.source_digest,
                        at,
                        at,
                        batch_id,
                    )
                )
                changes.append((w.id, "created", at, batch_id, "{}"))
                outcome.created += 1
            elif previous[0] == w.digest and not previous[1]:
                outcome.unchanged += 1
                if previous[2] != w.source_digest:
                    # Same work from a differently written record (or a new mapping):
                    # remember the new digest so the next import can skip it.
                    restamped.append((w.source_digest, w.id))
            else:
                changed.append(w)
        if inserts:
            # Documents arrive as UTF-8 bytes: CAST stores them as TEXT as they are, where
            # binding a str would decode them here and encode them again (8 % of the store).
            db.executemany(
                "INSERT INTO works(id, source, source_id, type, doc, digest, source_digest, "
                "created_at, updated_at, batch_id) "
                "VALUES (?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?, ?)",
                inserts,
            )
            # New works are live: counted in their sets here (a work changed or deleted is by
            # the schema's triggers).
            db.executemany(ADD_SET_COUNTS, set_counts((i[1], i[3], i[4]) for i in inserts))
            self._add_entities([(i[0], i[4]) for i in inserts])
        if restamped:
            db.executemany("UPDATE works SET source_digest=? WHERE id=?", restamped)
        return changed

    def _add_entities(self, works: list[tuple[str, bytes]]) -> None:
        """The ``entity_works`` rows of new works (``(id, doc)``): most have no identified agent
        or place, and the few rows of those that do find their work's rowid by its id."""
        rows = [(k, s, v, work_id) for work_id, doc in works for k, s, v in entity_identifiers(doc)]
        if rows:
            self._db.executemany(
                "INSERT OR IGNORE INTO entity_works(kind, scheme, value, work) "
                "SELECT ?, ?, ?, rowid FROM works WHERE id = ?",
                rows,
            )

    def _update_changed(
        self,
        changed: list[StoredWork],
        at: str,
        batch_id: str,
        changes: list[tuple[Any, ...]],
        outcome: BatchOutcome,
    ) -> None:
        """Replace the stored documents of ``changed``, logging the fields that differ; a work
        deleted before counts as created again. The evidence Lanterne verified for a work is
        merged into its new document (its digest stays the source's: ``_evidence``)."""
        db = self._db
        kept = self._kept_evidence([w.id for w in changed]) if changed else {}
        for w in changed:
            row = db.execute(
                "SELECT doc, deleted, rowid FROM works WHERE id = ?", (w.id,)
            ).fetchone()
            assert row is not None  # selected by ``_insert_new``, inside the same transaction
            old_doc, was_deleted, rowid = row
            doc = with_evidence(w.doc, kept[w.id]) if w.id in kept else w.doc
            db.executemany(DROP_ENTITY_WORKS, entity_rows([(rowid, old_doc)]))
            db.executemany(ADD_ENTITY_WORKS, entity_rows([(rowid, doc)]))
            diff = field_diff(msgspec.json.decode(old_doc), msgspec.json.decode(doc))
            db.execute(
                "UPDATE works SET type=?, doc=CAST(? AS TEXT), digest=?, source_digest=?, "
                "deleted=0, updated_at=?, batch_id=? WHERE id=?",
                (w.type, doc, w.digest, w.source_digest, at, batch_id, w.id),
            )
            kind: ChangeKind = "created" if was_deleted else "updated"
            changes.append((w.id, kind, at, batch_id, _json.encode(diff).decode()))
            if was_deleted:
                outcome.created += 1
            else:
                outcome.updated += 1

    def _mark_deleted(
        self,
        delete_ids: Sequence[str],
        at: str,
        batch_id: str,
        changes: list[tuple[Any, ...]],
        outcome: BatchOutcome,
    ) -> None:
        """Mark the works of ``delete_ids`` deleted; those already deleted are left as they are."""
        db = self._db
        for work_id in delete_ids:
            done = db.execute(
                "UPDATE works SET deleted=1, updated_at=?, batch_id=? WHERE id=? AND deleted=0 "
                "RETURNING id",
                (at, batch_id, work_id),
            ).fetchone()
            if done:
                changes.append((work_id, "deleted", at, batch_id, "{}"))
                outcome.deleted += 1
                # A deleted work keeps no verified evidence: stored again, it is verified again.
                db.execute("DELETE FROM label_evidence WHERE work_id=?", (work_id,))

    def _insert_quarantine(
        self, run_id: str, batch_id: str, at: str, quarantine: Sequence[QuarantineEntry]
    ) -> None:
        self._db.executemany(
            "INSERT INTO quarantine(run_id, batch_id, source, file, line, reason, message, "
            "params, field, record_key, raw, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    batch_id,
                    q.source,
                    q.file,
                    q.line,
                    q.reason,
                    q.message,
                    _json.encode(q.params).decode(),
                    q.field,
                    q.record_key,
                    q.raw,
                    at,
                )
                for q in quarantine
            ],
        )

    def _insert_batch(self, run_id: str, batch_id: str, at: str, outcome: BatchOutcome) -> None:
        """The batch's row, numbered in its run, with its counts."""
        seq = self._scalar("SELECT count(*) FROM batches WHERE run_id=?", (run_id,))
        self._db.execute(
            "INSERT INTO batches(id, run_id, seq, committed_at, created, updated, unchanged, "
            "deleted, quarantined) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                batch_id,
                run_id,
                seq,
                at,
                outcome.created,
                outcome.updated,
                outcome.unchanged,
                outcome.deleted,
                outcome.quarantined,
            ),
        )

    def _close_quarantined(
        self,
        run_id: str,
        works: Sequence[StoredWork],
        unchanged_keys: Sequence[str],
        quarantine: Sequence[QuarantineEntry],
    ) -> None:
        """Close the other runs' open entries for the records this batch stores or quarantines.

        Runs inside ``write_batch``'s transaction, before its own entries are written.
        """
        db = self._db
        # Two index ranges (resolved, run_id): no scan of this run's own open entries.
        others_open = db.execute(
            "SELECT EXISTS(SELECT 1 FROM quarantine WHERE resolved=? AND run_id<?) "
            "OR EXISTS(SELECT 1 FROM quarantine WHERE resolved=? AND run_id>?)",
            (OPEN, run_id, OPEN, run_id),
        ).fetchone()
        if not (others_open and others_open[0]):
            return
        source = self._scalar("SELECT source FROM runs WHERE id=?", (run_id,))
        stored_keys = [w.source_id for w in works if w.source == source]
        stored_keys.extend(unchanged_keys)
        if stored_keys:
            db.execute(
                "UPDATE quarantine SET resolved=? WHERE source=? AND record_key IN "
                f"(SELECT value FROM json_each(?)) AND resolved=? AND run_id<>? "
                f"AND NOT {_AT_ITS_LINE}",
                (RESOLVED, source, _json.encode(stored_keys).decode(), OPEN, run_id),
            )
        keys = [q.record_key for q in quarantine if not _at_its_line(q)]
        if keys:
            db.execute(
                "UPDATE quarantine SET resolved=? WHERE source=? AND record_key IN "
                f"(SELECT value FROM json_each(?)) AND resolved=? AND run_id<>? "
                f"AND NOT {_AT_ITS_LINE}",
                (SUPERSEDED, source, _json.encode(keys).decode(), OPEN, run_id),
            )
        places = [[q.file, q.line] for q in quarantine if _at_its_line(q)]
        if places:
            db.execute(
                f"UPDATE quarantine SET resolved=? WHERE source=? AND {_AT_ITS_LINE} "
                "AND resolved=? AND run_id<>? AND (file, line) IN "
                "(SELECT value->>0, value->>1 FROM json_each(?))",
                (SUPERSEDED, source, OPEN, run_id, _json.encode(places).decode()),
            )

    # Reading -----------------------------------------------------------------------------

    def get(self, work_id: str) -> Work | None:
        doc = self._scalar("SELECT doc FROM works WHERE id=? AND deleted=0", (work_id,))
        return None if doc is None else decode_work(doc)

    def get_many(self, work_ids: Sequence[str]) -> dict[str, Work]:
        rows = self._db.execute(
            "SELECT w.id, w.doc FROM json_each(?) j JOIN works w ON w.id = j.value "
            "WHERE w.deleted=0",
            (_json.encode(list(work_ids)).decode(),),
        )
        return {r[0]: decode_work(r[1]) for r in rows}

    def iter_works(self, source: str | None = None) -> Iterator[Work]:
        if source is None:
            rows = self._db.execute("SELECT doc FROM works WHERE deleted=0 ORDER BY rowid")
        else:
            rows = self._db.execute(
                "SELECT doc FROM works WHERE source=? AND deleted=0 ORDER BY rowid", (source,)
            )
        for (doc,) in rows:
            yield decode_work(doc)

    def entity_works(
        self, kind: EntityKind, scheme: str, value: str, limit: int = 100
    ) -> list[Work]:
        rows = self._db.execute(
            "SELECT w.doc FROM entity_works e JOIN works w ON w.rowid = e.work "
            "WHERE e.kind=? AND e.scheme=? AND e.value=? AND w.deleted=0 ORDER BY e.work LIMIT ?",
            (kind, scheme, value, limit),
        )
        return [decode_work(doc) for (doc,) in rows]

    def count_entity_works(self, kind: EntityKind, scheme: str, value: str) -> int:
        return int(
            self._scalar(
                "SELECT count(*) FROM entity_works e JOIN works w ON w.rowid = e.work "
                "WHERE e.kind=? AND e.scheme=? AND e.value=? AND w.deleted=0",
                (kind, scheme, value),
            )
        )

    def work_state(self, work_id: str) -> WorkState | None:
        row = self._db.execute(
            "SELECT id, rowid, source, updated_at, deleted FROM works WHERE id=?", (work_id,)
        ).fetchone()
        return None if row is None else WorkState(row[0], row[1], row[2], row[3], bool(row[4]))

    def work_states(
        self, after: int = 0, limit: int = 1000, where: StateFilter | None = None
    ) -> list[WorkState]:
        clauses, params = _state_clauses(where)
        rows = self._db.execute(
            f"SELECT id, rowid, source, updated_at, deleted FROM works WHERE rowid > ?{clauses} "
            "ORDER BY rowid LIMIT ?",
            (after, *params, limit),
        )
        return [WorkState(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def count_states(self, where: StateFilter | None = None, after: int = 0) -> int:
        clauses, params = _state_clauses(where)
        return int(
            self._scalar(f"SELECT count(*) FROM works WHERE rowid > ?{clauses}", (after, *params))
        )

    def source_digests(self, ids: Sequence[str]) -> dict[str, bytes]:
        rows = self._db.execute(
            "SELECT w.id, w.source_digest FROM json_each(?) j JOIN works w ON w.id = j.value "
            "WHERE w.deleted=0 AND w.source_digest IS NOT NULL",
            (_json.encode(list(ids)).decode(),),
        )
        return {r[0]: r[1] for r in rows}

    def source_ids(self, source: str) -> set[str]:
        rows = self._db.execute("SELECT id FROM works WHERE source=? AND deleted=0", (source,))
        return {r[0] for r in rows}

    def count(self, source: str | None = None) -> int:
        if source is None:
            return int(self._scalar("SELECT count(*) FROM works WHERE deleted=0"))
        return int(
            self._scalar("SELECT count(*) FROM works WHERE source=? AND deleted=0", (source,))
        )

    def stats(self, source: str | None = None) -> CatalogueStats:
        where, params = (
            ("w.deleted=0", ()) if source is None else ("w.deleted=0 AND w.source=?", (source,))
        )

        def grouped(expr: str, join: str = "") -> dict[str, int]:
            sql = (
                f"SELECT {expr} AS k, count(*) FROM works w {join} WHERE {where} "
                "GROUP BY k ORDER BY 2 DESC, 1"
            )
            return {str(k): int(n) for k, n in self._db.execute(sql, params)}

        language = (
            "coalesce(json_extract(w.doc, '$.diversity.original_languages[0]'), "
            "json_extract(w.doc, '$.in_languages[0]'), "
            "json_extract(w.doc, '$.titles[0].lang'), '?')"
        )
        flags = self._db.execute(
            "SELECT count(*), "
            "sum(json_type(w.doc, '$.diversity.european') IS NOT NULL), "
            "sum(coalesce(json_extract(w.doc, '$.diversity.european'), 0)), "
            "sum(json_type(w.doc, '$.diversity.eof') IS NOT NULL), "
            "sum(coalesce(json_extract(w.doc, '$.diversity.eof'), 0)) "
            f"FROM works w WHERE {where}",
            params,
        ).fetchone()
        q_where, q_params = (
            ("resolved=0", ()) if source is None else ("resolved=0 AND source=?", (source,))
        )
        deleted_sql = "SELECT count(*) FROM works WHERE deleted=1" + (
            " AND source=?" if source else ""
        )
        assert flags is not None  # an aggregate query always returns one row
        creation = "coalesce(json_extract(w.doc, '$.creation_label.value'), 'unknown')"
        by_source_creation: dict[str, dict[str, int]] = {}
        for src, label, n in self._db.execute(
            f"SELECT w.source, {creation} AS k, count(*) FROM works w WHERE {where} "
            "GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
            params,
        ):
            by_source_creation.setdefault(str(src), {})[str(label)] = int(n)
        return CatalogueStats(
            works=int(flags[0]),
            by_source=grouped("w.source"),
            by_type=grouped("w.type"),
            by_language=grouped(language),
            by_country=grouped("c.value", "JOIN json_each(w.doc, '$.diversity.countries') c"),
            by_territory=grouped(
                "coalesce(json_extract(t.value, '$.code'), json_extract(t.value, '$.name'))",
                "JOIN json_each(w.doc, '$.diversity.territories') t "
                "ON json_extract(t.value, '$.level') IN ('region', 'province')",
            ),
            european_known=int(flags[1] or 0),
            european_yes=int(flags[2] or 0),
            eof_known=int(flags[3] or 0),
            eof_yes=int(flags[4] or 0),
            quarantined=int(
                self._scalar(f"SELECT count(*) FROM quarantine WHERE {q_where}", q_params)
            ),
            deleted=int(self._scalar(deleted_sql, params)),
            by_creation=grouped(creation),
            creation_by_source=by_source_creation,
        )

    def changes(self, since: int = 0, limit: int = 1000) -> list[Change]:
        rows = self._db.execute(
            "SELECT seq, work_id, kind, at, batch_id, fields FROM changes WHERE seq > ? "
            "ORDER BY seq LIMIT ?",
            (since, limit),
        )
        return [Change(r[0], r[1], r[2], r[3], r[4], msgspec.json.decode(r[5])) for r in rows]

    def set_values(self) -> dict[str, list[str]]:
        try:
            rows = self._db.execute(
                "SELECT kind, value FROM set_counts WHERE works > 0 ORDER BY kind, value"
            ).fetchall()
        except apsw.SQLError:  # a file before version 3, opened read-only: counted as it is
            stats = self.stats()
            found = {"source": stats.by_source, "type": stats.by_type}
            found["territory"] = stats.by_territory
            return {kind: sorted(values) for kind, values in found.items()}
        out: dict[str, list[str]] = {"source": [], "type": [], "territory": []}
        for row in rows:
            out[str(row[0])].append(str(row[1]))
        return out

    def last_change(self) -> int:
        return int(self._scalar("SELECT coalesce(max(seq), 0) FROM changes"))

    def quarantine(
        self,
        source: str | None = None,
        limit: int = 100,
        offset: int = 0,
        include_resolved: bool = False,
    ) -> list[QuarantineEntry]:
        clauses, params = [], []
        if source is not None:
            clauses.append("source=?")
            params.append(source)
        if not include_resolved:
            clauses.append("resolved=0")
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._db.execute(
            f"SELECT {_Q_COLUMNS} FROM quarantine {where} ORDER BY id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_quarantine_entry(r, with_raw=False) for r in rows]

    def quarantine_entry(self, entry_id: int) -> QuarantineEntry | None:
        row = self._db.execute(
            f"SELECT {_Q_COLUMNS} FROM quarantine WHERE id=?", (entry_id,)
        ).fetchone()
        return None if row is None else _quarantine_entry(row, with_raw=True)

    def quarantine_counts(self, source: str | None = None) -> dict[str, int]:
        if source is None:
            rows = self._db.execute(
                "SELECT reason, count(*) FROM quarantine WHERE resolved=0 "
                "GROUP BY reason ORDER BY 2 DESC"
            )
        else:
            rows = self._db.execute(
                "SELECT reason, count(*) FROM quarantine WHERE resolved=0 AND source=? "
                "GROUP BY reason ORDER BY 2 DESC",
                (source,),
            )
        return {r[0]: int(r[1]) for r in rows}

    # Verified label evidence -------------------------------------------------------------

    def add_label_evidence(self, work_id: str, pieces: Sequence[LabelEvidence]) -> Work | None:
        at = _now()
        batch_id = uuid.uuid4().hex
        db = self._db
        with self._write():
            old_doc = self._scalar("SELECT doc FROM works WHERE id=? AND deleted=0", (work_id,))
            if old_doc is None:
                return None
            for piece in pieces:
                key = replaced(piece)
                if key is not None:
                    db.execute(
                        "DELETE FROM label_evidence WHERE work_id=? AND method=? AND identifier=?",
                        (work_id, *key),
                    )
                db.execute(
                    "INSERT INTO label_evidence(work_id, method, identifier, evidence, added_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (work_id, str(piece.method), piece.identifier, encode_evidence(piece), at),
                )
            doc = with_evidence(old_doc, pieces)
            diff = field_diff(msgspec.json.decode(old_doc), msgspec.json.decode(doc))
            if diff:  # the same evidence again changes nothing: nothing to log
                # The digest stays the source record's: an unchanged re-import is still skipped.
                db.execute(
                    "UPDATE works SET doc=CAST(? AS TEXT), updated_at=?, batch_id=? WHERE id=?",
                    (doc, at, batch_id, work_id),
                )
                db.execute(
                    "INSERT INTO changes(work_id, kind, at, batch_id, fields) "
                    "VALUES (?, 'updated', ?, ?, ?)",
                    (work_id, at, batch_id, _json.encode(diff).decode()),
                )
        return decode_work(doc)

    def label_evidence(self, work_id: str) -> list[LabelEvidence]:
        try:
            rows: list[Any] = self._db.execute(
                "SELECT evidence FROM label_evidence WHERE work_id=? ORDER BY id", (work_id,)
            ).fetchall()
        except apsw.SQLError:
            return []  # a file before version 5 opened read-only: nothing was kept
        return [decode_evidence(r[0]) for r in rows]

    def _kept_evidence(self, work_ids: Sequence[str]) -> dict[str, list[LabelEvidence]]:
        """The kept evidence of those of ``work_ids`` that have some, oldest first."""
        found: dict[str, list[LabelEvidence]] = {}
        for work_id, evidence in self._db.execute(
            "SELECT e.work_id, e.evidence FROM label_evidence e "
            "WHERE e.work_id IN (SELECT value FROM json_each(?)) ORDER BY e.id",
            (_json.encode(list(work_ids)).decode(),),
        ):
            found.setdefault(work_id, []).append(decode_evidence(evidence))
        return found

    # Image registry ------------------------------------------------------------------------

    def add_image_hashes(self, images: Sequence[ImageHash]) -> list[int | None]:
        at = _now()
        batch_id = uuid.uuid4().hex
        ids: list[int | None] = []
        with self._write():
            for i in images:
                # ON CONFLICT DO NOTHING, not INSERT OR IGNORE: only a registration already
                # there is skipped; OR IGNORE would drop a row breaking NOT NULL without a word.
                row = self._db.execute(
                    "INSERT INTO image_hashes(work_id, label, pdq, quality, phash, file, sha256, "
                    "registered_at, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    (i.work_id, i.label, i.pdq, i.quality, i.phash, i.file, i.sha256, at, batch_id),
                ).fetchone()
                ids.append(None if row is None else int(row[0]))
        return ids

    def image_hashes(self, after: int = 0, limit: int = 10_000) -> list[ImageHash]:
        try:
            rows: list[Any] = self._db.execute(
                "SELECT id, work_id, label, pdq, quality, phash, file, sha256, registered_at "
                "FROM image_hashes WHERE id > ? ORDER BY id LIMIT ?",
                (after, limit),
            ).fetchall()
        except apsw.SQLError:
            return []  # a version 2 file opened read-only: no registry yet, nothing registered
        return [
            ImageHash(
                id=r[0],
                work_id=r[1],
                label=r[2],
                pdq=r[3],
                quality=r[4],
                phash=r[5],
                file=r[6],
                sha256=r[7],
                registered_at=r[8],
            )
            for r in rows
        ]

    def integrity_problems(self) -> list[str]:
        rows = [r[0] for r in self._db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def close(self) -> None:
        try:
            self._db.close()
        except apsw.FullError:
            # The last connection's checkpoint found no room: the WAL stays beside the file,
            # complete, and the next opening replays it.
            self._db.close(force=True)

    def __enter__(self) -> SqliteCatalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_Q_COLUMNS = (
    "id, run_id, batch_id, source, file, line, reason, message, params, field, record_key, "
    "raw, at, resolved"
)


def _quarantine_entry(r: Sequence[Any], *, with_raw: bool) -> QuarantineEntry:
    raw: str = r[11]
    return QuarantineEntry(
        id=r[0],
        run_id=r[1],
        batch_id=r[2],
        source=r[3],
        file=r[4],
        line=r[5],
        reason=r[6],
        message=r[7],
        params=msgspec.json.decode(r[8]),
        field=r[9],
        record_key=r[10],
        raw=raw if with_raw else raw[:200],
        at=r[12],
        resolved=bool(r[13]),
    )


def _at_its_line(q: QuarantineEntry) -> bool:
    """``_AT_ITS_LINE`` for an entry not written yet."""
    return q.record_key is None or q.reason == "reason.duplicate_id"
