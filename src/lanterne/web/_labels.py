"""Plain-language names for what the catalogue stores as codes: kinds of work, roles, offers,
creation labels, facets; countries, languages and regions from Babel's and pycountry's data.

The French names are the msgids; ``N_`` only marks them for extraction, and the page translates
them with the visitor's catalogue when it shows them.
"""

from __future__ import annotations

from collections.abc import Callable

import pycountry
from babel import Locale

from lanterne.web._i18n import Lang


def N_(text: str) -> str:
    return text


FACET_NAMES: dict[str, str] = {
    "type": N_("Genre d'œuvre"),
    "language": N_("Langue"),
    "country": N_("Pays"),
    "territory": N_("Région ou province"),
    "period": N_("Période"),
    "access": N_("Accès"),
    "creation": N_("Création"),
    "source": N_("Source des données"),
}

WORK_TYPES: dict[str, str] = {
    "CreativeWork": N_("Œuvre ou objet"),
    "Book": N_("Livre"),
    "Movie": N_("Film"),
    "TVSeries": N_("Série"),
    "MusicRecording": N_("Enregistrement musical"),
    "MusicAlbum": N_("Album"),
    "VisualArtwork": N_("Œuvre d'art"),
    "Painting": N_("Peinture"),
    "Sculpture": N_("Sculpture"),
    "Drawing": N_("Dessin"),
    "Photograph": N_("Photographie"),
    "Event": N_("Événement"),
    "TheaterEvent": N_("Spectacle"),
    "MusicEvent": N_("Concert"),
    "DanceEvent": N_("Danse"),
    "ExhibitionEvent": N_("Exposition"),
    "Festival": N_("Festival"),
    "VideoGame": N_("Jeu vidéo"),
    "PodcastSeries": N_("Podcast"),
    "ArchiveComponent": N_("Archive"),
    "LandmarksOrHistoricalBuildings": N_("Monument"),
}

ACCESS: dict[str, str] = {
    "free": N_("Gratuit"),
    "paid": N_("Payant"),
    "unknown": N_("Non précisé"),
}

CREATION: dict[str, str] = {
    "human": N_("Création humaine"),
    "ai-assisted": N_("Assistée par IA"),
    "synthetic": N_("Générée par IA"),
    "unknown": N_("Non déclarée"),
}

OFFERS: dict[str, str] = {
    "ticket": N_("Billetterie"),
    "streaming": N_("En ligne"),
    "rent": N_("Location"),
    "buy": N_("Achat"),
    "loan": N_("Prêt"),
    "free": N_("Accès libre"),
    "visit": N_("Visite"),
}

ROLES: dict[str, str] = {
    "author": N_("Auteur ou autrice"),
    "creator": N_("Création"),
    "director": N_("Réalisation"),
    "actor": N_("Interprétation"),
    "performer": N_("Interprétation"),
    "composer": N_("Composition"),
    "illustrator": N_("Illustration"),
    "translator": N_("Traduction"),
    "editor": N_("Édition"),
    "publisher": N_("Éditeur"),
    "producer": N_("Production"),
    "productionCompany": N_("Société de production"),
    "organizer": N_("Organisation"),
    "contributor": N_("Contribution"),
}

METHODS: dict[str, str] = {
    "declaration": N_("déclaration"),
    "c2pa": N_("manifeste C2PA"),
    "detector": N_("détecteur automatique"),
}

PLACED_BY: dict[str, str] = {
    "curiosity": N_("le curseur de curiosité"),
    "goal": N_("un objectif de diversité"),
}


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def century(period: str, lang: Lang) -> str:
    """``1800-1899`` → « XIXe siècle » / “19th century”."""
    start = period.split("-")[0]
    if not start.isdigit():
        return period
    n = int(start) // 100 + 1
    if lang == "fr":
        return f"{_roman(n)}{'er' if n == 1 else 'e'} siècle"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} century"


class Labeller:
    """Display names in one language."""

    def __init__(self, lang: Lang, gettext: Callable[[str], str]) -> None:
        self.lang = lang
        self._ = gettext
        self.locale = Locale.parse(lang)

    def facet(self, name: str) -> str:
        return self._(FACET_NAMES.get(name, name))

    def value(self, facet: str, value: str) -> str:
        """The name of a facet value, or the value itself when there is none."""
        table = {"type": WORK_TYPES, "access": ACCESS, "creation": CREATION}.get(facet)
        if table is not None:
            return self._(table[value]) if value in table else value
        if facet == "country":
            return self.country(value)
        if facet == "language":
            return self.language(value)
        if facet == "territory":
            return self.territory(value)
        if facet == "period":
            return century(value, self.lang)
        return value

    def work_type(self, value: str) -> str:
        return self.value("type", value)

    def country(self, code: str) -> str:
        return str(self.locale.territories.get(code.upper(), code))

    def language(self, tag: str) -> str:
        primary = tag.split("-")[0].lower()
        name = self.locale.languages.get(primary)
        if name is None:
            return tag
        region = tag.split("-")[1].upper() if "-" in tag else None
        if region:
            return f"{name} ({self.country(region)})"
        return str(name)

    def territory(self, code: str) -> str:
        found = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        return str(found.name) if found is not None else code

    def role(self, value: str) -> str:
        return self._(ROLES[value]) if value in ROLES else value

    def offer(self, value: str) -> str:
        return self._(OFFERS[value]) if value in OFFERS else value

    def creation(self, value: str) -> str:
        return self._(CREATION[value]) if value in CREATION else value

    def method(self, value: str) -> str:
        return self._(METHODS[value]) if value in METHODS else value

    def placed_by(self, value: str) -> str:
        return self._(PLACED_BY[value]) if value in PLACED_BY else value

    def goal(self, goal: str) -> str:
        """``type=Festival`` → « Genre d'œuvre : Festival »; conditions joined by « et »."""
        if "&" in goal:
            return self._(" et ").join(self.goal(part) for part in goal.split("&"))
        attribute, _, value = goal.partition("=")
        facet = {"european": "european", "eof": "eof"}.get(attribute, attribute)
        if facet == "european":
            return self._("Œuvres européennes")
        if facet == "eof":
            return self._("Expression originale française")
        return self._("%(facet)s : %(value)s") % {
            "facet": self.facet(facet),
            "value": self.value(facet, value),
        }
