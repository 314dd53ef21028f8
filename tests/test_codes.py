"""Language, country and territory codes: normalising what catalogues write, and the data tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry
import pytest

from lanterne.profile import _codes
from lanterne.profile._codes import (
    CodeError,
    check_country,
    check_language,
    check_subdivision,
    european_countries,
    is_european,
    normalise_country,
    normalise_language,
    normalise_subdivision,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MOVIELENS_COUNTRIES = SHARED_DATA / "movielens-latest-small-wikidata" / "countries.csv"


# Countries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("France", "FR"),
        ("Allemagne", "DE"),
        ("Royaume-Uni", "GB"),
        ("États-Unis", "US"),
        ("Etats-Unis", "US"),
        ("Belgique", "BE"),
        ("Suisse", "CH"),
        ("Côte d'Ivoire", "CI"),
        ("République démocratique du Congo", "CD"),
        ("Haïti", "HT"),
        ("Corée du Sud", "KR"),
        ("Russie", "RU"),
        ("Tchéquie", "CZ"),
        ("Union soviétique", "SUHH"),
        ("Yougoslavie", "YUCS"),
        ("Allemagne de l'Est", "DDDE"),
    ],
)
def test_normalise_country_french_names(value: str, code: str) -> None:
    assert normalise_country(value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Germany", "DE"),
        ("United States of America", "US"),
        ("United States", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Russia", "RU"),
        ("South Korea", "KR"),
        ("Czech Republic", "CZ"),
        ("Ivory Coast", "CI"),
        ("Holland", "NL"),
        ("Turkey", "TR"),
        ("West Germany", "DE"),
        ("Soviet Union", "SUHH"),
        ("Czechoslovakia", "CSHH"),
        ("East Germany", "DDDE"),
        ("Serbia and Montenegro", "CSXX"),
        ("Kingdom of Italy", "IT"),
        ("  france  ", "FR"),
    ],
)
def test_normalise_country_english_names(value: str, code: str) -> None:
    assert normalise_country(value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [("FRA", "FR"), ("deu", "DE"), ("USA", "US"), ("fr", "FR"), ("CA", "CA"), ("suhh", "SUHH")],
)
def test_normalise_country_codes(value: str, code: str) -> None:
    assert normalise_country(value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Q142", "FR"),
        ("Q30", "US"),
        ("http://www.wikidata.org/entity/Q142", "FR"),
        ("Q15180", "SUHH"),  # Soviet Union
        ("Q713750", "DE"),  # West Germany: the Federal Republic continued
        ("Q33946", "CSHH"),  # Czechoslovakia
    ],
)
def test_normalise_country_wikidata(value: str, code: str) -> None:
    assert normalise_country(value) == code


@pytest.mark.parametrize("value", ["Atlantis", "", "Québec", "Q999999999", "Europe", "ZZ"])
def test_normalise_country_unknown(value: str) -> None:
    with pytest.raises(CodeError):
        normalise_country(value)


@pytest.mark.parametrize("code", ["SUHH", "CSHH", "YUCS", "DDDE", "CSXX", "BYAA", "FR", "XK"])
def test_check_country_accepts_current_and_former_codes(code: str) -> None:
    assert check_country(code) == code


@pytest.mark.parametrize("code", ["fr", "FRA", "SU", "UK", "EU", "ZZZZ", ""])
def test_check_country_rejects(code: str) -> None:
    with pytest.raises(CodeError):
        check_country(code)


# European works ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("countries", "expected"),
    [
        (["FR"], True),
        (["US"], False),
        (["US", "FR"], True),
        ([], None),
        (["CH"], True),
        (["GB"], True),
        (["NO"], True),
        (["CSHH"], True),
        (["YUCS"], True),
        (["RU"], False),
        (["SUHH"], False),
        (["US", "CN"], False),
    ],
)
def test_is_european(countries: list[str], expected: bool | None) -> None:
    assert is_european(countries) is expected


def test_european_list_has_eu27() -> None:
    eu27 = {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }  # fmt: skip
    assert len(eu27) == 27
    assert eu27 <= european_countries()


# Territories -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "country", "code"),
    [
        ("Nouveau-Brunswick", "CA", "CA-NB"),
        ("NB", "CA", "CA-NB"),
        ("New Brunswick", "CA", "CA-NB"),
        ("Québec", "CA", "CA-QC"),
        ("PQ", "CA", "CA-QC"),
        ("NF", "CA", "CA-NL"),
        ("PEI", "CA", "CA-PE"),
        ("Île-du-Prince-Édouard", "CA", "CA-PE"),
        ("Colombie-Britannique", "CA", "CA-BC"),
        ("Territoires du Nord-Ouest", "CA", "CA-NT"),
        ("CA-ON", "CA", "CA-ON"),
        ("Centre-Val de Loire", "FR", "FR-CVL"),
        ("Provence-Alpes-Côte d'Azur", "FR", "FR-PAC"),
        ("PACA", "FR", "FR-PAC"),
        ("Aquitaine", "FR", "FR-NAQ"),
        ("Alsace", "FR", "FR-GES"),
        ("Ile-de-France", "FR", "FR-IDF"),
        ("Pays-de-la-Loire", "FR", "FR-PDL"),
        ("Guyane", "FR", "FR-973"),
        ("La Réunion", "FR", "FR-974"),
    ],
)
def test_normalise_subdivision(value: str, country: str, code: str) -> None:
    assert normalise_subdivision(value, country) == code


@pytest.mark.parametrize(("value", "country"), [("Nouveau-Brunswick", "FR"), ("Atlantide", "FR")])
def test_normalise_subdivision_unknown(value: str, country: str) -> None:
    with pytest.raises(CodeError):
        normalise_subdivision(value, country)


# Languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("fre", "fr"),
        ("fra", "fr"),
        ("eng", "en"),
        ("en-US", "en-US"),
        ("en_US", "en-US"),
        ("français", "fr"),
        ("French", "fr"),
        ("fr-CA", "fr-CA"),
    ],
)
def test_normalise_language(value: str, tag: str) -> None:
    assert normalise_language(value) == tag


@pytest.mark.parametrize("value", ["", "   ", "xx-zzzz-!!"])
def test_normalise_language_unknown(value: str) -> None:
    with pytest.raises(CodeError):
        normalise_language(value)


@pytest.mark.parametrize("tag", ["fr", "fr-CA", "en-US", "oc", "br"])
def test_check_language_accepts(tag: str) -> None:
    assert check_language(tag) == tag


@pytest.mark.parametrize("tag", ["fre", "xx-zzzz-!!"])
def test_check_language_rejects(tag: str) -> None:
    with pytest.raises(CodeError):
        check_language(tag)


# Data tables -------------------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    return list(_codes._data_rows(name))


def test_wikidata_rows_are_valid() -> None:
    rows = _rows("wikidata_countries.csv")
    assert rows
    qids = [r["qid"] for r in rows]
    assert len(qids) == len(set(qids))
    for r in rows:
        assert r["qid"].startswith("Q") and r["qid"][1:].isdigit(), r
        assert check_country(r["code"]) == r["code"]
        assert r["name_en"], r


def test_european_rows_are_valid() -> None:
    rows = _rows("european_countries.csv")
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    for r in rows:
        assert check_country(r["code"]) == r["code"]
        assert r["name_en"] and r["name_fr"] and r["basis"], r
    # Documented choices (docs/european-works.md).
    assert not {"RU", "SUHH", "BY", "BYAA"} & set(codes)


def test_country_name_rows_are_valid() -> None:
    rows = _rows("country_names.csv")
    pairs = [(r["code"], r["name"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    assert pairs == sorted(pairs, key=lambda p: p[0])
    folded: dict[str, str] = {}
    for code, name in pairs:
        assert check_country(code) == code
        assert name.strip() == name and name
        key = _codes._fold(name)
        assert folded.setdefault(key, code) == code, f"« {name} » names two countries"
        assert normalise_country(name) == code or name.upper() in _codes._country_codes()


def test_country_names_cover_every_french_gettext_name() -> None:
    import gettext

    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    for country in pycountry.countries:
        assert normalise_country(fr.gettext(country.name)) == country.alpha_2, country.name


def test_subdivision_rows_are_valid() -> None:
    rows = _rows("subdivision_names.csv")
    pairs = [(r["code"], r["name"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    for code, name in pairs:
        assert check_subdivision(code) == code
        assert normalise_subdivision(name, code.split("-", 1)[0]) == code


# Every QID of the MovieLens/Wikidata set ---------------------------------------------------


@pytest.mark.skipif(
    not MOVIELENS_COUNTRIES.is_file(),
    reason=f"shared evaluation data absent: {MOVIELENS_COUNTRIES} "
    "(expected in the `shared` folder beside the repository)",
)
def test_every_movielens_qid_resolves() -> None:
    with MOVIELENS_COUNTRIES.open(encoding="utf-8") as f:
        qids = [row["wikidataURI"] for row in csv.DictReader(f)]
    assert len(qids) == 103
    resolved = {qid: normalise_country(qid) for qid in qids}
    assert all(check_country(code) for code in resolved.values())
    assert resolved["Q142"] == "FR"
    assert resolved["Q15180"] == "SUHH"
