"""Plain-language names for what the catalogue stores as codes: kinds of work, roles, offers,
creation labels, facets; countries, languages and regions from Babel's and pycountry's data.

The French names are the msgids; ``N_`` only marks them for extraction, and the page translates
them with the visitor's catalogue when it shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pycountry
from babel import Locale
from babel.dates import format_date, format_time

from lanterne.profile import CreationLabel, FuzzyDate, Territory, Work
from lanterne.recommend import Goal
from lanterne.report import (
    ACCESS,
    CREATION,
    FACET_NAMES,
    IDENTIFIERS,
    METHODS,
    N_,
    OFFERS,
    PLACED_BY,
    REGION_ARTICLES,
    ROLES,
    SOURCES,
    WORK_TYPES,
    Lang,
    century,
    official_subdivision_names,
)

AGENT_KINDS = {
    "Person": N_("Personne"),
    "Organization": N_("Organisation"),
    "PerformingGroup": N_("Groupe d'artistes"),
}
"""The schema.org types of agents, as their page names them."""


class Labeller:
    """Display names in one language."""

    def __init__(self, lang: Lang, gettext: Callable[[str], str]) -> None:
        self.lang = lang
        self._ = gettext
        self.locale = Locale.parse(lang)

    def facet(self, name: str) -> str:
        return self._(FACET_NAMES.get(name, name))

    def value(self, facet: str, value: str) -> str:
        """The name of a facet value, or the value itself when there is none."""
        table = {"type": WORK_TYPES, "access": ACCESS, "creation": CREATION}.get(facet)
        if table is not None:
            return self._(table[value]) if value in table else value
        if facet == "country":
            return self.country(value)
        if facet == "language":
            return self.language(value)
        if facet == "territory":
            return self.territory(value)
        if facet == "period":
            return century(value, self.lang)
        if facet == "source":
            return self.source(value)
        return value

    def source(self, value: str) -> str:
        return self._(SOURCES[value]) if value in SOURCES else value

    def work_type(self, value: str) -> str:
        return self.value("type", value)

    def country(self, code: str) -> str:
        return str(self.locale.territories.get(code.upper(), code))

    def language(self, tag: str) -> str:
        primary = tag.split("-")[0].lower()
        name = self.locale.languages.get(primary)
        if name is None:
            return tag
        region = tag.split("-")[1].upper() if "-" in tag else None
        if region:
            return f"{name} ({self.country(region)})"
        return str(name)

    def territory(self, code: str) -> str:
        official = official_subdivision_names().get(code.upper())
        if official is not None:
            return official
        found = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        return str(found.name) if found is not None else code

    def identifier(self, scheme: str) -> str:
        return self._(IDENTIFIERS[scheme]) if scheme in IDENTIFIERS else scheme

    def day(self, iso: str) -> str:
        """``2026-12-02`` → « 2 décembre 2026 » / “December 2, 2026” (« 1er » on the first);
        a year or a month alone as such; anything else as written."""
        parts = iso.lstrip("-").split("-")
        try:
            if len(parts) == 1:
                return iso
            if len(parts) == 2:
                return format_date(date(int(parts[0]), int(parts[1]), 1), "LLLL y", self.locale)
            found = date.fromisoformat(iso[:10])
        except ValueError:
            return iso
        text = format_date(found, "long", locale=self.locale)
        if self.lang == "fr" and found.day == 1:
            text = "1er" + text[1:]
        return text

    def moment(self, iso: str) -> str:
        """An ISO date-time for people: « 2 décembre 2026 à 14 h 05 » / “December 2, 2026 at
        2:05 PM”; the day alone at midnight (a day written as a date-time)."""
        try:
            found = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        except ValueError:
            return self.day(iso)
        day = self.day(found.date().isoformat())
        if (found.hour, found.minute) == (0, 0):
            return day
        if self.lang == "fr":
            return f"{day} à {found.hour} h {found.minute:02d}"
        return f"{day} at {format_time(found, 'short', locale=self.locale)}"

    def fuzzy(self, value: FuzzyDate) -> str:
        """A work's date: the day, month or year when it is one, else the source's wording."""
        if value.precision.value in ("day", "month", "year"):
            length = {"day": 10, "month": 7, "year": 4}[value.precision.value]
            return self.day(value.earliest[:length])
        return value.text or value.earliest[:4]

    def where(self, work: Work) -> str:
        """Where a work is, briefly: its town and region (« Nemours, Île-de-France »)."""
        wanted = {"municipality": 0, "region": 1, "province": 1}
        picked = sorted(
            (t for t in work.diversity.territories if t.level.value in wanted),
            key=lambda t: wanted[t.level.value],
        )
        return self.places(picked)

    def when(self, work: Work) -> str:
        """A work's date for a result line: its creation or publication, else its first event."""
        found = work.created or work.published
        if found is not None:
            return self.fuzzy(found)
        for event in work.events:
            if event.start:
                return self.day(event.start[:10])
            if event.period:
                return self.fuzzy(event.period)
        return ""

    def places(self, territories: list[Territory]) -> str:
        """« Bourg-en-Bresse, Ain, Auvergne-Rhône-Alpes »: from the nearest to the widest."""
        order = ("municipality", "department", "province", "region", "country")
        ranked = sorted(territories, key=lambda t: order.index(t.level.value))
        # A coded region goes by its official name, whatever spelling the source used.
        names = [self.territory(t.code) if t.code else t.name for t in ranked]
        return ", ".join(dict.fromkeys(n for n in names if n))

    def role(self, value: str) -> str:
        return self._(ROLES[value]) if value in ROLES else value

    def agent_kind(self, value: str) -> str:
        """``Person``, ``Organization``, ``PerformingGroup`` for people."""
        return self._(AGENT_KINDS[value]) if value in AGENT_KINDS else value

    def offer(self, value: str) -> str:
        return self._(OFFERS[value]) if value in OFFERS else value

    def creation(self, value: str) -> str:
        return self._(CREATION[value]) if value in CREATION else value

    def method(self, value: str) -> str:
        return self._(METHODS[value]) if value in METHODS else value

    def creation_evidence(self, label: CreationLabel) -> str:
        """The label's evidence in plain words: « Déclarée création humaine par le musée ;
        image signée, certificat vérifié » (conflicts said, never hidden)."""
        from lanterne.provenance import label_sentence

        return label_sentence(label, self.lang)

    def placed_by(self, value: str) -> str:
        return self._(PLACED_BY[value]) if value in PLACED_BY else value

    def works_from(self, code: str) -> str:
        """« Œuvres de Bretagne », « Œuvres d'Île-de-France », « Œuvres des Hauts-de-France »."""
        name = self.territory(code)
        if self.lang != "fr":
            return self._("Œuvres de %(place)s") % {"place": name}
        article = REGION_ARTICLES.get(code.upper())
        if article is None:
            article = "d'" if name[:1].lower() in "aeiouyéèêîïôâh" else "de "
        return f"Œuvres {article}{name}"

    def goal_target(self, goal: Goal) -> str:
        """A home goal as a visitor reads it: « Œuvres de Bretagne : au moins 1 »,
        « Œuvres d'expression originale française ≥ 40 % »."""
        name = self.goal(goal.name)
        if goal.min_items:
            return self._("%(name)s : au moins %(n)s") % {"name": name, "n": goal.min_items}
        share = f"{100 * (goal.share or 0):.0f}"
        return f"{name} ≥ {share}\u202f%" if self.lang == "fr" else f"{name} ≥ {share}%"

    def goal(self, goal: str) -> str:
        """``type=Festival`` → « Genre d'œuvre : Festival »; conditions joined by « et »."""
        if "&" in goal:
            return self._(" et ").join(self.goal(part) for part in goal.split("&"))
        attribute, _, value = goal.partition("=")
        facet = {"european": "european", "eof": "eof"}.get(attribute, attribute)
        if facet == "european":
            return self._("Œuvres européennes")
        if facet == "eof":
            return self._("Œuvres d'expression originale française")
        if facet == "territory":
            return self.works_from(value)
        if facet == "language":
            return self._("Œuvres en %(language)s") % {"language": self.language(value)}
        if facet == "type":
            return self._("Genre : %(type)s") % {"type": self.value("type", value)}
        return self._("%(facet)s : %(value)s") % {
            "facet": self.facet(facet),
            "value": self.value(facet, value),
        }
