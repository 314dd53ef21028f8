"""Language, country and territory codes: checking and normalising what catalogues write.

Languages are BCP 47 tags (``fr``, ``fr-CA``, ``oc``); countries are ISO 3166-1 alpha-2 codes, or
ISO 3166-3 four-letter codes for states that no longer exist (``SUHH`` for the USSR), because
films and heritage objects often come from them; regions and provinces are ISO 3166-2 codes.
Lookup tables are read once, on first use, never at import time.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from importlib import resources


class CodeError(ValueError):
    """A code that is not a valid language, country or territory code."""


def _fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-light key for name lookups."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    for ch in "-'’_.()":
        kept = kept.replace(ch, " ")
    return " ".join(kept.split())


def _data_rows(name: str) -> Iterator[dict[str, str]]:
    text = resources.files("lanterne.profile").joinpath("data", name).read_text("utf-8")
    yield from csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))


# Languages ---------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def check_language(tag: str) -> str:
    """Return ``tag`` if it is a valid, canonical BCP 47 tag; raise ``CodeError`` otherwise."""
    # langcodes and pycountry are imported on first use: their tables cost 0.2 s at import, on
    # every command (a search never needs them).
    import langcodes

    if not langcodes.tag_is_valid(tag):
        raise CodeError(f"« {tag} » n'est pas une étiquette de langue BCP 47 valide")
    canonical = langcodes.standardize_tag(tag)
    if canonical != tag:
        raise CodeError(f"« {tag} » doit s'écrire « {canonical} » (BCP 47 canonique)")
    return tag


@lru_cache(maxsize=4096)
def normalise_language(value: str) -> str:
    """Turn what catalogues write (``fre``, ``fra``, ``français``, ``en_US``) into BCP 47.

    Raises ``CodeError`` when the value names no language.
    """
    import langcodes

    raw = value.strip().replace("_", "-")
    if not raw:
        raise CodeError("langue vide")
    if langcodes.tag_is_valid(raw):
        return langcodes.standardize_tag(raw)
    try:
        return langcodes.standardize_tag(langcodes.find(raw).to_tag())
    except LookupError:
        raise CodeError(f"langue inconnue : « {value} »") from None


def primary_language(tag: str) -> str:
    """``fr-CA`` → ``fr``."""
    return tag.split("-", 1)[0]


# Countries ---------------------------------------------------------------------------------


@cache
def _country_codes() -> frozenset[str]:
    import pycountry

    current = {c.alpha_2 for c in pycountry.countries}
    former = {c.alpha_4 for c in pycountry.historic_countries}
    return frozenset(current | former | {"XK"})  # Kosovo: user-assigned, used by the EU


@lru_cache(maxsize=1024)
def check_country(code: str) -> str:
    """Return ``code`` if it is ISO 3166-1 alpha-2 or ISO 3166-3; raise ``CodeError`` otherwise."""
    if code not in _country_codes():
        raise CodeError(
            f"« {code} » n'est pas un code pays ISO 3166 (deux lettres, ex. FR, CA, BE)"
        )
    return code


@cache
def _country_names() -> dict[str, str]:
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(c, attr, None)
            if name:
                names[_fold(name)] = c.alpha_2
        names[_fold(c.alpha_3)] = c.alpha_2
    for c in pycountry.historic_countries:
        names[_fold(c.name)] = c.alpha_4
    for row in _data_rows("country_names.csv"):
        names[_fold(row["name"])] = row["code"]
    return names


@cache
def _wikidata_countries() -> dict[str, str]:
    return {row["qid"]: row["code"] for row in _data_rows("wikidata_countries.csv")}


@lru_cache(maxsize=4096)
def normalise_country(value: str) -> str:
    """Turn a code, a French or English name, or a Wikidata QID into an ISO 3166 code."""
    raw = value.strip()
    if raw.upper() in _country_codes():
        return raw.upper()
    qid = raw.rsplit("/", 1)[-1]
    if qid.startswith("Q") and qid[1:].isdigit():
        try:
            return _wikidata_countries()[qid]
        except KeyError:
            raise CodeError(f"pays Wikidata inconnu : {qid}") from None
    code = _country_names().get(_fold(raw))
    if code is None:
        raise CodeError(f"pays inconnu : « {value} »")
    return code


@cache
def european_countries() -> frozenset[str]:
    """Countries whose works count as European (basis: docs/european-works.md)."""
    return frozenset(row["code"] for row in _data_rows("european_countries.csv"))


def is_european(countries: list[str]) -> bool | None:
    """A work is European when one of its countries of origin is; unknown without countries."""
    if not countries:
        return None
    europe = european_countries()
    return any(c in europe for c in countries)


# Territories -------------------------------------------------------------------------------


@cache
def _subdivision_codes() -> frozenset[str]:
    import pycountry

    return frozenset(s.code for s in pycountry.subdivisions)


@lru_cache(maxsize=1024)
def check_subdivision(code: str) -> str:
    """Return ``code`` if it is an ISO 3166-2 code; raise ``CodeError`` otherwise."""
    if code not in _subdivision_codes():
        raise CodeError(
            f"« {code} » n'est pas un code de territoire ISO 3166-2 (ex. FR-BRE, CA-NB)"
        )
    return code


@cache
def _subdivision_names() -> dict[tuple[str, str], str]:
    import pycountry

    names: dict[tuple[str, str], str] = {}
    for s in pycountry.subdivisions:
        names[(s.country_code, _fold(s.name))] = s.code
        names[(s.country_code, _fold(s.code.split("-", 1)[1]))] = s.code
    for row in _data_rows("subdivision_names.csv"):
        names[(row["code"].split("-", 1)[0], _fold(row["name"]))] = row["code"]
    return names


@lru_cache(maxsize=4096)
def normalise_subdivision(value: str, country: str) -> str:
    """A region or province name or abbreviation (``NB``, « Nouveau-Brunswick ») → ISO 3166-2."""
    raw = value.strip()
    if raw in _subdivision_codes():
        return raw
    code = _subdivision_names().get((country, _fold(raw)))
    if code is None:
        raise CodeError(f"territoire inconnu pour {country} : « {value} »")
    return code


def subdivision_name(code: str) -> str:
    """The name of an ISO 3166-2 subdivision, as pycountry knows it."""
    import pycountry

    sub = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    if sub is None:
        raise CodeError(f"« {code} » n'est pas un code de territoire ISO 3166-2")
    return str(sub.name)


# Languages of France that count as « expression originale française » besides French
# (décret n° 90-66, art. 5: French or a regional language in use in France).
_EOF_LANGUAGES = frozenset(
    {"fr", "br", "oc", "eu", "co", "ca", "gsw", "pcd", "frp", "wa", "gcf", "rcf", "gcr", "lou"}
)


def is_eof_language(tag: str) -> bool:
    """Whether a work originally in ``tag`` is an œuvre d'expression originale française."""
    return primary_language(tag) in _EOF_LANGUAGES
