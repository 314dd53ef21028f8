"""Ingest: read a source, map each record, validate it as a ``Work`` and store it in batches.

Counts always add up: every record read is either stored (created, updated or unchanged) or
quarantined with its reason, file, line and raw text. A problem with the input as a whole
(missing file, empty file, wrong encoding, missing columns) is raised before anything is
written. Each batch is one transaction, so an interrupted ingest leaves whole batches only, and
running it again finishes the job (stable ids make it idempotent).
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import msgspec

from lanterne._visible import visible
from lanterne.catalogue import BatchOutcome, Catalogue, QuarantineEntry, StoredWork
from lanterne.errors import BadInput, InputNotFound
from lanterne.ingest._blocks import split_blocks
from lanterne.ingest._json import read_json_items, read_json_lines
from lanterne.ingest._mapper import Mapper
from lanterne.ingest._mapping_profile import Join, MappingProfile
from lanterne.ingest._marc import read_marc
from lanterne.ingest._parallel import Entry, Lookup, Opened, Stage, mapping_fingerprint, outcomes
from lanterne.ingest._readers import CsvReader, Item, RawRecord, ReadProblem
from lanterne.ingest._records import (
    CsvLayout,
    IngestOptions,
    IngestSummary,
    Quarantined,
    ReadLimits,
    Unchanged,
)
from lanterne.ingest._transform import Outcome
from lanterne.messages import say, say_partial
from lanterne.profile import work_id
from lanterne.profile.schemaorg import Graph, GraphTooLarge, shallow_json, top_nodes, types_of
from lanterne.settings import Settings

Progress = Callable[[int], None]


def resolve_files(source: Path, profile: MappingProfile) -> list[Path]:
    """The files to read: ``source`` itself, or the profile's files inside the ``source`` folder."""
    if not source.exists():
        raise InputNotFound("input.not_found", path=source)
    if source.is_file():
        return [source]
    if not profile.reader.files:
        raise BadInput(
            "input.unreadable", path=source, reason="dossier sans fichiers déclarés par le profil"
        )
    files = [source / name for name in profile.reader.files]
    for f in files:
        if not f.exists():
            raise InputNotFound("input.not_found", path=f)
    return files


def _load_join(base: Path, join: Join, profile: MappingProfile) -> dict[str, list[dict[str, str]]]:
    path = (base / join.file).resolve()
    if not path.is_file():
        raise BadInput("input.join_missing", path=path, join=join.name, profile=profile.name)
    reader = CsvReader(path)
    key = join.key or join.on
    lookup = _load_join(base, join.lookup, profile) if join.lookup else None
    rows: dict[str, list[dict[str, str]]] = {}
    for item in reader:
        if isinstance(item, RawRecord):
            row = item.data
            if lookup is not None and join.lookup is not None:
                for extra in lookup.get(row.get(join.lookup.on, "").strip(), []):
                    row = {**extra, **row}
            rows.setdefault(str(row.get(key, "")).strip(), []).append(row)
    return rows


class _Run:
    """State of one ingest run: batch buffers, counters, the ids seen."""

    def __init__(
        self,
        catalogue: Catalogue,
        profile: MappingProfile,
        options: IngestOptions,
        summary: IngestSummary,
    ) -> None:
        self.catalogue = catalogue
        self.profile = profile
        self.options = options
        self.summary = summary
        self.works: list[StoredWork] = []
        self.problems: list[QuarantineEntry] = []
        self.unchanged: list[str] = []
        self.seen: dict[str, tuple[str, int]] = {}
        self.reasons: Counter[str] = Counter()
        root = options.display_root
        self.prefix = None if root is None else root.rstrip(os.sep) + os.sep

    def shown(self, file: str) -> str:
        """How the run names ``file`` (see ``IngestOptions.display_root``)."""
        if self.prefix is not None and file.startswith(self.prefix):
            return file[len(self.prefix) :]
        return file

    def quarantine(
        self,
        file: str,
        line: int,
        reason: str,
        params: dict[str, str],
        raw: str,
        field: str | None = None,
        key: str | None = None,
    ) -> None:
        self.problems.append(
            QuarantineEntry(
                source=self.profile.source,
                file=self.shown(file),
                line=line,
                reason=reason,
                message=say_partial(reason, "fr", params),
                params=params,
                field=field,
                record_key=key,
                raw=raw,
            )
        )
        self.reasons[reason] += 1
        self.summary.read += 1
        self._maybe_flush()

    def store(self, work: StoredWork) -> None:
        self.works.append(work)
        self.summary.read += 1
        self._maybe_flush()

    def keep(self, source_id: str) -> None:
        """A record found unchanged from its source digest: counted, nothing to write but its id
        (it closes an older quarantine entry of the same record)."""
        self.unchanged.append(source_id)
        self.summary.read += 1
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.works) + len(self.problems) + len(self.unchanged) >= self.options.batch_size:
            self.flush()

    def forget_unwritten(self) -> None:
        """Count only what the committed batches hold, so an interrupted run's summary adds up:
        the records of a batch not written (a full disk, Ctrl-C) are read again by the next run."""
        self.summary.read -= len(self.works) + len(self.problems) + len(self.unchanged)
        self.reasons.subtract(p.reason for p in self.problems)
        self.reasons = +self.reasons
        self.works, self.problems, self.unchanged = [], [], []

    def flush(
        self,
        delete_ids: list[str] | None = None,
        checkpoint: Callable[[IngestSummary], dict[str, object]] | None = None,
    ) -> None:
        """Write the batch; with ``checkpoint``, the run's summary it gives from the summary as
        this batch leaves it, in the same transaction (a harvest's resumption point)."""
        if not (self.works or self.problems or delete_ids or self.unchanged or checkpoint):
            return
        summary = self.summary

        def run_summary(done: BatchOutcome) -> dict[str, object]:
            assert checkpoint is not None
            after = msgspec.structs.replace(
                summary,
                created=summary.created + done.created,
                updated=summary.updated + done.updated,
                unchanged=summary.unchanged + done.unchanged,
                deleted=summary.deleted + done.deleted,
                quarantined=summary.quarantined + done.quarantined,
            )
            return checkpoint(after)

        outcome = self.catalogue.write_batch(
            self.summary.run_id,
            self.works,
            self.problems,
            delete_ids or [],
            len(self.unchanged),
            self.unchanged,
            run_summary if checkpoint is not None else None,
        )
        s = self.summary
        s.created += outcome.created
        s.updated += outcome.updated
        s.unchanged += outcome.unchanged
        s.deleted += outcome.deleted
        s.quarantined += outcome.quarantined
        self.works = []
        self.problems = []
        self.unchanged = []


def ingest(
    catalogue: Catalogue,
    source: Path,
    profile: MappingProfile,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest ``source`` (a file, or a folder holding the profile's files) into ``catalogue``."""
    options = options or IngestOptions()
    files = resolve_files(source, profile)
    base = source if source.is_dir() else source.parent
    mapper = Mapper(profile)
    for join in profile.join:
        mapper.joins[join.name] = _load_join(base, join, profile)
    # With map workers, CSV records travel to them as raw text with their file's layout.
    layouts: dict[str, CsvLayout] = {}
    items = _open_items(files, base, profile, options, layouts)
    first = next(items, None)  # opens the first file: whole-file problems surface before the run
    summary = IngestSummary(run_id="", source=profile.source, profile=profile.name, files=[])
    run = _Run(catalogue, profile, options, summary)
    summary.files = [run.shown(str(f)) for f in files]
    summary.run_id = catalogue.begin_run(profile.source, profile.name, summary.files).id
    opened = items if first is None else chain([first], items)
    # An import allocates millions of short-lived containers; the default collector thresholds
    # would walk the growing table of seen ids over and over.
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        stamp = mapping_fingerprint(profile, base)
        # Nothing to look up on a source's first import: every record is mapped (2.4 µs per
        # record saved in the workers at a million works). A work stored meanwhile by another
        # import is only mapped again; the store still compares documents.
        lookup = not options.remap and catalogue.count(profile.source) > 0
        stage = Stage(mapper, stamp, catalogue.source_digests if lookup else None, layouts)
        open_lookup = _digest_reader(catalogue) if lookup else None
        flow = outcomes(stage, opened, options.workers, open_lookup, ahead=options.batch_size)
        for item, outcome in flow:
            _commit(run, item, outcome)
            if progress is not None and summary.read % 1000 == 0:
                progress(summary.read)
        run.flush()
        if options.sync:
            # ``seen`` holds source ids; the catalogue answers with work ids.
            present = {work_id(profile.source, source_id) for source_id in run.seen}
            missing = sorted(catalogue.source_ids(profile.source) - present)
            for start in range(0, len(missing), options.batch_size):
                run.flush(missing[start : start + options.batch_size])
        summary.status = "completed"
    except BaseException:
        summary.status = "interrupted"
        run.forget_unwritten()
        summary.by_reason = dict(run.reasons)
        catalogue.finish_run(summary.run_id, "interrupted", msgspec.to_builtins(summary))
        raise
    finally:
        gc.set_threshold(*thresholds)
        if progress is not None:
            progress(summary.read)
    summary.by_reason = dict(run.reasons.most_common())
    catalogue.finish_run(summary.run_id, "completed", msgspec.to_builtins(summary))
    return summary


Opened = Opened


def _digest_reader(catalogue: Catalogue) -> Callable[[], Lookup]:
    def open_lookup() -> Lookup:
        """In a map worker: its own read-only connection's digest lookup."""
        return catalogue.reader().source_digests

    return open_lookup


def _open_items(
    files: list[Path],
    base: Path,
    profile: MappingProfile,
    options: IngestOptions,
    layouts: dict[str, CsvLayout],
) -> Iterator[Entry]:
    reader = profile.reader
    encoding = options.encoding or reader.encoding
    delimiter = options.delimiter or reader.delimiter
    limits = options.limits or ReadLimits.from_settings()
    if reader.format == "csv":
        for path in files:
            csv_reader = CsvReader(path, encoding, delimiter, options.workers == 0, limits)
            kind = "record" if csv_reader.parse else "csv"
            layouts[str(path)] = csv_reader.layout
            missing = sorted(profile.source_columns() - set(csv_reader.header))
            if missing:
                csv_reader.close()
                raise BadInput(
                    "input.missing_columns",
                    path=path,
                    columns=", ".join(missing),
                    profile=profile.name,
                )
            if options.workers > 0 and csv_reader.splittable:
                # The map workers read the records of each block themselves.
                yield from split_blocks(csv_reader)
                continue
            for item in csv_reader:
                yield (kind, item, [])
    elif reader.format == "marc":
        for path in files:
            for item in read_marc(path, encoding or "auto", limits):
                yield ("record", item, [])
    elif reader.format in ("oai_dc", "edm"):
        raise BadInput("input.harvest_only", profile=profile.name, format=reader.format)
    elif reader.format in ("json", "jsonl"):
        for path in files:
            produced = (
                read_json_lines(path, encoding, limits)
                if reader.format == "jsonl"
                else read_json_items(path, encoding, reader.records_path, limits)
            )
            for item in produced:
                yield ("record", item, [])
    else:
        yield from _jsonld_items(files, base, profile, encoding, options)


def _jsonld_items(
    files: list[Path],
    base: Path,
    profile: MappingProfile,
    encoding: str | None,
    options: IngestOptions,
) -> Iterator[Opened]:
    max_depth, max_nodes = options.jsonld_max_depth, options.jsonld_max_nodes
    if max_depth is None or max_nodes is None:
        settings = Settings.load()
        max_depth = max_depth or settings.jsonld_max_depth
        max_nodes = max_nodes or settings.jsonld_max_nodes
    graph = Graph()
    limits = options.limits or ReadLimits.from_settings()
    for name in profile.reader.context_files:
        path = base / name
        if not path.is_file():
            raise BadInput("input.join_missing", path=path, join=name, profile=profile.name)
        for item in read_json_items(path, encoding, limits=limits):
            if isinstance(item, RawRecord):
                graph.add(item.data)
    documents: list[Item] = []
    for path in files:
        for item in read_json_items(path, encoding, limits=limits):
            documents.append(item)
            if isinstance(item, RawRecord):
                graph.add(item.data)
    wanted = set(profile.reader.types)
    by_id = profile.record.id == "@id"  # the node's @id is its source id
    for item in documents:
        if isinstance(item, ReadProblem):
            yield ("record", item, [])
            continue
        nodes = list(top_nodes(item.data))
        for node in nodes:
            if wanted and not wanted.intersection(types_of(node)):
                continue
            dangling: list[tuple[str, str]] = []
            try:
                resolved = graph.resolve(node, dangling, max_depth, max_nodes)
            except GraphTooLarge as exc:
                yield ("record", _too_large(item, node, len(nodes), exc, by_id), [])
                continue
            record = RawRecord(
                item.file, item.line, resolved, item.raw if len(nodes) == 1 else str(node)
            )
            yield ("jsonld", record, dangling)


def _warn(run: _Run, key: str, **params: str) -> None:
    """Count a warning; the run's summary keeps the first 20 (in French, as the quarantine)."""
    run.summary.warnings_total += 1
    if len(run.summary.warnings) < 20:
        run.summary.warnings.append(say(key, "fr", **params))


def _too_large(
    item: RawRecord, node: dict[str, Any], count: int, exc: GraphTooLarge, by_id: bool
) -> ReadProblem:
    """The quarantine entry of a record over a bound of ``Graph.resolve``."""
    deep = exc.bound == "depth"
    node_id = node.get("@id")
    key = node_id if by_id and isinstance(node_id, str) else None
    return ReadProblem(
        item.file,
        item.line,
        "reason.graph_too_deep" if deep else "reason.graph_too_large",
        {
            "id": node_id if isinstance(node_id, str) else "",
            "limit": f"{exc.limit:,}".replace(",", "\u202f"),
            "setting": "LANTERNE_JSONLD_MAX_DEPTH" if deep else "LANTERNE_JSONLD_MAX_NODES",
        },
        # The node as written may nest too deep for ``str``: a bounded view of it.
        item.raw if count == 1 else shallow_json(node),
        record_key=key,
    )


def _commit(run: _Run, opened: Opened, outcome: Outcome | None) -> None:
    """Record one item's outcome in input order: duplicates and warnings need the whole run."""
    _, item, dangling = opened
    if isinstance(item, ReadProblem):
        run.quarantine(
            item.file, item.line, item.reason, item.params, item.raw, key=item.record_key
        )
        return
    assert outcome is not None
    source_id = outcome.source_id
    if source_id is not None:
        first = run.seen.get(source_id)
        if first is not None:
            run.quarantine(
                item.file,
                item.line,
                "reason.duplicate_id",
                {
                    "id": source_id,
                    "first_line": str(first[1]),
                    # Named only when the first occurrence is in another file of the source.
                    "first_file": "" if first[0] == item.file else f" ({Path(first[0]).name})",
                },
                item.raw,
                key=source_id,
            )
            return
        run.seen[source_id] = (item.file, item.line)
    for where, ref in dangling:
        run.summary.warnings_total += 1
        if len(run.summary.warnings) < 20:
            path = f"{run.shown(item.file)}:{item.line}"
            run.summary.warnings.append(
                say("warning.dangling_ref", "fr", path=path, ref=ref, where=where)
            )
    if isinstance(outcome, Unchanged):
        run.keep(outcome.source_id)
        return
    if isinstance(outcome, Quarantined):
        run.quarantine(
            item.file,
            item.line,
            outcome.reason,
            outcome.params,
            item.raw,
            field=outcome.field,
            key=source_id,
        )
        return
    for link in outcome.dropped:
        _warn(
            run,
            "warning.unsafe_url",
            path=f"{item.file}:{item.line}",
            value=visible(link.value[:120]),
            target=link.target,
            field=link.field,
            why=say(link.why, "fr", detail=visible(link.detail)),
        )
    run.store(
        StoredWork(
            id=outcome.work_id,
            source=run.profile.source,
            source_id=outcome.source_id,
            type=outcome.type,
            doc=outcome.doc,
            digest=outcome.digest,
            source_digest=outcome.source_digest,
        )
    )
