"""Whole-title and title-phrase matches: the signal that puts « Les Misérables » first for
« miserables », « Robe de bal » before three plain « Robe », the film before its sequels.

A title and a query are compared as words, lowercased and accent-folded; a title that puts its
article after a comma (« Misérables, Les », as library catalogues sort them) is read with the
article in front, and a leading article may be present on one side and not the other.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
# Articles that catalogues move behind a comma, and that a reader may or may not type.
ARTICLES = frozenset(
    {
        "le",
        "la",
        "les",
        "l",
        "un",
        "une",
        "des",
        "the",
        "a",
        "an",
        "der",
        "die",
        "das",
        "el",
        "los",
        "las",
        "il",
        "lo",
        "gli",
        "i",
    }
)
_INVERTED = re.compile(r"^(?P<rest>.+?),\s*(?P<article>[^\W\d_]+'?)\s*$", re.UNICODE)
ALTERNATIVES = " — "
"""How a work's document joins its titles (``_works.work_doc``)."""

WHOLE = 2
PHRASE = 1
NONE = 0


def words(text: str) -> tuple[str, ...]:
    """Lowercased, accent-folded words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple(_WORD.findall(folded))


def _forms(title: str) -> list[tuple[str, ...]]:
    """The title's words, with an article after a comma put back in front."""
    out: list[tuple[str, ...]] = []
    for alternative in title.split(ALTERNATIVES):
        inverted = _INVERTED.match(alternative.strip())
        if (
            inverted
            and words(inverted["article"])[-1:]
            and words(inverted["article"])[-1] in ARTICLES
        ):
            out.append(words(inverted["article"]) + words(inverted["rest"]))
        out.append(words(alternative))
    return [f for f in out if f]


def _bare(form: tuple[str, ...]) -> tuple[str, ...]:
    """Without a leading article (« les miserables » → « miserables »)."""
    return form[1:] if len(form) > 1 and form[0] in ARTICLES else form


def title_match(query: str, title: str) -> int:
    """``WHOLE`` when the query is one of the title's forms (with or without its leading
    article), ``PHRASE`` when a query of two words or more is a run of the title's words,
    else ``NONE``."""
    asked = words(query)
    if not asked:
        return NONE
    forms = _forms(title)
    if any(asked == f or _bare(asked) == _bare(f) for f in forms):
        return WHOLE
    if len(asked) >= 2:
        n = len(asked)
        for f in forms:
            if any(f[i : i + n] == asked for i in range(len(f) - n + 1)):
                return PHRASE
    return NONE
