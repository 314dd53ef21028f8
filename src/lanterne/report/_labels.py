"""Plain-language names for what the catalogue stores as codes (kinds of work, roles, offers,
creation labels, facets, sources, identifiers, regions) and the gettext catalogue that says them
in English: one place for the pages, the diagnosis and the audit reports.

French is the source language: the French names are the msgids; ``N_`` only marks them for
extraction (``make messages``), and ``translations(lang)`` (from ``lanterne.messages``, where the
one catalogue of the CLI, the pages and the reports is read) gives the English,
``locale/en/LC_MESSAGES/lanterne.po``.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

from lanterne.messages import N_, Lang

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
    "registry": N_("registre d'images"),
    "detector": N_("détecteur automatique"),
}

PLACED_BY: dict[str, str] = {
    "curiosity": N_("le curseur de curiosité"),
    "goal": N_("un objectif de diversité"),
}


IDENTIFIERS: dict[str, str] = {
    # Names of international schemes are the same in both languages (not translated).
    "isbn": "ISBN",
    "issn": "ISSN",
    "isrc": "ISRC",
    "isan": "ISAN",
    "eidr": "EIDR",
    "isni": "ISNI",
    "wikidata": "Wikidata",
    "ark": "ARK",
    "joconde": N_("Référence Joconde"),
    "merimee": N_("Référence Mérimée"),
    "museofile": N_("Code Muséofile du musée"),
    "inventory": N_("Numéro d'inventaire"),
    "imdb": "IMDb",
    "tmdb": "TMDB",
    "movielens": "MovieLens",
    "goodreads": "Goodreads",
    "artsdata": "Artsdata",
    "insee": N_("Code Insee"),
    "uri": N_("Adresse (URI)"),
    "local": N_("Identifiant de la source"),
}


@lru_cache(maxsize=1)
def official_subdivision_names() -> dict[str, str]:
    """ISO 3166-2 code → official name, as the profile's data lists it first (« Grand Est »,
    « Provence-Alpes-Côte d'Azur »; pycountry writes « Grand-Est »)."""
    text = (
        resources.files("lanterne.profile")
        .joinpath("data/subdivision_names.csv")
        .read_text("utf-8")
    )
    rows = csv.reader(line for line in io.StringIO(text) if not line.startswith("#"))
    names: dict[str, str] = {}
    for row in rows:
        if len(row) == 2 and row[0] != "code":
            names.setdefault(row[0], row[1])
    return names


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


SOURCES: dict[str, str] = {
    "joconde": N_("Joconde, collections des musées de France"),
    "festivals-france": N_("Cartographie nationale des festivals"),
}
"""Names of the demo's sources; another source goes by its profile's source name."""


REGION_ARTICLES: dict[str, str] = {
    "FR-GES": "du ",
    "FR-CVL": "du ",
    "FR-HDF": "des ",
    "FR-PDL": "des ",
    "FR-974": "de ",
}
"""French regions whose name takes an article (« Œuvres du Grand Est »); by default « de »,
elided before a vowel (« d'Occitanie »)."""
