"""The OAI-PMH harvester: a repository's records into the catalogue, as every import stores them.

``Identify`` first (granularity, deleted records, earliest datestamp), then ``ListRecords`` page
by page. Each page is one batch, written with the harvest's checkpoint (its next resumption
token) in the same transaction: a harvest killed at any moment resumes after its last committed
page. A completed harvest remembers the date of its first answer; the next one asks only for what
changed since (``from``, at the repository's granularity). Deleted records become tombstones in
the catalogue (its change log says so to every reader); records are identified by their OAI
identifier, so a deletion finds the work it deletes.

Payloads are read back into the profile by the publishing crosswalks, the other way (oai_dc by
``read_dc``, EDM by ``read_edm``: one crosswalk, both ways), or by the MARC readers (marcxml);
the mapping profile's rules then apply to them as to any record, with the same quarantine and the
same counts (read = stored + quarantined; tombstones are counted apart, as ``deleted``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import msgspec
from lxml import etree

from lanterne.catalogue import Catalogue, RunInfo
from lanterne.errors import BadProfile, HarvestFailed
from lanterne.ingest._mapper import Mapper
from lanterne.ingest._mapping_profile import MappingProfile
from lanterne.ingest._marc import marcxml_fields, marcxml_records
from lanterne.ingest._oai_client import OaiAnswer, OaiClient, OaiRecord, Unreadable
from lanterne.ingest._pipeline import _commit, _Run
from lanterne.ingest._readers import KEPT_BYTES, RawRecord, ReadProblem
from lanterne.ingest._records import IngestOptions, IngestSummary, ReadLimits
from lanterne.ingest._transform import transform_record
from lanterne.profile import work_id
from lanterne.settings import HarvestLimits

PREFIXES = {"oai_dc": "oai_dc", "edm": "edm", "marcxml": "marc"}
"""Metadata prefix → the reader format of the profiles that read it."""
ID_FIELD = "oai:identifier"
"""The record field holding the OAI identifier: every harvested work's source id."""


class HarvestState(msgspec.Struct, kw_only=True):
    """Where a harvest stands: saved with each page (``summary["harvest"]`` of its run)."""

    url: str
    prefix: str
    set: str | None = None
    from_: str | None = msgspec.field(default=None, name="from")
    """The ``from`` of the list being harvested (``None``: everything)."""
    started: str = ""
    """The repository's date on its first answer of this harvest: the next one's ``from``."""
    token: str | None = None
    """The resumption token of the next page; ``None`` before the first or after the last."""
    done: bool = False
    pages: int = 0
    requests: int = 0
    retries: int = 0
    tombstones: int = 0
    """Deleted records listed (``deleted`` counts the works they deleted)."""
    granularity: str = ""
    deleted_record: str = ""
    earliest: str = ""
    resumed: bool = False
    """Whether it went on from an interrupted harvest's checkpoint."""
    stopped: str = ""
    """Why it stopped before the end: the message id of the error (``harvest.bounded``…)."""


class HarvestOptions(msgspec.Struct, kw_only=True):
    set: str | None = None
    full: bool = False
    """Harvest everything again, not only what changed since the last complete harvest."""
    source: str | None = None
    """The source name of the works (default: the profile's)."""
    limits: HarvestLimits | None = None
    """``None``: the declared settings, read when it starts."""


def _same(run: RunInfo, url: str, prefix: str, set_spec: str | None) -> HarvestState | None:
    found = run.summary.get("harvest")
    if not isinstance(found, dict):
        return None
    try:
        state = msgspec.convert(found, HarvestState)
    except msgspec.ValidationError:
        return None
    return state if (state.url, state.prefix, state.set) == (url, prefix, set_spec) else None


def _granular(stamp: str, granularity: str) -> str:
    """A repository date (``2026-12-03T08:00:00Z``) at the repository's granularity."""
    return stamp[:10] if granularity == "YYYY-MM-DD" else stamp


def harvest(
    catalogue: Catalogue,
    url: str,
    prefix: str,
    profile: MappingProfile,
    options: HarvestOptions | None = None,
    transport: httpx.BaseTransport | None = None,
    progress: Callable[[HarvestState], None] | None = None,
) -> tuple[IngestSummary, HarvestState]:
    """Harvest ``url``'s records in ``prefix`` into ``catalogue`` with ``profile``.

    Raises ``HarvestFailed`` when it cannot go on (what was stored stays: running it again
    resumes), ``BadProfile`` when the profile does not read ``prefix``.
    """
    options = options or HarvestOptions()
    wanted = PREFIXES.get(prefix)
    if wanted is None or profile.reader.format != wanted:
        expected = ", ".join(f"{p} ({f})" for p, f in PREFIXES.items())
        raise BadProfile(
            "harvest.profile_mismatch",
            profile=profile.name,
            format=profile.reader.format,
            prefix=prefix,
            expected=expected,
        )
    source = options.source or profile.source
    # Deleted records name only their identifier: it is every harvested work's id.
    record = msgspec.structs.replace(profile.record, id=ID_FIELD)
    profile = msgspec.structs.replace(profile, record=record, source=source)
    limits = options.limits or HarvestLimits.load()
    state = _starting_state(catalogue, source, url, prefix, options)
    most = ReadLimits.from_settings().max_record_bytes  # a page, as any record, is bounded
    with OaiClient(url, limits, transport=transport, max_bytes=most) as client:
        return _Harvest(catalogue, profile, state, client, progress).run()


def _starting_state(
    catalogue: Catalogue, source: str, url: str, prefix: str, options: HarvestOptions
) -> HarvestState:
    fresh = HarvestState(url=url, prefix=prefix, set=options.set)
    for run in catalogue.runs(limit=200, source=source):
        state = _same(run, url, prefix, options.set)
        if state is None:
            continue
        if state.done and run.status == "completed":
            if not options.full and state.started:
                fresh.from_ = _granular(state.started, state.granularity)
            return fresh
        if state.token and not options.full:
            # Killed or stopped mid-list: on from the page after its last committed one.
            return HarvestState(
                url=url,
                prefix=prefix,
                set=options.set,
                from_=state.from_,
                started=state.started,
                token=state.token,
                pages=state.pages,
                resumed=True,
            )
    return fresh


class _Harvest:
    def __init__(
        self,
        catalogue: Catalogue,
        profile: MappingProfile,
        state: HarvestState,
        client: OaiClient,
        progress: Callable[[HarvestState], None] | None,
    ) -> None:
        self.catalogue = catalogue
        self.profile = profile
        self.state = state
        self.client = client
        self.progress = progress
        self.mapper = Mapper(profile)
        self.summary = IngestSummary(
            run_id="", source=profile.source, profile=profile.name, files=[state.url]
        )
        # Records are written page by page (a page is one batch, with its checkpoint).
        self.ingest = _Run(catalogue, profile, IngestOptions(batch_size=1 << 30), self.summary)

    def run(self) -> tuple[IngestSummary, HarvestState]:
        state = self.state
        self._identify()
        self.summary.run_id = self.catalogue.begin_run(
            self.profile.source, self.profile.name, [state.url]
        ).id
        try:
            self._pages()
        except HarvestFailed as failed:
            state.stopped = failed.key
            self._finish("interrupted")
            raise
        except BaseException:
            state.stopped = "interrupted"
            self.ingest.forget_unwritten()
            self._finish("interrupted")
            raise
        state.done = True
        state.token = None
        self.summary.status = "completed"
        self._finish("completed")
        return self.summary, state

    def _finish(self, status: str) -> None:
        self.summary.status = status
        self.summary.by_reason = dict(self.ingest.reasons.most_common())
        self._count()
        self.catalogue.finish_run(
            self.summary.run_id,
            "completed" if status == "completed" else "interrupted",
            self._summary(),
        )

    def _count(self) -> None:
        self.state.requests = self.client.requests
        self.state.retries = self.client.retries

    def _summary(self) -> dict[str, object]:
        built: dict[str, object] = msgspec.to_builtins(self.summary)
        built["harvest"] = msgspec.to_builtins(self.state)
        return built

    def _identify(self) -> None:
        answer, bad = self.client.answer(verb="Identify")
        url = self.state.url
        if answer is None:
            detail = bad.detail if bad is not None else ""
            raise HarvestFailed("harvest.bad_identify", url=url, detail=detail)
        if answer.error:
            detail = f"{answer.error} : {answer.message}"
            raise HarvestFailed("harvest.bad_identify", url=url, detail=detail)
        o = "{http://www.openarchives.org/OAI/2.0/}"
        identify = answer.root.find(f"{o}Identify")
        if identify is None:
            raise HarvestFailed("harvest.bad_identify", url=url, detail="sans <Identify>")
        self.state.granularity = (identify.findtext(f"{o}granularity") or "").strip()
        self.state.deleted_record = (identify.findtext(f"{o}deletedRecord") or "").strip()
        self.state.earliest = (identify.findtext(f"{o}earliestDatestamp") or "").strip()

    def _first_params(self) -> dict[str, str]:
        state = self.state
        params = {"verb": "ListRecords", "metadataPrefix": state.prefix}
        if state.set:
            params["set"] = state.set
        if state.from_:
            params["from"] = state.from_
        return params

    def _pages(self) -> None:
        state = self.state
        while True:
            if state.token:
                params = {"verb": "ListRecords", "resumptionToken": state.token}
            else:
                params = self._first_params()
            answer, bad = self.client.answer(**params)
            page = state.pages + 1
            if bad is not None:
                self._unreadable_page(page, bad)
                if not bad.token:
                    raise HarvestFailed(
                        "harvest.bad_response", url=state.url, page=str(page), detail=bad.detail
                    )
                state.token = bad.token
                continue
            assert answer is not None
            if answer.error == "badResumptionToken" and state.token:
                # Expired while the harvest was stopped: the list again, from the same date.
                state.token = None
                state.resumed = False
                continue
            if answer.error and answer.error != "noRecordsMatch":
                raise HarvestFailed(
                    "harvest.oai_error", url=state.url, code=answer.error, detail=answer.message
                )
            if not state.started:
                state.started = answer.response_date
            self._page(page, answer)
            if self.progress is not None:
                self.progress(state)
            if not state.token:
                return

    def _unreadable_page(self, page: int, bad: Unreadable) -> None:
        """Quarantine a page that is not XML (its records cannot be told apart)."""
        raw = bad.body[:KEPT_BYTES].decode("utf-8", "replace")
        params = {"id": f"page {page}", "detail": bad.detail}
        self.ingest.quarantine(self.state.url, page, "reason.bad_oai_record", params, raw)
        self.state.pages = page
        self.state.token = bad.token
        self._flush([])

    def _page(self, page: int, answer: OaiAnswer) -> None:
        run = self.ingest
        run.seen.clear()  # a record listed twice (changed meanwhile) is stored as last listed
        tombstones: list[str] = []
        for record in answer.records:
            if record.deleted and record.identifier:
                tombstones.append(work_id(self.profile.source, record.identifier))
                self.state.tombstones += 1
                continue
            item = self._item(page, record)
            if isinstance(item, ReadProblem):
                _commit(run, ("record", item, []), None)
                continue
            kind, raw = item
            outcome = transform_record(self.mapper, kind, raw.data, record.identifier)
            _commit(run, (kind, raw, []), outcome)
        self.state.pages = page
        self.state.token = answer.token
        self._flush(tombstones)

    def _flush(self, tombstones: list[str]) -> None:
        self._count()
        self.summary.by_reason = dict(self.ingest.reasons.most_common())
        self.ingest.flush(tombstones, checkpoint=self._checkpoint)

    def _checkpoint(self, summary: IngestSummary) -> dict[str, object]:
        """The run's summary as the page being written leaves it (written with the page)."""
        built: dict[str, object] = msgspec.to_builtins(summary)
        built["harvest"] = msgspec.to_builtins(self.state)
        return built

    def _item(self, page: int, record: OaiRecord) -> tuple[str, RawRecord] | ReadProblem:
        url = self.state.url
        if record.problem:
            return _problem(url, page, record, record.problem)
        header: dict[str, Any] = {
            ID_FIELD: record.identifier,
            "oai:datestamp": record.datestamp,
            "oai:setSpec": record.sets,
        }
        payload = record.payload
        try:
            if self.state.prefix == "marcxml":
                found = marcxml_records(payload)
                if len(found) != 1:
                    detail = f"{len(found)} notices MARCXML au lieu d'une"
                    return _problem(url, page, record, detail)
                data = {**marcxml_fields(found[0]), **header}
                return "record", RawRecord(url, page, data, record.raw)
            data = {**_native(self.state.prefix, payload), **header}
            return "native", RawRecord(url, page, data, record.raw)
        except (ValueError, msgspec.ValidationError) as exc:  # CodeError is a ValueError
            return _problem(url, page, record, str(exc))


def _problem(url: str, page: int, record: OaiRecord, detail: str) -> ReadProblem:
    params = {"id": record.identifier, "detail": detail}
    key = record.identifier or None
    return ReadProblem(url, page, "reason.bad_oai_record", params, record.raw, record_key=key)


def _native(prefix: str, payload: etree._Element) -> dict[str, Any]:
    """A payload read into the profile by the publishing crosswalk (``@work``: the work's
    fields), with its Dublin Core elements by name for the profile's own rules (``dc:title``)."""
    from lanterne.publish import read_dc, read_edm

    text = etree.tostring(payload)
    work = read_dc(text) if prefix == "oai_dc" else read_edm(text)
    fields: dict[str, Any] = msgspec.to_builtins(work)
    for internal in ("id", "provenance"):
        fields.pop(internal, None)
    data: dict[str, Any] = {"@work": fields}
    for element in payload.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{http://purl.org/dc/"):
            name = "dc:" + element.tag.rpartition("}")[2]
            text_value = (element.text or "").strip()
            if text_value:
                data.setdefault(name, []).append(text_value)
    return data
