"""The catalogue's SQLite schema and its version (``PRAGMA user_version``)."""

SCHEMA_VERSION = 3

SCHEMA = """
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
