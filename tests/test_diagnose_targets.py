"""Each target on hand-checked records, both sides of every threshold, arithmetic in comments."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from lanterne.diagnose import (
    artsdata,
    content_tier,
    image_licence,
    licence_class,
    metadata_tier,
    rich_result,
)
from lanterne.diagnose._targets import (
    ARTSDATA_MAX,
    contextual_tier,
    enabling_tier,
    image_tier,
    language_tier,
)
from lanterne.profile import Work

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC_BY_NC = "https://creativecommons.org/licenses/by-nc/4.0/"
IN_COPYRIGHT = "http://rightsstatements.org/vocab/InC/1.0/"
ETALAB = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def make(**fields: Any) -> Work:
    base: dict[str, Any] = {
        "id": "t:1",
        "type": "CreativeWork",
        "titles": [{"value": "Robe de bal", "lang": "fr"}],
        "provenance": {"source": "t", "source_id": "1"},
    }
    base.update(fields)
    return msgspec.convert(base, Work)


# Europeana metadata tier: language ---------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "tier"),
    [
        (None, "0"),
        (0.24, "0"),  # below 25 %: tier 0
        (0.25, "A"),
        (0.49, "A"),
        (0.50, "B"),
        (0.74, "B"),
        (0.75, "C"),
        (1.0, "C"),
    ],
)
def test_language_tier_thresholds(share: float | None, tier: str) -> None:
    assert language_tier(share) == tier


def test_language_share_one_in_four_is_tier_a_one_in_five_is_tier_0() -> None:
    untagged = {"label": "soie"}
    # Relevant properties present: dc:title (tagged), dc:description, dc:subject, dc:type
    # (untagged) → 1 / 4 = 25 % → A.
    four = make(
        descriptions=[{"value": "Robe de bal en soie brochée, vers 1860."}],
        subjects=[untagged],
        genres=[untagged],
    )
    assert metadata_tier(four).language_share == 0.25
    assert metadata_tier(four).language == "A"
    # Add dcterms:spatial (a place: its name carries no language tag) → 1 / 5 = 20 % → 0.
    five = make(
        descriptions=[{"value": "Robe de bal en soie brochée, vers 1860."}],
        subjects=[untagged],
        genres=[untagged],
        places=[{"name": "Musée de la Mode"}],
    )
    assert metadata_tier(five).language_share == 0.2
    assert metadata_tier(five).language == "0"
    assert metadata_tier(five).tier == "0"  # the overall tier is the minimum


# Europeana metadata tier: enabling elements --------------------------------------------------


@pytest.mark.parametrize(
    ("elements", "groups", "tier"),
    [(0, 0, "0"), (1, 1, "A"), (3, 1, "A"), (3, 2, "B"), (4, 1, "A"), (4, 2, "C")],
)
def test_enabling_tier_thresholds(elements: int, groups: int, tier: str) -> None:
    assert enabling_tier(elements, groups) == tier


def test_three_enabling_elements_is_b_four_is_c() -> None:
    date = {"earliest": "1860", "latest": "1860", "precision": "year"}
    term = {"label": "robe", "lang": "fr"}
    # dcterms:created (time) + dc:subject, dc:type (subjects) = 3 elements, 2 groups → B.
    three = make(created=date, subjects=[term], genres=[term])
    assert metadata_tier(three).elements == ["dc:subject", "dc:type", "dcterms:created"]
    assert metadata_tier(three).enabling == "B"
    # + dc:creator (agents) = 4 elements, 3 groups → C.
    creator = {"agent": {"name": "Charles Frederick Worth"}, "role": "creator"}
    four = make(created=date, subjects=[term], genres=[term], contributors=[creator])
    assert metadata_tier(four).enabling == "C"
    assert metadata_tier(four).groups == ["agents", "subjects", "time"]


# Europeana metadata tier: contextual classes --------------------------------------------------


def test_contextual_classes_that_qualify() -> None:
    assert contextual_tier(0) == "A"
    assert contextual_tier(1) == "B"
    assert contextual_tier(2) == "C"
    # A place named but without coordinates does not qualify; a creator without an authority
    # link does not either (Lanterne keeps no birth dates); so 0 types → A.
    plain = make(
        places=[{"name": "Musée"}], contributors=[{"agent": {"name": "Worth"}, "role": "creator"}]
    )
    assert metadata_tier(plain).contextual_types == []
    assert metadata_tier(plain).contextual == "A"
    # With coordinates (edm:Place) and a Wikidata-linked creator (edm:Agent): 2 types → C.
    linked = make(
        places=[{"name": "Musée", "geo": {"lat": 48.86, "lon": 2.29}}],
        contributors=[
            {
                "agent": {"name": "Worth", "identifiers": [{"scheme": "wikidata", "value": "Q1"}]},
                "role": "creator",
            }
        ],
    )
    assert metadata_tier(linked).contextual_types == ["edm:Agent", "edm:Place"]
    assert metadata_tier(linked).contextual == "C"


def test_overall_metadata_tier_is_the_minimum() -> None:
    date = {"earliest": "1860", "latest": "1860", "precision": "year"}
    term = {"label": "robe", "lang": "fr", "term_id": "T96-1"}
    # Language: title, subject, type all tagged → 3/3 = 100 % → C.
    # Enabling: created, subject, type = 3 elements in 2 groups → B.
    # Contextual: skos:Concept (term id) + edm:TimeSpan (created) = 2 → C.  min(C, B, C) = B.
    work = make(created=date, subjects=[term], genres=[term])
    tier = metadata_tier(work)
    assert (tier.language, tier.enabling, tier.contextual, tier.tier) == ("C", "B", "C", "B")


# Europeana content tier -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pixels", "tier"),
    [
        (99_999, 0),
        (100_000, 1),  # 0.1 MP
        (419_999, 1),
        (420_000, 2),  # 0.42 MP (~800 × 533)
        (949_999, 2),
        (950_000, 4),  # 0.95 MP (~1200 × 800)
    ],
)
def test_image_size_thresholds(pixels: int, tier: int) -> None:
    assert image_tier(pixels) == tier


@pytest.mark.parametrize(
    ("licence", "expected"),
    [
        (CC_BY, "open"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "open"),
        (CC_BY_NC, "restricted"),
        ("http://rightsstatements.org/vocab/InC-EDU/1.0/", "restricted"),
        (IN_COPYRIGHT, "closed"),
        (ETALAB, "closed"),  # not one of Europeana's rights statements
        (None, "closed"),
    ],
)
def test_licence_classes(licence: str | None, expected: str) -> None:
    assert licence_class(licence) == expected


@pytest.mark.parametrize(
    ("width", "height", "licence", "tier"),
    [
        (600, 700, CC_BY, 2),  # 420,000 px = 0.42 MP → 2; open licence caps at 4 → 2
        (600, 699, CC_BY, 1),  # 419,400 px < 0.42 MP → 1
        (1200, 800, CC_BY, 4),  # 960,000 px ≥ 0.95 MP → 4; open → 4
        (1200, 800, CC_BY_NC, 3),  # restricted licence caps at 3
        (1200, 800, IN_COPYRIGHT, 2),  # any other rights statement caps at 2
        (1200, 800, None, 2),  # no licence: closed, capped at 2
        (300, 300, CC_BY, 0),  # 90,000 px < 0.1 MP → 0
    ],
)
def test_image_content_tier_licence_capped(
    width: int, height: int, licence: str | None, tier: int
) -> None:
    work = make(
        type="Painting",
        media=[{"kind": "image", "url": "https://x/1.jpg", "width": width, "height": height}],
        rights={"licence": licence} if licence else None,
    )
    found = content_tier(work)
    assert found is not None and found.edm_type == "IMAGE"
    assert found.tier == tier


def test_content_tier_without_media_and_for_events() -> None:
    bare = content_tier(make(type="Painting"))
    assert bare is not None and bare.tier == 0
    assert content_tier(make(type="Festival")) is None  # Europeana takes no events
    # A book with only its landing page: TEXT tier 1.
    book = content_tier(make(type="Book", url="https://editeur.example/livre"))
    assert book is not None and (book.edm_type, book.tier) == ("TEXT", 1)
    # A video of 480 lines or more: tier 4 before licence, open → 4; 479 lines → 1.
    video = [{"kind": "video", "url": "https://x/v.mp4", "height": 480}]
    movie = content_tier(make(type="Movie", media=video, rights={"licence": CC_BY}))
    assert movie is not None and movie.tier == 4
    video[0]["height"] = 479
    low = content_tier(make(type="Movie", media=video, rights={"licence": CC_BY}))
    assert low is not None and low.tier == 1


# Search engines -------------------------------------------------------------------------------


def _festival(**event: Any) -> Work:
    return make(type="Festival", events=[event] if event else [])


def test_event_rich_result_needs_start_and_a_named_place_with_an_address() -> None:
    place = {"name": "Théâtre", "address": {"locality": "Nantes"}}
    ok = rich_result(_festival(start="2026-07-14T20:00:00+02:00", place=place))
    assert ok is not None and ok.eligible and ok.missing == []
    no_address = rich_result(_festival(start="2026-07-14", place={"name": "Théâtre"}))
    assert no_address is not None and no_address.missing == ["location"]
    nothing = rich_result(_festival())
    assert nothing is not None and nothing.missing == ["startDate", "location"]


def test_movie_needs_an_image_and_book_an_edition_with_isbn() -> None:
    image = [{"kind": "image", "url": "https://x/a.jpg"}]
    movie = rich_result(make(type="Movie", media=image))
    assert movie is not None and movie.eligible
    no_image = rich_result(make(type="Movie"))
    assert no_image is not None and no_image.missing == ["image"]
    author = [{"agent": {"name": "Antonine Maillet"}, "role": "author"}]
    isbn = [{"scheme": "isbn", "value": "9782760903587"}]
    book = rich_result(
        make(
            type="Book",
            url="https://e.example/l",
            contributors=author,
            identifiers=isbn,
            in_languages=["fr-CA"],
        )
    )
    assert book is not None and book.eligible
    no_isbn = rich_result(
        make(type="Book", url="https://e.example/l", contributors=author, in_languages=["fr"])
    )
    assert no_isbn is not None and no_isbn.missing == ["workExample.isbn"]
    assert rich_result(make(type="Painting")) is None  # no rich result for artworks


def test_image_licence_badge() -> None:
    image = {"kind": "image", "url": "https://x/a.jpg"}
    assert image_licence(make()) is None  # no image, nothing to badge
    bare = image_licence(make(media=[image]))
    assert bare is not None and not bare.eligible
    licensed = image_licence(make(media=[{**image, "licence": CC_BY}]))
    assert licensed is not None and licensed.eligible


# Artsdata -------------------------------------------------------------------------------------


def test_artsdata_score_arithmetic() -> None:
    place = {
        "name": "Salle Lemieux",
        "address": {"locality": "Moncton", "postal_code": "E1C 4B1", "country": "CA"},
    }
    work = _festival(start="2026-07-14T20:00:00-03:00", place=place)
    found = artsdata(work)
    assert found is not None
    # Required: startDate 12 + name 8 + location 8 = 28.
    # Disambiguation: location.name 4 + valid postal code 4 = 8 (no sameAs).
    # Other: addressLocality 1 + addressCountry 1 = 2.   Total 28 + 8 + 2 = 38.
    assert found.score == 38
    assert found.missing_required == []
    # Not mintable: the place has no sameAs and no region (name + coordinates + region +
    # country, or a full postal address, would let Artsdata mint it).
    assert found.eligible is False and found.blocking == ["location.sameAs"]


def test_an_event_meeting_every_artsdata_criterion_scores_the_maximum_of_70() -> None:
    """The maximum was shown as 70 but the criteria awarded added up to 68 (doorTime and
    mainEntityOfPage, 1 point each in artsdata-score, were missing)."""
    place = {
        "name": "Salle Lemieux",
        "address": {
            "street": "140 rue Botsford",
            "locality": "Moncton",
            "postal_code": "E1C 4B1",
            "region": "CA-NB",
            "country": "CA",
        },
        "identifiers": [{"scheme": "wikidata", "value": "Q3461001"}],
    }
    event = {
        "start": "2026-07-14T20:00:00-03:00",
        "end": "2026-07-14T23:00:00-03:00",
        "door_time": "2026-07-14T19:30:00-03:00",
        "place": place,
        "status": "EventScheduled",
        "attendance": "OfflineEventAttendanceMode",
    }
    organizer = {"agent": {"name": "Festival acadien", "identifiers": [
        {"scheme": "wikidata", "value": "Q1"}]}, "role": "organizer"}  # fmt: skip
    performer = {"agent": {"name": "Lisa LeBlanc", "identifiers": [
        {"scheme": "wikidata", "value": "Q2"}]}, "role": "performer"}  # fmt: skip
    work = make(
        type="Festival",
        events=[event],
        url="https://festival.example/2026",
        genres=[{"label": "Musique"}],
        descriptions=[{"value": "Musique acadienne", "lang": "fr"}],
        media=[
            {"kind": "image", "url": "https://festival.example/a.jpg"},
            {"kind": "page", "url": "https://festival.example/2026"},
        ],
        contributors=[organizer, performer],
        offers=[{"category": "ticket", "url": "https://festival.example/billets"}],
        duration_minutes=180,
    )
    found = artsdata(work)
    assert found is not None
    assert [name for name, points in found.points.items() if not points] == []
    # 28 required + 12 disambiguation + 10 × 2 recommended + 10 × 1 other = 70
    assert found.score == sum(found.points.values()) == ARTSDATA_MAX == 70


def test_artsdata_score_is_zero_without_a_required_property() -> None:
    found = artsdata(_festival(place={"name": "Salle Lemieux"}))
    assert found is not None
    assert found.missing_required == ["startDate"]
    assert found.score == 0
    assert found.points["location.name"] == 4  # earned, but void while a requirement misses


def test_artsdata_minting_needs_an_offset_and_a_linked_or_mintable_place() -> None:
    located = {
        "name": "Salle Lemieux",
        "geo": {"lat": 46.09, "lon": -64.77},
        "address": {"country": "CA"},
    }
    without_region = artsdata(_festival(start="2026-07-14T20:00:00-03:00", place=located))
    assert without_region is not None and without_region.blocking == ["location.sameAs"]
    with_region = {**located, "address": {"country": "CA", "region": "Nouveau-Brunswick"}}
    mintable = artsdata(_festival(start="2026-07-14T20:00:00-03:00", place=with_region))
    assert mintable is not None and mintable.eligible
    no_offset = artsdata(_festival(start="2026-07-14T20:00:00", place=with_region))
    assert no_offset is not None and no_offset.blocking == ["startDate"]
    assert artsdata(make(type="Painting")) is None  # Artsdata scores events only
