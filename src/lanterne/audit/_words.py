"""The words of an audit report, in French and English.

Machine keys (``european=true``, ``not met``, ``catalogue-european``) stay in the JSON report;
what a reader sees goes through here, labelled; its numbers are written by ``lanterne.report``.
Each table maps a key to its French msgid, said in English through the one catalogue.
"""

from __future__ import annotations

from lanterne.messages import N_, translate
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
    "met": N_("respecté"),
    "not met": N_("non respecté"),
    "uncertain": N_("incertain"),
    "no data": N_("données insuffisantes"),
}

RULES = {
    "catalogue-european": N_("Catalogue : œuvres européennes"),
    "catalogue-eof": N_("Catalogue : œuvres d'expression originale française (EOF)"),
    "home-european-or-eof": N_("Accueil : œuvres européennes ou EOF, pondérées par la place"),
}

GROUPS = {
    "european=true": N_("œuvres européennes"),
    "eof=true": N_("œuvres EOF (expression originale française)"),
    "francophone=true": N_("œuvres francophones"),
    "independent=true": N_("production indépendante"),
    "european-or-eof=true": N_("œuvres européennes ou EOF"),
    "creation=synthetic": N_("créations générées par IA"),
    "genre-entropy": N_("diversité des genres (entropie, bits)"),
}

ATTRIBUTES = {
    "european": N_("européenne"),
    "eof": N_("EOF"),
    "francophone": N_("francophone"),
    "independent": N_("indépendante"),
    "type": N_("genre d'œuvre"),
    "genre": N_("genre"),
    "country": N_("pays"),
    "language": N_("langue"),
    "territory": N_("territoire"),
    "creation": N_("création"),
}

VALUES = {
    "true": N_("oui"),
    "false": N_("non"),
    "Festival": N_("festival"),
    "CreativeWork": N_("œuvre ou objet"),
    "Book": N_("livre"),
    "Movie": N_("film"),
    "TVSeries": N_("série"),
    "MusicRecording": N_("enregistrement musical"),
    "MusicAlbum": N_("album"),
    "VisualArtwork": N_("œuvre d'art"),
    "Event": N_("événement"),
    "TheaterEvent": N_("spectacle"),
}

SURFACES = {
    "all": N_("toutes les surfaces"),
    "home": N_("accueil"),
    "search": N_("recherche"),
    "autoplay": N_("lecture automatique"),
    "carousel": N_("carrousel"),
    "list": N_("liste"),
}

UNITS = {"persona": N_("profil"), "list": N_("bloc de listes")}

WEIGHTINGS = {
    "uniform": N_("uniforme (chaque place compte autant)"),
    "log": N_("logarithmique, 1/log2(position + 1)"),
    "rbp": N_("patience, p^(position − 1)"),
    "grid": N_("grille, lignes × colonnes"),
}

PARAMETERS = {
    "weighting.kind": N_("Pondération des places"),
    "weighting.patience": N_("Patience (pondération rbp)"),
    "weighting.row_decay": N_("Décroissance par ligne (grille)"),
    "weighting.column_decay": N_("Décroissance par colonne (grille)"),
    "quotas.catalogue_european": N_("Seuil : catalogue européen"),
    "quotas.catalogue_eof": N_("Seuil : catalogue EOF"),
    "quotas.home": N_("Seuil : accueil européen ou EOF"),
    "quotas.home_surface": N_("Surface de la règle d'accueil"),
    "resamples": N_("Rééchantillonnages (bootstrap)"),
    "level": N_("Niveau des intervalles"),
    "seed": N_("Graine aléatoire"),
    "permutations": N_("Permutations (test de dérive)"),
    "groups": N_("Groupes mesurés"),
    "source": N_("Source des identifiants bruts"),
}


def pick(table: dict[str, str], key: str, lang: str) -> str:
    """The label of ``key`` in ``lang``; a key the table does not know keeps its own name."""
    msgid = table.get(key)
    return key if msgid is None else translate(lang, msgid)


def verdict(key: str, lang: str) -> str:
    return pick(VERDICTS, key, lang)


def rule(key: str, lang: str) -> str:
    return pick(RULES, key, lang)


def surface(key: str, lang: str) -> str:
    return pick(SURFACES, key, lang)


def group(key: str, lang: str) -> str:
    """``european=true`` → « œuvres européennes »; ``type=Festival`` → « genre d'œuvre :
    festival »; an attribute the tables do not know keeps its own name."""
    if key in GROUPS:
        return pick(GROUPS, key, lang)
    name, _, value = key.partition("=")
    attribute = pick(ATTRIBUTES, name, lang)
    shown = pick(VALUES, value, lang)
    return f"{attribute}{NNBSP if _fr(lang) else ''}: {shown}"


def parameter(key: str, value: object, lang: str) -> tuple[str, str]:
    """One row of the parameters' table: its label and its value in words."""
    label = pick(PARAMETERS, key, lang)
    if key == "weighting.kind" and isinstance(value, str):
        return label, pick(WEIGHTINGS, value, lang)
    if key.startswith("quotas.") and isinstance(value, float):
        return label, pct(value, lang)
    if key == "quotas.home_surface" and isinstance(value, str):
        return label, surface(value, lang)
    if key == "level" and isinstance(value, float):
        return label, pct(value, lang, 0)
    if key == "groups" and isinstance(value, list | tuple):
        return label, ", ".join(group(str(g), lang) for g in value)
    if isinstance(value, bool):
        return label, pick(VALUES, "true" if value else "false", lang)
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
