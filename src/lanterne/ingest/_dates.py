"""Dates as French (and some English) cultural catalogues write them.

Exports mix ISO dates, spreadsheet cells (« 25/10/2019 », goodbooks' « 2008.0 ») and museum
wording (« 2e moitié XIXe siècle », Joconde's « 1800 entre,1900 et »). Every form becomes a
``FuzzyDate`` with full-day inclusive bounds, so all dates compare and index the same way.

Years before Christ are negative with no year 0 (« 300 av. J.-C. » is ``-0300``), the way
catalogues and Wikidata count them, not ISO's astronomical numbering.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import NamedTuple

from lanterne.profile import DatePrecision as P
from lanterne.profile import FuzzyDate

_EXAMPLES = "2019-07-14, 14 juillet 2019, juillet 2019, 1er trimestre 2020, XIXe siècle, vers 1890"
# Longer text is not a date, and the cap bounds backtracking and recursion on hostile input.
_MAX_LENGTH = 200

_Day = tuple[int, int, int]


class DateParseError(ValueError):
    """A date text matching none of the accepted forms, or naming a day that does not exist."""

    def __init__(self, text: str, reason: str = "") -> None:
        self.text = text
        self.reason = reason
        detail = f" ({reason})" if reason else ""
        super().__init__(f'date non comprise : "{text}"{detail} ; formats acceptés : {_EXAMPLES}')


class _Reject(Exception):
    """Raised inside the parser; the public function re-raises it quoting the whole input."""


class _Span(NamedTuple):
    earliest: _Day
    latest: _Day
    precision: P
    approximate: bool = False


def _day(year: int, month: int, day: int) -> _Day:
    if year == 0 or not -9999 <= year <= 9999:
        raise _Reject(f"année {year} hors limites")
    if not 1 <= month <= 12:
        raise _Reject(f"mois {month} inexistant")
    if not 1 <= day <= _month_end(year, month):
        raise _Reject(f"jour {day} inexistant en {year}-{month:02d}")
    return (year, month, day)


def _month_end(year: int, month: int) -> int:
    # Leap years before Christ are off by one without a year 0; no catalogue dates a BC day.
    return calendar.monthrange(year, month)[1]


def _years(first: int, last: int, precision: P, approximate: bool = False) -> _Span:
    return _Span(_day(first, 1, 1), _day(last, 12, 31), precision, approximate)


def _months(year: int, month: int, count: int, precision: P) -> _Span:
    end = month - 1 + count - 1
    end_year, end_month = year + end // 12, end % 12 + 1
    last = _day(end_year, end_month, _month_end(end_year, end_month))
    return _Span(_day(year, month, 1), last, precision)


def _range(start: _Span, end: _Span) -> _Span:
    if start.earliest > end.latest:
        raise _Reject("la fin précède le début")
    return _Span(start.earliest, end.latest, P.RANGE, start.approximate or end.approximate)


def _iso(day: _Day) -> str:
    year, month, d = day
    return f"{'-' if year < 0 else ''}{abs(year):04d}-{month:02d}-{d:02d}"


# Only canonical numerals count, so a typo such as « IIX » is reported instead of guessed at.
_UNITS = ("", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix")
_ROMAN = {"x" * (n // 10) + _UNITS[n % 10]: n for n in range(1, 40)}
_WORDS = {"premier": 1, "premiere": 1, "first": 1, "deuxieme": 2, "second": 2, "seconde": 2}
_WORDS |= {"troisieme": 3, "third": 3, "quatrieme": 4, "fourth": 4}
_WORDS |= dict.fromkeys(("dernier", "derniere", "last"), -1)  # the last part, whatever the count


def _ordinal(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token in _WORDS:
        return _WORDS[token]
    if token in _ROMAN:
        return _ROMAN[token]
    raise _Reject(f"chiffre romain « {token.upper()} » invalide")


_MONTHS = {"janvier": 1, "janv": 1, "january": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2}
_MONTHS |= {"february": 2, "feb": 2, "mars": 3, "march": 3, "mar": 3, "avril": 4, "avr": 4}
_MONTHS |= {"april": 4, "apr": 4, "mai": 5, "may": 5, "juin": 6, "june": 6, "jun": 6}
_MONTHS |= {"juillet": 7, "juil": 7, "july": 7, "jul": 7, "aout": 8, "august": 8, "aug": 8}
_MONTHS |= {"septembre": 9, "september": 9, "sept": 9, "sep": 9, "octobre": 10, "october": 10}
_MONTHS |= {"oct": 10, "novembre": 11, "november": 11, "nov": 11, "decembre": 12}
_MONTHS |= {"december": 12, "dec": 12}
# Meteorological seasons: winter starts in December of the year it is named after.
_SEASONS = dict.fromkeys(("printemps", "spring"), 3) | dict.fromkeys(("ete", "summer"), 6)
_SEASONS |= dict.fromkeys(("automne", "autumn", "fall"), 9) | dict.fromkeys(("hiver", "winter"), 12)
_THIRDS = {"debut": (0, 33), "early": (0, 33), "milieu": (33, 33), "mid": (33, 33)}
_THIRDS |= {"fin": (66, 34), "late": (66, 34)}


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: « sept » before « sep »


_MONTH = rf"(?P<month>{_alt(_MONTHS)})\.?"
_WEEKDAY = (
    r"(?:(?:lun|mar|mercre|jeu|vendre|same)di |dimanche "
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day,? )"
)
_DAY_NUM = r"(?P<d>\d{1,2}|premier)(?: ?(?:er|re|ere|e|st|nd|rd|th))?"
_YEAR = r"(?P<y>\d{3,4})"
_TIME = r"(?:[t ]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:z|[+-]\d{2}:?\d{2}))?)?"
_CENTURY = r" (?:siecle|s\.|sc\.?|century|c\.)"
_ERA = (
    r"(?: (?P<era>(?:av|ap)(?:\.|ant|res)? ?(?:j\.?-? ?c\.?|jesus-christ)"
    r"|av\.? n\.? ?e\.?|avant notre ere|b\.? ?c\.?(?: ?e\.?)?|a\.? ?d\.?))?"
)


def _ord(name: str) -> str:
    return rf"(?P<{name}>\d{{1,2}}|{_alt(_WORDS)}|[ivx]+)(?: ?(?:e|er|re|ere|eme|nd|nde|st|rd|th))?"


_CENTURY_ERA = _ord("c") + _CENTURY + _ERA
_OF = "(?:du |de la |of the |of )?"


def _is_bc(match: re.Match[str]) -> bool:
    return (match["era"] or "").startswith(("av", "b"))


def _century(match: re.Match[str]) -> int:
    """First year of the century, in chronological order (« IIIe siècle av. J.-C. »: -300)."""
    n = _ordinal(match["c"])
    if n < 1:
        raise _Reject("le premier siècle est le 1er")
    return -100 * n if _is_bc(match) else 100 * (n - 1) + 1


def _whole_century(m: re.Match[str]) -> _Span:
    first = _century(m)
    return _years(first, first + 99, P.CENTURY)


def _century_part(m: re.Match[str]) -> _Span:
    parts = 4 if m["part"].startswith("quart") else 2
    k = _ordinal(m["k"])
    k = parts if k == -1 else k
    if not 1 <= k <= parts:
        raise _Reject(f"il n'y a que {parts} parties dans un siècle")
    start = _century(m) + (100 // parts) * (k - 1)
    precision = P.QUARTER_CENTURY if parts == 4 else P.HALF_CENTURY
    return _years(start, start + 100 // parts - 1, precision)


def _century_third(m: re.Match[str]) -> _Span:
    # « Début » and « fin » are vague: a third of the century, flagged approximate. The precision
    # stays CENTURY because that is the unit the source speaks in.
    offset, length = _THIRDS[m["third"]]
    start = _century(m) + offset
    return _years(start, start + length - 1, P.CENTURY, approximate=True)


def _year_number(m: re.Match[str]) -> _Span:
    # A bare one- or two-digit number is more likely a day or a code than a year; goodbooks'
    # floats (« -750.0 ») and explicit eras are unambiguous.
    if len(m["y"]) < 3 and not (m["neg"] or m["frac"] or m["era"]):
        raise _Reject("une année s'écrit avec 3 ou 4 chiffres")
    year = int(m["y"]) * (-1 if m["neg"] or _is_bc(m) else 1)
    return _years(year, year, P.YEAR)


def _year_range(m: re.Match[str]) -> _Span:
    start, end = int(m["a"]), int(m["b"])
    if len(m["b"]) == 2:  # « 1914-18 »: the end keeps the century of the start
        end += start // 100 * 100
        if end < start:
            raise _Reject(f"ni un mois de 01 à 12, ni une fin de période après {start}")
    return _range(_years(start, start, P.YEAR), _years(end, end, P.YEAR))


def _decade(m: re.Match[str]) -> _Span:
    digits = m["a"] or m["b"]
    # « Années 80 » means the 1980s; catalogues write the 2000s in full.
    year = int(digits) + (1900 if len(digits) == 2 else 0)
    if year % 10:
        raise _Reject("une décennie commence par une année en 0")
    return _years(year, year + 9, P.DECADE)


def _trimester(m: re.Match[str]) -> _Span:
    q = _ordinal(m["q"])
    q = 4 if q == -1 else q
    if not 1 <= q <= 4:
        raise _Reject(f"trimestre {q} inexistant")
    return _months(int(m["y"]), 3 * q - 2, 3, P.QUARTER)


def _relative(m: re.Match[str]) -> _Span:
    year = int(m["a"]) + {"avant": -1, "before": -1, "apres": 1, "after": 1}.get(m["rel"], 0)
    return _years(year, year, P.YEAR, approximate=True)


def _approx(m: re.Match[str]) -> _Span:
    return _span(m["a"])._replace(approximate=True)


def _hull(m: re.Match[str]) -> _Span:
    # « 4e quart 18e siècle ; 1er quart 19e siècle »: one span covering every listed period.
    a, b = _span(m["a"]), _span(m["b"])
    approximate = a.approximate or b.approximate
    return _Span(min(a.earliest, b.earliest), max(a.latest, b.latest), P.RANGE, approximate)


def _month_number(m: re.Match[str]) -> int:
    name = m.groupdict().get("month")
    return _MONTHS[name] if name else int(m["m"])


def _between(m: re.Match[str]) -> _Span:
    return _range(_span(m["a"]), _span(m["b"]))


def _season(m: re.Match[str]) -> _Span:
    return _months(int(m["y"]), _SEASONS[m["s"]], 3, P.SEASON)


def _day_span(m: re.Match[str]) -> _Span:
    d = _day(int(m["y"]), _month_number(m), 1 if m["d"] == "premier" else int(m["d"]))
    return _Span(d, d, P.DAY)


def _month_span(m: re.Match[str]) -> _Span:
    return _months(int(m["y"]), _month_number(m), 1, P.MONTH)


_Handler = Callable[[re.Match[str]], _Span]
_RULE_SOURCES: tuple[tuple[str, _Handler], ...] = (
    (r"(?:(?:vers|circa|environ|ca|around|about) |(?:env|ca|c|approx)\. ?)(?P<a>.+)", _approx),
    (r"(?P<a>.+?) ?(?:\(\?\)|\[\?\]|\?|vers|env\.|environ|circa)", _approx),
    (r"(?P<y>-?\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})" + _TIME, _day_span),
    # 01..12 only, so « 1914-18 » falls through to the year range below.
    (r"(?P<y>-?\d{4})-(?P<m>0[1-9]|1[0-2])", _month_span),
    (r"(?P<neg>-)?(?P<y>\d{1,4})(?P<frac>\.0+)?" + _ERA, _year_number),
    (r"(?P<a>\d{3,4}) ?- ?(?P<b>\d{2}|\d{3,4})", _year_range),
    (r"(?P<a>-?\d{4}(?:-\d{2}){0,2})/(?P<b>-?\d{4}(?:-\d{2}){0,2})", _between),
    (r"(?P<d>\d{1,2})(?P<s>[/.-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})" + _TIME, _day_span),
    (r"(?P<m>\d{1,2})/(?P<y>\d{4})", _month_span),
    (rf"(?:{_WEEKDAY})?(?:le |the )?{_DAY_NUM} (?:of )?{_MONTH},? {_YEAR}", _day_span),
    (rf"(?:{_WEEKDAY})?{_MONTH} {_DAY_NUM},? {_YEAR}", _day_span),
    (rf"{_MONTH},? (?:de |of )?{_YEAR}", _month_span),
    (rf"{_ord('q')} (?:trimestre|quarter)(?: de| of)? {_YEAR}", _trimester),
    (rf"[tq](?P<q>[1-4]) {_YEAR}", _trimester),
    (rf"(?P<s>{_alt(_SEASONS)}) (?:de |d'|of )?{_YEAR}", _season),
    (r"(?:les )?(?:annees|decennie) (?P<a>\d{2}|\d{4})|(?:the )?'?(?P<b>\d{2}|\d{4})'?s", _decade),
    (_CENTURY_ERA, _whole_century),
    (rf"{_ord('k')} (?P<part>quart|quarter|moitie|half) {_OF}{_CENTURY_ERA}", _century_part),
    (rf"(?P<third>{_alt(_THIRDS)})(?: du | of the |[ -]){_CENTURY_ERA}", _century_third),
    (r"(?:entre|between) (?P<a>.+?) (?:et|and) (?P<b>.+)", _between),
    (r"(?:de|du|from) (?P<a>.+?) (?:a|au|to|-) (?P<b>.+)", _between),
    # Joconde (POP) writes the bounds first and the words after: « 1800 entre,1900 et ».
    (r"(?P<a>.+?) entre ?, ?(?P<b>.+?) et", _between),
    (r"(?P<a>.+?) entre", _approx),
    # « 2010 et après » is open-ended; the start year, flagged approximate, is all we can assert.
    (r"(?P<a>\d{3,4}) (?P<rel>et apres|and after|and later)", _relative),
    (r"(?P<rel>avant|apres|before|after) (?P<a>\d{3,4})", _relative),
    # Joconde also writes the relation after the year: « 1867 après », « 1805 avant ».
    (r"(?P<a>\d{3,4}) (?P<rel>avant|apres)", _relative),
    (r"(?P<a>\d{3,4}) et", _approx),
    (r"(?P<a>\d{3,4}) \(?(?:vers|env\.?)\)?", _approx),
    # « 1864 dépôt légal »: the legal-deposit year dates the printed object.
    (
        r"(?P<a>.+?) (?:depot legal|edite en|edition)(?P<rest>.*)",
        lambda m: _span(m["a"] + m["rest"]),
    ),
    (r"(?P<a>.+?) ?; ?(?P<b>.+)", _hull),
    # Several dates in one field (« 1830,1909 »): the span covering them all.
    (r"(?P<a>[^,]+?) ?, ?(?P<b>.+)", _hull),
)


_RULES = tuple((re.compile(source), handler) for source, handler in _RULE_SOURCES)
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−", "-") | {"’": "'"})


def _normalise(text: str) -> str:
    # NFKD turns « ᵉ » into « e » and non-breaking spaces into spaces; accents go so that
    # « siècle », « Siecle » and « SIÈCLE » are one word.
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.translate(_DASHES).casefold().split())


def _span(text: str) -> _Span:
    for pattern, handler in _RULES:
        match = pattern.fullmatch(text)
        if match:
            return handler(match)
    raise _Reject("")


def parse_date_fr(text: str) -> FuzzyDate:
    """Parse a date as a French or English cultural catalogue writes it.

    Args:
        text: The date as found in the source, e.g. ``"2e moitié XIXe siècle"``, ``"vers 1890"``,
            ``"1er trimestre 2020"`` or ``"2019-07-14T20:00:00+02:00"``.

    Returns:
        A ``FuzzyDate`` whose inclusive bounds are full ISO days and whose ``text`` is the
        stripped input.

    Raises:
        DateParseError: The text matches no accepted form, or names a day that does not exist.
    """
    original = text.strip()
    try:
        if len(original) > _MAX_LENGTH:
            raise _Reject("texte trop long")
        span = _span(_normalise(original))
    except _Reject as exc:
        raise DateParseError(original, str(exc)) from None
    return FuzzyDate(
        earliest=_iso(span.earliest),
        latest=_iso(span.latest),
        precision=span.precision,
        text=original,
        approximate=span.approximate,
    )
