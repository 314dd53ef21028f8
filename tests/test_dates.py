"""Tests of the catalogue date parser (``lanterne.ingest._dates``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanterne.ingest._dates import DateParseError, parse_date_fr
from lanterne.profile._model import FuzzyDate
from lanterne.profile._vocab import DatePrecision as P

NBSP = "\u00a0"

# (text, earliest, latest, precision, approximate) — bounds checked by hand.
CASES = [
    # ISO and spreadsheet forms
    ("2019-07-14", "2019-07-14", "2019-07-14", P.DAY, False),
    ("2019-07", "2019-07-01", "2019-07-31", P.MONTH, False),
    ("2019", "2019-01-01", "2019-12-31", P.YEAR, False),
    ("2023-04-13T19:00:00-03:00", "2023-04-13", "2023-04-13", P.DAY, False),
    ("2023-04-13T23:30:00Z", "2023-04-13", "2023-04-13", P.DAY, False),
    ("2008.0", "2008-01-01", "2008-12-31", P.YEAR, False),
    ("-750.0", "-0750-01-01", "-0750-12-31", P.YEAR, False),
    ("01/01/2016 00:00", "2016-01-01", "2016-01-01", P.DAY, False),
    ("25/10/2019", "2019-10-25", "2019-10-25", P.DAY, False),
    ("14.07.2019", "2019-07-14", "2019-07-14", P.DAY, False),
    ("1973/02/27", "1973-02-27", "1973-02-27", P.DAY, False),
    ("07/2019", "2019-07-01", "2019-07-31", P.MONTH, False),
    ("2020-02", "2020-02-01", "2020-02-29", P.MONTH, False),
    # French long forms
    ("14 juillet 2019", "2019-07-14", "2019-07-14", P.DAY, False),
    ("1er juillet 2019", "2019-07-01", "2019-07-01", P.DAY, False),
    ("premier mai 1968", "1968-05-01", "1968-05-01", P.DAY, False),
    ("samedi 14 juillet 2018", "2018-07-14", "2018-07-14", P.DAY, False),
    ("29 février 2020", "2020-02-29", "2020-02-29", P.DAY, False),
    ("juillet 2019", "2019-07-01", "2019-07-31", P.MONTH, False),
    ("févr. 2019", "2019-02-01", "2019-02-28", P.MONTH, False),
    ("1er trimestre 2020", "2020-01-01", "2020-03-31", P.QUARTER, False),
    ("2e trimestre 2020", "2020-04-01", "2020-06-30", P.QUARTER, False),
    ("4e trimestre 2020", "2020-10-01", "2020-12-31", P.QUARTER, False),
    ("T3 2020", "2020-07-01", "2020-09-30", P.QUARTER, False),
    ("été 2021", "2021-06-01", "2021-08-31", P.SEASON, False),
    ("printemps 2021", "2021-03-01", "2021-05-31", P.SEASON, False),
    ("automne 2021", "2021-09-01", "2021-11-30", P.SEASON, False),
    ("hiver 2021", "2021-12-01", "2022-02-28", P.SEASON, False),
    ("hiver 2023", "2023-12-01", "2024-02-29", P.SEASON, False),
    ("années 1980", "1980-01-01", "1989-12-31", P.DECADE, False),
    ("années 80", "1980-01-01", "1989-12-31", P.DECADE, False),
    # Centuries (strict convention: the 19th century is 1801–1900)
    ("XIXe siècle", "1801-01-01", "1900-12-31", P.CENTURY, False),
    ("19e siècle", "1801-01-01", "1900-12-31", P.CENTURY, False),
    ("19 e siècle", "1801-01-01", "1900-12-31", P.CENTURY, False),
    ("XIXème siècle", "1801-01-01", "1900-12-31", P.CENTURY, False),
    ("XIXᵉ siècle", "1801-01-01", "1900-12-31", P.CENTURY, False),
    ("xixe s.", "1801-01-01", "1900-12-31", P.CENTURY, False),
    ("1er siècle", "0001-01-01", "0100-12-31", P.CENTURY, False),
    ("Ier siècle av. J.-C.", "-0100-01-01", "-0001-12-31", P.CENTURY, False),
    ("IIIe siècle av. J.-C.", "-0300-01-01", "-0201-12-31", P.CENTURY, False),
    ("1er quart 19e siècle", "1801-01-01", "1825-12-31", P.QUARTER_CENTURY, False),
    ("4e quart 19e siècle", "1876-01-01", "1900-12-31", P.QUARTER_CENTURY, False),
    ("dernier quart du XVIIIe siècle", "1776-01-01", "1800-12-31", P.QUARTER_CENTURY, False),
    ("2e moitié 19e siècle", "1851-01-01", "1900-12-31", P.HALF_CENTURY, False),
    ("1ère moitié 20e siècle", "1901-01-01", "1950-12-31", P.HALF_CENTURY, False),
    ("1re moitié du XXe siècle", "1901-01-01", "1950-12-31", P.HALF_CENTURY, False),
    ("début 20e siècle", "1901-01-01", "1933-12-31", P.CENTURY, True),
    ("milieu du XIXe siècle", "1834-01-01", "1866-12-31", P.CENTURY, True),
    ("fin XIXe siècle", "1867-01-01", "1900-12-31", P.CENTURY, True),
    # Approximate and open forms
    ("vers 1890", "1890-01-01", "1890-12-31", P.YEAR, True),
    ("1890 vers", "1890-01-01", "1890-12-31", P.YEAR, True),
    ("1855 ?", "1855-01-01", "1855-12-31", P.YEAR, True),
    ("1855 (?)", "1855-01-01", "1855-12-31", P.YEAR, True),
    ("1855?", "1855-01-01", "1855-12-31", P.YEAR, True),
    ("vers 300 av. J.-C.", "-0300-01-01", "-0300-12-31", P.YEAR, True),
    ("2010 et après", "2010-01-01", "2010-12-31", P.YEAR, True),
    ("avant 1900", "1899-01-01", "1899-12-31", P.YEAR, True),
    ("après 1900", "1901-01-01", "1901-12-31", P.YEAR, True),
    # Ranges, including Joconde/POP word order
    ("entre 1800 et 1900", "1800-01-01", "1900-12-31", P.RANGE, False),
    ("1800 entre,1900 et", "1800-01-01", "1900-12-31", P.RANGE, False),
    ("1801 entre,1850 et", "1801-01-01", "1850-12-31", P.RANGE, False),
    ("1800 entre", "1800-01-01", "1800-12-31", P.YEAR, True),
    ("De 2000 à 2009", "2000-01-01", "2009-12-31", P.RANGE, False),
    ("2000-2009", "2000-01-01", "2009-12-31", P.RANGE, False),
    ("1914-1918", "1914-01-01", "1918-12-31", P.RANGE, False),
    ("1914 – 1918", "1914-01-01", "1918-12-31", P.RANGE, False),
    ("1914-18", "1914-01-01", "1918-12-31", P.RANGE, False),
    ("2019-07-14/2019-08-02", "2019-07-14", "2019-08-02", P.RANGE, False),
    (
        "4e quart 18e siècle ; 1er quart 19e siècle",
        "1776-01-01",
        "1825-12-31",
        P.RANGE,
        False,
    ),
    # English
    ("19th century", "1801-01-01", "1900-12-31", P.CENTURY, False),
    ("2nd half of the 19th century", "1851-01-01", "1900-12-31", P.HALF_CENTURY, False),
    ("mid-19th century", "1834-01-01", "1866-12-31", P.CENTURY, True),
    ("July 2019", "2019-07-01", "2019-07-31", P.MONTH, False),
    ("July 14, 2019", "2019-07-14", "2019-07-14", P.DAY, False),
    ("14th July 2019", "2019-07-14", "2019-07-14", P.DAY, False),
    ("summer 2021", "2021-06-01", "2021-08-31", P.SEASON, False),
    ("1980s", "1980-01-01", "1989-12-31", P.DECADE, False),
    ("circa 1890", "1890-01-01", "1890-12-31", P.YEAR, True),
    ("c. 1890", "1890-01-01", "1890-12-31", P.YEAR, True),
    ("ca. 1890", "1890-01-01", "1890-12-31", P.YEAR, True),
    # Case, spacing, non-breaking spaces, ordinal spellings
    ("  XIX E SIÈCLE  ", "1801-01-01", "1900-12-31", P.CENTURY, False),
    (f"14{NBSP}juillet{NBSP}2019", "2019-07-14", "2019-07-14", P.DAY, False),
    ("1ER   JUILLET   2019", "2019-07-01", "2019-07-01", P.DAY, False),
    ("Premier trimestre 2020", "2020-01-01", "2020-03-31", P.QUARTER, False),
    ("1re moitié xxe siècle", "1901-01-01", "1950-12-31", P.HALF_CENTURY, False),
    ("Vers 1890", "1890-01-01", "1890-12-31", P.YEAR, True),
]


@pytest.mark.parametrize(("text", "earliest", "latest", "precision", "approximate"), CASES)
def test_parses_catalogue_forms(
    text: str, earliest: str, latest: str, precision: P, approximate: bool
) -> None:
    date = parse_date_fr(text)
    assert (date.earliest, date.latest, date.precision, date.approximate) == (
        earliest,
        latest,
        precision,
        approximate,
    )
    assert date.text == text.strip()


@pytest.mark.parametrize("text", [case[0] for case in CASES])
def test_result_survives_profile_validation(text: str) -> None:
    # Struct construction does not check the IsoDate pattern; a JSON round trip does.
    date = parse_date_fr(text)
    assert msgspec.json.decode(msgspec.json.encode(date), type=FuzzyDate) == date


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "blabla",
        "s.d.",
        "45",
        "31 février 2019",
        "29 février 2019",
        "31/04/2019",
        "2019-02-30",
        "2019-13",
        "2019-13-01",
        "13/13/2019",
        "13/2019",
        "0e siècle",
        "IIX siècle",
        "5e trimestre 2020",
        "3e moitié XIXe siècle",
        "années 85",
        "entre 1900 et 1800",
        "1918-1914",
        "du 14 juillet au 20 août 2019",
        "1" * 300,
    ],
)
def test_rejects_with_a_french_message(text: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_date_fr(text)
    message = str(info.value)
    assert f'"{text.strip()}"' in message
    assert message.startswith("date non comprise")
    assert "formats acceptés : 2019-07-14, 14 juillet 2019" in message
    assert isinstance(info.value, ValueError)


def test_error_gives_the_reason_for_an_impossible_day() -> None:
    with pytest.raises(DateParseError, match="jour 31 inexistant"):
        parse_date_fr("31 février 2019")


FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
]


@given(st.dates())
def test_iso_day_round_trips(day: dt.date) -> None:
    date = parse_date_fr(day.isoformat())
    assert date.earliest == date.latest == day.isoformat()
    assert date.precision is P.DAY


@given(
    st.dates(min_value=dt.date(100, 1, 1)),
    st.sampled_from([" ", NBSP, "  "]),
    st.sampled_from([str.lower, str.upper, str.title]),
)
def test_french_long_form_gives_the_day(
    day: dt.date, space: str, case: Callable[[str], str]
) -> None:
    first = "1er" if day.day == 1 else str(day.day)
    text = case(space.join([first, FRENCH_MONTHS[day.month - 1], str(day.year)]))
    date = parse_date_fr(text)
    assert date.earliest == date.latest == day.isoformat()


@given(st.integers(1, 21), st.sampled_from(["e", "ème", "e ", "ᵉ"]), st.booleans())
def test_roman_and_arabic_centuries_agree(n: int, suffix: str, bc: bool) -> None:
    era = " av. J.-C." if bc else ""
    roman = parse_date_fr(f"{ROMAN[n - 1]}{suffix} siècle{era}")
    arabic = parse_date_fr(f"{n}{suffix} siècle{era}")
    lower = parse_date_fr(f"{ROMAN[n - 1].lower()}{suffix} siècle{era}")
    assert (roman.earliest, roman.latest) == (arabic.earliest, arabic.latest)
    assert (lower.earliest, lower.latest) == (arabic.earliest, arabic.latest)
    assert roman.precision is arabic.precision is P.CENTURY
    first_year = -100 * n if bc else 100 * (n - 1) + 1
    assert int(arabic.earliest[:-6]) == first_year


_years = st.integers(1, 2100).map(str)
_centuries = st.integers(1, 21).map(lambda n: f"{n}e siècle")
_simple = st.one_of(
    _years,
    st.dates().map(dt.date.isoformat),
    st.builds("{} {}".format, st.sampled_from(FRENCH_MONTHS), st.integers(100, 2100)),
    st.builds("{}e trimestre {}".format, st.integers(1, 4), st.integers(100, 2100)),
    st.builds("{} {}".format, st.sampled_from(["été", "hiver"]), st.integers(100, 2100)),
    _centuries,
    st.builds("{}e quart {}".format, st.integers(1, 4), _centuries),
    st.builds("{}e moitié {}".format, st.integers(1, 2), _centuries),
    st.builds("fin {}".format, _centuries),
    st.builds("années {}0".format, st.integers(10, 209)),
)
_texts = st.one_of(
    _simple,
    st.builds("vers {}".format, _simple),
    st.builds("{} ?".format, _simple),
    st.builds("entre {} et {}".format, _simple, _simple),
    st.builds("{} entre,{} et".format, _simple, _simple),
    st.builds("{}-{}".format, _years, _years),
    st.builds("{} ; {}".format, _simple, _simple),
)


@given(_texts)
def test_earliest_never_after_latest(text: str) -> None:
    try:
        date = parse_date_fr(text)
    except DateParseError:
        return  # e.g. a range written backwards
    assert _key(date.earliest) <= _key(date.latest)


@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_date_parse_error(text: str) -> None:
    try:
        date = parse_date_fr(text)
    except DateParseError:
        return
    assert _key(date.earliest) <= _key(date.latest)


def _key(iso: str) -> tuple[int, int, int]:
    sign = -1 if iso.startswith("-") else 1
    year, month, day = iso.lstrip("-").split("-")
    return (sign * int(year), int(month), int(day))
