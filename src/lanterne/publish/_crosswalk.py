"""The crosswalk table (``data/crosswalk.toml``) and what it names: each field's values of a work.

``FIELDS`` holds, for each field name of the table, the function giving that field's values of a
work (literal or link, with a language); the writers of ``_dc`` and ``_edm`` only walk the table.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable
from importlib import resources
from typing import Any, NamedTuple

from lanterne.profile import (
    Agent,
    CodeError,
    FuzzyDate,
    Identifier,
    Place,
    Role,
    Term,
    TextKind,
    Work,
    WorkType,
    is_web_url,
    normalise_language,
    primary_language,
)
from lanterne.publish._uris import agent_uri, place_uri, work_uri
from lanterne.publish._uris import entity_key as uris_entity_key

SCHEMA = "https://schema.org/"


class Value(NamedTuple):
    """One value of an element: a literal (with its language) or a link (``rdf:resource``)."""

    text: str | None = None
    resource: str | None = None
    lang: str | None = None


class Row(NamedTuple):
    field: str
    element: str
    """A qualified name: ``dc:title``, ``dcterms:alternative``."""


@functools.cache
def table() -> dict[str, Any]:
    """The crosswalk as read from ``data/crosswalk.toml`` (once)."""
    text = resources.files("lanterne.publish").joinpath("data/crosswalk.toml").read_text("utf-8")
    return tomllib.loads(text)


def rows(fmt: str) -> list[Row]:
    """The field → element rows of ``oai_dc`` or ``edm``, in the order they are written."""
    return [Row(r["field"], r["element"]) for r in table()[fmt]]


def read_language(value: str | None) -> str | None:
    """A language as a record writes it (``en_US``, ``fre``, ``français``) in BCP 47, or
    ``None`` when it names none: harvested records write them every way."""
    if not value or not value.strip():
        return None
    try:
        return normalise_language(value)
    except CodeError:
        return None


def read_languages(values: list[str]) -> list[str]:
    """The languages of ``values`` that name one, in BCP 47, each once."""
    found = (read_language(v) for v in values)
    return list(dict.fromkeys(tag for tag in found if tag))


def role_group(role: Role) -> str:
    """``creator``, ``publisher`` or ``contributor``: the Dublin Core element of a role."""
    return str(table()["roles"].get(role.value, "contributor"))


def edm_type(work_type: WorkType) -> str | None:
    """The edm:type of a work type; ``None`` for what Europeana does not take."""
    found = table()["edm_type"].get(work_type.value)
    return str(found) if found else None


def dcmi_type(work_type: WorkType) -> str:
    return str(table()["dcmi_type"][work_type.value])


def identifier_uri(scheme: str, value: str) -> str | None:
    """The URI an identifier stands for (a Wikidata entity…), or ``None``."""
    template = table()["identifier_uris"].get(scheme)
    if template is None:
        return None
    uri = str(template).format(value=value)
    return uri if is_web_url(uri) else None


@functools.cache
def _uri_patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for scheme, template in table()["identifier_uris"].items():
        head, _, tail = str(template).partition("{value}")
        found.append((scheme, re.compile(re.escape(head) + "(.+)" + re.escape(tail) + "$")))
    # The catch-all ``uri`` last: a Wikidata URI reads back as a Wikidata id.
    return sorted(found, key=lambda item: item[0] == "uri")


def identifier_from_uri(uri: str) -> tuple[str, str]:
    """The (scheme, value) a URI written by ``identifier_uri`` stands for."""
    for scheme, pattern in _uri_patterns():
        match = pattern.match(uri)
        if match:
            return scheme, match.group(1)
    return "uri", uri


def entity_key(identifiers: list[Identifier]) -> str | None:
    """``scheme:value`` of the best identifier naming an agent or place across sources, in the
    order of the table's ``entity_schemes`` (``_uris.entity_key``)."""
    order: list[str] = table()["entity_schemes"]
    return uris_entity_key(((str(i.scheme), i.value) for i in identifiers), order)


def media_role(kind: str) -> str:
    return str(table()["media"].get(kind, ""))


def digital_source_type(label: str | None) -> str:
    """The IPTC code's URI for a creation label, ``"exclude"``, or ``""`` (no element)."""
    if label is None:
        return ""
    return str(table()["digital_source_type"].get(label, ""))


def iso_date(date: FuzzyDate) -> str:
    """A date as ISO 8601: ``1850``, ``1850-03``, ``1850-03-02`` or an interval ``1801/1825``."""
    early, late = date.earliest, date.latest
    if early == late:
        return early
    if _whole_year(early, late):
        return early[:-6]
    if early[:-3] == late[:-3] and early.endswith("-01") and _month_end(late):
        return early[:-3]
    start = early[:-6] if early.endswith("-01-01") else early
    end = late[:-6] if late.endswith("-12-31") else late
    return f"{start}/{end}"


def _whole_year(early: str, late: str) -> bool:
    return early.endswith("-01-01") and late.endswith("-12-31") and early[:-6] == late[:-6]


def _month_end(date: str) -> bool:
    import calendar

    year, month, day = date.lstrip("-").split("-")
    return int(day) == calendar.monthrange(int(year), int(month))[1]


# Each field's values ---------------------------------------------------------------------


class Context(NamedTuple):
    base: str
    link: bool
    """Link agents, places and terms with an identifier to their entity (EDM), or write only
    literals (oai_dc)."""


def _titles(kinds: tuple[TextKind, ...]) -> Callable[[Work, Context], list[Value]]:
    def values(work: Work, ctx: Context) -> list[Value]:
        return [Value(t.value, None, t.lang) for t in work.titles if t.kind in kinds]

    return values


def _contributors(group: str) -> Callable[[Work, Context], list[Value]]:
    def values(work: Work, ctx: Context) -> list[Value]:
        out = []
        for c in work.contributors:
            if role_group(c.role) == group:
                out.append(_agent(c.agent, ctx))
        return _unique(out)

    return values


def _agent(agent: Agent, ctx: Context) -> Value:
    key = entity_key(agent.identifiers) if ctx.link else None
    return Value(None, agent_uri(ctx.base, key), None) if key else Value(agent.name)


def term_uri(term: Term) -> str | None:
    """A term's concept URI: its term id when that is a web link (a thesaurus' ARK…)."""
    return term.term_id if term.term_id and is_web_url(term.term_id) else None


def _terms(name: str) -> Callable[[Work, Context], list[Value]]:
    def values(work: Work, ctx: Context) -> list[Value]:
        out = []
        for term in getattr(work, name):
            uri = term_uri(term) if ctx.link else None
            out.append(Value(None, uri, None) if uri else Value(term.label, None, term.lang))
        return _unique(out)

    return values


def place_key(place: Place) -> str | None:
    return entity_key(place.identifiers)


def place_name(place: Place) -> str | None:
    return place.name or (place.address.locality if place.address else None)


def _places(work: Work, ctx: Context) -> list[Value]:
    out = []
    for place in work.places:
        key = place_key(place) if ctx.link else None
        if key:
            out.append(Value(None, place_uri(ctx.base, key), None))
        else:
            name = place_name(place)
            if name:
                out.append(Value(name))
    return _unique(out)


def _coverage(work: Work, ctx: Context) -> list[Value]:
    names = [place_name(p) for p in work.places]
    names += [t.name for t in work.diversity.territories]
    return _unique([Value(n) for n in names if n])


def _languages(work: Work, ctx: Context) -> list[Value]:
    # ISO 639 (OAI-PMH validators and Europeana's dc:language): the primary subtag.
    return _unique([Value(primary_language(tag)) for tag in work.in_languages])


def _dates(work: Work, ctx: Context) -> list[Value]:
    return [Value(iso_date(d)) for d in (work.created, work.published) if d is not None]


def _date(name: str) -> Callable[[Work, Context], list[Value]]:
    def values(work: Work, ctx: Context) -> list[Value]:
        date = getattr(work, name)
        return [Value(iso_date(date))] if date is not None else []

    return values


def _duration(work: Work, ctx: Context) -> list[Value]:
    if work.duration_minutes is None:
        return []
    minutes = work.duration_minutes
    shown = str(int(minutes)) if float(minutes).is_integer() else repr(float(minutes))
    return [Value(f"PT{shown}M")]


def _rights(work: Work, ctx: Context) -> list[Value]:
    r = work.rights
    if r is None:
        return []
    found = [r.statement, r.holder] if ctx.link else [r.licence, r.statement, r.holder]
    return [Value(x) for x in found if x]


def _identifiers(work: Work, ctx: Context) -> list[Value]:
    return [Value(f"{i.scheme}:{i.value}") for i in work.identifiers]


FIELDS: dict[str, Callable[[Work, Context], list[Value]]] = {
    "titles.main": _titles((TextKind.TITLE,)),
    "titles.other": _titles((TextKind.ALTERNATIVE_TITLE, TextKind.ORIGINAL_TITLE)),
    "descriptions": lambda w, c: [Value(d.value, None, d.lang) for d in w.descriptions],
    "contributors.creator": _contributors("creator"),
    "contributors.contributor": _contributors("contributor"),
    "contributors.publisher": _contributors("publisher"),
    "subjects": _terms("subjects"),
    "genres": _terms("genres"),
    "dates": _dates,
    "created": _date("created"),
    "published": _date("published"),
    "type": lambda w, c: [Value(dcmi_type(w.type))],
    # The work's schema.org class as a concept: Europeana's « dc:type or dc:subject » holds for
    # every work, and the type reads back exactly.
    "type.schema": lambda w, c: [Value(None, SCHEMA + w.type.value)],
    "duration": _duration,
    "uri": lambda w, c: [Value(work_uri(c.base, w.id))],
    "identifiers": _identifiers,
    "languages": _languages,
    "url": lambda w, c: [Value(w.url)] if w.url else [],
    "coverage": _coverage,
    "places": _places,
    "rights": _rights,
}
"""Field name of the table → the values of that field of a work."""


def _unique(values: list[Value]) -> list[Value]:
    return list(dict.fromkeys(values))
