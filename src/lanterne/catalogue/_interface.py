"""The catalogue contract: what every storage backend offers, whatever it stores records in.

Callers (ingest, diagnosis, search, the web) only see ``Catalogue``; the embedded SQLite store
is one implementation, and a PostgreSQL one can satisfy the same protocol and the same contract
tests (tests/test_catalogue_contract.py) without changing any caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Literal, Protocol

import msgspec

from lanterne.catalogue._entities import EntityKind
from lanterne.catalogue._stats import CatalogueStats
from lanterne.profile import LabelEvidence, Work

ChangeKind = Literal["created", "updated", "deleted"]
RunStatus = Literal["running", "completed", "interrupted", "failed"]


class StoredWork(msgspec.Struct, frozen=True):
    """A work ready to store: its canonical JSON and the hash that decides if it changed."""

    id: str
    source: str
    source_id: str
    type: str
    doc: bytes
    digest: bytes
    source_digest: bytes | None = None
    """Digest of the raw source record and of what mapped it; equal next time = nothing to map."""


class QuarantineEntry(msgspec.Struct, kw_only=True):
    """A record that could not be stored, kept whole with the reason, so nothing is lost."""

    source: str
    file: str
    line: int
    reason: str
    """Message id of the reason (``reason.duplicate_id`` …), stable for counting and filtering."""
    message: str
    """The reason in French, with its details (the CLI can re-say it in English from ``params``)."""
    params: dict[str, str] = {}
    field: str | None = None
    record_key: str | None = None
    raw: str = ""
    id: int | None = None
    run_id: str | None = None
    batch_id: str | None = None
    at: str | None = None
    resolved: bool = False
    """Closed: its record was stored since, or quarantined again (the newer entry stays open)."""


class BatchOutcome(msgspec.Struct):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0


class Change(msgspec.Struct, frozen=True):
    seq: int
    work_id: str
    kind: ChangeKind
    at: str
    batch_id: str
    fields: dict[str, object]


class WorkState(msgspec.Struct, frozen=True):
    """Where a stored work stands, deleted or not: what publishing reads (sitemaps, 410 Gone)."""

    id: str
    position: int
    """Its place in the order works were first stored: stable, increasing, never reused (a
    work deleted and stored again keeps it)."""
    source: str
    modified: str
    """When its last change (created, updated or deleted) was logged: that change's ``at``."""
    deleted: bool


class StateFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which works ``work_states`` and ``count_states`` keep, deleted ones included (each
    ``None``: any). What OAI-PMH's sets and dates select, in the store's own query."""

    source: str | None = None
    type: str | None = None
    territory: str | None = None
    """A region or province code (``FR-BRE``) among the work's territories; ``""``: any coded
    region or province (the territories of ``stats().by_territory``)."""
    modified_from: str | None = None
    """Kept when its last change is at or after this time, compared as text with ``modified``
    (``2024-05-01`` and ``2024-05-01T10:00:00`` are both prefixes of such times)."""
    modified_before: str | None = None
    """Kept when its last change is strictly before this time (compared likewise)."""


class ImageHash(msgspec.Struct, frozen=True, kw_only=True):
    """One registered image: its perceptual hashes (PDQ with its quality, pHash), what it is an
    image of, and the label it carries (docs/registry-and-tdm.md)."""

    pdq: bytes
    """The 256-bit PDQ hash, 32 bytes, most significant bit first (its hex is the usual form)."""
    quality: int
    """PDQ's quality, 0 to 100: below the registry's threshold the hash decides nothing."""
    phash: bytes
    """The 64-bit DCT perceptual hash of imagehash, 8 bytes: the second key."""
    file: str
    """The file's name as registered (never its folder)."""
    sha256: bytes
    work_id: str | None = None
    label: str | None = None
    id: int | None = None
    registered_at: str | None = None


class RunInfo(msgspec.Struct, kw_only=True):
    id: str
    source: str
    profile: str
    files: list[str]
    started_at: str
    finished_at: str | None = None
    status: RunStatus = "running"
    summary: dict[str, object] = {}


class Catalogue(Protocol):
    """Storage of works with a change log, a quarantine and ingest runs."""

    location: str

    def begin_run(self, source: str, profile: str, files: Sequence[str]) -> RunInfo:
        """Record the start of an ingest run; the source's unfinished runs become interrupted."""
        ...

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
        """Store one batch atomically: all of it or, on any failure or crash, none of it.

        Works whose digest is unchanged are not rewritten; changed ones get a field-level diff in
        the change log, and the evidence ``add_label_evidence`` kept for them merged back into
        their creation label; quarantine entries are added; ``delete_ids`` become tombstones
        (losing that evidence); ``unchanged`` counts records the caller found unchanged from
        ``source_digests`` alone, ``unchanged_keys`` their source ids.

        Other runs' open quarantine entries for a record this batch stores (or finds unchanged)
        are resolved; those for a record it quarantines again are superseded by the new entry.
        ``run_summary``, when given, is called with the batch's outcome and what it returns
        becomes the run's summary, in the same transaction: a checkpoint (a harvest's resumption
        token and counts) that holds exactly when the batch does.
        """
        ...

    def finish_run(self, run_id: str, status: RunStatus, summary: dict[str, object]) -> None:
        """Record the end of a run. A completed run supersedes the open entries known by their
        line (no record id, or a duplicate id) for its files, written before it began (it read
        those lines again); nothing else."""
        ...

    def runs(self, limit: int = 20, source: str | None = None) -> list[RunInfo]:
        """The latest runs, newest first (only those of ``source`` when given)."""
        ...

    def get(self, work_id: str) -> Work | None:
        """The work, or ``None`` if unknown or deleted."""
        ...

    def get_many(self, work_ids: Sequence[str]) -> dict[str, Work]:
        """The live works among ``work_ids``, by id (unknown and deleted ones left out): one
        read where a page of OAI-PMH records would call ``get`` for each."""
        ...

    def iter_works(self, source: str | None = None) -> Iterator[Work]: ...

    def entity_works(
        self, kind: EntityKind, scheme: str, value: str, limit: int = 100
    ) -> list[Work]:
        """The first ``limit`` live works, in position order, with a contributor (``kind``
        ``"agent"``) or a place (``"place"``: the work's, or one of its events') carrying the
        identifier ``scheme``/``value``: an index lookup, not a scan of the works."""
        ...

    def count_entity_works(self, kind: EntityKind, scheme: str, value: str) -> int:
        """How many live works ``entity_works`` would give without a limit."""
        ...

    def work_state(self, work_id: str) -> WorkState | None:
        """The work's state, a deleted work's too; ``None`` if it was never stored."""
        ...

    def work_states(
        self, after: int = 0, limit: int = 1000, where: StateFilter | None = None
    ) -> list[WorkState]:
        """States of the works whose position is greater than ``after``, in position order,
        deleted works included; only those ``where`` keeps, when given."""
        ...

    def count_states(self, where: StateFilter | None = None, after: int = 0) -> int:
        """How many works ``work_states(after, …, where)`` would give without a limit."""
        ...

    def source_digests(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The source digest stored with each live work of ``ids`` that has one."""
        ...

    def reader(self) -> Catalogue:
        """A new read-only connection to the same catalogue, for another process or thread.

        A map worker opens its own after it is forked: a connection never crosses a fork.
        """
        ...

    def source_ids(self, source: str) -> set[str]:
        """Ids of the live (not deleted) works of a source."""
        ...

    def count(self, source: str | None = None) -> int: ...

    def stats(self, source: str | None = None) -> CatalogueStats:
        """Counts by type, language, country and territory, European and EOF shares."""
        ...

    def changes(self, since: int = 0, limit: int = 1000) -> list[Change]:
        """Change-log entries with a sequence number greater than ``since``, oldest first."""
        ...

    def set_values(self) -> dict[str, list[str]]:
        """The sources, types and territory keys (``stats().by_territory``'s) that live works
        have, each list sorted, under ``source``, ``type`` and ``territory``: read from counts
        the store keeps as it writes, not from every work."""
        ...

    def last_change(self) -> int:
        """The sequence number of the change log's last entry (0: none): it moves whenever a
        work is created, changed or deleted."""
        ...

    def quarantine(
        self,
        source: str | None = None,
        limit: int = 100,
        offset: int = 0,
        include_resolved: bool = False,
    ) -> list[QuarantineEntry]: ...

    def quarantine_entry(self, entry_id: int) -> QuarantineEntry | None: ...

    def quarantine_counts(self, source: str | None = None) -> dict[str, int]:
        """Open quarantine entries by reason."""
        ...

    def add_label_evidence(self, work_id: str, pieces: Sequence[LabelEvidence]) -> Work | None:
        """Keep ``pieces``, evidence Lanterne verified about how the live work ``work_id`` was
        made (a C2PA manifest, a detector's result), apart from its source record, and store
        the work with its creation label decided again (``add_evidence``: a piece with the same
        method and identifier as one kept replaces it), logged as an update when the work
        changed: one transaction, all of it or nothing. Storing the work again from its source
        (``write_batch``) merges the kept pieces back; its source digest stays the source
        record's. A deleted work's pieces go with it. The work as stored, or ``None`` when no
        live work has that id (nothing written)."""
        ...

    def label_evidence(self, work_id: str) -> list[LabelEvidence]:
        """The pieces kept for ``work_id`` by ``add_label_evidence``, oldest first."""
        ...

    def add_image_hashes(self, images: Sequence[ImageHash]) -> list[int | None]:
        """Store a batch of registered images in one transaction: all of them or, on any
        failure or crash, none. An image already registered for the same work (same bytes) is
        not stored twice. The id each image got, ``None`` for those already registered."""
        ...

    def image_hashes(self, after: int = 0, limit: int = 10_000) -> list[ImageHash]:
        """Registered images whose ``id`` is greater than ``after``, in ``id`` order."""
        ...

    def integrity_problems(self) -> list[str]:
        """Empty when the store is consistent (for SQLite: ``PRAGMA integrity_check`` says ok)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Catalogue: ...

    def __exit__(self, *exc: object) -> None:
        """Close the catalogue."""
        ...
