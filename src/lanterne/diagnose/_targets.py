"""What each outside consumer of a record decides about it: Europeana, search engines, Artsdata.

Each target is computed from one ``Work`` alone, with the published criteria of its owner
(../shared/anchors/metadata-and-discoverability.md §1.3, §1.4, §3, §6). Where Lanterne's
profile says a thing differently from EDM or schema.org, the correspondence is written next to
the code and in docs/diagnosis.md.
"""

from __future__ import annotations

import re

from lanterne.diagnose._results import (
    ArtsdataResult,
    ContentTier,
    EdmValidity,
    MetadataTier,
    RichResult,
)
from lanterne.profile import (
    IdentifierScheme,
    MediaKind,
    Place,
    Role,
    TextKind,
    Work,
    WorkType,
)

# Europeana ----------------------------------------------------------------------------------

METADATA_TIERS = ("0", "A", "B", "C")

# Authority schemes whose records Europeana's Metis dereferences (an agent or place linked to one
# of them arrives enriched with dates, coordinates, broader terms).
AUTHORITY_SCHEMES = frozenset(
    {
        IdentifierScheme.WIKIDATA,
        IdentifierScheme.ISNI,
        IdentifierScheme.ARK,
        IdentifierScheme.ARTSDATA,
    }
)
# Identifiers that name the work itself in a shared register (not a local inventory number).
WORK_AUTHORITY_SCHEMES = AUTHORITY_SCHEMES | {
    IdentifierScheme.ISBN,
    IdentifierScheme.ISRC,
    IdentifierScheme.ISAN,
    IdentifierScheme.EIDR,
    IdentifierScheme.JOCONDE,
    IdentifierScheme.MERIMEE,
    IdentifierScheme.IMDB,
}

_CREATOR_ROLES = frozenset(
    {
        Role.AUTHOR,
        Role.CREATOR,
        Role.DIRECTOR,
        Role.COMPOSER,
        Role.ILLUSTRATOR,
    }
)


def texts(work: Work) -> list[tuple[str | None, str]]:
    """Every title and description as (language tag, text)."""
    return [(t.lang, t.value) for t in work.titles] + [(d.lang, d.value) for d in work.descriptions]


def language_properties(work: Work) -> dict[str, bool]:
    """Relevant EDM properties present in the record, each with « has a language-tagged value ».

    Correspondence: titles → dc:title, other titles → dcterms:alternative, descriptions →
    dc:description, subjects → dc:subject, genres → dc:type, places → dcterms:spatial (a Place
    whose name carries no language tag in Lanterne's profile), rights statement → dc:rights.
    """
    found: dict[str, bool] = {}
    titles = [t for t in work.titles if t.kind is TextKind.TITLE]
    others = [t for t in work.titles if t.kind is not TextKind.TITLE]
    if titles:
        found["dc:title"] = any(t.lang for t in titles)
    if others:
        found["dcterms:alternative"] = any(t.lang for t in others)
    if work.descriptions:
        found["dc:description"] = any(d.lang for d in work.descriptions)
    if work.subjects:
        found["dc:subject"] = any(t.lang for t in work.subjects)
    if work.genres:
        found["dc:type"] = any(t.lang for t in work.genres)
    if all_places(work):
        found["dcterms:spatial"] = False
    if work.rights is not None and work.rights.statement:
        found["dc:rights"] = False
    return found


def all_places(work: Work) -> list[Place]:
    """The work's places and its events' places."""
    return [*work.places, *(e.place for e in work.events if e.place is not None)]


def _place_named(place: Place) -> bool:
    return bool(place.name or (place.address and place.address.locality))


def enabling_elements(work: Work) -> dict[str, str]:
    """Enabling elements present, each with its discovery group (EnablingElementsClassifier).

    Correspondence: created → dcterms:created, published → dcterms:issued, an event's dates →
    dcterms:temporal; subjects → dc:subject, genres → dc:type; contributors → dc:creator,
    dc:contributor or dc:publisher by role; places → dcterms:spatial.
    """
    found: dict[str, str] = {}
    if work.created is not None:
        found["dcterms:created"] = "time"
    if work.published is not None:
        found["dcterms:issued"] = "time"
    if any(e.start or e.period for e in work.events):
        found["dcterms:temporal"] = "time"
    if work.subjects:
        found["dc:subject"] = "subjects"
    if work.genres:
        found["dc:type"] = "subjects"
    for c in work.contributors:
        if c.role in _CREATOR_ROLES:
            found["dc:creator"] = "agents"
        elif c.role is Role.PUBLISHER:
            found["dc:publisher"] = "agents"
        else:
            found["dc:contributor"] = "agents"
    if any(_place_named(p) for p in all_places(work)):
        found["dcterms:spatial"] = "places"
    return found


def contextual_types(work: Work) -> list[str]:
    """Contextual entity types linked from the record that qualify (ContextualClassesClassifier).

    Agent: a name and an authority identifier (Metis dereferences it into dates and places;
    Lanterne's profile keeps no birth or death dates). Concept: a label and a term id in its
    vocabulary. Place: a name with latitude and longitude. TimeSpan: a creation or publication
    date, which always has a beginning and an end in Lanterne's profile.
    """
    kinds: list[str] = []
    if any(
        any(i.scheme in AUTHORITY_SCHEMES for i in c.agent.identifiers) for c in work.contributors
    ):
        kinds.append("edm:Agent")
    if any(t.term_id for t in (*work.subjects, *work.genres)):
        kinds.append("skos:Concept")
    if any(_place_named(p) and p.geo is not None for p in all_places(work)):
        kinds.append("edm:Place")
    if work.created is not None or work.published is not None:
        kinds.append("edm:TimeSpan")
    return kinds


def language_tier(share: float | None) -> str:
    """Tier of the language criterion: 25 %, 50 % and 75 % of relevant properties tagged."""
    if share is None or share < 0.25:
        return "0"
    if share < 0.5:
        return "A"
    if share < 0.75:
        return "B"
    return "C"


def enabling_tier(elements: int, groups: int) -> str:
    """Tier of the enabling-elements criterion: A ≥ 1; B ≥ 3 in ≥ 2 groups; C ≥ 4 in ≥ 2 groups."""
    if elements >= 4 and groups >= 2:
        return "C"
    if elements >= 3 and groups >= 2:
        return "B"
    if elements >= 1:
        return "A"
    return "0"


def contextual_tier(types: int) -> str:
    """Tier of the contextual-classes criterion: B with one qualifying type, C with two."""
    return "C" if types >= 2 else "B" if types == 1 else "A"


def metadata_tier(work: Work) -> MetadataTier:
    props = language_properties(work)
    share = sum(props.values()) / len(props) if props else None
    language = language_tier(share)
    elements = enabling_elements(work)
    groups = sorted(set(elements.values()))
    enabling = enabling_tier(len(elements), len(groups))
    kinds = contextual_types(work)
    contextual = contextual_tier(len(kinds))
    tier = min(language, enabling, contextual, key=METADATA_TIERS.index)
    return MetadataTier(
        language_share=share,
        language=language,
        elements=sorted(elements),
        groups=groups,
        enabling=enabling,
        contextual_types=kinds,
        contextual=contextual,
        tier=tier,
    )


# Rights statements Europeana accepts, by the media tier they allow (AbstractMediaClassifier).
_OPEN = re.compile(
    r"creativecommons\.org/(licenses/(by|by-sa)/|publicdomain/(zero|mark)/)", re.IGNORECASE
)
_RESTRICTED = re.compile(
    r"creativecommons\.org/licenses/(by-nc|by-nd|by-nc-sa|by-nc-nd)/"
    r"|rightsstatements\.org/vocab/(NoC-NC|NoC-OKLR|InC-EDU)/",
    re.IGNORECASE,
)


def licence_class(licence: str | None) -> str:
    """``open`` (CC BY, CC BY-SA, CC0, PDM), ``restricted`` or ``closed`` for Europeana.

    Anything else, Licence Ouverte included, is not one of Europeana's rights statements and
    counts as closed (cap at tier 2): say it as CC BY 4.0, which Etalab 2.0 is compatible with.
    """
    if not licence:
        return "closed"
    if _RESTRICTED.search(licence):
        return "restricted"
    if _OPEN.search(licence):
        return "open"
    return "closed"


_LICENCE_CAP = {"open": 4, "restricted": 3, "closed": 2}


def edm_type(work_type: WorkType) -> str | None:
    """Europeana's edm:type for a work type; ``None`` for what Europeana does not take (events)."""
    if work_type.is_event:
        return None
    if work_type is WorkType.BOOK:
        return "TEXT"
    if work_type in (WorkType.MOVIE, WorkType.TV_SERIES):
        return "VIDEO"
    if work_type in (WorkType.MUSIC_RECORDING, WorkType.MUSIC_ALBUM, WorkType.PODCAST_SERIES):
        return "SOUND"
    if work_type is WorkType.VIDEO_GAME:
        return None
    return "IMAGE"


def image_tier(pixels: int) -> int:
    """Tier of one image by its size (ImageClassifier): 0.1, 0.42 and 0.95 megapixels."""
    if pixels >= 950_000:
        return 4
    if pixels >= 420_000:
        return 2
    if pixels >= 100_000:
        return 1
    return 0


def content_tier(work: Work) -> ContentTier | None:
    kind = edm_type(work.type)
    if kind is None:
        return None
    record_licence = work.rights.licence if work.rights else None
    best, best_before, best_pixels, best_class = 0, 0, None, licence_class(record_licence)
    landing = bool(work.url) or any(m.kind is MediaKind.WEB_PAGE for m in work.media)
    for media in work.media:
        pixels = media.width * media.height if media.width and media.height else None
        before = 0
        if media.kind is MediaKind.IMAGE:
            before = image_tier(pixels or 0)
            if kind == "TEXT" and before == 4 and (pixels or 0) < 950_000:
                before = 2
        elif media.kind in (MediaKind.TEXT, MediaKind.IIIF_MANIFEST):
            before = 4 if kind in ("TEXT", "IMAGE") else 0
        elif media.kind is MediaKind.VIDEO and kind == "VIDEO":
            before = 4 if (media.height or 0) >= 480 else 1
        elif media.kind is MediaKind.AUDIO and kind == "SOUND":
            before = 4
        cls = licence_class(media.licence or record_licence)
        after = min(before, _LICENCE_CAP[cls])
        if (after, before) > (best, best_before):
            best, best_before, best_pixels, best_class = after, before, pixels, cls
    if best == 0 and landing and kind != "IMAGE":
        best = best_before = 1  # a working landing page is tier 1 for text, video and sound
    return ContentTier(
        edm_type=kind, tier=best, before_licence=best_before, licence=best_class, pixels=best_pixels
    )


def europeana_edm(work: Work) -> EdmValidity:
    """The Python form of the Schematron's rules a work can break (``publish.edm_problems``);
    ``lanterne publish check`` runs the XSD and the Schematron themselves."""
    from lanterne.publish import edm_problems

    problems = [reason.key for reason in edm_problems(work)]
    return EdmValidity(valid=not problems, problems=problems)


# Search engines -----------------------------------------------------------------------------


_OFFSET = re.compile(r"T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def has_offset(start: str | None) -> bool:
    """A date-time with its UTC offset, as Google's Event and Artsdata's minting ask."""
    return bool(start and _OFFSET.search(start))


def _address_given(place: Place) -> bool:
    a = place.address
    return a is not None and bool(a.street or a.locality or a.postal_code)


def rich_result(work: Work) -> RichResult | None:
    """Google rich-result eligibility: Event, Movie, Book (an edition with an ISBN)."""
    if work.type.is_event:
        missing: list[str] = []
        event = work.events[0] if work.events else None
        if event is None or not event.start:
            missing.append("startDate")
        place = event.place if event else None
        if place is None or not (place.name and _address_given(place)):
            missing.append("location")
        recommended = []
        if not work.descriptions:
            recommended.append("description")
        if event is None or not event.end:
            recommended.append("endDate")
        if event is None or event.status is None:
            recommended.append("eventStatus")
        if event is None or event.attendance is None:
            recommended.append("eventAttendanceMode")
        if not any(m.kind is MediaKind.IMAGE for m in work.media):
            recommended.append("image")
        if not work.offers:
            recommended.append("offers")
        if not any(c.role is Role.ORGANIZER for c in work.contributors):
            recommended.append("organizer")
        if not any(c.role is Role.PERFORMER for c in work.contributors):
            recommended.append("performer")
        return RichResult(
            feature="Event", eligible=not missing, missing=missing, recommended_missing=recommended
        )
    if work.type is WorkType.MOVIE:
        missing = [] if any(m.kind is MediaKind.IMAGE for m in work.media) else ["image"]
        recommended = []
        if work.created is None and work.published is None:
            recommended.append("dateCreated")
        if not any(c.role is Role.DIRECTOR for c in work.contributors):
            recommended.append("director")
        return RichResult(
            feature="Movie", eligible=not missing, missing=missing, recommended_missing=recommended
        )
    if work.type is WorkType.BOOK:
        missing = []
        if not work.url:
            missing.append("url")
        if not any(c.role is Role.AUTHOR for c in work.contributors):
            missing.append("author")
        if not any(i.scheme is IdentifierScheme.ISBN for i in work.identifiers):
            missing.append("workExample.isbn")
        if not work.in_languages:
            missing.append("workExample.inLanguage")
        return RichResult(feature="Book", eligible=not missing, missing=missing)
    return None


def image_licence(work: Work) -> RichResult | None:
    """The « Licensable » badge on an image: contentUrl and a licence, creator or credit."""
    images = [m for m in work.media if m.kind is MediaKind.IMAGE]
    if not images:
        return None
    credited = bool(
        (work.rights and (work.rights.licence or work.rights.holder))
        or any(c.role in _CREATOR_ROLES for c in work.contributors)
    )
    ok = any(m.licence or m.caption for m in images) or credited
    return RichResult(feature="ImageObject", eligible=ok, missing=[] if ok else ["license"])


# Artsdata -----------------------------------------------------------------------------------


ARTSDATA_MAX = 70
"""The criteria's points added up (artsdata-score; a test checks that a full event earns them)."""
_POSTAL = re.compile(r"^([0-9]{5}|[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9])$")


def _linked(place: Place) -> bool:
    return any(
        i.scheme in (IdentifierScheme.WIKIDATA, IdentifierScheme.ARTSDATA)
        for i in place.identifiers
    )


def place_mintable(place: Place) -> bool:
    """Artsdata mints a Place with a name and a full postal address, or coordinates + region."""
    a = place.address
    if not place.name or a is None:
        return False
    full = bool(a.street and a.locality and a.region and a.postal_code and a.country)
    located = place.geo is not None and bool(a.region and a.country)
    return full or located


def artsdata(work: Work) -> ArtsdataResult | None:
    """Artsdata event score (artsdata-score) and automatic minting (artsdata-data-model)."""
    if not work.type.is_event:
        return None
    event = work.events[0] if work.events else None
    place = event.place if event else None
    address = place.address if place else None
    points: dict[str, int] = {}

    def award(name: str, value: int, ok: bool) -> None:
        points[name] = value if ok else 0

    award("startDate", 12, bool(event and (event.start or event.period)))
    award("name", 8, True)
    award("location", 8, place is not None)
    award("location.name", 4, bool(place and place.name))
    award("location.postalCode", 4, bool(address and _POSTAL.match(address.postal_code or "")))
    award("location.sameAs", 4, bool(place and _linked(place)))
    award("url", 2, bool(work.url or (event and event.url)))
    award("additionalType", 2, bool(work.genres))
    award("description", 2, bool(work.descriptions))
    award("image", 2, any(m.kind is MediaKind.IMAGE for m in work.media))
    organizers = [c for c in work.contributors if c.role is Role.ORGANIZER]
    performers = [c for c in work.contributors if c.role is Role.PERFORMER]
    award("organizer", 2, bool(organizers))
    award("organizer.sameAs", 2, any(c.agent.identifiers for c in organizers))
    award("performer", 2, bool(performers))
    award("performer.sameAs", 2, any(c.agent.identifiers for c in performers))
    award("offers", 2, bool(work.offers))
    award("offers.url", 2, any(o.url for o in work.offers))
    award("address.streetAddress", 1, bool(address and address.street))
    award("address.addressLocality", 1, bool(address and address.locality))
    award("address.addressRegion", 1, bool(address and address.region))
    award("address.addressCountry", 1, bool(address and address.country))
    award("endDate", 1, bool(event and event.end))
    award("eventStatus", 1, bool(event and event.status))
    award("eventAttendanceMode", 1, bool(event and event.attendance))
    award("doorTime", 1, bool(event and event.door_time))
    award("duration", 1, work.duration_minutes is not None)
    award("mainEntityOfPage", 1, any(m.kind is MediaKind.WEB_PAGE for m in work.media))
    required = ("startDate", "name", "location")
    missing = [name for name in required if not points[name]]
    blocking: list[str] = []
    if event is None or not has_offset(event.start):
        blocking.append("startDate")
    if place is None or not place.name:
        blocking.append("location.name")
    elif not (_linked(place) or place_mintable(place)):
        blocking.append("location.sameAs")
    return ArtsdataResult(
        score=0 if missing else sum(points.values()),
        points=points,
        missing_required=missing,
        eligible=not missing and not blocking,
        blocking=blocking,
    )
