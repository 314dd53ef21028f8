"""What the web application serves: one catalogue, its search index, its recommender, its
diagnosis and the audit reports of a folder. Built lazily, refreshed when the catalogue changes.

Visitors read in parallel (the search index, the ONNX encoder and tantivy release the GIL, so two
searches use two cores). Bringing the index up to date after an import never makes them wait: the
next state is built aside (an index object of its own, loaded from the saved state and updated),
then put in place in one assignment; searches under way finish on the one they started with.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import msgspec

from lanterne.audit import Report
from lanterne.catalogue import (
    Catalogue,
    ChangeFeed,
    beside,
    change_feed,
    display_name,
    open_catalogue,
)
from lanterne.diagnose import CatalogueReport, build_report
from lanterne.errors import BadInput, NotFound, StoreError
from lanterne.recommend import (
    Options,
    RecommenderService,
    Surface,
    catalogue_service,
    diversifiers,
    parse_goal,
)
from lanterne.settings import WebLimits
from lanterne.web._security import Guard

if TYPE_CHECKING:
    from lanterne.provenance import IndexState, Registry
    from lanterne.search import CatalogueIndex, Encoder

T = TypeVar("T")
log = logging.getLogger("lanterne.web")

SYNC_EVERY = 5.0
"""Seconds between two looks at the change log (when its store does not tell of changes)."""


class HomeSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What the public home page asks of its lists (changed through ``PUT /api/settings``)."""

    goals: list[str] = []
    """Exposure goals of every list (``type=Festival:0.4``), guaranteed when feasible."""
    surface: str = "grid"
    k: int = 12
    diversifier: str = "mmr"

    def check(self) -> HomeSettings:
        """Raise ``BadInput`` when a goal, the surface or the length cannot be used."""
        for goal in self.goals:
            parse_goal(goal)
        if self.surface not in Surface.KINDS:
            raise BadInput("web.bad_setting", detail=f"surface « {self.surface} »")
        if not 1 <= self.k <= 50:
            raise BadInput("web.bad_setting", detail=f"k = {self.k} (1…50)")
        if self.diversifier not in diversifiers():
            raise BadInput("web.bad_setting", detail=f"diversifier « {self.diversifier} »")
        return self

    def options(self, curiosity: float, k: int | None = None) -> Options:
        return Options(
            goals=tuple(parse_goal(g) for g in self.goals),
            surface=Surface(kind=self.surface),
            curiosity=curiosity,
            diversifier=self.diversifier,
            k=k or self.k,
        )


class Site:
    """The parts of Lanterne a server shows. ``catalogue`` may be absent when the server only
    recommends from a dataset (``lanterne serve --config``): pages then say so."""

    def __init__(
        self,
        catalogue: Path | str | None,
        *,
        service: RecommenderService | None = None,
        audits: Path | None = None,
        token: str | None = None,
        secret: bytes | None = None,
        home: HomeSettings | None = None,
        encoder_threads: int = 2,
        concurrency: int | None = None,
        limits: WebLimits | None = None,
        encoder: Encoder | None = None,
        base_uri: str | None = None,
    ) -> None:
        """``encoder_threads``: threads of the query encoder; 1 when several server processes
        share the cores (``lanterne serve --workers``). ``concurrency``: searches and
        recommendations computed at once (default: the cores); more requests wait their turn
        rather than all slowing each other down. ``limits``: what a request may send (default:
        the settings). ``encoder``: the text encoder of queries and documents (default: one of
        ``encoder_threads`` threads). ``base_uri``: the base of the published entities' URIs
        (default: the setting ``LANTERNE_BASE_URI``)."""
        from lanterne.settings import text

        self.base_uri = base_uri or text("base_uri")
        self.limits = limits or WebLimits.load()
        self.catalogue_path = catalogue
        self.audits = audits
        self.guard = Guard(token, secret)
        self._building = threading.Lock()
        """Held while a lazy part (index, recommender, diagnosis) is built: built once."""
        self._importing = threading.Lock()
        self._updating = threading.Lock()
        """Held while the next index state is built aside: one update at a time."""
        self._slots = threading.BoundedSemaphore(concurrency or os.cpu_count() or 1)
        self._fixed_service = service
        self._service: RecommenderService | None = service
        self._readers = threading.local()
        """One read-only connection per thread: a connection serves one thread at a time
        (requests run in a pool of threads; two sharing one raised ThreadingViolationError)."""
        self._index: CatalogueIndex | None = None
        self._diagnosis: CatalogueReport | None = None
        self._synced = time.monotonic()
        self._feed: ChangeFeed | None = None
        """Tells of the catalogue's changes when its store can (PostgreSQL): then ``sync``
        updates the index as soon as a change is told, and never asks the log otherwise."""
        self._told = False
        """A change was told that no index update has taken in yet."""
        self._feed_lock = threading.Lock()
        self.encoder_threads = encoder_threads
        self._encoder = encoder
        self._settings_file = beside(catalogue, ".web.json") if catalogue else None
        self._tdmrep: tuple[int, bytes] | None = None
        self._registry_state: IndexState | None = None
        self._registry_lock = threading.Lock()
        """``/.well-known/tdmrep.json`` and the change it is up to date with."""
        self.home = home or self._load_home()

    # Catalogue, index, recommender ------------------------------------------------------

    @property
    def has_catalogue(self) -> bool:
        return self.catalogue_path is not None

    def reader(self) -> Catalogue:
        """This thread's read-only connection to the catalogue (opened on first use)."""
        if self.catalogue_path is None:
            raise NotFound("web.no_catalogue")
        reader: Catalogue | None = getattr(self._readers, "catalogue", None)
        if reader is None:
            with open_catalogue(self.catalogue_path) as catalogue:  # creates the file if new
                reader = catalogue.reader()
            self._readers.catalogue = reader
        return reader

    def encoder(self) -> Encoder:
        """The one text encoder (its model loaded once) of every index state."""
        if self._encoder is None:
            from lanterne.search import Encoder

            self._encoder = Encoder(self.encoder_threads)
        return self._encoder

    def index(self) -> CatalogueIndex:
        """The catalogue's search index as it stands: take it once per request, it may be
        replaced by a newer one meanwhile."""
        from lanterne.search import CatalogueIndex

        found = self._index
        if found is None:
            with self._building, self._updating:
                if self._index is None:
                    # Listening before the first update: a change committed during it is told.
                    self._listen()
                    index = CatalogueIndex(self.reader(), encoder=self.encoder())
                    index.update()
                    self._index = index
                found = self._index
        return found

    def recommender_service(self) -> RecommenderService:
        found = self._service
        if found is None:
            self.index()  # the recommender reads the index's vectors
            # It opens the index's folder itself and would update it: not during an update.
            with self._building, self._updating:
                if self._service is None:
                    self._service = catalogue_service(self.reader())
                found = self._service
        return found

    def refresh(self) -> tuple[int, int]:
        """After a write: index the changes, rebuild the recommender and diagnosis on demand."""
        with self._updating:
            return self._update()

    def _update(self) -> tuple[int, int]:
        """The next index state built aside, then put in place (``_updating`` held)."""
        from lanterne.search import CatalogueIndex

        current = self._index
        if current is not None and not self.reader().changes(
            since=current.state.change_seq, limit=1
        ):
            return 0, 0
        # Loaded from the saved state: the engine in use is neither written nor reloaded
        # (its tantivy reader reloads only when it writes itself).
        fresh = CatalogueIndex(self.reader(), encoder=self.encoder())
        counts = fresh.update()
        self._index = fresh
        if counts != (0, 0):
            if self._fixed_service is None:
                self._service = None
            self._diagnosis = None
        return counts

    @contextmanager
    def writer(self) -> Iterator[Catalogue]:
        """A catalogue connection that may write (an import through the API); one at a time.
        Visitors go on reading meanwhile (SQLite's write-ahead log); ``refresh`` then indexes."""
        if self.catalogue_path is None:
            raise NotFound("web.no_catalogue")
        with self._importing, open_catalogue(self.catalogue_path) as catalogue:
            yield catalogue

    def diagnosis(self) -> CatalogueReport:
        """The catalogue's diagnosis, computed again after the catalogue changed."""
        self.sync()
        found = self._diagnosis
        if found is None:
            with self._building:
                if self._diagnosis is None:
                    name = display_name(self.catalogue_path or "")
                    self._diagnosis = build_report(self.reader().iter_works(), name)
                found = self._diagnosis
        return found

    def _listen(self) -> None:
        if self._feed is None and self.catalogue_path is not None:
            try:
                self._feed = change_feed(self.catalogue_path)
            except StoreError:
                self._feed = None  # not told: the log is looked at every few seconds

    def _heard(self) -> bool | None:
        """Whether a change was told since the last look; ``None``: no feed, look at the log."""
        feed = self._feed
        if feed is None or not self._feed_lock.acquire(blocking=False):
            return None if feed is None else self._told
        try:
            self._told = feed.wait(0) is not None or self._told
        except StoreError:
            self._feed = None  # the feed's connection was lost: back to looking
            return None
        finally:
            self._feed_lock.release()
        return self._told

    def sync(self) -> None:
        """Pick up imports made elsewhere (``lanterne ingest`` while the server runs): as soon
        as the store tells of a change (PostgreSQL), else at most once every few seconds, and
        cheap when the change log has not moved."""
        heard = self._heard()
        now = time.monotonic()
        if heard is False or (heard is None and now - self._synced < SYNC_EVERY):
            return
        self._synced = now
        if self._index is not None and self._updating.acquire(blocking=False):
            # An update under way already brings the index up to date: never wait for it.
            try:
                self._told = False  # what is told from now on, the next update takes in
                indexed, removed = self._update()
            finally:
                self._updating.release()
            if indexed or removed:
                log.info("index updated", extra={"indexed": indexed, "removed": removed})

    def reading(self, call: Callable[[], T]) -> T:
        """``call()`` in one of the ``concurrency`` slots (an index update takes none)."""
        with self._slots:
            return call()

    def registry(self, catalogue: Catalogue | None = None) -> Registry:
        """The image registry over ``catalogue`` (default: this thread's reader), its index
        shared by every request."""
        from lanterne.provenance import IndexState, Registry

        with self._registry_lock:
            if self._registry_state is None:
                self._registry_state = IndexState()
        return Registry(catalogue or self.reader(), state=self._registry_state)

    def tdmrep_json(self) -> bytes:
        """The site's ``tdmrep.json`` (TDMRep), written again only after the catalogue changed."""
        from lanterne.provenance import rules_json, site_rules
        from lanterne.publish import negotiated_formats

        reader = self.reader()
        latest = reader.changes(since=self._tdmrep[0], limit=1) if self._tdmrep else [None]
        if self._tdmrep is not None and not latest:
            return self._tdmrep[1]
        last = 0
        while page := reader.changes(since=last, limit=10_000):
            last = page[-1].seq
        rules = site_rules(
            reader.iter_works(),
            prefixes=("/oeuvre/", "/api/works/"),
            extensions=[f.extension for f in negotiated_formats()],
        )
        body = rules_json(rules)
        self._tdmrep = (last, body)
        return body

    # Home settings --------------------------------------------------------------------

    def _load_home(self) -> HomeSettings:
        if self._settings_file is not None and self._settings_file.is_file():
            try:
                return msgspec.json.decode(
                    self._settings_file.read_bytes(), type=HomeSettings
                ).check()
            except (msgspec.DecodeError, msgspec.ValidationError, BadInput):
                pass  # a damaged settings file must not keep the site down: defaults
        return HomeSettings()

    def set_home(self, settings: HomeSettings) -> None:
        self.home = settings.check()
        if self._settings_file is not None:
            tmp = self._settings_file.with_suffix(".tmp")
            tmp.write_bytes(msgspec.json.format(msgspec.json.encode(settings)))
            tmp.replace(self._settings_file)

    # Audit reports -----------------------------------------------------------------------

    def audit_names(self) -> list[str]:
        if self.audits is None or not self.audits.is_dir():
            return []
        return sorted(p.stem for p in self.audits.glob("*.json"))

    def audit(self, name: str) -> Report:
        if name not in self.audit_names():
            raise NotFound("web.audit_not_found", name=name)
        assert self.audits is not None
        path = self.audits / f"{name}.json"
        try:
            return msgspec.json.decode(path.read_bytes(), type=Report)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise BadInput("audit.bad_report", path=path, detail=str(exc)) from None
