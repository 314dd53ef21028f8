"""What the diagnosis finds for one record, as msgspec Structs.

They live here, in a module mypyc does not compile, because mypyc drops the keywords of a class
line (python/mypy#21938): compiled, ``frozen=True`` and ``kw_only=True`` were silently lost
(``tests/test_accel.py`` checks that no compiled module declares such a Struct).
"""

from __future__ import annotations

import msgspec


class MetadataTier(msgspec.Struct, frozen=True, kw_only=True):
    """Europeana metadata tier: the minimum of three criteria (LanguageClassifier & co.)."""

    language_share: float | None
    """Share of the relevant properties present that have a language-qualified value."""
    language: str
    elements: list[str]
    groups: list[str]
    enabling: str
    contextual_types: list[str]
    contextual: str
    tier: str


class ContentTier(msgspec.Struct, frozen=True, kw_only=True):
    edm_type: str
    tier: int
    before_licence: int
    licence: str
    pixels: int | None = None
    """Size of the best image (width × height), when the record states it."""


class RichResult(msgspec.Struct, frozen=True, kw_only=True):
    feature: str
    eligible: bool
    missing: list[str]
    """Required properties missing (schema.org names)."""
    recommended_missing: list[str] = []


class ArtsdataResult(msgspec.Struct, frozen=True, kw_only=True):
    score: int
    """Points of artsdata-score: 0 whenever a required property is missing."""
    points: dict[str, int]
    """Points earned by each criterion (before the required-property rule)."""
    missing_required: list[str]
    eligible: bool
    """The event can be minted automatically (its place linked or mintable, a timed start)."""
    blocking: list[str]
    """What stops automatic minting."""


class EdmValidity(msgspec.Struct, frozen=True, kw_only=True):
    """« EDM valide pour Europeana / EDM valid for Europeana »: can the work be an EDM record
    Europeana's Schematron accepts, as the record stands (no rights declared for it)?"""

    valid: bool
    problems: list[str]
    """Why not, as message ids of ``lanterne.messages`` (``publish.rights_missing``…)."""


class Targets(msgspec.Struct, frozen=True, kw_only=True):
    score: int
    """Lanterne's discoverability score, 0–100."""
    europeana_metadata: MetadataTier
    europeana_content: ContentTier | None
    rich_result: RichResult | None
    image_licence: RichResult | None
    artsdata: ArtsdataResult | None
    europeana_edm: EdmValidity | None = None
    """« EDM valide pour Europeana » (None only in a target built without it)."""


class Lift(msgspec.Struct, frozen=True, kw_only=True):
    target: str
    before: str
    after: str


class Action(msgspec.Struct, frozen=True, kw_only=True):
    fix: str
    label_fr: str
    label_en: str
    score_gain: int
    lifts: list[Lift]
    artsdata_gain: int = 0


class Diagnosis(msgspec.Struct, kw_only=True):
    work_id: str
    type: str
    source: str
    territory: str | None
    targets: Targets
    failed: list[str]
    """Ids of the rules the record fails, heaviest first."""
    untagged_french: int
    """Untagged titles and descriptions the detector reads as French."""
    next_action: Action | None = None
    lifting: list[str] = []
    """Every fix that would raise the record without lowering anything (for the report)."""
