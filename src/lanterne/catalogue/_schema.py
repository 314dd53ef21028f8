"""The catalogue's SQLite schema and its version (``PRAGMA user_version``)."""

SCHEMA_VERSION = 5

_TABLES = """
CREATE TABLE IF NOT EXISTS works (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    type TEXT NOT NULL,
    doc TEXT NOT NULL,
    digest BLOB NOT NULL,
    source_digest BLOB,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    batch_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS works_source ON works(source, deleted);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    work_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
    at TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '{}'
);
-- No index on changes(work_id): nothing reads the log by work, and keeping one cost about a
-- third of the store's time per created work (random text keys). Older files drop theirs.
DROP INDEX IF EXISTS changes_work;
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    profile TEXT NOT NULL,
    files TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '{}',
    quarantine_mark INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    committed_at TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    quarantined INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    source TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    field TEXT,
    record_key TEXT,
    raw TEXT NOT NULL,
    at TEXT NOT NULL,
    resolved INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS quarantine_source ON quarantine(source, resolved);
CREATE INDEX IF NOT EXISTS quarantine_key ON quarantine(source, record_key);
CREATE INDEX IF NOT EXISTS quarantine_open ON quarantine(resolved, run_id);
CREATE INDEX IF NOT EXISTS batches_run ON batches(run_id);
-- The image registry (version 3): perceptual hashes of works' images, each registration batch
-- one transaction. An image registered twice for the same work (same bytes) is kept once.
CREATE TABLE IF NOT EXISTS image_hashes (
    id INTEGER PRIMARY KEY,
    work_id TEXT,
    label TEXT,
    pdq BLOB NOT NULL,
    quality INTEGER NOT NULL,
    phash BLOB NOT NULL,
    file TEXT NOT NULL,
    sha256 BLOB NOT NULL,
    registered_at TEXT NOT NULL,
    batch_id TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS image_hashes_once ON image_hashes(sha256, coalesce(work_id, ''));
"""

_TERRITORIES = """
SELECT DISTINCT coalesce(t.value->>'code', t.value->>'name') AS k
FROM json_each({doc}, '$.diversity.territories') t
WHERE t.value->>'level' IN ('region', 'province') AND k IS NOT NULL"""
"""The keys of a work's regions and provinces, each once (as ``stats().by_territory`` has them;
``_sets.territory_keys`` reads them likewise in Python)."""

SET_COUNTS = f"""
-- Live works per source, type and territory (version 3): what OAI-PMH's ListSets lists, kept as
-- works are stored, changed and deleted, so that listing the sets reads a few rows instead of
-- every work's document. A count may reach 0 and stay: readers keep works > 0. New works are
-- counted by write_batch, one upsert per batch (_sets.set_counts): a trigger per inserted work,
-- reading its document as JSON, cost 18 µs a work, more than storing it. Changes and deletions,
-- rarer, are counted by the triggers below.
CREATE TABLE IF NOT EXISTS set_counts (
    kind TEXT NOT NULL CHECK (kind IN ('source', 'type', 'territory')),
    value TEXT NOT NULL,
    works INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS set_counts_leave
AFTER UPDATE OF source, type, doc, deleted ON works WHEN OLD.deleted = 0
BEGIN
    UPDATE set_counts SET works = works - 1
        WHERE (kind = 'source' AND value = OLD.source) OR (kind = 'type' AND value = OLD.type)
        OR (kind = 'territory' AND value IN ({_TERRITORIES.format(doc="OLD.doc")}));
END;
CREATE TRIGGER IF NOT EXISTS set_counts_enter
AFTER UPDATE OF source, type, doc, deleted ON works WHEN NEW.deleted = 0
BEGIN
    INSERT INTO set_counts(kind, value, works)
        VALUES ('source', NEW.source, 1), ('type', NEW.type, 1)
        ON CONFLICT(kind, value) DO UPDATE SET works = works + 1;
    INSERT INTO set_counts(kind, value, works)
        SELECT 'territory', k, 1 FROM ({_TERRITORIES.format(doc="NEW.doc")}) WHERE true
        ON CONFLICT(kind, value) DO UPDATE SET works = works + 1;
END;
CREATE TRIGGER IF NOT EXISTS set_counts_delete AFTER DELETE ON works WHEN OLD.deleted = 0
BEGIN
    UPDATE set_counts SET works = works - 1
        WHERE (kind = 'source' AND value = OLD.source) OR (kind = 'type' AND value = OLD.type)
        OR (kind = 'territory' AND value IN ({_TERRITORIES.format(doc="OLD.doc")}));
END;
"""

FILL_SET_COUNTS = """
DELETE FROM set_counts;
INSERT INTO set_counts(kind, value, works)
    SELECT 'source', source, count(*) FROM works WHERE deleted = 0 GROUP BY source;
INSERT INTO set_counts(kind, value, works)
    SELECT 'type', type, count(*) FROM works WHERE deleted = 0 GROUP BY type;
INSERT INTO set_counts(kind, value, works)
    SELECT 'territory', k, count(*) FROM (
        SELECT DISTINCT w.rowid, coalesce(t.value->>'code', t.value->>'name') AS k
        FROM works w, json_each(w.doc, '$.diversity.territories') t
        WHERE w.deleted = 0 AND t.value->>'level' IN ('region', 'province') AND k IS NOT NULL
    ) GROUP BY k;
"""
"""The counts of a file written before version 3, from its works (once, on upgrading it)."""

ADD_SET_COUNTS = (
    "INSERT INTO set_counts(kind, value, works) VALUES (?, ?, ?) "
    "ON CONFLICT(kind, value) DO UPDATE SET works = works + excluded.works"
)
"""Add to the counts (``_sets.set_counts``' rows)."""

ENTITY_WORKS = """
-- The works of each agent and place identifier (version 4): what the page of an agent or a
-- place (/id/agent/isni:…) lists, found by an index range instead of a scan of every document.
-- A row per identifier of a work's contributors and places (its events' included), written by
-- write_batch from the document (_entities.entity_rows); a changed work's old rows go, a
-- deleted work's stay and are read through works.deleted, so a work stored again needs none.
CREATE TABLE IF NOT EXISTS entity_works (
    kind TEXT NOT NULL CHECK (kind IN ('agent', 'place')),
    scheme TEXT NOT NULL,
    value TEXT NOT NULL,
    work INTEGER NOT NULL,
    PRIMARY KEY (kind, scheme, value, work)
) WITHOUT ROWID;
"""

ADD_ENTITY_WORKS = (
    "INSERT OR IGNORE INTO entity_works(kind, scheme, value, work) VALUES (?, ?, ?, ?)"
)
DROP_ENTITY_WORKS = "DELETE FROM entity_works WHERE kind=? AND scheme=? AND value=? AND work=?"

LABEL_EVIDENCE = """
-- Evidence Lanterne verified about how a work was made (version 5): a C2PA manifest, a
-- detector's result, each piece as the JSON of its LabelEvidence. Kept apart from the source
-- record, so that storing the work again from its source (changed or not) keeps it: write_batch
-- merges the rows back into the new document's creation label (_evidence.with_evidence). A
-- piece with the same method and identifier replaces the row there (a manifest verified twice
-- counts once); a work deleted (--sync) loses its rows with it. A file before version 5 gets the
-- empty table: nothing was kept before.
CREATE TABLE IF NOT EXISTS label_evidence (
    id INTEGER PRIMARY KEY,
    work_id TEXT NOT NULL,
    method TEXT NOT NULL,
    identifier TEXT,
    evidence TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS label_evidence_work ON label_evidence(work_id, method, identifier);
"""

SCHEMA = _TABLES + SET_COUNTS + ENTITY_WORKS + LABEL_EVIDENCE
