"""The catalogue's PostgreSQL schema, as ordered migrations recorded in ``schema_version``.

A new, empty database gets every migration when first opened (as a new SQLite file gets its
schema); a database at an older version is brought up to date only by ``lanterne migrate``, so
that several servers reading one database never change its schema behind each other's back.
Each migration runs in one transaction, under the catalogue's write lock: all of it or nothing.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
CREATE TABLE works (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    source text NOT NULL,
    source_id text NOT NULL,
    type text NOT NULL,
    doc text NOT NULL,
    digest bytea NOT NULL,
    source_digest bytea,
    deleted boolean NOT NULL DEFAULT false,
    created_at text COLLATE "C" NOT NULL,
    updated_at text COLLATE "C" NOT NULL,
    batch_id text NOT NULL
);
CREATE INDEX works_source ON works (source, deleted);
CREATE TABLE changes (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    work_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
    at text COLLATE "C" NOT NULL,
    batch_id text NOT NULL,
    fields text NOT NULL DEFAULT '{}'
);
CREATE TABLE runs (
    id text PRIMARY KEY,
    source text NOT NULL,
    profile text NOT NULL,
    files text NOT NULL,
    started_at text COLLATE "C" NOT NULL,
    finished_at text COLLATE "C",
    status text NOT NULL,
    summary text NOT NULL DEFAULT '{}',
    quarantine_mark bigint NOT NULL DEFAULT 0
);
CREATE TABLE batches (
    id text PRIMARY KEY,
    run_id text NOT NULL REFERENCES runs (id),
    seq integer NOT NULL,
    committed_at text COLLATE "C" NOT NULL,
    created integer NOT NULL,
    updated integer NOT NULL,
    unchanged integer NOT NULL,
    deleted integer NOT NULL,
    quarantined integer NOT NULL
);
CREATE INDEX batches_run ON batches (run_id);
CREATE TABLE quarantine (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id text NOT NULL,
    batch_id text NOT NULL,
    source text NOT NULL,
    file text NOT NULL,
    line integer NOT NULL,
    reason text NOT NULL,
    message text NOT NULL,
    params text NOT NULL DEFAULT '{}',
    field text,
    record_key text,
    raw text NOT NULL,
    at text COLLATE "C" NOT NULL,
    resolved smallint NOT NULL DEFAULT 0
);
CREATE INDEX quarantine_source ON quarantine (source, resolved);
CREATE INDEX quarantine_key ON quarantine (source, record_key);
CREATE INDEX quarantine_open ON quarantine (resolved, run_id);
""",
    ),
    (
        2,
        # OAI-PMH's from/until select by last change; on a server-sized catalogue that is an
        # index range rather than a scan of every work.
        "CREATE INDEX works_updated ON works (updated_at);",
    ),
    (
        3,
        # The image registry (docs/registry-and-tdm.md), as in the SQLite file's version 3.
        """
CREATE TABLE image_hashes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    work_id text,
    label text,
    pdq bytea NOT NULL,
    quality integer NOT NULL,
    phash bytea NOT NULL,
    file text NOT NULL,
    sha256 bytea NOT NULL,
    registered_at text COLLATE "C" NOT NULL,
    batch_id text NOT NULL
);
CREATE UNIQUE INDEX image_hashes_once ON image_hashes (sha256, coalesce(work_id, ''));
""",
    ),
    (
        4,
        # The works of each agent and place identifier, as in the SQLite file's version 4: the
        # page of /id/agent/isni:… lists them by an index range. Filled here from the works'
        # documents as _entities.entity_identifiers reads them; then kept by write_batch.
        """
CREATE TABLE entity_works (
    kind text NOT NULL CHECK (kind IN ('agent', 'place')),
    scheme text NOT NULL,
    value text NOT NULL,
    work bigint NOT NULL,
    PRIMARY KEY (kind, scheme, value, work)
);
INSERT INTO entity_works (kind, scheme, value, work)
SELECT DISTINCT kind, i->>'scheme', i->>'value', position FROM (
    SELECT 'agent' AS kind, i, w.position FROM works w,
        jsonb_array_elements(coalesce(w.doc::jsonb->'contributors', '[]'::jsonb)) c,
        jsonb_array_elements(coalesce(c->'agent'->'identifiers', '[]'::jsonb)) i
    UNION ALL
    SELECT 'place', i, w.position FROM works w,
        jsonb_array_elements(coalesce(w.doc::jsonb->'places', '[]'::jsonb)) p,
        jsonb_array_elements(coalesce(p->'identifiers', '[]'::jsonb)) i
    UNION ALL
    SELECT 'place', i, w.position FROM works w,
        jsonb_array_elements(coalesce(w.doc::jsonb->'events', '[]'::jsonb)) e,
        jsonb_array_elements(coalesce(e->'place'->'identifiers', '[]'::jsonb)) i
) found
WHERE coalesce(i->>'scheme', '') <> '' AND coalesce(i->>'value', '') <> '';
""",
    ),
    (
        5,
        # Evidence Lanterne verified about how a work was made, kept apart from the source
        # record, as in the SQLite file's version 5 (_schema.LABEL_EVIDENCE says how it is kept).
        """
CREATE TABLE label_evidence (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    work_id text NOT NULL,
    method text NOT NULL,
    identifier text,
    evidence text NOT NULL,
    added_at text COLLATE "C" NOT NULL
);
CREATE INDEX label_evidence_work ON label_evidence (work_id, method, identifier);
""",
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1][0]
