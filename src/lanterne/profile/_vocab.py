"""Controlled vocabularies of the description profile.

Each enumeration is a closed list: a value outside it is a validation error, so every downstream
module (diagnosis, audit, publishing) can rely on the same terms.
"""

from __future__ import annotations

from enum import StrEnum


class WorkType(StrEnum):
    """Kinds of work, named after their schema.org type (the crosswalk writes this as ``@type``)."""

    CREATIVE_WORK = "CreativeWork"
    BOOK = "Book"
    MOVIE = "Movie"
    TV_SERIES = "TVSeries"
    MUSIC_RECORDING = "MusicRecording"
    MUSIC_ALBUM = "MusicAlbum"
    VISUAL_ARTWORK = "VisualArtwork"
    PAINTING = "Painting"
    SCULPTURE = "Sculpture"
    DRAWING = "Drawing"
    PHOTOGRAPH = "Photograph"
    EVENT = "Event"
    THEATER_EVENT = "TheaterEvent"
    MUSIC_EVENT = "MusicEvent"
    DANCE_EVENT = "DanceEvent"
    EXHIBITION_EVENT = "ExhibitionEvent"
    FESTIVAL = "Festival"
    VIDEO_GAME = "VideoGame"
    PODCAST_SERIES = "PodcastSeries"
    ARCHIVE_COMPONENT = "ArchiveComponent"
    LANDMARK = "LandmarksOrHistoricalBuildings"

    @property
    def is_event(self) -> bool:
        return self in _EVENT_TYPES

    @property
    def is_place(self) -> bool:
        """Buildings and monuments are places in schema.org, not creative works."""
        return self is WorkType.LANDMARK


_EVENT_TYPES = frozenset(
    {
        WorkType.EVENT,
        WorkType.THEATER_EVENT,
        WorkType.MUSIC_EVENT,
        WorkType.DANCE_EVENT,
        WorkType.EXHIBITION_EVENT,
        WorkType.FESTIVAL,
    }
)


class Role(StrEnum):
    """What an agent did for a work; each maps to a schema.org property in the crosswalk."""

    AUTHOR = "author"
    CREATOR = "creator"
    DIRECTOR = "director"
    ACTOR = "actor"
    PERFORMER = "performer"
    COMPOSER = "composer"
    ILLUSTRATOR = "illustrator"
    TRANSLATOR = "translator"
    EDITOR = "editor"
    PUBLISHER = "publisher"
    PRODUCER = "producer"
    PRODUCTION_COMPANY = "productionCompany"
    ORGANIZER = "organizer"
    CONTRIBUTOR = "contributor"


class AgentKind(StrEnum):
    PERSON = "Person"
    ORGANIZATION = "Organization"
    PERFORMING_GROUP = "PerformingGroup"


class IdentifierScheme(StrEnum):
    """Identifier schemes Lanterne knows how to read, check and publish."""

    ISBN = "isbn"
    ISSN = "issn"
    ISRC = "isrc"
    ISAN = "isan"
    EIDR = "eidr"
    ISNI = "isni"
    WIKIDATA = "wikidata"
    ARK = "ark"
    JOCONDE = "joconde"
    MERIMEE = "merimee"
    MUSEOFILE = "museofile"
    INVENTORY = "inventory"
    IMDB = "imdb"
    TMDB = "tmdb"
    MOVIELENS = "movielens"
    GOODREADS = "goodreads"
    ARTSDATA = "artsdata"
    INSEE = "insee"
    URI = "uri"
    LOCAL = "local"


class TextKind(StrEnum):
    TITLE = "title"
    ALTERNATIVE_TITLE = "alternative"
    ORIGINAL_TITLE = "original"


class DatePrecision(StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    SEASON = "season"
    YEAR = "year"
    DECADE = "decade"
    QUARTER_CENTURY = "quarter-century"
    HALF_CENTURY = "half-century"
    CENTURY = "century"
    RANGE = "range"


class MediaKind(StrEnum):
    IMAGE = "image"
    IIIF_MANIFEST = "iiif"
    VIDEO = "video"
    AUDIO = "audio"
    TEXT = "text"
    WEB_PAGE = "page"


class OfferCategory(StrEnum):
    """How a work can be reached legally."""

    TICKET = "ticket"
    STREAMING = "streaming"
    RENT = "rent"
    BUY = "buy"
    LOAN = "loan"
    FREE = "free"
    VISIT = "visit"


class CreationLabelValue(StrEnum):
    HUMAN = "human"
    AI_ASSISTED = "ai-assisted"
    SYNTHETIC = "synthetic"
    UNKNOWN = "unknown"


class LabelMethod(StrEnum):
    DECLARATION = "declaration"
    C2PA = "c2pa"
    REGISTRY = "registry"
    DETECTOR = "detector"


class C2paState(StrEnum):
    """What a C2PA reader says of a manifest (c2pa-python's validation states)."""

    INVALID = "Invalid"
    VALID = "Valid"
    TRUSTED = "Trusted"


class TerritoryLevel(StrEnum):
    COUNTRY = "country"
    REGION = "region"
    PROVINCE = "province"
    DEPARTMENT = "department"
    MUNICIPALITY = "municipality"


class EventStatus(StrEnum):
    SCHEDULED = "EventScheduled"
    CANCELLED = "EventCancelled"
    POSTPONED = "EventPostponed"
    RESCHEDULED = "EventRescheduled"
    MOVED_ONLINE = "EventMovedOnline"


class AttendanceMode(StrEnum):
    OFFLINE = "OfflineEventAttendanceMode"
    ONLINE = "OnlineEventAttendanceMode"
    MIXED = "MixedEventAttendanceMode"
