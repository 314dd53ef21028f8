"""Reconciliation over the catalogue: a query (a title, a name or a place, with properties) →
candidates from the search index, scored by the match model, the best one a match or not.

One ``Reconciler`` serves the web's ``/reconcile`` (both versions of the API) and ``lanterne
reconcile``: the same candidates, scores and decisions for the same query.

- Works: candidates are the search index's lexical hits on the titles (with one typo allowed)
  and on the contributors when the query names a creator, filtered by schema.org type when
  the type is strict.
- Agents (``Person``, ``Organization``, ``PerformingGroup``, ``Agent``): the contributors of
  the works whose contributors' names hold the query's words; an agent's id is its best global
  identifier (``isni:…``, ``wikidata:…``) when it has one, else its folded name
  (``nom:victor-hugo``), which is what the catalogue knows of it.
- Places (``Place``): the places and venues of the works, read from the catalogue once (the
  search index does not hold them), with the same kind of id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Literal, NamedTuple

import msgspec

from lanterne.profile import Agent, Place, Work, WorkType
from lanterne.reconcile._french import (
    Form,
    form_similarity,
    name_forms,
    name_similarity,
    title_forms,
    words,
)
from lanterne.reconcile._model import Feature, MatchModel, date_closeness
from lanterne.search import SearchIndex

TypeStrict = Literal["any", "all", "should"]
WORK_TYPES = tuple(t.value for t in WorkType)
AGENT_TYPES = ("Agent", "Person", "Organization", "PerformingGroup")
PLACE_TYPE = "Place"
ANY_WORK = "CreativeWork"
"""A query of this type is matched against every kind of work."""

PROPERTIES: dict[str, tuple[str, str]] = {
    "creator": ("Créateur, autrice ou auteur, réalisateur…", "Creator, author, director…"),
    "date": ("Année (création ou publication)", "Year (created or published)"),
    "place": ("Lieu", "Place"),
}
"""The properties a query may give (``pid``), with their names in French and English."""

_ALIASES = {
    "creator": "creator",
    "author": "creator",
    "director": "creator",
    "contributor": "creator",
    "auteur": "creator",
    "createur": "creator",
    "realisateur": "creator",
    "date": "date",
    "year": "date",
    "annee": "date",
    "datepublished": "date",
    "datecreated": "date",
    "startdate": "date",
    "place": "place",
    "location": "place",
    "lieu": "place",
    "locationcreated": "place",
    "contentlocation": "place",
}
_GLOBAL_SCHEMES = ("isni", "wikidata", "ark", "artsdata", "museofile", "merimee", "uri")
"""Identifier schemes naming one agent or place whatever the source, best first (as the
published documents' URIs choose them)."""
CANDIDATES = 20
"""Works read from the search index per query, before scoring."""
COMMON = 0.1
"""A word in more than this share of the catalogue's works is left out of the exact pass's
query when a rarer word remains (``SearchEngine.candidates``): its weight is near nothing and
its postings the longest. Set a priori, not tuned; top-1, precision and recall on goodbooks and
MovieLens are the same with it and without it (docs/reconcile.md)."""
CACHE = 200_000
"""Works whose match profile is kept in memory (about 1 KB each)."""


def property_name(pid: str) -> str | None:
    """The property a ``pid`` names (« author », « schema:datePublished », « Année » …)."""
    key = pid.rsplit("/", 1)[-1].rsplit(":", 1)[-1].rsplit("#", 1)[-1]
    return _ALIASES.get("".join(words(key)))


Quantifier = Literal["any", "all", "none"]

HOLDS = {"creator": 0.85, "date": 0.8, "place": 0.5}
"""When one value of a condition holds for a work: its feature at least this (creator: a
surname alone is 0.85; date: the same year or the next, 0.8; place: half its words shared).
With ``ExactMatch``, only 1.0 holds (the same name, year or place once folded)."""
QUALIFIERS = ("ExactMatch",)
"""The 1.0-draft ``matchQualifier`` values Lanterne applies (none: its French-aware matching)."""


class Condition(msgspec.Struct, frozen=True, kw_only=True):
    """A 1.0-draft property condition as it decides: which of its ``values`` must hold for a
    work (``quantifier``), whether a work it does not hold for leaves the list (``required``),
    and whether a value holds only when exact (``exact``: ``matchQualifier`` ExactMatch)."""

    name: str
    """``creator``, ``date`` or ``place``."""
    values: tuple[str, ...]
    required: bool = False
    quantifier: Quantifier = "any"
    exact: bool = False


def _value_holds(name: str, value: str, profile: _Profile, exact: bool) -> bool:
    least = 1.0 if exact else HOLDS[name]
    if name == "creator":
        asked = name_forms(value)
        found = max((name_similarity(a, k) for a in asked for k in profile.creators), default=0.0)
    elif name == "date":
        year = _year([value])
        if year is None or profile.year is None:
            return False
        found = date_closeness(year, profile.year)
    else:
        asked_words = frozenset(words(value))
        found = max((_dice(asked_words, k) for k in profile.places), default=0.0)
    return found >= least


def holds(condition: Condition, profile: _Profile) -> bool:
    """Whether ``condition`` holds for the work ``profile``: at least one of its values holds
    (``any``), every one (``all``) or none (``none``). A work without the property (no creator,
    no year) has no value that holds."""
    each = [_value_holds(condition.name, v, profile, condition.exact) for v in condition.values]
    if condition.quantifier == "all":
        return bool(each) and all(each)
    if condition.quantifier == "none":
        return not any(each)
    return any(each)


class Query(msgspec.Struct, kw_only=True):
    """One reconciliation query, whichever version of the API it came in."""

    text: str = ""
    types: list[str] = []
    type_strict: TypeStrict = "should"
    limit: int = 5
    properties: dict[str, list[str]] = {}
    """Property (``creator``, ``date``, ``place``) → the values given (those a work should
    have: not the values of a ``none`` condition)."""
    conditions: list[Condition] = []
    """The 1.0-draft conditions that decide beyond the score: required, ``all`` or ``none``,
    or ``ExactMatch`` (a work they do not hold for leaves the list when required, and takes
    the type penalty otherwise; docs/reconcile.md)."""


class Candidate(msgspec.Struct, kw_only=True):
    id: str
    name: str
    description: str
    types: list[str]
    score: float
    match: bool
    features: list[Feature]


class _Profile(msgspec.Struct):
    """What matching reads of a work, computed once."""

    id: str
    name: str
    type: str
    forms: tuple[Form, ...]
    year: int | None
    creators: tuple[frozenset[str], ...]
    places: tuple[frozenset[str], ...]
    description: str


def work_year(work: Work) -> int | None:
    """The year of a work: created, else published, else its first event's."""
    for date in (work.created, work.published):
        if date is not None and date.earliest[:4].isdigit() and not date.earliest.startswith("-"):
            return int(date.earliest[:4])
    for event in work.events:
        start = event.start or (event.period.earliest if event.period else None)
        if start and start[:4].isdigit():
            return int(start[:4])
    return None


def _places(work: Work) -> Iterator[Place]:
    yield from work.places
    for event in work.events:
        if event.place is not None:
            yield event.place


def place_label(place: Place) -> str:
    address = place.address
    parts = [place.name, address.locality if address else None, address.region if address else None]
    return ", ".join(p for p in parts if p)


def entity_id(kind: Literal["agent", "place"], entity: Agent | Place, name: str) -> str:
    """``agent:isni:…`` from the best global identifier, else ``agent:nom:folded-name``."""
    best = sorted(
        (_GLOBAL_SCHEMES.index(i.scheme.value), f"{i.scheme.value}:{i.value}")
        for i in entity.identifiers
        if i.scheme.value in _GLOBAL_SCHEMES
    )
    if best:
        return f"{kind}:{best[0][1]}"
    return f"{kind}:nom:" + "-".join(words(name))


def profile_of(work: Work) -> _Profile:
    forms: list[Form] = []
    year = work_year(work)
    for title in work.titles:
        found, written = title_forms(title.value)
        forms.extend(f for f in found if f not in forms)
        year = year if year is not None else written
    creators = tuple(n for c in work.contributors for n in name_forms(c.agent.name))
    places = tuple(frozenset(words(place_label(p))) for p in _places(work) if place_label(p))
    who = ", ".join(dict.fromkeys(c.agent.name for c in work.contributors[:3]))
    parts = [p for p in (who, str(year) if year else "", work.type.value) if p]
    return _Profile(
        id=work.id,
        name=work.title,
        type=work.type.value,
        forms=tuple(forms),
        year=year,
        creators=creators,
        places=places,
        description=" · ".join(parts),
    )


class _Asked(NamedTuple):
    """What a query asks, in the forms the features compare (the same for every candidate)."""

    forms: tuple[Form, ...]
    year: int | None
    creators: tuple[frozenset[str], ...]
    places: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, query: Query) -> _Asked:
        forms, written_year = title_forms(query.text)
        creators = tuple(n for v in query.properties.get("creator", ()) for n in name_forms(v))
        year = _year(query.properties.get("date", ())) or written_year
        places = tuple(frozenset(words(v)) for v in query.properties.get("place", ()) if words(v))
        return cls(tuple(forms), year, creators, places)


def _best_set(asked: Sequence[frozenset[str]], known: Sequence[frozenset[str]]) -> float:
    if not known:
        return 0.5
    return max((name_similarity(a, k) for a in asked for k in known), default=0.0)


class Reconciler:
    """Candidates and decisions for reconciliation queries over one state of the catalogue.

    ``index``: the catalogue's search index; ``works``: reads works by id (the catalogue's
    ``get_many``); ``every_work``: the whole catalogue, read once when a place is first asked.
    Safe to share between threads (each query reads; the caches only grow under a lock)."""

    def __init__(
        self,
        index: SearchIndex,
        works: Callable[[Sequence[str]], Mapping[str, Work]],
        every_work: Callable[[], Iterable[Work]] | None = None,
        model: MatchModel | None = None,
    ) -> None:
        self.index = index
        self.works = works
        self.every_work = every_work
        self.model = model or MatchModel()
        self._profiles: dict[str, _Profile] = {}
        self._lock = threading.Lock()
        self._place_table: dict[str, tuple[str, frozenset[str], int]] | None = None

    # Works -------------------------------------------------------------------------------

    def profiles(self, ids: Sequence[str]) -> dict[str, _Profile]:
        found = {i: self._profiles[i] for i in ids if i in self._profiles}
        missing = [i for i in ids if i not in found]
        if missing:
            read = {i: profile_of(w) for i, w in self.works(missing).items()}
            with self._lock:
                if len(self._profiles) + len(read) > CACHE:
                    self._profiles.clear()
                self._profiles.update(read)
            found.update(read)
        return found

    def _work_features(self, asked: _Asked, profile: _Profile) -> list[Feature]:
        title = max(
            (form_similarity(a, k) for a in asked.forms for k in profile.forms), default=0.0
        )
        features = [Feature("title", round(title, 4))]
        if asked.creators:
            features.append(
                Feature("creator", round(_best_set(asked.creators, profile.creators), 4))
            )
        if asked.year is not None:
            features.append(Feature("date", date_closeness(asked.year, profile.year)))
        if asked.places:
            features.append(Feature("place", round(_best_dice(asked.places, profile.places), 4)))
        return features

    def _works(self, query: Query, types: list[str]) -> list[Candidate]:
        strict = query.type_strict != "should" and bool(types) and ANY_WORK not in types
        filters = {"type": types} if strict else {}
        fields = {"title": query.text, "title_words": query.text}
        creators = " ".join(query.properties.get("creator", ()))
        if creators:
            fields["contributors"] = creators
        asked = _Asked.of(query)  # the query's side, read once for all its candidates
        # Exact words first; words one typo away only when no candidate has the query's title
        # as one of its forms (a typo, a plural): the fuzzy query is most of a query's cost on
        # a large catalogue, and a title found as written leaves it nothing to add at the top.
        penalised = types if types and not strict and ANY_WORK not in types else []
        exact = self.index.candidates(fields, CANDIDATES, filters, common=COMMON)
        found = self._scored(query, asked, exact, penalised)
        if len(words(query.text)) <= 4 and not any(
            f.id == "title" and f.value == 1.0 for c in found for f in c.features
        ):
            fuzzy = self.index.candidates(fields, CANDIDATES, filters, ("title_words",))
            found = self._scored(query, asked, fuzzy, penalised)
        return found

    def _scored(
        self,
        query: Query,
        asked: _Asked,
        hits: Sequence[tuple[str, float]],
        penalised: Sequence[str],
    ) -> list[Candidate]:
        """The candidates scored; those not of a type in ``penalised`` (when it is not empty:
        types asked without ``type_strict``) lose the type penalty."""
        ids = [i for i, _ in hits]
        if query.text and query.text not in ids:
            ids.insert(0, query.text)  # an entity's id as the query finds that entity
        profiles = self.profiles(ids)
        out: list[Candidate] = []
        for work_id in ids:
            profile = profiles.get(work_id)
            if profile is None:
                continue
            if work_id == query.text:
                features = [Feature("id", 1.0)]
                score = 100.0
            else:
                features = self._work_features(asked, profile)
                score = self.model.score(features)
            failed = [c for c in query.conditions if not holds(c, profile)]
            if any(c.required for c in failed):
                continue  # a required condition the work does not meet: not a candidate
            for condition in failed:  # wanted, not required: as a type not asked
                score *= self.model.type_penalty
                features.append(Feature(f"{condition.name}:{condition.quantifier}", 0.0))
            if penalised and profile.type not in penalised:
                score *= self.model.type_penalty
                features.append(Feature("type", 0.0))
            out.append(
                Candidate(
                    id=profile.id,
                    name=profile.name,
                    description=profile.description,
                    types=[profile.type],
                    score=round(score, 2),
                    match=False,
                    features=features,
                )
            )
        return out

    # Agents and places ---------------------------------------------------------------------

    def _agents(self, query: Query, types: list[str]) -> list[Candidate]:
        asked = name_forms(query.text)
        if not asked:
            return []
        hits = self.index.candidates({"contributors": query.text}, CANDIDATES, None, ())
        works = self.works([i for i, _ in hits])
        best: dict[str, Candidate] = {}
        titles: dict[str, list[str]] = {}
        for work_id, _ in hits:
            work = works.get(work_id)
            if work is None:
                continue
            for contribution in work.contributors:
                agent = contribution.agent
                kind = agent.kind.value
                if types and "Agent" not in types and kind not in types:
                    continue
                similarity = _best_set(asked, name_forms(agent.name))
                key = entity_id("agent", agent, agent.name)
                titles.setdefault(key, [])
                if work.title not in titles[key]:
                    titles[key].append(work.title)
                if key not in best or best[key].score < 100 * similarity:
                    best[key] = Candidate(
                        id=key,
                        name=agent.name,
                        description="",
                        types=[kind],
                        score=round(100 * similarity, 2),
                        match=False,
                        features=[Feature("name", round(similarity, 4))],
                    )
        for key, candidate in best.items():
            candidate.description = " · ".join(titles[key][:3])
        return list(best.values())

    def _places(self, query: Query) -> list[Candidate]:
        asked = frozenset(words(query.text))
        if not asked:
            return []
        table = self._place_index()
        out = []
        for key, (label, known, count) in table.items():
            if not asked & known:
                continue
            similarity = _dice(asked, known)
            out.append(
                Candidate(
                    id=key,
                    name=label,
                    description=f"{count} œuvre(s)",
                    types=[PLACE_TYPE],
                    score=round(100 * similarity, 2),
                    match=False,
                    features=[Feature("name", round(similarity, 4))],
                )
            )
        return out

    def _place_index(self) -> dict[str, tuple[str, frozenset[str], int]]:
        table = self._place_table
        if table is None:
            with self._lock:
                if self._place_table is None:
                    built: dict[str, tuple[str, frozenset[str], int]] = {}
                    for work in self.every_work() if self.every_work else ():
                        for place in _places(work):
                            label = place_label(place)
                            if not label:
                                continue
                            key = entity_id("place", place, label)
                            count = built[key][2] if key in built else 0
                            built[key] = (label, frozenset(words(label)), count + 1)
                    self._place_table = built
                table = self._place_table
        return table

    # The call ----------------------------------------------------------------------------

    def __call__(self, queries: Sequence[Query]) -> list[list[Candidate]]:
        """Candidates of each query, best first, at most its ``limit``; the first may match."""
        return [self.one(q) for q in queries]

    def one(self, query: Query) -> list[Candidate]:
        types = list(query.types)
        if types and all(t in AGENT_TYPES for t in types):
            found = self._agents(query, types)
        elif types == [PLACE_TYPE]:
            found = self._places(query)
        else:
            found = self._works(query, [t for t in types if t in WORK_TYPES or t == ANY_WORK])
        found.sort(key=lambda c: (-c.score, c.id))
        found = found[: max(query.limit, 1)]
        for candidate, match in zip(
            found, self.model.decide([c.score for c in found]), strict=True
        ):
            candidate.match = match
        return found

    def suggest(self, prefix: str, limit: int = 10) -> list[Candidate]:
        """Works whose titles start like ``prefix`` (the suggest service's entities)."""
        hits = self.index.candidates({"title_words": prefix}, limit, None, (), prefix=True)
        profiles = self.profiles([i for i, _ in hits])
        return [
            Candidate(
                id=p.id,
                name=p.name,
                description=p.description,
                types=[p.type],
                score=0.0,
                match=False,
                features=[],
            )
            for i, _ in hits
            if (p := profiles.get(i)) is not None
        ]


def _year(values: Iterable[str]) -> int | None:
    for value in values:
        digits = "".join(c for c in str(value)[:4] if c.isdigit())
        if len(digits) == 4:
            return int(digits)
    return None


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _best_dice(asked: Sequence[frozenset[str]], known: Sequence[frozenset[str]]) -> float:
    if not known:
        return 0.5
    return max(_dice(a, k) for a in asked for k in known)


def work_values(work: Work) -> dict[str, list[str]]:
    """The values of a work the data extension offers (``EXTEND_PROPERTIES``)."""
    year = work_year(work)
    return {
        "name": [t.value for t in work.titles],
        "type": [work.type.value],
        "creator": list(dict.fromkeys(c.agent.name for c in work.contributors)),
        "date": [str(year)] if year is not None else [],
        "place": list(dict.fromkeys(place_label(p) for p in _places(work) if place_label(p))),
        "language": list(work.in_languages),
        "url": [work.url] if work.url else [],
    }
