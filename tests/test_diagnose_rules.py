"""Lanterne's score rules, the registry, and the next best action (fixtures and properties)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanterne.diagnose import (
    Rule,
    apply_action,
    compare,
    diagnose,
    fixes,
    register_rule,
    rules,
    targets,
)
from lanterne.diagnose import _registry as registry
from lanterne.profile import Work

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
WIKIDATA = [{"scheme": "wikidata", "value": "Q1"}]


def make(**fields: Any) -> Work:
    base: dict[str, Any] = {
        "id": "t:1",
        "type": "Painting",
        "titles": [{"value": "La Liseuse", "lang": "fr"}],
        "provenance": {"source": "t", "source_id": "1"},
    }
    base.update(fields)
    return msgspec.convert(base, Work)


def complete(**changes: Any) -> Work:
    """A painting that passes every rule that applies to it."""
    fields: dict[str, Any] = {
        "descriptions": [
            {"value": "Une jeune femme lit, assise près d'une fenêtre.", "lang": "fr"}
        ],
        "identifiers": [{"scheme": "joconde", "value": "000PE001"}],
        "contributors": [
            {"agent": {"name": "Fragonard", "identifiers": WIKIDATA}, "role": "creator"}
        ],
        "rights": {"licence": CC_BY},
        "media": [{"kind": "image", "url": "https://x/a.jpg", "width": 1200, "height": 800}],
        "created": {"earliest": "1770", "latest": "1772", "precision": "range"},
        "places": [
            {"name": "Musée", "geo": {"lat": 48.86, "lon": 2.33}, "address": {"region": "IDF"}}
        ],
        "offers": [{"category": "visit", "url": "https://musee.example/billets"}],
        "genres": [{"label": "peinture", "lang": "fr", "term_id": "T96-1"}],
    }
    fields.update(changes)
    return make(**fields)


# Applicable weights for `complete()`: every rule but french_variant (not a Canadian work):
# 10 + 8 + 10 + 5 + 10 + 6 + 8 + 8 + 4 + 8 + 6 + 4 + 8 + 6 = 101.
TOTAL = 101


def test_a_complete_record_scores_100() -> None:
    found, failed = targets(complete())
    assert failed == []
    assert found.score == 100


@pytest.mark.parametrize(
    ("rule", "changes", "weight"),
    [
        ("title_fr", {"titles": [{"value": "The Reader", "lang": "en"}]}, 10),
        (
            "texts_tagged",
            {
                "titles": [
                    {"value": "La Liseuse", "lang": "fr"},
                    {"value": "Liseuse", "kind": "alternative"},
                ]
            },
            8,
        ),
        ("work_identifier", {"identifiers": [{"scheme": "inventory", "value": "MI 1234"}]}, 10),
        (
            "contributor_identifiers",
            {"contributors": [{"agent": {"name": "Fragonard"}, "role": "creator"}]},
            6,
        ),
        ("licence", {"rights": None}, 8),
        ("image_size", {"media": [{"kind": "image", "url": "https://x/a.jpg"}]}, 4),
        ("dates", {"created": None}, 8),
        ("place_geo", {"places": [{"name": "Musée", "address": {"region": "IDF"}}]}, 6),
        (
            "place_region",
            {"places": [{"name": "Musée", "geo": {"lat": 48.86, "lon": 2.33}}]},
            4,
        ),
        ("offer", {"offers": [{"category": "visit"}]}, 8),
        ("controlled_terms", {"genres": [{"label": "peinture", "lang": "fr"}]}, 6),
    ],
)
def test_each_rule_costs_its_weight(rule: str, changes: dict[str, Any], weight: int) -> None:
    found, failed = targets(complete(**changes))
    assert failed == [rule]
    # e.g. title_fr: (101 − 10) / 101 = 90.1 % → 90.
    assert found.score == round(100 * (TOTAL - weight) / TOTAL)


def test_description_rules_and_their_threshold() -> None:
    # 29 characters is not a description (MIN_DESCRIPTION = 30): both description rules fail,
    # 10 + 5 = 15 of 101 → round(86 / 101 × 100) = 85.
    short = complete(descriptions=[{"value": "x" * 29, "lang": "fr"}])
    found, failed = targets(short)
    assert failed == ["description", "description_fr"]
    assert found.score == 85
    # 30 characters in English: a description, but not a French one → −5 → 95.
    english = complete(descriptions=[{"value": "y" * 30, "lang": "en"}])
    found, failed = targets(english)
    assert failed == ["description_fr"]
    assert found.score == round(100 * 96 / 101)


def test_rules_that_apply_only_to_some_records() -> None:
    # No image: « image » fails (8) and « image_size » does not apply (4 out of the total):
    # (101 − 4 − 8) / (101 − 4) = 89 / 97 → 92.
    found, failed = targets(complete(media=[]))
    assert failed == ["image"]
    assert found.score == round(100 * 89 / 97)
    # A Canadian work tagged plain « fr »: french_variant (3) applies and fails:
    # (101 + 3 − 3) / 104 = 101 / 104 → 97.
    canadian = complete(diversity={"countries": ["CA"]})
    found, failed = targets(canadian)
    assert failed == ["french_variant"]
    assert found.score == round(100 * 101 / 104)


def test_untagged_french_is_detected() -> None:
    work = make(descriptions=[{"value": "Une robe de bal en soie brochée, portée à Paris."}])
    assert diagnose(work, actions=False).untagged_french == 1
    english = make(descriptions=[{"value": "A silk ball gown, worn in London in the 1860s."}])
    assert diagnose(english, actions=False).untagged_french == 0


def test_registry_rejects_duplicates_and_counts_plugin_rules() -> None:
    with pytest.raises(ValueError, match="déjà"):
        register_rule(rules()[0])
    plugin = Rule(
        "plugin_caption",
        101,
        ("une légende", "a caption"),
        lambda w: any(m.caption for m in w.media),
        "add_image",
    )
    register_rule(plugin)
    try:
        # The plugin's rule weighs as much as all the others: 101 / 202 → 50.
        found, failed = targets(complete())
        assert failed == ["plugin_caption"]
        assert found.score == 50
    finally:
        del registry._RULES["plugin_caption"]
    assert targets(complete())[0].score == 100


def test_every_rule_names_a_registered_fix() -> None:
    known = {f.id for f in fixes()}
    for rule in rules():
        assert rule.fix in known, rule.id
        assert rule.label[0] and rule.label[1]


# Next best action -----------------------------------------------------------------------------


def test_adding_the_region_makes_the_event_mintable_by_artsdata() -> None:
    """The issue's example: « ajoutez la région du lieu : l'événement devient éligible »."""
    place = {
        "name": "Salle Lemieux",
        "geo": {"lat": 46.09, "lon": -64.77},
        "address": {
            "street": "140 rue Botsford",
            "locality": "Moncton",
            "postal_code": "E1C 4B1",
            "country": "CA",
        },
    }
    event = complete(
        type="Festival",
        titles=[{"value": "Festival acadien", "lang": "fr-CA"}],
        descriptions=[
            {"value": "Musiques et contes d'Acadie, sur la place publique.", "lang": "fr-CA"}
        ],
        places=[],
        events=[{"start": "2026-08-15T19:00:00-03:00", "place": place}],
        diversity={"countries": ["CA"]},
        identifiers=[{"scheme": "artsdata", "value": "K1-1"}],
    )
    d = diagnose(event)
    assert d.targets.artsdata is not None and not d.targets.artsdata.eligible
    action = d.next_action
    assert action is not None
    assert action.fix == "add_place_region"
    assert [lift.target for lift in action.lifts] == ["artsdata.eligible"]
    # place_region (4) now passes; applicable weights: 101 + french_variant 3 − image_size? No:
    # the complete record keeps its image, so 104 in all; before 100 / 104 → 96, after 100 %.
    assert action.score_gain == 100 - round(100 * 100 / 104)
    # addressRegion earns Artsdata 1 point.
    assert action.artsdata_gain == 1
    # Without the street, completing the whole address lifts the same targets and earns one
    # point more (streetAddress): it wins the tie-break.
    del place["address"]["street"]
    street_less = msgspec.structs.replace(
        event,
        events=[
            msgspec.convert(
                {"start": "2026-08-15T19:00:00-03:00", "place": place}, type(event.events[0])
            )
        ],
    )
    other = diagnose(street_less).next_action
    assert other is not None and other.fix == "complete_address" and other.artsdata_gain == 2


def test_no_action_for_a_record_nothing_can_raise() -> None:
    # The complete painting: score 100; Europeana metadata C (language 3 of 4 properties
    # tagged = 75 %; 4 enabling elements in 4 groups; Agent, Concept, Place, TimeSpan) and
    # content 4 (0.96 MP image, CC BY); its image is licensed. No fix can raise anything.
    d = diagnose(complete())
    assert d.targets.score == 100
    assert d.targets.europeana_metadata.tier == "C"
    assert d.targets.europeana_content is not None and d.targets.europeana_content.tier == 4
    assert d.next_action is None
    assert d.lifting == []


texts_fr = ["Robe de bal en soie brochée", "Festival de musique acadienne", "La Liseuse"]
texts_en = ["A silk ball gown", "Acadian music festival"]
langs = st.sampled_from([None, "fr", "fr-CA", "en"])
text = st.sampled_from(texts_fr + texts_en)


@st.composite
def works(draw: st.DrawFn) -> Work:
    kind = draw(st.sampled_from(["Painting", "Festival", "Book", "Movie", "CreativeWork"]))
    fields: dict[str, Any] = {
        "type": kind,
        "titles": [{"value": draw(text), "lang": draw(langs)}],
    }
    if draw(st.booleans()):
        fields["descriptions"] = [{"value": draw(text) + ", " + draw(text), "lang": draw(langs)}]
    if draw(st.booleans()):
        fields["genres"] = [
            {"label": "g", "lang": draw(langs), "term_id": draw(st.sampled_from([None, "T1"]))}
        ]
    if draw(st.booleans()):
        ids = draw(st.sampled_from([[], WIKIDATA]))
        role = draw(st.sampled_from(["creator", "author", "organizer", "performer"]))
        fields["contributors"] = [{"agent": {"name": "N", "identifiers": ids}, "role": role}]
    place: dict[str, Any] = {}
    if draw(st.booleans()):
        place["name"] = "Lieu"
    if draw(st.booleans()):
        place["geo"] = {"lat": 45.0, "lon": -64.0}
    address = {
        k: v
        for k, v in (
            ("locality", "Moncton"),
            ("region", "NB"),
            ("postal_code", "E1C 4B1"),
            ("street", "1 rue"),
            ("country", "CA"),
        )
        if draw(st.booleans())
    }
    if address:
        place["address"] = address
    if kind == "Festival":
        event: dict[str, Any] = {}
        start = draw(st.sampled_from([None, "2026-07-14", "2026-07-14T20:00:00+02:00"]))
        if start:
            event["start"] = start
        if place:
            event["place"] = place
        fields["events"] = [event] if event else []
    elif place:
        fields["places"] = [place]
    if draw(st.booleans()):
        size = draw(st.sampled_from([(None, None), (300, 300), (800, 600), (1200, 800)]))
        media: dict[str, Any] = {"kind": "image", "url": "https://x/i.jpg"}
        if size[0]:
            media["width"], media["height"] = size
        fields["media"] = [media]
    licence = draw(
        st.sampled_from([None, CC_BY, "https://creativecommons.org/licenses/by-nc/4.0/"])
    )
    if licence:
        fields["rights"] = {"licence": licence}
    if draw(st.booleans()):
        fields["created"] = {"earliest": "1900", "latest": "1910", "precision": "decade"}
    if draw(st.booleans()):
        fields["diversity"] = {"countries": ["CA"]}
    if draw(st.booleans()):
        fields["offers"] = [{"category": "ticket", "url": "https://x/b"}]
    return make(**fields)


@settings(max_examples=150)
@given(works())
def test_the_next_best_action_never_lowers_a_target_and_raises_something(work: Work) -> None:
    d = diagnose(work)
    if d.next_action is None:
        # No fix exists: every candidate lifts nothing, or lowers something.
        for fix in fixes():
            changed = fix.apply(work)
            if changed is None:
                continue
            after, _ = targets(changed)
            lifts, lowered = compare(d.targets, after)
            raised = after.score > d.targets.score or lifts or _points(after) > _points(d.targets)
            assert lowered or not raised, fix.id
        return
    fixed = apply_action(work, d.next_action)
    after = diagnose(fixed, actions=False).targets
    lifts, lowered = compare(d.targets, after)
    assert not lowered
    assert after.score > d.targets.score or lifts or _points(after) > _points(d.targets)
    assert after.score - d.targets.score == d.next_action.score_gain


def _points(t: Any) -> int:
    return t.artsdata.score if t.artsdata else 0


def test_the_rule_tables_in_the_docs_are_current() -> None:
    from pathlib import Path

    from lanterne.diagnose._docs import END, START, generated_block

    doc = (Path(__file__).resolve().parents[1] / "docs" / "diagnosis.md").read_text("utf-8")
    current = doc[doc.index(START) : doc.index(END) + len(END)]
    assert current == generated_block(), "run: python -m lanterne.diagnose._docs"
