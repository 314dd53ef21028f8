"""End to end on the five real catalogues of ../shared/data: counts add up, re-runs do nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanterne.catalogue import SqliteCatalogue
from lanterne.diagnose._render import render_html
from lanterne.diagnose._report import build_report
from lanterne.ingest import IngestOptions, IngestSummary, ingest, load_mapping_profile
from lanterne.profile import encode_work

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"real datasets not found at {SHARED} (../shared/data)"
)

CATALOGUES = [
    ("festivals-france", "festivals-france"),
    ("joconde-costumes", "joconde-costumes"),
    ("scenes-francophones-events", "scenes-francophones-events"),
    ("movielens-latest-small", "movielens-latest-small"),
    ("goodbooks-10k-books", "goodbooks-10k-books"),
]


def _run(db: SqliteCatalogue, folder: str, profile: str, workers: int = 2) -> IngestSummary:
    return ingest(
        db, SHARED / folder, load_mapping_profile(profile), IngestOptions(workers=workers)
    )


@pytest.mark.parametrize(("folder", "profile"), CATALOGUES)
def test_catalogue_ingests_with_counts_that_add_up_and_rerun_changes_nothing(
    tmp_path: Path, folder: str, profile: str
) -> None:
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        first = _run(db, folder, profile)
        assert first.read > 0
        assert first.read == first.created + first.updated + first.unchanged + first.quarantined
        assert first.created == db.count()
        assert sum(first.by_reason.values()) == first.quarantined
        # Most of a real catalogue must get through; the rest is real data problems.
        assert first.created >= 0.95 * first.read

        second = _run(db, folder, profile)
        assert (second.created, second.updated) == (0, 0)
        assert second.unchanged == first.created
        assert second.quarantined == first.quarantined
        assert second.read == first.read
        # The second run superseded the first one's quarantine: counts do not double.
        assert sum(db.quarantine_counts().values()) == first.quarantined
        assert db.integrity_problems() == []


def test_parallel_and_serial_mapping_store_the_same_bytes(tmp_path: Path) -> None:
    with (
        SqliteCatalogue(tmp_path / "a.sqlite") as serial,
        SqliteCatalogue(tmp_path / "b.sqlite") as parallel,
    ):
        a = _run(serial, "festivals-france", "festivals-france", workers=0)
        b = _run(parallel, "festivals-france", "festivals-france", workers=2)
        assert (a.created, a.quarantined, a.by_reason) == (b.created, b.quarantined, b.by_reason)
        docs_a = {w.id: encode_work(w) for w in serial.iter_works()}
        docs_b = {w.id: encode_work(w) for w in parallel.iter_works()}
        assert docs_a == docs_b


@pytest.fixture(scope="module")
def all_five(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One catalogue holding the five real catalogues."""
    path = tmp_path_factory.mktemp("five") / "c.sqlite"
    with SqliteCatalogue(path) as db:
        for folder, profile in CATALOGUES:
            _run(db, folder, profile)
    return path


def test_real_catalogue_facts(all_five: Path) -> None:
    with SqliteCatalogue(all_five) as db:
        festivals = db.stats("festivals-france")
        assert festivals.by_type == {"Festival": festivals.works}
        assert festivals.european_share == 1.0
        assert festivals.by_territory["FR-PAC"] > 800  # PROVENANCE: PACA is the first region

        # 13 real duplicate ids in the festivals export (« FEST__7265 » placeholders…).
        assert db.quarantine_counts("festivals-france")["reason.duplicate_id"] == 13
        # One real duplicate in Joconde (M0986:1968.3.281).
        assert db.quarantine_counts("joconde")["reason.duplicate_id"] == 1

        movies = db.stats("movielens")
        assert movies.by_country["FR"] >= 800  # PROVENANCE: France in 844 movies' countries
        assert 0.2 < (movies.european_share or 0) < 0.35
        assert movies.eof_known == 0  # no original language in MovieLens: never guessed

        books = db.stats("goodbooks")
        # The goodbooks trap: language_code is an edition's language, so no EOF flag is inferred.
        assert books.eof_known == 0
        christine = next(w for w in db.iter_works("goodbooks") if w.title.startswith("Christine"))
        assert christine.in_languages == ["fr"]
        assert christine.diversity.original_languages == []

        scenes = db.stats("scenes-francophones")
        assert scenes.by_territory["CA-NB"] > 600  # PROVENANCE: NB 691 events
        assert scenes.eof_share == 1.0
        event = db.get("scenes-francophones:https://scenesfrancophones.ca/id/961")
        assert event is not None
        assert event.title == "Marcher à l'infini"
        assert event.events[0].place is not None
        assert event.events[0].place.geo is not None
        assert event.offers and event.offers[0].is_free is True

        types = db.stats("joconde").by_type
        assert set(types) <= {
            "CreativeWork",
            "VisualArtwork",
            "Painting",
            "Drawing",
            "Sculpture",
            "Photograph",
        }
        assert types["Painting"] > 0


def test_the_five_catalogues_are_diagnosed(all_five: Path, tmp_path: Path) -> None:
    with SqliteCatalogue(all_five) as db:
        total = db.count()
        report = build_report(db.iter_works(), db.location)
    assert report.records == total
    assert sum(report.score_histogram) == total
    assert sum(report.metadata_tiers.values()) == total
    assert set(report.by_source) == {
        "festivals-france",
        "joconde",
        "scenes-francophones",
        "movielens",
        "goodbooks",
    }
    assert sum(g.records for g in report.by_source.values()) == total
    # Europeana takes no events: the festivals and the Artsdata events have no content tier.
    events = (
        report.by_source["festivals-france"].records
        + report.by_source["scenes-francophones"].records
    )
    assert report.content_tiers["n/a"] == events
    # PROVENANCE: scenes francophones events carry a timed start, a named venue with its
    # address and an Artsdata place id: most are Event rich results and Artsdata-eligible.
    scenes = report.by_source["scenes-francophones"]
    assert scenes.rich_results["Event"].eligible > 0.5 * scenes.records
    assert scenes.artsdata.eligible > 0.5 * scenes.records
    # The festivals export has a year of creation but no dated edition: never eligible.
    assert report.by_source["festivals-france"].rich_results["Event"].eligible == 0
    # MovieLens has no images (Movie needs one) and goodbooks no page URL (Book needs one).
    assert report.rich_results["Movie"].eligible == 0
    assert report.rich_results["Book"].eligible == 0
    assert len(report.top_fixes) == 10
    assert all(f.records > 0 for f in report.top_fixes)
    html = render_html(report)
    assert "festivals-france" in html and "<svg" in html
