"""The description profile: typed records every Lanterne module reads.

Structs are msgspec ``Struct`` classes: validated on decode, compact JSON (defaults omitted),
and equal when their content is equal, which the round-trip tests rely on. Field order is the
order of the JSON document, so the same work always encodes to the same bytes (its hash decides
whether a re-import rewrites it).
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec

# Code checks raise CodeError, a ValueError: msgspec turns it into a ValidationError
# that names the field's path.
from lanterne.profile._codes import (
    check_country,
    check_language,
    check_subdivision,
)
from lanterne.profile._vocab import (
    AgentKind,
    AttendanceMode,
    C2paState,
    CreationLabelValue,
    DatePrecision,
    EventStatus,
    IdentifierScheme,
    LabelMethod,
    MediaKind,
    OfferCategory,
    Role,
    TerritoryLevel,
    TextKind,
    WorkType,
)

PROFILE_VERSION = "1.0"
"""Version of the description profile; bumped when a field changes meaning or shape."""

MAX_TEXT = 100_000
"""Longest text a field may hold (characters). Longer input is quarantined, never truncated."""

NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEXT)]
IsoDate = Annotated[str, msgspec.Meta(pattern=r"^-?\d{4}(-\d{2}(-\d{2})?)?$")]
IsoDateTime = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
    ),
]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]

# Links ---------------------------------------------------------------------------------------
# A link field holds an absolute http(s) URL with a host, and nothing a browser would read
# another way: no space, no C0/C1 control character (browsers drop a tab or a newline inside a
# scheme, so « java\tscript: » runs), no invisible or bidirectional formatting character.
_HIDDEN = r"\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_WEB_URL = re.compile(f"(?i:https?)://[^{_HIDDEN}/?#]+[^{_HIDDEN}]*")
_HIDDEN_CHAR = re.compile(f"[{_HIDDEN}]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
WEB_SCHEMES = ("http", "https")
"""The only schemes a link field keeps (see docs/profile.md, « Liens »)."""


def url_problem(value: str) -> tuple[str, str] | None:
    """Why ``value`` is not a web link, as a message id of ``lanterne.messages`` and its detail.

    ``None`` for an absolute http or https URL with a host and no hidden character.
    """
    if _WEB_URL.fullmatch(value):
        return None
    hidden = _HIDDEN_CHAR.search(value)
    if hidden:
        return ("url.hidden_character", f"U+{ord(hidden.group()):04X}")
    scheme = _SCHEME.match(value)
    if scheme and scheme.group(1).lower() not in WEB_SCHEMES:
        return ("url.scheme", scheme.group(1))
    if scheme:
        return ("url.no_host", "")
    return ("url.not_absolute", "")


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL a page may use as a link (``url_problem`` is ``None``)."""
    return _WEB_URL.fullmatch(value) is not None


def _web(value: str | None) -> str | None:
    # A link that is not a web link is dropped, not refused: a catalogue written before links
    # were checked must stay readable. Ingest drops them earlier, with a warning.
    return value if value is None or _WEB_URL.fullmatch(value) else None


Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class _Base(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    pass


class LangText(_Base, kw_only=True):
    """A text with its language (BCP 47), e.g. a title in ``fr-CA``."""

    value: NonEmpty
    lang: str | None = None

    def __post_init__(self) -> None:
        if self.lang is not None:
            check_language(self.lang)


class Title(LangText, kw_only=True):
    kind: TextKind = TextKind.TITLE


class Identifier(_Base, kw_only=True):
    scheme: IdentifierScheme
    value: NonEmpty


class Term(_Base, kw_only=True):
    """A genre, subject or discipline, with its vocabulary and term id when known."""

    label: NonEmpty
    lang: str | None = None
    vocabulary: str | None = None
    term_id: str | None = None


class FuzzyDate(_Base, kw_only=True):
    """A date as catalogues write it: exact, or a span such as « XIXe siècle ».

    ``earliest`` and ``latest`` bound the span (ISO 8601 dates, inclusive); ``text`` keeps the
    source wording so nothing is lost.
    """

    earliest: IsoDate
    latest: IsoDate
    precision: DatePrecision
    text: str | None = None
    approximate: bool = False

    def __post_init__(self) -> None:
        early, late = self.earliest, self.latest
        if len(early) == len(late) and early[0] != "-" and late[0] != "-":
            # Same-shaped ISO dates of our era compare as text (the common, hot case).
            if early > late:
                raise ValueError(f"earliest {early} is after latest {late}")
            return
        if _date_key(early) > _date_key(late):
            raise ValueError(f"earliest {self.earliest} is after latest {self.latest}")


def _date_key(value: str) -> tuple[int, int, int]:
    negative = value.startswith("-")
    parts = value.lstrip("-").split("-")
    year = int(parts[0]) * (-1 if negative else 1)
    month = int(parts[1]) if len(parts) > 1 else 1
    day = int(parts[2]) if len(parts) > 2 else 1
    return (year, month, day)


class Agent(_Base, kw_only=True):
    name: NonEmpty
    kind: AgentKind = AgentKind.PERSON
    identifiers: list[Identifier] = []
    gender: str | None = None
    """Only when stated by an authority source (see ``gender_source``); never inferred."""
    gender_source: str | None = None


class Contribution(_Base, kw_only=True):
    agent: Agent
    role: Role
    note: str | None = None


class GeoPoint(_Base, kw_only=True):
    lat: Latitude
    lon: Longitude


class Address(_Base, kw_only=True):
    street: str | None = None
    locality: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None

    def __post_init__(self) -> None:
        if self.country is not None:
            check_country(self.country)


class Place(_Base, kw_only=True):
    name: str | None = None
    address: Address | None = None
    geo: GeoPoint | None = None
    identifiers: list[Identifier] = []


class Event(_Base, kw_only=True):
    """One occurrence of a work in time and place (a performance, a festival edition)."""

    start: IsoDateTime | None = None
    end: IsoDateTime | None = None
    door_time: IsoDateTime | None = None
    """When the doors open (schema.org ``doorTime``)."""
    period: FuzzyDate | None = None
    place: Place | None = None
    status: EventStatus | None = None
    attendance: AttendanceMode | None = None
    url: str | None = None
    """Web link (http or https only; another value is dropped)."""

    def __post_init__(self) -> None:
        if self.url is not None:
            self.url = _web(self.url)


class Offer(_Base, kw_only=True):
    """Where to see, read or hear a work legally."""

    category: OfferCategory
    url: str | None = None
    provider: str | None = None
    price: Annotated[float, msgspec.Meta(ge=0)] | None = None
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")] | None = None
    is_free: bool | None = None
    availability: str | None = None
    territories: list[str] = []

    def __post_init__(self) -> None:
        if self.url is not None:
            self.url = _web(self.url)
        for code in self.territories:
            check_country(code)


class Media(_Base, kw_only=True):
    kind: MediaKind
    url: NonEmpty
    """Web link (http or https only: a work drops a medium with another link)."""
    width: Annotated[int, msgspec.Meta(gt=0)] | None = None
    height: Annotated[int, msgspec.Meta(gt=0)] | None = None
    licence: str | None = None
    caption: str | None = None

    def __post_init__(self) -> None:
        if self.licence is not None:
            self.licence = _web(self.licence)


class Rights(_Base, kw_only=True):
    licence: str | None = None
    """Licence URI (Creative Commons, Licence Ouverte, rightsstatements.org): http or https."""
    statement: str | None = None
    holder: str | None = None

    def __post_init__(self) -> None:
        if self.licence is not None:
            self.licence = _web(self.licence)


class LabelEvidence(_Base, kw_only=True):
    """One piece of evidence about how a work was made: what it says, who gave it, how, when,
    and what identifies it (a manifest's label, a registry entry, a detector's name and version).
    """

    value: CreationLabelValue
    method: LabelMethod
    declared_by: str | None = None
    date: IsoDateTime | None = None
    identifier: str | None = None
    c2pa_state: C2paState | None = None
    """For a C2PA manifest: Invalid, Valid (signature sound, signer not trusted) or Trusted."""
    score: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    """For a registry match or a detector: how sure it is, from 0 to 1."""


class CreationLabel(_Base, kw_only=True):
    """Was this work made by people, with AI help, or synthesised? Who says so, and how.

    ``value`` … ``date`` are the evidence that won (docs/provenance.md says which wins);
    ``evidence`` keeps every piece, and ``conflict`` is true when a piece that counts says
    otherwise. A label written before evidence was kept has no ``evidence``: it reads the same.
    """

    value: CreationLabelValue
    declared_by: str | None = None
    method: LabelMethod | None = None
    date: IsoDateTime | None = None
    identifier: str | None = None
    evidence: list[LabelEvidence] = []
    conflict: bool = False


class TdmReservation(_Base, kw_only=True):
    """Text-and-data-mining reservation (EU directive 2019/790 art. 4, TDMRep)."""

    reserved: bool
    policy: str | None = None
    declared_by: str | None = None


class Territory(_Base, kw_only=True):
    """A territory at some level, coded ISO 3166-2 when it has a code (``FR-BRE``, ``CA-NB``)."""

    level: TerritoryLevel
    name: str | None = None
    code: str | None = None

    def __post_init__(self) -> None:
        if self.code is not None:
            if self.level is TerritoryLevel.COUNTRY:
                check_country(self.code)
            elif self.level in (TerritoryLevel.REGION, TerritoryLevel.PROVINCE):
                check_subdivision(self.code)
        if self.code is None and self.name is None:
            raise ValueError("a territory needs a name or a code")


class Diversity(_Base, kw_only=True):
    """Attributes an audit counts. Each is explicit; ``None`` means unknown, never « no »."""

    original_languages: list[str] = []
    countries: list[str] = []
    eof: bool | None = None
    """Œuvre d'expression originale française: original language is French."""
    european: bool | None = None
    """European work, from the countries of origin (see docs/european-works.md)."""
    territories: list[Territory] = []
    independent: bool | None = None

    def __post_init__(self) -> None:
        for tag in self.original_languages:
            check_language(tag)
        for code in self.countries:
            check_country(code)


class Provenance(_Base, kw_only=True):
    """Where the record came from. No timestamps here: they live in the catalogue's change log."""

    source: NonEmpty
    source_id: NonEmpty
    profile: str | None = None
    url: str | None = None
    licence: str | None = None
    attribution: str | None = None

    def __post_init__(self) -> None:
        if self.url is not None:
            self.url = _web(self.url)
        if self.licence is not None:
            self.licence = _web(self.licence)


class Work(_Base, kw_only=True):
    """A cultural work, event or heritage object, described once for every Lanterne module."""

    id: NonEmpty
    type: WorkType
    titles: Annotated[list[Title], msgspec.Meta(min_length=1)]
    descriptions: list[LangText] = []
    in_languages: list[str] = []
    """Languages of this expression or edition (not necessarily the original language)."""
    created: FuzzyDate | None = None
    published: FuzzyDate | None = None
    genres: list[Term] = []
    subjects: list[Term] = []
    identifiers: list[Identifier] = []
    contributors: list[Contribution] = []
    places: list[Place] = []
    events: list[Event] = []
    media: list[Media] = []
    rights: Rights | None = None
    offers: list[Offer] = []
    diversity: Diversity = msgspec.field(default_factory=Diversity)
    creation_label: CreationLabel | None = None
    tdm: TdmReservation | None = None
    url: str | None = None
    duration_minutes: Annotated[float, msgspec.Meta(gt=0)] | None = None
    provenance: Provenance
    profile_version: str = PROFILE_VERSION

    def __post_init__(self) -> None:
        if not self.titles:
            raise ValueError("a work needs at least one title")
        for tag in self.in_languages:
            check_language(tag)
        if self.url is not None:
            self.url = _web(self.url)
        if self.media and not all(_WEB_URL.fullmatch(m.url) for m in self.media):
            self.media = [m for m in self.media if _WEB_URL.fullmatch(m.url)]
        if self.rights is not None and self.rights == _NO_RIGHTS:
            self.rights = None  # its only member was a dropped link

    @property
    def title(self) -> str:
        """The title to show: French first, then untagged, then the first one."""
        for wanted in ("fr", None):
            for t in self.titles:
                primary = t.lang.split("-")[0] if t.lang else None
                if t.kind is TextKind.TITLE and primary == wanted:
                    return t.value
        return self.titles[0].value


_NO_RIGHTS = Rights()


def work_id(source: str, source_id: str) -> str:
    """The stable id of a record: its source and its id in that source."""
    return f"{source}:{source_id}"


_encoder = msgspec.json.Encoder(order="deterministic")
_decoder = msgspec.json.Decoder(Work)


def encode_work(work: Work) -> bytes:
    """Canonical JSON of a work (same content, same bytes)."""
    return _encoder.encode(work)


def decode_work(data: bytes | str) -> Work:
    """Decode and validate a work from its JSON; raises ``msgspec.ValidationError``."""
    return _decoder.decode(data)
