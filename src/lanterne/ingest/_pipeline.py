"""Ingest: read a source, map each record, validate it as a ``Work`` and store it in batches.

Counts always add up: every record read is either stored (created, updated or unchanged) or
quarantined with its reason, file, line and raw text. A problem with the input as a whole
(missing file, empty file, wrong encoding, missing columns) is raised before anything is
written. Each batch is one transaction, so an interrupted ingest leaves whole batches only, and
running it again finishes the job (stable ids make it idempotent).
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from pathlib import Path
from typing import Any

import msgspec

from lanterne import __version__
from lanterne.catalogue import Catalogue, QuarantineEntry, StoredWork
from lanterne.errors import BadInput, InputNotFound
from lanterne.ingest._mapper import Fields, Mapper, RecordProblem
from lanterne.ingest._profile import Join, MappingProfile
from lanterne.ingest._readers import (
    CsvReader,
    Item,
    RawRecord,
    ReadProblem,
    read_json_items,
    read_json_lines,
)
from lanterne.messages import say, say_partial
from lanterne.profile import (
    PROFILE_VERSION,
    WorkType,
    encode_work,
    is_eof_language,
    is_european,
    work_id,
)
from lanterne.profile import Work as _Work
from lanterne.profile.schemaorg import Graph, node_to_fields, top_nodes, types_of

Progress = Callable[[int], None]


class IngestOptions(msgspec.Struct, kw_only=True):
    encoding: str | None = None
    """Declared encoding; ``None`` or ``auto`` to detect it."""
    delimiter: str | None = None
    batch_size: int = 5_000
    remap: bool = False
    """Map every record, even those whose source digest says they are unchanged."""
    workers: int = 0
    """Processes that map records beside the one reading and storing (0: map in this process)."""
    sync: bool = False
    """Mark the source's works absent from this import as deleted (the file is a full export)."""


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
        self.unchanged = 0
        self.seen: dict[str, tuple[str, int]] = {}
        self.reasons: Counter[str] = Counter()

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
                file=file,
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

    def keep(self) -> None:
        """A record found unchanged from its source digest: counted, nothing to write."""
        self.unchanged += 1
        self.summary.read += 1
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.works) + len(self.problems) + self.unchanged >= self.options.batch_size:
            self.flush()

    def flush(self, delete_ids: list[str] | None = None) -> None:
        if not (self.works or self.problems or delete_ids or self.unchanged):
            return
        outcome = self.catalogue.write_batch(
            self.summary.run_id, self.works, self.problems, delete_ids or [], self.unchanged
        )
        s = self.summary
        s.created += outcome.created
        s.updated += outcome.updated
        s.unchanged += outcome.unchanged
        s.deleted += outcome.deleted
        s.quarantined += outcome.quarantined
        self.works = []
        self.problems = []
        self.unchanged = 0


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
    items = _open_items(files, base, profile, options)
    first = next(items, None)  # opens the first file: whole-file problems surface before the run
    run_info = catalogue.begin_run(profile.source, profile.name, [str(f) for f in files])
    summary = IngestSummary(
        run_id=run_info.id,
        source=profile.source,
        profile=profile.name,
        files=[str(f) for f in files],
    )
    run = _Run(catalogue, profile, options, summary)
    opened = items if first is None else chain([first], items)
    # An import allocates millions of short-lived containers; the default collector thresholds
    # would walk the growing table of seen ids over and over.
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        lookup = None if options.remap else catalogue.source_digests
        stamp = _fingerprint(profile, base)
        for item, outcome in _outcomes(mapper, opened, options.workers, lookup, stamp):
            _commit(run, item, outcome)
            if progress is not None and summary.read % 1000 == 0:
                progress(summary.read)
        run.flush()
        if options.sync:
            missing = sorted(catalogue.source_ids(profile.source) - set(run.seen))
            for start in range(0, len(missing), options.batch_size):
                run.flush(missing[start : start + options.batch_size])
        summary.status = "completed"
    except BaseException:
        summary.status = "interrupted"
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


_Open = tuple[str, Item, list[tuple[str, str]]]


def _open_items(
    files: list[Path], base: Path, profile: MappingProfile, options: IngestOptions
) -> Iterator[_Open]:
    reader = profile.reader
    encoding = options.encoding or reader.encoding
    delimiter = options.delimiter or reader.delimiter
    if reader.format == "csv":
        for path in files:
            csv_reader = CsvReader(path, encoding, delimiter)
            missing = sorted(profile.source_columns() - set(csv_reader.header))
            if missing:
                raise BadInput(
                    "input.missing_columns",
                    path=path,
                    columns=", ".join(missing),
                    profile=profile.name,
                )
            for item in csv_reader:
                yield ("record", item, [])
    elif reader.format in ("json", "jsonl"):
        for path in files:
            produced = (
                read_json_lines(path, encoding)
                if reader.format == "jsonl"
                else read_json_items(path, encoding, reader.records_path)
            )
            for item in produced:
                yield ("record", item, [])
    else:
        yield from _jsonld_items(files, base, profile, encoding)


def _jsonld_items(
    files: list[Path], base: Path, profile: MappingProfile, encoding: str | None
) -> Iterator[_Open]:
    graph = Graph()
    for name in profile.reader.context_files:
        path = base / name
        if not path.is_file():
            raise BadInput("input.join_missing", path=path, join=name, profile=profile.name)
        for item in read_json_items(path, encoding):
            if isinstance(item, RawRecord):
                graph.add(item.data)
    documents: list[Item] = []
    for path in files:
        for item in read_json_items(path, encoding):
            documents.append(item)
            if isinstance(item, RawRecord):
                graph.add(item.data)
    wanted = set(profile.reader.types)
    for item in documents:
        if isinstance(item, ReadProblem):
            yield ("record", item, [])
            continue
        nodes = list(top_nodes(item.data))
        for node in nodes:
            if wanted and not wanted.intersection(types_of(node)):
                continue
            dangling: list[tuple[str, str]] = []
            resolved = graph.resolve(node, dangling)
            record = RawRecord(
                item.file, item.line, resolved, item.raw if len(nodes) == 1 else str(node)
            )
            yield ("jsonld", record, dangling)


# A record's outcome, computed without the store so it can run in a worker process:
# ("ok", source_id, (work id, type, doc, digest))
# or ("problem", source_id, (reason, params, field)).
Outcome = tuple[str, str | None, tuple[Any, ...]]


def _transform(mapper: Mapper, kind: str, data: dict[str, Any]) -> Outcome:
    """Map, validate and encode one record; never touches the catalogue."""
    profile = mapper.profile
    try:
        source_id = mapper.source_id(data)
    except RecordProblem as problem:
        params = {"field": problem.field or "", **problem.params}
        return ("problem", None, (problem.reason, params, problem.field))
    try:
        fields = mapper.apply(data, source_id)
        if kind == "jsonld":
            if profile.record.type is None and profile.record.type_rule is None:
                fields.pop("type", None)
            native = node_to_fields(data)
            _merge(native, fields)
            fields = native
        work = _build(fields, profile, source_id, from_graph=kind == "jsonld")
    except RecordProblem as problem:
        params = {"field": problem.field or "", **problem.params}
        return ("problem", source_id, (problem.reason, params, problem.field))
    except msgspec.ValidationError as exc:
        return ("problem", source_id, ("reason.invalid_record", {"detail": str(exc)}, None))
    doc = encode_work(work)
    digest = hashlib.blake2b(doc, digest_size=16).digest()
    return ("ok", source_id, (work.id, work.type.value, doc, digest))


def _commit(run: _Run, opened: _Open, outcome: Outcome | None) -> None:
    """Record one item's outcome in input order: duplicates and warnings need the whole run."""
    _, item, dangling = opened
    if isinstance(item, ReadProblem):
        run.quarantine(
            item.file, item.line, item.reason, item.params, item.raw, key=item.record_key
        )
        return
    assert outcome is not None
    status, source_id, payload = outcome
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
            path = f"{item.file}:{item.line}"
            run.summary.warnings.append(
                say("warning.dangling_ref", "fr", path=path, ref=ref, where=where)
            )
    if status == "unchanged":
        run.keep()
        return
    if status == "problem":
        reason, params, field = payload
        run.quarantine(item.file, item.line, reason, params, item.raw, field=field, key=source_id)
        return
    assert source_id is not None
    work_id_, work_type, doc, digest, source_digest = payload
    run.store(
        StoredWork(
            id=work_id_,
            source=run.profile.source,
            source_id=source_id,
            type=work_type,
            doc=doc,
            digest=digest,
            source_digest=source_digest,
        )
    )


# Parallel mapping ---------------------------------------------------------------------------
# Worker processes are forked with the compiled mapper (and its joins) already in memory, so
# only records and outcomes cross process boundaries.

_WORKER_MAPPER: Mapper | None = None
CHUNK = 1000


def _worker_start(parent: int) -> None:
    """Make a map worker die with the ingest that forked it, even when that one is SIGKILLed.

    Otherwise an orphaned worker waits on its queue forever, holding the catalogue open.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(1)
    gc.set_threshold(50_000, 20, 20)
    if not sys.platform.startswith("linux"):
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


_PR_SET_PDEATHSIG = 1


def _transform_chunk(chunk: list[tuple[str, dict[str, Any]]]) -> list[Outcome]:
    assert _WORKER_MAPPER is not None
    return [_transform(_WORKER_MAPPER, kind, data) for kind, data in chunk]


Lookup = Callable[[Sequence[str]], dict[str, bytes]]
# What to do with one item of a chunk: nothing (a read problem), skip it (unchanged since the
# last import), or map it; the raw record's digest goes along.
_Plan = tuple[str, str | None, bytes]


def _plan(
    mapper: Mapper, chunk: list[_Open], lookup: Lookup | None, stamp: bytes
) -> list[_Plan | None]:
    plans: list[_Plan | None] = []
    ids: list[str] = []
    for _, item, _ in chunk:
        if isinstance(item, ReadProblem):
            plans.append(None)
            continue
        try:
            source_id: str | None = mapper.source_id(item.data)
        except RecordProblem:
            source_id = None  # the mapping reports it
        raw = hashlib.blake2b(item.raw.encode(), digest_size=16, key=stamp).digest()
        plans.append(("map", source_id, raw))
        if source_id is not None:
            ids.append(work_id(mapper.profile.source, source_id))
    if lookup is None or not ids:
        return plans
    stored = lookup(ids)
    if not stored:
        return plans
    source = mapper.profile.source
    for i, plan in enumerate(plans):
        if (
            plan is not None
            and plan[1] is not None
            and stored.get(work_id(source, plan[1])) == plan[2]
        ):
            plans[i] = ("unchanged", plan[1], plan[2])
    return plans


def _outcomes(
    mapper: Mapper,
    opened: Iterator[_Open],
    workers: int,
    lookup: Lookup | None,
    stamp: bytes,
) -> Iterator[tuple[_Open, Outcome | None]]:
    """Each item with its outcome, in input order.

    Records whose raw text and mapping are those of the stored work are not mapped again; the
    others are mapped here (``workers`` = 0) or in ``workers`` forked processes.
    """
    global _WORKER_MAPPER
    pool: ProcessPoolExecutor | None = None
    if workers > 0:
        _WORKER_MAPPER = mapper
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )
    pending: deque[tuple[list[_Open], list[_Plan | None], Future[list[Outcome]]]] = deque()
    try:
        while True:
            chunk = list(islice(opened, CHUNK))
            if chunk:
                plans = _plan(mapper, chunk, lookup, stamp)
                records = [
                    (kind, item.data)
                    for (kind, item, _), plan in zip(chunk, plans, strict=True)
                    if plan is not None and plan[0] == "map" and isinstance(item, RawRecord)
                ]
                if pool is None:
                    future: Future[list[Outcome]] = Future()
                    future.set_result([_transform(mapper, k, d) for k, d in records])
                else:
                    future = pool.submit(_transform_chunk, records)
                pending.append((chunk, plans, future))
            while pending and (len(pending) > 2 * workers or not chunk):
                items, plans, done = pending.popleft()
                results = iter(done.result())
                for item, plan in zip(items, plans, strict=True):
                    if plan is None:
                        yield item, None
                    elif plan[0] == "unchanged":
                        yield item, ("unchanged", plan[1], ())
                    else:
                        status, source_id, payload = next(results)
                        if status == "ok":
                            payload = (*payload, plan[2])
                        yield item, (status, source_id, payload)
            if not chunk and not pending:
                return
    except BaseException:
        for _, _, waiting in pending:
            waiting.cancel()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        _WORKER_MAPPER = None


def _fingerprint(profile: MappingProfile, base: Path) -> bytes:
    """What a stored work's mapping depended on besides its own raw record.

    A re-import skips a record only when this and the raw text are unchanged: same Lanterne
    version, same profile text, same join and context files.
    """
    digest = hashlib.blake2b(digest_size=32)
    for part in (__version__, PROFILE_VERSION, profile.text):
        digest.update(part.encode())
        digest.update(b"\0")
    others = [j.file for j in profile.join] + [j.lookup.file for j in profile.join if j.lookup]
    for name in [*others, *profile.reader.context_files]:
        path = base / name
        if path.is_file():
            with path.open("rb") as f:
                digest.update(hashlib.file_digest(f, "blake2b").digest())
    return digest.digest()


def _merge(fields: Fields, mapped: Fields) -> None:
    for key, value in mapped.items():
        if isinstance(value, list) and isinstance(fields.get(key), list):
            fields[key].extend(v for v in value if v not in fields[key])
        elif isinstance(value, dict) and isinstance(fields.get(key), dict):
            fields[key].update(value)
        else:
            fields[key] = value


def _build(
    fields: Fields, profile: MappingProfile, source_id: str, from_graph: bool = False
) -> _Work:
    """Assemble the mapped fields, the source's declared defaults and derived flags into a Work."""
    defaults = profile.defaults
    fields.pop("_lang", None)
    fields.pop("_territory_country", None)
    fields.pop("_ids", None)
    work_type = WorkType(fields.get("type", profile.record.type or "CreativeWork"))
    place = fields.pop("_place", None)
    event = fields.pop("_event", None)
    if place and "geo" in place and set(place["geo"]) != {"lat", "lon"}:
        del place["geo"]
    if work_type.is_event and (place or event):
        events = fields.setdefault("events", [{}])
        if event:
            events[0].update(event)
        if place:
            events[0].setdefault("place", place)
    else:
        if place:
            fields.setdefault("places", []).append(place)
        if event:
            fields.setdefault("events", []).append(event)
    offer = fields.pop("_offer", None)
    if offer:
        fields.setdefault("offers", []).append(offer)
    diversity = fields.setdefault("diversity", {})
    countries = (
        fields.pop("_countries", None) or diversity.get("countries") or list(defaults.countries)
    )
    originals = fields.pop("_original_languages", None) or list(defaults.original_languages)
    territories = fields.pop("_territories", None)
    independent = fields.pop("_independent", None)
    if countries:
        diversity["countries"] = countries
        diversity["european"] = is_european(countries)
    if originals:
        diversity["original_languages"] = originals
        diversity["eof"] = is_eof_language(originals[0])
    if territories:
        diversity["territories"] = territories
    if independent is not None:
        diversity["independent"] = independent
    if defaults.text_language and from_graph:
        # Mapped texts got the default language from their rule; texts read from a
        # schema.org graph did not.
        for key in ("titles", "descriptions"):
            for text in fields.get(key, []):
                text.setdefault("lang", defaults.text_language)
    if defaults.in_languages and not fields.get("in_languages"):
        fields["in_languages"] = list(defaults.in_languages)
    if defaults.creation_label and "creation_label" not in fields:
        fields["creation_label"] = {
            "value": defaults.creation_label,
            "declared_by": profile.source,
            "method": "declaration",
        }
    if not fields.get("titles"):
        raise RecordProblem("reason.missing_required", field="name", target="title")
    provenance: dict[str, Any] = {"source": profile.source, "source_id": source_id}
    provenance["profile"] = profile.name
    if profile.licence:
        provenance["licence"] = profile.licence
    if profile.attribution:
        provenance["attribution"] = profile.attribution
    fields["id"] = work_id(profile.source, source_id)
    fields["provenance"] = provenance
    return msgspec.convert(fields, _Work)
