"""French-aware forms of titles and names, as a spreadsheet writes them and as a catalogue does.

A title is read into one or more *forms*, each a tuple of folded words:

- accents and case folded (« Amélie » = « amelie »), ligatures opened (« œuvre » = « oeuvre »,
  « Lætitia » = « laetitia »), curly apostrophes and modifier letters read as « ' »;
- elided articles and pronouns dropped (« l'Auberge » = « auberge », « d'Amélie » = « amelie »,
  « qu'il » = « il »), as the search index drops them;
- hyphens and dashes are word breaks (« Saint-Exupéry » = « saint exupery »);
- an article put behind a comma, as library catalogues sort titles (« Misérables, Les »), is put
  back in front, and a leading article is left out of the comparison (« Les Misérables » =
  « Misérables »);
- Roman numerals of two letters or more become numbers (« Rocky II » = « rocky 2 »);
- a subtitle after « : » gives a second form without it; a year in parentheses (« (2001) ») is
  taken out as the title's year; a series suffix (« (The Hunger Games, #1) ») is dropped; any
  other parenthesised part is an alternative title (« Amelie (Fabuleux destin d'Amélie Poulain,
  Le) » is « Amelie » and « Le fabuleux destin d'Amélie Poulain »).

A name is read order-free: « Hébert, Anne » and « Anne Hébert » are the same words; a list of
names (« Stephen King, Peter Straub », « A ; B ») gives each name too.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from functools import lru_cache

ELIDED = frozenset(
    {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)
"""What French elides before a vowel (« l' », « d' », « qu' »…): dropped with its apostrophe."""

ARTICLES = frozenset(
    {
        "le",
        "la",
        "les",
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
    }
)
"""Leading articles a title may or may not carry (« l' » is elided already)."""

_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼʹ′`´ʾ", "'"))
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o"})
_WORD = re.compile(r"[^\W_]+(?:'(?=[^\W_]))?", re.UNICODE)
_YEAR = re.compile(r"\(\s*(1[0-9]{3}|20[0-9]{2})(?:\s*[-–]\s*(?:[0-9]{2,4})?)?\s*\)")
_SERIES = re.compile(r"\(([^()]*?)[,;]?\s*#\s*[0-9]+(?:[.-][0-9]+)?\s*\)")
_PARENS = re.compile(r"\(([^()]*)\)")
_ROMAN = re.compile(r"^(?=[mdclxvi]{2,}$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUES = {"m": 1000, "d": 500, "c": 100, "l": 50, "x": 10, "v": 5, "i": 1}
_ROMAN_WORDS = frozenset({"mi", "di", "ci", "li", "mix", "dix", "cd", "dc", "mc", "lc", "vi"})
"""Words that read as Roman numerals but are more often words (« dix », « vi » in Italian…);
« vi » stays a word unless a title ends with it."""

Form = tuple[str, ...]
BIGRAMS_KEPT = 65_536
"""Forms whose bigrams are kept (about 30 MB at most): more than the candidates of a few
hundred batches."""


def fold(text: str) -> str:
    """Lowercase, without accents, ligatures opened, every apostrophe straight."""
    text = text.translate(_APOSTROPHES).translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LIGATURES)


def roman(word: str) -> int | None:
    """The value of a Roman numeral of two letters or more (« ii » → 2), else ``None``."""
    if not _ROMAN.match(word):
        return None
    total = 0
    for i, letter in enumerate(word):
        value = _ROMAN_VALUES[letter]
        following = _ROMAN_VALUES[word[i + 1]] if i + 1 < len(word) else 0
        total += -value if value < following else value
    return total


def words(text: str) -> Form:
    """Folded words, elisions dropped, Roman numerals as numbers."""
    out: list[str] = []
    found = _WORD.findall(fold(text))
    for i, raw in enumerate(found):
        if raw.endswith("'"):
            stem = raw[:-1]
            if stem in ELIDED:
                continue
            raw = stem
        value = roman(raw)
        last = i == len(found) - 1
        if value is not None and (raw not in _ROMAN_WORDS or (last and i > 0)):
            out.append(str(value))
        else:
            out.append(raw)
    return tuple(out)


def bare(form: Form) -> Form:
    """Without a leading article (« les miserables » → « miserables »)."""
    return form[1:] if len(form) > 1 and form[0] in ARTICLES else form


def _uninverted(text: str) -> str:
    """« Misérables, Les » → « Les Misérables »; « Auberge espagnole, L' » → « L'Auberge… »."""
    head, sep, tail = text.rpartition(",")
    if not sep:
        return text
    article = fold(tail.strip().translate(_APOSTROPHES))
    if article.rstrip("'") in ARTICLES or article in ("l'", "l"):
        joiner = "" if article.endswith("'") else " "
        return f"{tail.strip()}{joiner}{head.strip()}"
    return text


@lru_cache(maxsize=65536)
def title_forms(title: str) -> tuple[tuple[Form, ...], int | None]:
    """The forms of a title (each without its leading article), and a year written in it."""
    year: int | None = None
    found = _YEAR.search(title)
    if found:
        year = int(found.group(1))
        title = title[: found.start()] + title[found.end() :]
    title = _SERIES.sub(" ", title)
    alternatives = [p.strip() for p in _PARENS.findall(title) if p.strip()]
    main = _PARENS.sub(" ", title).strip()
    texts: list[str] = []
    for text in (main, *alternatives):
        text = _uninverted(text.strip())
        texts.append(text)
        head, colon, _subtitle = text.partition(":")
        if colon and head.strip():
            texts.append(_uninverted(head.strip()))
    forms: list[Form] = []
    for text in texts:
        form = bare(words(text))
        if form and form not in forms:
            forms.append(form)
    return tuple(forms), year


_NAME_LISTS = re.compile(r"\s*(?:;|&|\bet\b|\band\b|/|\|)\s*", re.IGNORECASE)


@lru_cache(maxsize=65536)
def name_forms(text: str) -> tuple[frozenset[str], ...]:
    """The names in ``text``, each as a set of folded words (order-free: « Hébert, Anne » and
    « Anne Hébert » are one set). The whole text is one name; each part of a list is one more."""
    out: list[frozenset[str]] = []
    whole = frozenset(words(text))
    if whole:
        out.append(whole)
    for part in _NAME_LISTS.split(text):
        pieces = [part]
        if "," in part:
            pieces = [p for p in part.split(",") if p.strip()]
            # « Hébert, Anne »: two short pieces are one inverted name, kept whole above.
            if len(pieces) == 2 and min(len(words(p)) for p in pieces) <= 1:
                pieces = [part]
        for piece in pieces:
            name = frozenset(words(piece))
            if name and name not in out:
                out.append(name)
    return tuple(out)


@functools.lru_cache(maxsize=BIGRAMS_KEPT)
def _bigrams(form: Form) -> frozenset[str]:
    """The character bigrams of a form, kept for the forms met most recently: a query's forms
    are compared with its 20 candidates', and the same works come back across a batch."""
    joined = " " + " ".join(form) + " "
    return frozenset(joined[i : i + 2] for i in range(len(joined) - 1))


def form_similarity(a: Form, b: Form) -> float:
    """How alike two title forms are, in [0, 1]: 1 when equal; else the mean of the words' Dice
    coefficient and the character bigrams' one (which forgives a typo and a plural)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    shared = len(set(a) & set(b))
    word_dice = 2 * shared / (len(set(a)) + len(set(b)))
    x, y = _bigrams(a), _bigrams(b)
    char_dice = 2 * len(x & y) / (len(x) + len(y))
    return (word_dice + char_dice) / 2


def name_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """How alike two names are (sets of words), in [0, 1]: the Dice coefficient of their words,
    where an initial counts 0.8 against a word it begins (« j k rowling » ≈ « joanne rowling »);
    and at least 0.85 × the share of the shorter name found in the other, so that a surname
    alone (« Jeunet ») stands for « Jean-Pierre Jeunet »."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    matched = 0.0
    rest = set(b)
    for word in sorted(a, key=len, reverse=True):
        if word in rest:
            rest.discard(word)
            matched += 1.0
            continue
        partner = next(
            (
                w
                for w in rest
                if (len(word) == 1 and w.startswith(word)) or (len(w) == 1 and word.startswith(w))
            ),
            None,
        )
        if partner is not None:
            rest.discard(partner)
            matched += 0.8
    dice = 2 * matched / (len(a) + len(b))
    return max(dice, 0.85 * matched / min(len(a), len(b)))
