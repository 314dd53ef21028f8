"""The catalogue's search index: works as documents, kept current from the change log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from lanterne.catalogue import Catalogue, beside
from lanterne.profile import CreationLabelValue, OfferCategory, Work
from lanterne.search._encoder import Encoder
from lanterne.search._engine import Doc, SearchConfig, SearchEngine
from lanterne.search._interface import SearchIndex

BATCH = 2_000
BUILD_BATCH = 1_000
"""Works per step of a first build (each step reports progress)."""

Progress = Callable[[int, int], None]
"""Called as works are indexed: (done, total)."""


def period(work: Work) -> str | None:
    """The century of the work's date (« 1800-1899 »), for the period facet."""
    date = work.created or work.published
    year: str | None = date.earliest[:4] if date else None
    if year is None:
        for event in work.events:
            if event.start:
                year = event.start[:4]
            elif event.period:
                year = event.period.earliest[:4]
            if year:
                break
    if not year or not year.isdigit():
        return None
    start = int(year) // 100 * 100
    return f"{start}-{start + 99}"


def access(work: Work) -> str:
    """``free``, ``paid`` or ``unknown``, from the availability offers."""
    if any(o.is_free or o.category is OfferCategory.FREE or o.price == 0 for o in work.offers):
        return "free"
    if any(
        (o.price or 0) > 0 or o.category in (OfferCategory.BUY, OfferCategory.RENT)
        for o in work.offers
    ):
        return "paid"
    return "unknown"


def work_doc(work: Work) -> Doc:
    languages = list(work.in_languages) or sorted(
        {t.lang.split("-")[0] for t in work.titles if t.lang}
    )
    facets: dict[str, list[str]] = {
        "type": [work.type.value],
        "source": [work.provenance.source],
        "access": [access(work)],
        "creation": [
            work.creation_label.value.value
            if work.creation_label
            else CreationLabelValue.UNKNOWN.value
        ],
    }
    if languages:
        facets["language"] = languages
    if work.diversity.countries:
        facets["country"] = list(work.diversity.countries)
    territories = [t.code for t in work.diversity.territories if t.code]
    if territories:
        facets["territory"] = territories
    century = period(work)
    if century:
        facets["period"] = [century]
    others = [t.value for t in work.titles[1:]]
    return Doc(
        id=work.id,
        title=" — ".join([work.title, *[o for o in others if o != work.title]]),
        contributors="; ".join(c.agent.name for c in work.contributors),
        subjects="; ".join(t.label for t in (*work.genres, *work.subjects)),
        text="\n".join(d.value for d in work.descriptions),
        facets=facets,
    )


class _IndexState(msgspec.Struct):
    """What the index saves beside itself: the last change of the catalogue's log it holds."""

    change_seq: int = 0


def index_folder(catalogue: Catalogue) -> Path:
    """Where a catalogue's search index lives: beside its file (``catalogue.sqlite.search/``);
    a server's catalogue has one per node, under ``var/`` (``lanterne._location.beside``)."""
    return beside(catalogue.location, ".search")


class CatalogueIndex:
    """The search index of one catalogue, updated from its change log."""

    def __init__(
        self,
        catalogue: Catalogue,
        config: SearchConfig | None = None,
        encoder: Encoder | None = None,
        remember_queries: bool = False,
    ) -> None:
        self.catalogue = catalogue
        self.folder = index_folder(catalogue)
        if config is None:
            # The declared bound on a query's length (LANTERNE_SEARCH_QUERY_MAX) and the frugal
            # path (LANTERNE_SEARCH_FRUGAL), read when the index is opened, for the CLI and the
            # web alike.
            from lanterne.settings import Settings

            settings = Settings.load()
            config = SearchConfig(
                max_query_chars=settings.search_query_max, frugal=settings.search_frugal
            )
        self.engine: SearchIndex = SearchEngine(
            self.folder, config, encoder, remember_queries=remember_queries
        )
        state_file = self.folder / "state.json"
        self.state = (
            msgspec.json.decode(state_file.read_bytes(), type=_IndexState)
            if state_file.is_file()
            else _IndexState()
        )

    def needs_build(self) -> bool:
        """Whether the next update indexes the whole catalogue (the first one)."""
        return self.state.change_seq == 0 and len(self.engine) == 0

    def update(self, progress: Progress | None = None) -> tuple[int, int]:
        """Apply the changes logged since the last update: (works indexed, works removed).
        ``progress`` hears how far a first build is."""
        indexed = removed = 0
        if self.needs_build():
            last = self._last_seq()
            total = self.catalogue.count()
            if progress:
                progress(0, total)
            batch: list[Doc] = []
            for work in self.catalogue.iter_works():
                batch.append(work_doc(work))
                if len(batch) >= BUILD_BATCH:
                    self.engine.upsert(batch)
                    indexed += len(batch)
                    batch = []
                    if progress:
                        progress(indexed, total)
            self.engine.upsert(batch)
            indexed += len(batch)
            if progress:
                progress(indexed, max(total, indexed))
            self.state.change_seq = last
        else:
            for changed, gone, seq in self._changes():
                self.engine.upsert(changed)
                self.engine.delete(gone)
                indexed += len(changed)
                removed += len(gone)
                self.state.change_seq = seq
        if indexed or removed or not (self.folder / "state.json").is_file():
            # Saving writes every vector: only when something changed (a search updates first).
            self.engine.save()
            (self.folder / "state.json").write_bytes(msgspec.json.encode(self.state))
        return indexed, removed

    def _last_seq(self) -> int:
        last = 0
        while True:
            page = self.catalogue.changes(since=last, limit=10_000)
            if not page:
                return last
            last = page[-1].seq

    def _changes(self) -> Iterator[tuple[list[Doc], list[str], int]]:
        since = self.state.change_seq
        while True:
            page = self.catalogue.changes(since=since, limit=BATCH)
            if not page:
                return
            changed: dict[str, Doc] = {}
            gone: list[str] = []
            for change in page:
                work = self.catalogue.get(change.work_id)
                if work is None:
                    changed.pop(change.work_id, None)
                    gone.append(change.work_id)
                else:
                    changed[change.work_id] = work_doc(work)
            since = page[-1].seq
            yield list(changed.values()), gone, since
