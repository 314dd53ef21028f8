"""Built-in rules of Lanterne's discoverability score (0–100).

Weights favour what makes a francophone work findable and choosable: a French title and
description, language tags, authority identifiers, rights, media, dates, located places and a
way to reach the work. The score is the weighted share of the rules that apply to a record.
"""

from __future__ import annotations

from lanterne.diagnose._fixes import is_canadian, is_french
from lanterne.diagnose._registry import Rule, rule_component
from lanterne.diagnose._targets import (
    AUTHORITY_SCHEMES,
    WORK_AUTHORITY_SCHEMES,
    all_places,
    texts,
)
from lanterne.profile import MediaKind, Place, TextKind, Work
from lanterne.registry import Registry

MIN_DESCRIPTION = 30
"""Characters: shorter descriptions (« Robe ») say nothing a title does not."""


def _has_region(place: Place) -> bool:
    return bool(place.address and place.address.region)


def _dated(work: Work) -> bool:
    if work.type.is_event:
        return any(e.start or e.period for e in work.events)
    return work.created is not None or work.published is not None


BUILTIN_RULES = [
    Rule(
        "title_fr",
        10,
        ("un titre en français, balisé comme tel", "a French title, tagged as such"),
        lambda w: any(is_french(t.lang) and t.kind is TextKind.TITLE for t in w.titles),
        "add_french_title",
    ),
    Rule(
        "texts_tagged",
        8,
        (
            "chaque titre et description porte sa langue (BCP 47)",
            "every title and description carries its language (BCP 47)",
        ),
        lambda w: all(lang for lang, _ in texts(w)),
        "tag_texts",
    ),
    Rule(
        "french_variant",
        3,
        (
            "le français d'une œuvre canadienne est balisé fr-CA",
            "the French of a Canadian work is tagged fr-CA",
        ),
        lambda w: not any((lang or "").lower() == "fr" for lang, _ in texts(w)),
        "retag_fr_ca",
        applies_to=is_canadian,
        scope=("œuvres canadiennes", "Canadian works"),
    ),
    Rule(
        "description",
        10,
        (
            f"une description d'au moins {MIN_DESCRIPTION} caractères",
            f"a description of at least {MIN_DESCRIPTION} characters",
        ),
        lambda w: any(len(d.value) >= MIN_DESCRIPTION for d in w.descriptions),
        "add_french_description",
    ),
    Rule(
        "description_fr",
        5,
        ("une description en français", "a French description"),
        lambda w: any(
            is_french(d.lang) and len(d.value) >= MIN_DESCRIPTION for d in w.descriptions
        ),
        "add_french_description",
    ),
    Rule(
        "work_identifier",
        10,
        (
            "un identifiant de référence (Wikidata, ISNI, ARK, ISBN, Joconde…)",
            "an authority identifier (Wikidata, ISNI, ARK, ISBN, Joconde…)",
        ),
        lambda w: any(i.scheme in WORK_AUTHORITY_SCHEMES for i in w.identifiers),
        "add_work_identifier",
    ),
    Rule(
        "contributor_identifiers",
        6,
        (
            "chaque contributeur est relié à une autorité",
            "every contributor is linked to an authority",
        ),
        lambda w: all(
            any(i.scheme in AUTHORITY_SCHEMES for i in c.agent.identifiers) for c in w.contributors
        ),
        "add_contributor_identifiers",
        applies_to=lambda w: bool(w.contributors),
        scope=("notices avec contributeurs", "records with contributors"),
    ),
    Rule(
        "licence",
        8,
        ("une licence ou déclaration de droits", "a licence or rights statement"),
        lambda w: bool(w.rights and w.rights.licence),
        "add_licence",
    ),
    Rule(
        "image",
        8,
        ("une image", "an image"),
        lambda w: any(m.kind is MediaKind.IMAGE for m in w.media),
        "add_image",
    ),
    Rule(
        "image_size",
        4,
        ("la taille de chaque image est indiquée", "every image states its size"),
        lambda w: all(m.width and m.height for m in w.media if m.kind is MediaKind.IMAGE),
        "add_image_size",
        applies_to=lambda w: any(m.kind is MediaKind.IMAGE for m in w.media),
        scope=("notices avec image", "records with an image"),
    ),
    Rule(
        "dates",
        8,
        (
            "une date (création, publication ou début de l'événement)",
            "a date (creation, publication or start of the event)",
        ),
        _dated,
        "add_date",
    ),
    Rule(
        "place_geo",
        6,
        ("chaque lieu a ses coordonnées", "every place has its coordinates"),
        lambda w: all(p.geo is not None for p in all_places(w)),
        "add_place_geo",
        applies_to=lambda w: bool(all_places(w)),
        scope=("notices avec un lieu", "records with a place"),
    ),
    Rule(
        "place_region",
        4,
        ("chaque lieu indique sa région", "every place states its region"),
        lambda w: all(_has_region(p) for p in all_places(w)),
        "add_place_region",
        applies_to=lambda w: bool(all_places(w)),
        scope=("notices avec un lieu", "records with a place"),
    ),
    Rule(
        "offer",
        8,
        (
            "une offre d'accès avec son lien (billet, visite, achat, diffusion)",
            "an availability offer with its link (ticket, visit, purchase, streaming)",
        ),
        lambda w: any(o.url for o in w.offers),
        "add_offer",
    ),
    Rule(
        "controlled_terms",
        6,
        (
            "genres et sujets reliés aux concepts d'un thésaurus",
            "genres and subjects linked to thesaurus concepts",
        ),
        lambda w: all(t.term_id for t in (*w.genres, *w.subjects)),
        "add_term_ids",
        applies_to=lambda w: bool(w.genres or w.subjects),
        scope=("notices avec genres ou sujets", "records with genres or subjects"),
    ),
]


def register(registry: Registry) -> None:
    """The built-in rules, each a ``quality_rule`` whose configuration is its weight."""
    for rule in BUILTIN_RULES:
        registry.add(rule_component(rule))
