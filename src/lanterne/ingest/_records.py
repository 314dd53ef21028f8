"""The records of an import that cross between its stages and processes, as msgspec Structs.

They live here, in a module mypyc does not compile, because mypyc drops the keywords of a class
line (python/mypy#21938): compiled, ``frozen=True``, ``kw_only=True`` and ``gc=False`` were
silently lost (``tests/test_accel.py`` checks every Struct of a compiled module keeps them).
"""

from __future__ import annotations

import csv

import msgspec

from lanterne.settings import Settings, setting


class DroppedLink(msgspec.Struct, frozen=True, gc=False):
    """A value a rule dropped because it is not a web link; the run warns about it."""

    target: str
    """The rule's target field (``url``, ``offer.url``…)."""
    field: str
    """The source field(s) it came from, or ``const``."""
    value: str
    why: str
    """Message id of the problem (``url_problem``)."""
    detail: str


class Encoded(msgspec.Struct, gc=False):
    """A record mapped into a valid work, encoded, ready to store."""

    source_id: str
    work_id: str
    type: str
    doc: bytes
    """The work, encoded (``encode_work``)."""
    digest: bytes
    """Digest of ``doc``: the catalogue compares it to tell an update from no change."""
    dropped: list[DroppedLink]
    """The links the mapping dropped, for the run's warnings."""
    source_digest: bytes | None = None
    """Digest of the raw record and the mapping, set where records are skipped when unchanged."""


class Quarantined(msgspec.Struct, gc=False):
    """A record that cannot become a work: why, for its quarantine entry."""

    source_id: str | None
    reason: str
    """Message id of the reason (``lanterne.messages``)."""
    params: dict[str, str]
    field: str | None


class Unchanged(msgspec.Struct, gc=False):
    """A record not mapped again: its raw text and mapping are those of the work stored."""

    source_id: str


class ReadLimits(msgspec.Struct, frozen=True, kw_only=True):
    """What one record may cost to read; the declared settings ``max_json_depth``, …"""

    max_json_depth: int = int(setting("max_json_depth").default)
    """Deepest nesting of arrays and objects in a JSON record (``{}`` is 1)."""
    max_record_bytes: int = int(setting("max_record_bytes").default)
    """Most bytes of one record (a CSV record or line, a JSON item or line)."""

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ReadLimits:
        """The limits of ``settings`` (by default read from the environment now)."""
        settings = settings or Settings.load()
        return cls(
            max_json_depth=settings.max_json_depth, max_record_bytes=settings.max_record_bytes
        )


class CsvLayout(msgspec.Struct, frozen=True):
    """What it takes to turn one record's raw text back into its fields, in another process."""

    header: list[str]
    delimiter: str
    encoding: str = "utf-8"
    max_record_bytes: int = int(setting("max_record_bytes").default)

    def parse_many(self, raws: list[str]) -> list[dict[str, str]]:
        """The fields of records the reader kept as raw text, in order, with one parser.

        The text is cut into lines exactly as the reader fed them to the CSV parser (after each
        ``\\n``), so the parser sees the same input. Each record ended where the reader's
        parser was back at the start of a record, so records parse one after the other as they
        did alone; the last line of a file may lack its line break, so it gets one.
        """
        fed: list[str] = []
        for raw in raws:
            inner = raw.find("\n")
            if inner == len(raw) - 1:
                fed.append(raw)
            elif inner < 0:
                fed.append(raw + "\n")
            else:
                lines = raw.split("\n")
                last = lines.pop()
                fed.extend([line + "\n" for line in lines])
                if last:
                    fed.append(last + "\n")
        header = self.header
        rows = csv.reader(fed, delimiter=self.delimiter, strict=True)
        found = [dict(zip(header, row, strict=True)) for row in rows]
        if len(found) != len(raws):
            raise ValueError(f"{len(raws)} enregistrements, {len(found)} lignes CSV")
        return found


class CsvBlock(msgspec.Struct, frozen=True):
    """Whole lines of a CSV file, from the start of a record."""

    file: str
    first_line: int
    data: bytes
    final: bool
    """Whether the block runs to the end of the file."""
    layout: CsvLayout
    cut: bool = False
    """Whether its last line is only the start (``KEPT_BYTES``) of a line longer than a record
    may be (``layout.max_record_bytes``), the rest skipped as ``CsvReader`` skips it."""
    odd_end: bool = False
    """Whether it ends at a line break after an odd count of quotes (held too long): the
    record open there most likely goes on through the next block."""


class IngestOptions(msgspec.Struct, kw_only=True):
    encoding: str | None = None
    """Declared encoding; ``None`` or ``auto`` to detect it."""
    delimiter: str | None = None
    batch_size: int = 20_000
    """Records per transaction. Random ids dirty index pages all over the file and each commit
    writes every dirtied page: 20,000 cost 15 % less CPU per work than 5,000 at a million."""
    remap: bool = False
    """Map every record, even those whose source digest says they are unchanged."""
    workers: int = 0
    """Processes that map records beside the one reading and storing (0: map in this process)."""
    sync: bool = False
    """Mark the source's works absent from this import as deleted (the file is a full export)."""
    jsonld_max_depth: int | None = None
    """Deepest nesting of a JSON-LD record once its links are resolved (``None``: the setting)."""
    jsonld_max_nodes: int | None = None
    """Most objects and lists in a resolved JSON-LD record (``None``: the setting)."""
    display_root: str | None = None
    """Name files relative to this folder in the run, its quarantine and its warnings (an upload
    through the API is named as sent, not by where the server saved it)."""
    limits: ReadLimits | None = None
    """What one record may cost to read; ``None``: the declared settings, read when it starts."""


class IngestSummary(msgspec.Struct, kw_only=True):
    run_id: str
    source: str
    profile: str
    files: list[str]
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0
    by_reason: dict[str, int] = {}
    warnings: list[str] = []
    warnings_total: int = 0
    status: str = "running"

    @property
    def stored(self) -> int:
        return self.created + self.updated + self.unchanged
