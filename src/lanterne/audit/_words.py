"""The words of an audit report, in French and English.

Machine keys (``european=true``, ``not met``, ``catalogue-european``) stay in the JSON report;
what a reader sees goes through here, labelled; its numbers are written by ``lanterne.report``.
"""

from __future__ import annotations

from lanterne.report import NNBSP, count, number, pct

__all__ = [
    "flatten",
    "group",
    "parameter",
    "pick",
    "rule",
    "surface",
    "verdict",
]


def _fr(lang: str) -> bool:
    return lang != "en"


VERDICTS = {
    "met": ("respecté", "met"),
    "not met": ("non respecté", "not met"),
    "uncertain": ("incertain", "uncertain"),
    "no data": ("données insuffisantes", "no data"),
}

RULES = {
    "catalogue-european": ("Catalogue : œuvres européennes", "Catalogue: European works"),
    "catalogue-eof": (
        "Catalogue : œuvres d'expression originale française (EOF)",
        "Catalogue: original French-language (EOF) works",
    ),
    "home-european-or-eof": (
        "Accueil : œuvres européennes ou EOF, pondérées par la place",
        "Home: European or EOF works, weighted by position",
    ),
}

GROUPS = {
    "european=true": ("œuvres européennes", "European works"),
    "eof=true": ("œuvres EOF (expression originale française)", "original French-language works"),
    "francophone=true": ("œuvres francophones", "francophone works"),
    "independent=true": ("production indépendante", "independent production"),
    "european-or-eof=true": ("œuvres européennes ou EOF", "European or EOF works"),
    "creation=synthetic": ("créations générées par IA", "AI-generated works"),
    "genre-entropy": ("diversité des genres (entropie, bits)", "genre diversity (entropy, bits)"),
}

ATTRIBUTES = {
    "european": ("européenne", "European"),
    "eof": ("EOF", "EOF"),
    "francophone": ("francophone", "francophone"),
    "independent": ("indépendante", "independent"),
    "type": ("genre d'œuvre", "kind of work"),
    "genre": ("genre", "genre"),
    "country": ("pays", "country"),
    "language": ("langue", "language"),
    "territory": ("territoire", "territory"),
    "creation": ("création", "creation"),
}

VALUES = {
    "true": ("oui", "yes"),
    "false": ("non", "no"),
    "Festival": ("festival", "festival"),
    "CreativeWork": ("œuvre ou objet", "work or object"),
    "Book": ("livre", "book"),
    "Movie": ("film", "film"),
    "TVSeries": ("série", "TV series"),
    "MusicRecording": ("enregistrement musical", "music recording"),
    "MusicAlbum": ("album", "album"),
    "VisualArtwork": ("œuvre d'art", "artwork"),
    "Event": ("événement", "event"),
    "TheaterEvent": ("spectacle", "theatre show"),
}

SURFACES = {
    "all": ("toutes les surfaces", "all surfaces"),
    "home": ("accueil", "home"),
    "search": ("recherche", "search"),
    "autoplay": ("lecture automatique", "autoplay"),
    "carousel": ("carrousel", "carousel"),
    "list": ("liste", "list"),
}

UNITS = {"persona": ("profil", "persona"), "list": ("bloc de listes", "block of lists")}

WEIGHTINGS = {
    "uniform": ("uniforme (chaque place compte autant)", "uniform (every slot counts the same)"),
    "log": ("logarithmique, 1/log2(position + 1)", "logarithmic, 1/log2(position + 1)"),
    "rbp": ("patience, p^(position − 1)", "patience, p^(position − 1)"),
    "grid": ("grille, lignes × colonnes", "grid, rows × columns"),
}

PARAMETERS = {
    "weighting.kind": ("Pondération des places", "Slot weighting"),
    "weighting.patience": ("Patience (pondération rbp)", "Patience (rbp weighting)"),
    "weighting.row_decay": ("Décroissance par ligne (grille)", "Decay per row (grid)"),
    "weighting.column_decay": ("Décroissance par colonne (grille)", "Decay per column (grid)"),
    "quotas.catalogue_european": ("Seuil : catalogue européen", "Threshold: European catalogue"),
    "quotas.catalogue_eof": ("Seuil : catalogue EOF", "Threshold: EOF catalogue"),
    "quotas.home": ("Seuil : accueil européen ou EOF", "Threshold: European or EOF home"),
    "quotas.home_surface": ("Surface de la règle d'accueil", "Surface of the home rule"),
    "resamples": ("Rééchantillonnages (bootstrap)", "Bootstrap resamples"),
    "level": ("Niveau des intervalles", "Interval level"),
    "seed": ("Graine aléatoire", "Random seed"),
    "permutations": ("Permutations (test de dérive)", "Permutations (drift test)"),
    "groups": ("Groupes mesurés", "Groups measured"),
    "source": ("Source des identifiants bruts", "Source of raw ids"),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if _fr(lang) else pair[1]


def verdict(key: str, lang: str) -> str:
    return pick(VERDICTS.get(key, (key, key)), lang)


def rule(key: str, lang: str) -> str:
    return pick(RULES.get(key, (key, key)), lang)


def surface(key: str, lang: str) -> str:
    return pick(SURFACES.get(key, (key, key)), lang)


def group(key: str, lang: str) -> str:
    """``european=true`` → « œuvres européennes »; ``type=Festival`` → « genre d'œuvre :
    festival »; an attribute the tables do not know keeps its own name."""
    if key in GROUPS:
        return pick(GROUPS[key], lang)
    name, _, value = key.partition("=")
    attribute = pick(ATTRIBUTES.get(name, (name, name)), lang)
    shown = pick(VALUES.get(value, (value, value)), lang)
    return f"{attribute}{NNBSP if _fr(lang) else ''}: {shown}"


def parameter(key: str, value: object, lang: str) -> tuple[str, str]:
    """One row of the parameters' table: its label and its value in words."""
    label = pick(PARAMETERS.get(key, (key, key)), lang)
    if key == "weighting.kind" and isinstance(value, str):
        return label, pick(WEIGHTINGS.get(value, (value, value)), lang)
    if key.startswith("quotas.") and isinstance(value, float):
        return label, pct(value, lang)
    if key == "quotas.home_surface" and isinstance(value, str):
        return label, surface(value, lang)
    if key == "level" and isinstance(value, float):
        return label, pct(value, lang, 0)
    if key == "groups" and isinstance(value, list | tuple):
        return label, ", ".join(group(str(g), lang) for g in value)
    if isinstance(value, bool):
        return label, pick(VALUES["true" if value else "false"], lang)
    if isinstance(value, int):
        return label, count(value, lang)
    if isinstance(value, float):
        return label, number(value, lang, 2)
    return label, "—" if value is None else str(value)


def flatten(parameters: dict[str, object], prefix: str = "") -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for key, value in parameters.items():
        if isinstance(value, dict):
            out += flatten(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out
