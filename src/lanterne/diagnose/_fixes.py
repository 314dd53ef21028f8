"""Built-in fixes: each gives the record as it would be with one thing added or corrected.

Fixed copies are only scored. Placeholder values (« [à compléter] », Q0, 1200 × 800 pixels)
stand for « the organisation gives this value »; the report says which value is assumed where it
matters (an image size, a licence).
"""

from __future__ import annotations

from collections.abc import Callable

from msgspec.structs import replace

from lanterne.diagnose._language import detect_language
from lanterne.diagnose._registry import Fix, fix_component
from lanterne.diagnose._targets import AUTHORITY_SCHEMES, WORK_AUTHORITY_SCHEMES, has_offset
from lanterne.profile import (
    Address,
    Agent,
    AttendanceMode,
    Contribution,
    DatePrecision,
    EventStatus,
    FuzzyDate,
    GeoPoint,
    Identifier,
    IdentifierScheme,
    LangText,
    Media,
    MediaKind,
    Offer,
    OfferCategory,
    Place,
    Rights,
    Role,
    Term,
    TerritoryLevel,
    TextKind,
    Title,
    Work,
    WorkType,
    primary_language,
)
from lanterne.profile import Event as WorkEvent
from lanterne.registry import Registry

TO_FILL = "[à compléter]"
LINK_TO_FILL = "https://a-completer.invalid/"
"""The placeholder of a link field: the profile keeps only http(s) links (``.invalid`` is reserved
by RFC 2606, so it never points anywhere)."""
OPEN_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
ASSUMED_IMAGE = (1200, 800)
"""Europeana's tier-4 example size (0.96 megapixels)."""


def is_canadian(work: Work) -> bool:
    """A work of Canada (Québec, Acadie…): its French is best tagged ``fr-CA``."""
    d = work.diversity
    return "CA" in d.countries or any((t.code or "").startswith("CA-") for t in d.territories)


def french_tag(work: Work) -> str:
    return "fr-CA" if is_canadian(work) else "fr"


def is_french(lang: str | None) -> bool:
    return bool(lang) and primary_language(lang or "").lower() == "fr"


def _tag(work: Work, lang: str | None, value: str) -> str | None:
    if lang:
        return lang
    found = detect_language(value)
    if found == "fr":
        return french_tag(work)
    return found


def tag_texts(work: Work) -> Work | None:
    """Tag untagged titles and descriptions with the language the detector finds."""
    titles = [replace(t, lang=_tag(work, t.lang, t.value)) for t in work.titles]
    descriptions = [replace(d, lang=_tag(work, d.lang, d.value)) for d in work.descriptions]
    if titles == work.titles and descriptions == work.descriptions:
        return None
    return replace(work, titles=titles, descriptions=descriptions)


def retag_canadian_french(work: Work) -> Work | None:
    """A Canadian work's French texts tagged ``fr-CA`` rather than plain ``fr``."""
    if not is_canadian(work):
        return None

    def fix(lang: str | None) -> str | None:
        return "fr-CA" if lang and lang.lower() == "fr" else lang

    titles = [replace(t, lang=fix(t.lang)) for t in work.titles]
    descriptions = [replace(d, lang=fix(d.lang)) for d in work.descriptions]
    if titles == work.titles and descriptions == work.descriptions:
        return None
    return replace(work, titles=titles, descriptions=descriptions)


def add_french_title(work: Work) -> Work | None:
    if any(is_french(t.lang) and t.kind is TextKind.TITLE for t in work.titles):
        return None
    french = Title(value=TO_FILL, lang=french_tag(work))
    return replace(work, titles=[*work.titles, french])


def add_french_description(work: Work) -> Work | None:
    if any(is_french(d.lang) and len(d.value) >= 30 for d in work.descriptions):
        return None
    value = f"{TO_FILL} description en français du contenu de l'œuvre"
    text = LangText(value=value, lang=french_tag(work))
    return replace(work, descriptions=[*work.descriptions, text])


def add_work_identifier(work: Work) -> Work | None:
    if any(i.scheme in WORK_AUTHORITY_SCHEMES for i in work.identifiers):
        return None
    wikidata = Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q0")
    return replace(work, identifiers=[*work.identifiers, wikidata])


def add_contributor_identifiers(work: Work) -> Work | None:
    changed = False
    contributors: list[Contribution] = []
    for c in work.contributors:
        if not any(i.scheme in AUTHORITY_SCHEMES for i in c.agent.identifiers):
            ids = [*c.agent.identifiers, Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q0")]
            c = replace(c, agent=replace(c.agent, identifiers=ids))
            changed = True
        contributors.append(c)
    return replace(work, contributors=contributors) if changed else None


def add_licence(work: Work) -> Work | None:
    rights = work.rights or Rights()
    if rights.licence:
        return None
    return replace(work, rights=replace(rights, licence=OPEN_LICENCE))


def add_image(work: Work) -> Work | None:
    if any(m.kind is MediaKind.IMAGE for m in work.media):
        return None
    width, height = ASSUMED_IMAGE
    image = Media(kind=MediaKind.IMAGE, url=LINK_TO_FILL, width=width, height=height)
    return replace(work, media=[*work.media, image])


def add_image_size(work: Work) -> Work | None:
    width, height = ASSUMED_IMAGE
    media = [
        replace(m, width=width, height=height)
        if m.kind is MediaKind.IMAGE and not (m.width and m.height)
        else m
        for m in work.media
    ]
    return replace(work, media=media) if media != work.media else None


def add_date(work: Work) -> Work | None:
    if work.type.is_event:
        undated = not any(e.start or e.period for e in work.events)
        return add_timed_start(work) if undated else None
    if work.created is not None or work.published is not None:
        return None
    date = FuzzyDate(earliest="2000", latest="2000", precision=DatePrecision.YEAR, text=TO_FILL)
    return replace(work, created=date)


def _first_event(work: Work) -> WorkEvent:
    return work.events[0] if work.events else WorkEvent()


def _with_event(work: Work, event: WorkEvent) -> Work:
    return replace(work, events=[event, *work.events[1:]])


def add_timed_start(work: Work) -> Work | None:
    """An event's start as a date-time with its UTC offset (Google and Artsdata ask for it)."""
    if not work.type.is_event:
        return None
    event = _first_event(work)
    if has_offset(event.start):
        return None
    day = (event.start or (event.period.earliest if event.period else "") or "2000-01-01")[:10]
    if len(day) != 10:
        day = (day + "-01-01")[:10]
    return _with_event(work, replace(event, start=f"{day}T20:00:00+01:00"))


def add_end_date(work: Work) -> Work | None:
    if not work.type.is_event or _first_event(work).end:
        return None
    event = _first_event(work)
    day = (event.period.latest if event.period else None) or (event.start or "2000-01-01")[:10]
    return _with_event(work, replace(event, end=day[:10] if len(day) >= 10 else "2000-01-01"))


def add_event_status(work: Work) -> Work | None:
    if not work.type.is_event:
        return None
    event = _first_event(work)
    if event.status is not None and event.attendance is not None:
        return None
    return _with_event(
        work,
        replace(
            event,
            status=event.status or EventStatus.SCHEDULED,
            attendance=event.attendance or AttendanceMode.OFFLINE,
        ),
    )


def _edit_places(work: Work, edit: Callable[[Place], Place | None]) -> Work | None:
    """Apply ``edit`` (``None``: nothing to change) to every place, events' places included."""
    changed = False
    places: list[Place] = []
    for p in work.places:
        q = edit(p)
        changed = changed or q is not None
        places.append(q if q is not None else p)
    events: list[WorkEvent] = []
    for e in work.events:
        q = edit(e.place) if e.place is not None else None
        changed = changed or q is not None
        events.append(replace(e, place=q) if q is not None else e)
    if work.type.is_event and not work.events and not work.places:
        return None
    return replace(work, places=places, events=events) if changed else None


def _region_of(work: Work) -> str:
    for t in work.diversity.territories:
        if t.level in (TerritoryLevel.REGION, TerritoryLevel.PROVINCE) and t.name:
            return t.name
    return TO_FILL


def add_place_geo(work: Work) -> Work | None:
    def edit(p: Place) -> Place | None:
        return None if p.geo is not None else replace(p, geo=GeoPoint(lat=0.0, lon=0.0))

    return _edit_places(work, edit)


def add_place_region(work: Work) -> Work | None:
    region = _region_of(work)

    def edit(p: Place) -> Place | None:
        address = p.address or Address()
        return None if address.region else replace(p, address=replace(address, region=region))

    return _edit_places(work, edit)


def complete_address(work: Work) -> Work | None:
    """A full postal address: street, locality, postal code, region and country."""
    region = _region_of(work)

    def edit(p: Place) -> Place | None:
        a = p.address or Address()
        full = replace(
            a,
            street=a.street or TO_FILL,
            locality=a.locality or TO_FILL,
            postal_code=a.postal_code or "75001",
            region=a.region or region,
            country=a.country or ("CA" if is_canadian(work) else "FR"),
        )
        name = p.name or a.locality or TO_FILL
        return None if (full == a and p.name) else replace(p, address=full, name=name)

    return _edit_places(work, edit)


def link_place(work: Work) -> Work | None:
    """The place linked to Wikidata or Artsdata (``sameAs``)."""
    wanted = (IdentifierScheme.WIKIDATA, IdentifierScheme.ARTSDATA)

    def edit(p: Place) -> Place | None:
        if any(i.scheme in wanted for i in p.identifiers):
            return None
        wikidata = Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q0")
        return replace(p, identifiers=[*p.identifiers, wikidata], name=p.name or TO_FILL)

    return _edit_places(work, edit)


def add_event_place(work: Work) -> Work | None:
    """An event with no place at all: its venue, named and with a locality."""
    if not work.type.is_event:
        return None
    event = _first_event(work)
    if event.place is not None:
        return None
    # Named, located and with its region, so that the rules about places it brings pass.
    address = Address(locality=TO_FILL, region=_region_of(work))
    place = Place(name=TO_FILL, address=address, geo=GeoPoint(lat=0.0, lon=0.0))
    return _with_event(work, replace(event, place=place))


_OFFER_BY_TYPE = {
    WorkType.BOOK: OfferCategory.BUY,
    WorkType.MOVIE: OfferCategory.STREAMING,
    WorkType.TV_SERIES: OfferCategory.STREAMING,
    WorkType.MUSIC_RECORDING: OfferCategory.STREAMING,
    WorkType.MUSIC_ALBUM: OfferCategory.STREAMING,
    WorkType.PODCAST_SERIES: OfferCategory.STREAMING,
    WorkType.VIDEO_GAME: OfferCategory.BUY,
}


def offer_category(work: Work) -> OfferCategory:
    if work.type.is_event:
        return OfferCategory.TICKET
    return _OFFER_BY_TYPE.get(work.type, OfferCategory.VISIT)


def add_offer(work: Work) -> Work | None:
    if any(o.url for o in work.offers):
        return None
    offer = Offer(category=offer_category(work), url=LINK_TO_FILL)
    kept = [o for o in work.offers if o.url]
    return replace(work, offers=[*kept, offer] if kept else [*work.offers[1:], offer])


def add_term_ids(work: Work) -> Work | None:
    def link(terms: list[Term]) -> list[Term]:
        return [t if t.term_id else replace(t, term_id=TO_FILL) for t in terms]

    genres, subjects = link(work.genres), link(work.subjects)
    if genres == work.genres and subjects == work.subjects:
        return None
    return replace(work, genres=genres, subjects=subjects)


def add_subject(work: Work) -> Work | None:
    """A subject from a thesaurus, for records with neither subject nor genre."""
    if work.subjects or work.genres:
        return None
    subject = Term(label=TO_FILL, lang=french_tag(work), term_id=TO_FILL)
    return replace(work, subjects=[subject])


def add_creator(work: Work) -> Work | None:
    if work.contributors:
        return None
    role = Role.AUTHOR if work.type is WorkType.BOOK else Role.CREATOR
    if work.type.is_event:
        role = Role.ORGANIZER
    wikidata = Identifier(scheme=IdentifierScheme.WIKIDATA, value="Q0")
    agent = Agent(name=TO_FILL, identifiers=[wikidata])
    return replace(work, contributors=[Contribution(agent=agent, role=role)])


def add_url(work: Work) -> Work | None:
    return None if work.url else replace(work, url=LINK_TO_FILL)


def add_isbn(work: Work) -> Work | None:
    if work.type is not WorkType.BOOK:
        return None
    if any(i.scheme is IdentifierScheme.ISBN for i in work.identifiers):
        return None
    isbn = Identifier(scheme=IdentifierScheme.ISBN, value="9780000000000")
    return replace(work, identifiers=[*work.identifiers, isbn])


def add_in_language(work: Work) -> Work | None:
    if work.in_languages:
        return None
    return replace(work, in_languages=[french_tag(work)])


BUILTIN_FIXES = [
    Fix(
        "tag_texts",
        (
            "balisez la langue des titres et descriptions (langue détectée)",
            "tag the language of titles and descriptions (detected language)",
        ),
        tag_texts,
    ),
    Fix(
        "retag_fr_ca",
        (
            "balisez le français canadien en fr-CA plutôt qu'en fr",
            "tag Canadian French as fr-CA rather than fr",
        ),
        retag_canadian_french,
    ),
    Fix(
        "add_french_title", ("ajoutez un titre en français", "add a French title"), add_french_title
    ),
    Fix(
        "add_french_description",
        ("ajoutez une description en français", "add a French description"),
        add_french_description,
    ),
    Fix(
        "add_work_identifier",
        (
            "reliez l'œuvre à un identifiant de référence (Wikidata, ISNI, ARK, ISBN…)",
            "link the work to an authority identifier (Wikidata, ISNI, ARK, ISBN…)",
        ),
        add_work_identifier,
    ),
    Fix(
        "add_contributor_identifiers",
        (
            "reliez les contributeurs à une autorité (Wikidata, ISNI, IdRef/ARK)",
            "link contributors to an authority (Wikidata, ISNI, IdRef/ARK)",
        ),
        add_contributor_identifiers,
    ),
    Fix(
        "add_licence",
        (
            "indiquez une licence (par exemple CC BY 4.0)",
            "state a licence (for example CC BY 4.0)",
        ),
        add_licence,
    ),
    Fix(
        "add_image",
        (
            "ajoutez une image d'au moins 1200 × 800 pixels",
            "add an image of at least 1200 × 800 pixels",
        ),
        add_image,
    ),
    Fix(
        "add_image_size",
        (
            "indiquez la taille des images (calcul fait pour 1200 × 800)",
            "state the size of images (computed for 1200 × 800)",
        ),
        add_image_size,
    ),
    Fix("add_date", ("ajoutez une date de création", "add a creation date"), add_date),
    Fix(
        "add_timed_start",
        (
            "donnez le début de l'événement avec l'heure et le fuseau (2026-07-14T20:00+02:00)",
            "give the event's start with time and UTC offset (2026-07-14T20:00+02:00)",
        ),
        add_timed_start,
    ),
    Fix("add_end_date", ("ajoutez la date de fin", "add the end date"), add_end_date),
    Fix(
        "add_event_status",
        (
            "indiquez le statut et le mode de participation de l'événement",
            "state the event's status and attendance mode",
        ),
        add_event_status,
    ),
    Fix(
        "add_event_place",
        ("indiquez le lieu de l'événement", "state the event's venue"),
        add_event_place,
    ),
    Fix(
        "add_place_geo",
        ("ajoutez les coordonnées du lieu", "add the place's coordinates"),
        add_place_geo,
    ),
    Fix(
        "add_place_region",
        ("ajoutez la région du lieu", "add the place's region"),
        add_place_region,
    ),
    Fix(
        "complete_address",
        (
            "complétez l'adresse postale du lieu (rue, code postal, région, pays)",
            "complete the place's postal address (street, postal code, region, country)",
        ),
        complete_address,
    ),
    Fix(
        "link_place",
        (
            "reliez le lieu à Wikidata ou Artsdata",
            "link the place to Wikidata or Artsdata",
        ),
        link_place,
    ),
    Fix(
        "add_offer",
        (
            "ajoutez une offre d'accès avec son lien (billet, visite, achat, diffusion)",
            "add an availability offer with its link (ticket, visit, purchase, streaming)",
        ),
        add_offer,
    ),
    Fix(
        "add_term_ids",
        (
            "reliez genres et sujets aux concepts d'un thésaurus",
            "link genres and subjects to thesaurus concepts",
        ),
        add_term_ids,
    ),
    Fix(
        "add_subject",
        ("ajoutez un sujet tiré d'un thésaurus", "add a subject from a thesaurus"),
        add_subject,
    ),
    Fix(
        "add_creator",
        (
            "nommez l'auteur ou l'organisateur, relié à une autorité",
            "name the author or organiser, linked to an authority",
        ),
        add_creator,
    ),
    Fix(
        "add_url",
        ("ajoutez l'adresse de la page web de l'œuvre", "add the work's web page"),
        add_url,
    ),
    Fix("add_isbn", ("ajoutez l'ISBN de l'édition", "add the edition's ISBN"), add_isbn),
    Fix(
        "add_in_language",
        ("indiquez la langue de l'édition", "state the edition's language"),
        add_in_language,
    ),
]


def register(registry: Registry) -> None:
    """The built-in fixes, each a ``fix`` component (with no parameter)."""
    for fix in BUILTIN_FIXES:
        registry.add(fix_component(fix))
