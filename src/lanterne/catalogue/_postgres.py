"""The server catalogue: the same store as ``SqliteCatalogue``, in a PostgreSQL database.

Same tables, same meaning (see ``_sqlite.py`` for the quarantine's rules, which this follows
query for query). What differs is how it writes:

- Each write (``begin_run``, ``write_batch``, ``finish_run``) is one transaction that first
  takes the catalogue's advisory lock (``pg_advisory_xact_lock``), held until it commits. Writers
  of several imports at once take turns as they do on one SQLite file, and that is what keeps
  the change log readable by position: a change's ``seq`` and a work's ``position`` are drawn
  under the lock, so no transaction can commit a smaller number after a reader saw a larger
  one (a follower reading ``seq > last`` never skips one), and each batch's ``at`` is taken
  under the lock too, so timestamps grow with the log (OAI-PMH ``from``/``until``). Reading,
  mapping and preparing rows run in parallel.
- New works, change-log rows and quarantine entries go in with ``COPY``.
- A committed batch notifies the channel ``lanterne_changes`` with its last ``seq``: a search
  index kept current by ``ChangeListener`` hears of it instead of asking.

A killed client's transaction is rolled back by the server, so a crash or a lost connection
leaves the batches committed before it, as on SQLite.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import msgspec
import psycopg

from lanterne._location import without_password
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
from lanterne.catalogue._pg_schema import MIGRATIONS, SCHEMA_VERSION
from lanterne.catalogue._stats import CatalogueStats
from lanterne.errors import StoreError
from lanterne.profile import LabelEvidence, Work, decode_work

CHANNEL = "lanterne_changes"
"""The channel a committed batch notifies, with its last change's ``seq``."""

_LOCK = 0x4C414E54  # "LANT": the catalogue's one advisory lock (writes and migrations)

_AT_ITS_LINE = "(record_key IS NULL OR reason='reason.duplicate_id')"
OPEN, RESOLVED, SUPERSEDED = 0, 1, 2

_PAGE = 5_000
"""Works per read of ``iter_works``: a page at a time, never the whole table in memory."""

_json = msgspec.json.Encoder(order="deterministic")
_ADD_ENTITY = (
    "INSERT INTO entity_works (kind, scheme, value, work) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT DO NOTHING"
)


def _array(expr: str) -> str:
    """``expr`` (jsonb) when it is an array, else SQL NULL: what a set-returning function may
    take (SQLite's ``json_each`` gives no rows for a missing or scalar value)."""
    return f"CASE WHEN jsonb_typeof({expr}) = 'array' THEN {expr} END"


_TERRITORY = (
    "EXISTS (SELECT 1 FROM jsonb_array_elements("
    + _array("doc::jsonb->'diversity'->'territories'")
    + ") t WHERE t->>'level' IN ('region', 'province') AND t->>'code' IS NOT NULL{})"
)


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
            clauses.append(f"{column} {test} %s")
            params.append(value)
    if where.territory is not None:
        clauses.append(_TERRITORY.format(" AND t->>'code' = %s" if where.territory else ""))
        if where.territory:
            params.append(where.territory)
    return "".join(" AND " + c for c in clauses), params


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _unreachable(location: str, exc: BaseException) -> StoreError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StoreError("store.unreachable", path=location, detail=detail)


def connect(url: str, location: str) -> psycopg.Connection[Any]:
    """A connection in autocommit mode (each read sees what is committed; writes open their own
    transaction); a server that does not answer is a ``StoreError`` saying so."""
    try:
        return psycopg.connect(
            url, autocommit=True, connect_timeout=10, application_name="lanterne"
        )
    except psycopg.Error as exc:
        raise _unreachable(location, exc) from None


def schema_version(db: psycopg.Connection[Any]) -> int:
    """The database's schema version; 0 for a database without Lanterne's tables."""
    found = db.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not (found and found[0]):
        return 0
    row = db.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(db: psycopg.Connection[Any], location: str) -> tuple[int, int]:
    """Apply the migrations the database lacks, in order, each in its own transaction under the
    write lock: (version before, version after)."""
    before = schema_version(db)
    if before > SCHEMA_VERSION:
        raise StoreError("store.newer", path=location, found=before, known=SCHEMA_VERSION)
    for version, sql in MIGRATIONS:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
                "applied_at text NOT NULL)"
            )
            # Read again under the lock: another process may have applied it meanwhile.
            if schema_version(db) >= version:
                continue
            db.execute(sql.encode())
            db.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (%s, %s)",
                (version, _now()),
            )
    return before, schema_version(db)


class PostgresCatalogue:
    """``Catalogue`` in a PostgreSQL database. Open with ``PostgresCatalogue(url)``; close when
    done. A new, empty database gets the schema; an older one asks for ``lanterne migrate``."""

    def __init__(self, url: str, read_only: bool = False) -> None:
        self._url = url
        self.location = without_password(url)
        self._db = connect(url, self.location)
        try:
            found = schema_version(self._db)
            if found == 0 and not read_only:
                found = migrate(self._db, self.location)[1]
            if found > SCHEMA_VERSION:
                raise StoreError(
                    "store.newer", path=self.location, found=found, known=SCHEMA_VERSION
                )
            if found < SCHEMA_VERSION:
                raise StoreError(
                    "store.older", path=self.location, found=found, known=SCHEMA_VERSION
                )
            if read_only:
                self._db.execute("SET default_transaction_read_only = on")
        except psycopg.OperationalError as exc:
            self._db.close()
            raise _unreachable(self.location, exc) from None
        except BaseException:
            self._db.close()
            raise

    def reader(self) -> PostgresCatalogue:
        return PostgresCatalogue(self._url, read_only=True)

    # Helpers -----------------------------------------------------------------------------

    def _run(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """``sql`` run (its rows fetched: a client-side cursor); a server gone meanwhile is a
        ``StoreError`` saying so, as when connecting."""
        try:
            return self._db.execute(sql, params)
        except psycopg.OperationalError as exc:
            raise _unreachable(self.location, exc) from None

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self._run(sql, params).fetchone()
        return None if row is None else row[0]

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One write transaction holding the catalogue's lock; a lost server is a
        ``StoreError`` (the server rolls the transaction back)."""
        try:
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                yield
        except psycopg.OperationalError as exc:
            raise _unreachable(self.location, exc) from None

    # Runs --------------------------------------------------------------------------------

    def begin_run(self, source: str, profile: str, files: Sequence[str]) -> RunInfo:
        with self._locked():
            run = RunInfo(
                id=uuid.uuid4().hex,
                source=source,
                profile=profile,
                files=list(files),
                started_at=_now(),
            )
            self._db.execute(
                "UPDATE runs SET status='interrupted' WHERE source=%s AND status='running'",
                (source,),
            )
            self._db.execute(
                "INSERT INTO runs(id, source, profile, files, started_at, status, "
                "quarantine_mark) VALUES (%s, %s, %s, %s, %s, 'running', "
                "(SELECT coalesce(max(id), 0) FROM quarantine))",
                (run.id, source, profile, _json.encode(run.files).decode(), run.started_at),
            )
        return run

    def finish_run(self, run_id: str, status: RunStatus, summary: dict[str, object]) -> None:
        with self._locked():
            if status == "completed":
                # As on SQLite: the entries known by their line, for the files this complete
                # run read whole, written before it began.
                self._db.execute(
                    "UPDATE quarantine SET resolved=%s FROM runs r WHERE r.id=%s "
                    f"AND quarantine.resolved=%s AND {_AT_ITS_LINE} "
                    "AND quarantine.source=r.source AND quarantine.id<=r.quarantine_mark "
                    "AND quarantine.run_id<>r.id "
                    "AND quarantine.file IN (SELECT jsonb_array_elements_text(r.files::jsonb))",
                    (SUPERSEDED, run_id, OPEN),
                )
            self._db.execute(
                "UPDATE runs SET status=%s, finished_at=%s, summary=%s WHERE id=%s",
                (status, _now(), _json.encode(summary).decode(), run_id),
            )

    def runs(self, limit: int = 20, source: str | None = None) -> list[RunInfo]:
        rows = self._run(
            "SELECT id, source, profile, files, started_at, finished_at, status, summary "
            "FROM runs WHERE %s::text IS NULL OR source=%s ORDER BY started_at DESC LIMIT %s",
            (source, source, limit),
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
        with self._locked():
            at = _now()  # under the lock: batches' times grow in the order they commit
            changes: list[tuple[Any, ...]] = []
            changed = self._insert_new(works, at, batch_id, changes, outcome)
            self._update_changed(changed, at, batch_id, changes, outcome)
            self._mark_deleted(delete_ids, at, batch_id, changes, outcome)
            if changes:
                cur = self._db.cursor()
                with cur.copy(
                    "COPY changes (work_id, kind, at, batch_id, fields) FROM STDIN"
                ) as cp:
                    for row in changes:
                        cp.write_row(row)
                self._db.execute(
                    "SELECT pg_notify(%s, (SELECT max(seq) FROM changes)::text)", (CHANNEL,)
                )
            if works or unchanged_keys or quarantine:
                self._close_quarantined(run_id, works, unchanged_keys, quarantine)
            if quarantine:
                self._insert_quarantine(run_id, batch_id, at, quarantine)
                outcome.quarantined = len(quarantine)
            self._insert_batch(run_id, batch_id, at, outcome)
            if run_summary is not None:
                self._db.execute(
                    "UPDATE runs SET summary=%s WHERE id=%s",
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
        """Insert the works not stored yet (``COPY``); count those stored as they are (noting a
        new source digest); return the others, changed or deleted before."""
        db = self._db
        known = {
            row[0]: (bytes(row[1]), row[2], None if row[3] is None else bytes(row[3]))
            for row in db.execute(
                "SELECT id, digest, deleted, source_digest FROM works WHERE id = ANY(%s)",
                ([w.id for w in works],),
            )
        }
        inserts: list[tuple[Any, ...]] = []
        changed: list[StoredWork] = []
        restamped: list[tuple[str, bytes | None]] = []
        for w in works:
            previous = known.get(w.id)
            if previous is None:
                inserts.append(
                    (
                        w.id,
                        w.source,
                        w.source_id,
                        w.type,
                        w.doc.decode(),
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
                    restamped.append((w.id, w.source_digest))
            else:
                changed.append(w)
        if inserts:
            with db.cursor().copy(
                "COPY works (id, source, source_id, type, doc, digest, source_digest, "
                "created_at, updated_at, batch_id) FROM STDIN"
            ) as copy:
                for row in inserts:
                    copy.write_row(row)
            self._add_entities([(i[0], i[4]) for i in inserts])
        if restamped:
            db.cursor().executemany(
                "UPDATE works SET source_digest=%s WHERE id=%s",
                [(digest, work_id) for work_id, digest in restamped],
            )
        return changed

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
        if not changed:
            return
        db = self._db
        kept = self._kept_evidence([w.id for w in changed])
        before = {
            r[0]: (r[1], r[2])
            for r in db.execute(
                "SELECT id, doc, deleted FROM works WHERE id = ANY(%s)", ([w.id for w in changed],)
            )
        }
        positions = {
            r[0]: r[1]
            for r in db.execute(
                "SELECT id, position FROM works WHERE id = ANY(%s)", ([w.id for w in changed],)
            )
        }
        # A work's rows: those of its document before the batch go, those of its last version
        # in the batch come (an id may come twice).
        first: dict[str, str] = {}
        last: dict[str, bytes] = {}
        updates: list[tuple[Any, ...]] = []
        for w in changed:
            old_doc, was_deleted = before[w.id]
            doc = with_evidence(w.doc, kept[w.id]) if w.id in kept else w.doc
            first.setdefault(w.id, old_doc)
            last[w.id] = doc
            diff = field_diff(msgspec.json.decode(old_doc), msgspec.json.decode(doc))
            updates.append((w.type, doc.decode(), w.digest, w.source_digest, at, batch_id, w.id))
            kind: ChangeKind = "created" if was_deleted else "updated"
            changes.append((w.id, kind, at, batch_id, _json.encode(diff).decode()))
            if was_deleted:
                outcome.created += 1
            else:
                outcome.updated += 1
            # The next version of the same id in this batch compares with this one.
            before[w.id] = (doc.decode(), False)
        db.cursor().executemany(
            "UPDATE works SET type=%s, doc=%s, digest=%s, source_digest=%s, deleted=false, "
            "updated_at=%s, batch_id=%s WHERE id=%s",
            updates,
        )
        dropped = entity_rows((positions[i], doc) for i, doc in first.items())
        added = entity_rows((positions[i], doc) for i, doc in last.items())
        if dropped:
            db.cursor().executemany(
                "DELETE FROM entity_works WHERE kind=%s AND scheme=%s AND value=%s AND work=%s",
                dropped,
            )
        if added:
            db.cursor().executemany(_ADD_ENTITY, added)

    def _add_entities(self, works: list[tuple[str, str]]) -> None:
        """The ``entity_works`` rows of new works (``(id, doc)``), by their positions."""
        found = [(work_id, doc) for work_id, doc in works if entity_identifiers(doc)]
        if not found:
            return
        positions = {
            r[0]: r[1]
            for r in self._db.execute(
                "SELECT id, position FROM works WHERE id = ANY(%s)", ([i for i, _ in found],)
            )
        }
        rows = entity_rows((positions[work_id], doc) for work_id, doc in found)
        self._db.cursor().executemany(_ADD_ENTITY, rows)

    def _mark_deleted(
        self,
        delete_ids: Sequence[str],
        at: str,
        batch_id: str,
        changes: list[tuple[Any, ...]],
        outcome: BatchOutcome,
    ) -> None:
        """Mark the works of ``delete_ids`` deleted; those already deleted are left as they are."""
        if not delete_ids:
            return
        done = {
            r[0]
            for r in self._db.execute(
                "UPDATE works SET deleted=true, updated_at=%s, batch_id=%s "
                "WHERE id = ANY(%s) AND NOT deleted RETURNING id",
                (at, batch_id, list(delete_ids)),
            )
        }
        if done:
            # A deleted work keeps no verified evidence: stored again, it is verified again.
            self._db.execute("DELETE FROM label_evidence WHERE work_id = ANY(%s)", (sorted(done),))
        for work_id in delete_ids:  # the log in the order asked, each once
            if work_id in done:
                done.discard(work_id)
                changes.append((work_id, "deleted", at, batch_id, "{}"))
                outcome.deleted += 1

    def _insert_quarantine(
        self, run_id: str, batch_id: str, at: str, quarantine: Sequence[QuarantineEntry]
    ) -> None:
        with self._db.cursor().copy(
            "COPY quarantine (run_id, batch_id, source, file, line, reason, message, params, "
            "field, record_key, raw, at) FROM STDIN"
        ) as copy:
            for q in quarantine:
                copy.write_row(
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
                )

    def _insert_batch(self, run_id: str, batch_id: str, at: str, outcome: BatchOutcome) -> None:
        seq = self._scalar("SELECT count(*) FROM batches WHERE run_id=%s", (run_id,))
        self._db.execute(
            "INSERT INTO batches(id, run_id, seq, committed_at, created, updated, unchanged, "
            "deleted, quarantined) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
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
        """Close the other runs' open entries for the records this batch stores or quarantines
        (``SqliteCatalogue._close_quarantined``, the same rules)."""
        db = self._db
        others_open = self._scalar(
            "SELECT EXISTS(SELECT 1 FROM quarantine WHERE resolved=%s AND run_id<>%s)",
            (OPEN, run_id),
        )
        if not others_open:
            return
        source = self._scalar("SELECT source FROM runs WHERE id=%s", (run_id,))
        stored_keys = [w.source_id for w in works if w.source == source]
        stored_keys.extend(unchanged_keys)
        if stored_keys:
            db.execute(
                "UPDATE quarantine SET resolved=%s WHERE source=%s AND record_key = ANY(%s) "
                f"AND resolved=%s AND run_id<>%s AND NOT {_AT_ITS_LINE}",
                (RESOLVED, source, stored_keys, OPEN, run_id),
            )
        keys = [q.record_key for q in quarantine if not _at_its_line(q)]
        if keys:
            db.execute(
                "UPDATE quarantine SET resolved=%s WHERE source=%s AND record_key = ANY(%s) "
                f"AND resolved=%s AND run_id<>%s AND NOT {_AT_ITS_LINE}",
                (SUPERSEDED, source, keys, OPEN, run_id),
            )
        places = [(q.file, q.line) for q in quarantine if _at_its_line(q)]
        if places:
            db.execute(
                f"UPDATE quarantine SET resolved=%s WHERE source=%s AND {_AT_ITS_LINE} "
                "AND resolved=%s AND run_id<>%s AND (file, line) IN "
                "(SELECT * FROM unnest(%s::text[], %s::integer[]))",
                (
                    SUPERSEDED,
                    source,
                    OPEN,
                    run_id,
                    [p[0] for p in places],
                    [p[1] for p in places],
                ),
            )

    # Reading -----------------------------------------------------------------------------

    def get(self, work_id: str) -> Work | None:
        doc = self._scalar("SELECT doc FROM works WHERE id=%s AND NOT deleted", (work_id,))
        return None if doc is None else decode_work(doc)

    def get_many(self, work_ids: Sequence[str]) -> dict[str, Work]:
        rows = self._run(
            "SELECT id, doc FROM works WHERE id = ANY(%s) AND NOT deleted", (list(work_ids),)
        )
        return {r[0]: decode_work(r[1]) for r in rows}

    def iter_works(self, source: str | None = None) -> Iterator[Work]:
        after = 0
        where = "" if source is None else " AND source=%s"
        extra: tuple[str, ...] = () if source is None else (source,)
        while True:
            rows = self._run(
                f"SELECT position, doc FROM works WHERE position > %s AND NOT deleted{where} "
                "ORDER BY position LIMIT %s",
                (after, *extra, _PAGE),
            ).fetchall()
            for _, doc in rows:
                yield decode_work(doc)
            if len(rows) < _PAGE:
                return
            after = rows[-1][0]

    def entity_works(
        self, kind: EntityKind, scheme: str, value: str, limit: int = 100
    ) -> list[Work]:
        rows = self._run(
            "SELECT w.doc FROM entity_works e JOIN works w ON w.position = e.work "
            "WHERE e.kind=%s AND e.scheme=%s AND e.value=%s AND NOT w.deleted "
            "ORDER BY e.work LIMIT %s",
            (kind, scheme, value, limit),
        )
        return [decode_work(doc) for (doc,) in rows]

    def count_entity_works(self, kind: EntityKind, scheme: str, value: str) -> int:
        return int(
            self._scalar(
                "SELECT count(*) FROM entity_works e JOIN works w ON w.position = e.work "
                "WHERE e.kind=%s AND e.scheme=%s AND e.value=%s AND NOT w.deleted",
                (kind, scheme, value),
            )
        )

    def work_state(self, work_id: str) -> WorkState | None:
        row = self._run(
            "SELECT id, position, source, updated_at, deleted FROM works WHERE id=%s", (work_id,)
        ).fetchone()
        return None if row is None else WorkState(row[0], row[1], row[2], row[3], bool(row[4]))

    def work_states(
        self, after: int = 0, limit: int = 1000, where: StateFilter | None = None
    ) -> list[WorkState]:
        clauses, params = _state_clauses(where)
        rows = self._run(
            "SELECT id, position, source, updated_at, deleted FROM works "
            f"WHERE position > %s{clauses} ORDER BY position LIMIT %s",
            (after, *params, limit),
        )
        return [WorkState(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def count_states(self, where: StateFilter | None = None, after: int = 0) -> int:
        clauses, params = _state_clauses(where)
        return int(
            self._scalar(
                f"SELECT count(*) FROM works WHERE position > %s{clauses}", (after, *params)
            )
        )

    def source_digests(self, ids: Sequence[str]) -> dict[str, bytes]:
        rows = self._run(
            "SELECT id, source_digest FROM works WHERE id = ANY(%s) AND NOT deleted "
            "AND source_digest IS NOT NULL",
            (list(ids),),
        )
        return {r[0]: bytes(r[1]) for r in rows}

    def source_ids(self, source: str) -> set[str]:
        rows = self._run("SELECT id FROM works WHERE source=%s AND NOT deleted", (source,))
        return {r[0] for r in rows}

    def count(self, source: str | None = None) -> int:
        if source is None:
            return int(self._scalar("SELECT count(*) FROM works WHERE NOT deleted"))
        return int(
            self._scalar("SELECT count(*) FROM works WHERE source=%s AND NOT deleted", (source,))
        )

    def set_values(self) -> dict[str, list[str]]:
        # Read from the live works themselves (an index scan of source and type, the territories
        # from each document): the SQLite file keeps counts as it writes instead; on a server,
        # a materialised count is left for later (docs/postgresql.md).
        out: dict[str, list[str]] = {"source": [], "type": [], "territory": []}
        for kind, value in self._run(
            "SELECT DISTINCT 'source', source FROM works WHERE NOT deleted "
            "UNION SELECT DISTINCT 'type', type FROM works WHERE NOT deleted "
            "UNION SELECT DISTINCT 'territory', coalesce(t->>'code', t->>'name') FROM works, "
            "jsonb_array_elements(coalesce(doc::jsonb->'diversity'->'territories', '[]'::jsonb)) t "
            "WHERE NOT deleted AND t->>'level' IN ('region', 'province') "
            "AND coalesce(t->>'code', t->>'name') IS NOT NULL",
        ):
            out[str(kind)].append(str(value))
        return {kind: sorted(values) for kind, values in out.items()}

    def last_change(self) -> int:
        return int(self._scalar("SELECT coalesce(max(seq), 0) FROM changes"))

    def add_label_evidence(self, work_id: str, pieces: Sequence[LabelEvidence]) -> Work | None:
        db = self._db
        with self._locked():
            at = _now()  # under the lock, as a batch's: times grow with the change log
            old_doc = self._scalar(
                "SELECT doc FROM works WHERE id=%s AND NOT deleted FOR UPDATE", (work_id,)
            )
            if old_doc is None:
                return None
            for piece in pieces:
                key = replaced(piece)
                if key is not None:
                    db.execute(
                        "DELETE FROM label_evidence WHERE work_id=%s AND method=%s "
                        "AND identifier=%s",
                        (work_id, *key),
                    )
                db.execute(
                    "INSERT INTO label_evidence (work_id, method, identifier, evidence, added_at) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    (work_id, str(piece.method), piece.identifier, encode_evidence(piece), at),
                )
            doc = with_evidence(old_doc, pieces)
            diff = field_diff(msgspec.json.decode(old_doc), msgspec.json.decode(doc))
            if diff:  # the same evidence again changes nothing: nothing to log
                # The digest stays the source record's: an unchanged re-import is still skipped.
                batch_id = uuid.uuid4().hex
                db.execute(
                    "UPDATE works SET doc=%s, updated_at=%s, batch_id=%s WHERE id=%s",
                    (doc.decode(), at, batch_id, work_id),
                )
                db.execute(
                    "INSERT INTO changes (work_id, kind, at, batch_id, fields) "
                    "VALUES (%s, 'updated', %s, %s, %s)",
                    (work_id, at, batch_id, _json.encode(diff).decode()),
                )
                db.execute("SELECT pg_notify(%s, (SELECT max(seq) FROM changes)::text)", (CHANNEL,))
        return decode_work(doc)

    def label_evidence(self, work_id: str) -> list[LabelEvidence]:
        rows = self._run(
            "SELECT evidence FROM label_evidence WHERE work_id=%s ORDER BY id", (work_id,)
        )
        return [decode_evidence(r[0]) for r in rows]

    def _kept_evidence(self, work_ids: Sequence[str]) -> dict[str, list[LabelEvidence]]:
        """The kept evidence of those of ``work_ids`` that have some, oldest first."""
        found: dict[str, list[LabelEvidence]] = {}
        for work_id, evidence in self._db.execute(
            "SELECT work_id, evidence FROM label_evidence WHERE work_id = ANY(%s) ORDER BY id",
            (list(work_ids),),
        ):
            found.setdefault(work_id, []).append(decode_evidence(evidence))
        return found

    def add_image_hashes(self, images: Sequence[ImageHash]) -> list[int | None]:
        at = _now()
        batch_id = uuid.uuid4().hex
        ids: list[int | None] = []
        with self._locked():
            for i in images:
                row = self._db.execute(
                    "INSERT INTO image_hashes(work_id, label, pdq, quality, phash, file, sha256, "
                    "registered_at, batch_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    (i.work_id, i.label, i.pdq, i.quality, i.phash, i.file, i.sha256, at, batch_id),
                ).fetchone()
                ids.append(None if row is None else int(row[0]))
        return ids

    def image_hashes(self, after: int = 0, limit: int = 10_000) -> list[ImageHash]:
        rows = self._run(
            "SELECT id, work_id, label, pdq, quality, phash, file, sha256, registered_at "
            "FROM image_hashes WHERE id > %s ORDER BY id LIMIT %s",
            (after, limit),
        )
        return [
            ImageHash(
                id=r[0],
                work_id=r[1],
                label=r[2],
                pdq=bytes(r[3]),
                quality=r[4],
                phash=bytes(r[5]),
                file=r[6],
                sha256=bytes(r[7]),
                registered_at=r[8],
            )
            for r in rows
        ]

    def stats(self, source: str | None = None) -> CatalogueStats:
        where, params = (
            ("NOT deleted", ()) if source is None else ("NOT deleted AND source=%s", (source,))
        )
        live = f"(SELECT source, type, doc::jsonb AS d FROM works WHERE {where}) w"

        def grouped(expr: str, join: str = "") -> dict[str, int]:
            # Ties by key in byte order with NULL first, as SQLite sorts them.
            sql = (
                f"SELECT {expr} AS k, count(*) FROM {live} {join} "
                f'GROUP BY k ORDER BY 2 DESC, ({expr})::text COLLATE "C" NULLS FIRST'
            )
            return {str(k): int(n) for k, n in self._run(sql, params)}

        language = (
            "coalesce(w.d->'diversity'->'original_languages'->>0, w.d->'in_languages'->>0, "
            "w.d->'titles'->0->>'lang', '?')"
        )
        flags = self._run(
            "SELECT count(*), "
            "count(*) FILTER (WHERE w.d->'diversity'->'european' IS NOT NULL), "
            "count(*) FILTER (WHERE w.d->'diversity'->'european' = 'true'::jsonb), "
            "count(*) FILTER (WHERE w.d->'diversity'->'eof' IS NOT NULL), "
            "count(*) FILTER (WHERE w.d->'diversity'->'eof' = 'true'::jsonb) "
            f"FROM {live}",
            params,
        ).fetchone()
        assert flags is not None  # an aggregate query always returns one row
        q_where, q_params = (
            ("resolved=0", ()) if source is None else ("resolved=0 AND source=%s", (source,))
        )
        deleted_sql = "SELECT count(*) FROM works WHERE deleted" + (
            " AND source=%s" if source else ""
        )
        creation = "coalesce(w.d->'creation_label'->>'value', 'unknown')"
        by_source_creation: dict[str, dict[str, int]] = {}
        for src, label, n in self._run(
            f"SELECT w.source, {creation} AS k, count(*) FROM {live} "
            f'GROUP BY 1, 2 ORDER BY w.source COLLATE "C", 3 DESC, ({creation}) COLLATE "C"',
            params,
        ):
            by_source_creation.setdefault(str(src), {})[str(label)] = int(n)
        countries = _array("w.d->'diversity'->'countries'")
        territories = _array("w.d->'diversity'->'territories'")
        return CatalogueStats(
            works=int(flags[0]),
            by_source=grouped("w.source"),
            by_type=grouped("w.type"),
            by_language=grouped(language),
            by_country=grouped("c", f"CROSS JOIN LATERAL jsonb_array_elements_text({countries}) c"),
            by_territory=grouped(
                "coalesce(t->>'code', t->>'name')",
                f"JOIN LATERAL jsonb_array_elements({territories}) t "
                "ON t->>'level' IN ('region', 'province')",
            ),
            european_known=int(flags[1]),
            european_yes=int(flags[2]),
            eof_known=int(flags[3]),
            eof_yes=int(flags[4]),
            quarantined=int(
                self._scalar(f"SELECT count(*) FROM quarantine WHERE {q_where}", q_params)
            ),
            deleted=int(self._scalar(deleted_sql, params)),
            by_creation=grouped(creation),
            creation_by_source=by_source_creation,
        )

    def changes(self, since: int = 0, limit: int = 1000) -> list[Change]:
        rows = self._run(
            "SELECT seq, work_id, kind, at, batch_id, fields FROM changes WHERE seq > %s "
            "ORDER BY seq LIMIT %s",
            (since, limit),
        )
        return [Change(r[0], r[1], r[2], r[3], r[4], msgspec.json.decode(r[5])) for r in rows]

    def quarantine(
        self,
        source: str | None = None,
        limit: int = 100,
        offset: int = 0,
        include_resolved: bool = False,
    ) -> list[QuarantineEntry]:
        clauses, params = [], []
        if source is not None:
            clauses.append("source=%s")
            params.append(source)
        if not include_resolved:
            clauses.append("resolved=0")
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._run(
            f"SELECT {_Q_COLUMNS} FROM quarantine {where} ORDER BY id LIMIT %s OFFSET %s",
            (*params, limit, offset),
        )
        return [_quarantine_entry(r, with_raw=False) for r in rows]

    def quarantine_entry(self, entry_id: int) -> QuarantineEntry | None:
        row = self._run(f"SELECT {_Q_COLUMNS} FROM quarantine WHERE id=%s", (entry_id,)).fetchone()
        return None if row is None else _quarantine_entry(row, with_raw=True)

    def quarantine_counts(self, source: str | None = None) -> dict[str, int]:
        where, params = ("", ()) if source is None else (" AND source=%s", (source,))
        rows = self._run(
            f"SELECT reason, count(*) FROM quarantine WHERE resolved=0{where} "
            "GROUP BY reason ORDER BY 2 DESC",
            params,
        )
        return {r[0]: int(r[1]) for r in rows}

    def integrity_problems(self) -> list[str]:
        """The server keeps its own pages consistent; what is checked here is the catalogue's
        own invariant that readers of the log rely on: each work's last change is logged."""
        problems: list[str] = []
        found = schema_version(self._db)
        if found != SCHEMA_VERSION:
            problems.append(f"schema version {found}, expected {SCHEMA_VERSION}")
        unlogged = int(
            self._scalar(
                "SELECT count(*) FROM works w WHERE NOT EXISTS (SELECT 1 FROM changes c "
                "WHERE c.work_id = w.id AND c.at = w.updated_at)"
            )
        )
        if unlogged:
            problems.append(f"{unlogged} works without their last change in the change log")
        return problems

    def close(self) -> None:
        self._db.close()

    def __del__(self) -> None:
        # A reader left to its thread (the web's, one per thread) closes when it is collected,
        # as an apsw connection does, rather than psycopg warning of an unclosed connection.
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()

    def __enter__(self) -> PostgresCatalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ChangeListener:
    """Told when the catalogue's change log grows (``LISTEN lanterne_changes``), on a
    connection of its own: ``wait`` returns as soon as a batch commits, rather than the index
    asking the log again and again."""

    def __init__(self, url: str) -> None:
        self._location = without_password(url)
        self._db = connect(url, self._location)
        self._db.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> int | None:
        """The largest ``seq`` notified within ``timeout`` seconds (waiting only when none
        came yet), or ``None`` when none came."""
        latest: int | None = None
        try:
            for notify in self._db.notifies(timeout=timeout, stop_after=1):
                latest = int(notify.payload)
            # Whatever else arrived meanwhile, without waiting again.
            for notify in self._db.notifies(timeout=0):
                latest = max(latest or 0, int(notify.payload))
        except psycopg.OperationalError as exc:
            raise _unreachable(self._location, exc) from None
        return latest

    def close(self) -> None:
        self._db.close()

    def __del__(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()


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
    return q.record_key is None or q.reason == "reason.duplicate_id"


__all__ = ["CHANNEL", "ChangeListener", "PostgresCatalogue", "migrate", "schema_version"]
