"""Apply a mapping profile to one source record, giving the fields of a ``Work``.

Each field mapping (``[[map]]``) reads values, cleans them (null values, split, pattern, vocabulary
table, template), then hands them to the handler of its target field, which converts them
(dates, languages, countries, territories) and adds them to the work being built. A value that
cannot be converted raises ``RecordProblem`` naming the mapping's target and source field, unless
the mapping says ``on_error = "skip"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import msgspec

from lanterne.errors import BadProfile
from lanterne.ingest._dates import DateParseError, parse_date_fr
from lanterne.ingest._mapping_profile import FieldMapping, MappingProfile
from lanterne.ingest._records import DroppedLink
from lanterne.profile import (
    MAX_TEXT,
    CodeError,
    IdentifierScheme,
    Role,
    TerritoryLevel,
    WorkType,
    normalise_country,
    normalise_language,
    normalise_subdivision,
    url_problem,
)


class RecordProblem(Exception):
    """A record that cannot become a work; carries a quarantine reason id and its details."""

    def __init__(self, reason: str, field: str | None = None, **params: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.params = params


Fields = dict[str, Any]
"""A work's fields as the field mappings give them (``Work`` field names), before its id and
provenance."""


class Mapped:
    """A record mapped by the field mappings: the work's ``fields``, and what they hand on beside
    them for ``build_work`` to place (a place, an event or an offer is built over several mappings,
    and goes where the work's type says), never stored as such."""

    __slots__ = (
        "countries",
        "event",
        "fields",
        "ids",
        "independent",
        "lang",
        "offer",
        "original_languages",
        "place",
        "role",
        "territories",
        "territory_country",
        "warnings",
    )

    def __init__(
        self,
        fields: Fields | None = None,
        lang: str | None = None,
        territory_country: str | None = None,
    ) -> None:
        self.fields: Fields = {} if fields is None else fields
        self.lang = lang
        """Language of the mapped texts when their mapping names none (the profile's default)."""
        self.territory_country = territory_country
        """Country whose subdivisions the territories name when their mapping names none."""
        self.ids: list[str] = []
        """The agent ids of the mapping being applied (``id_from``), for its contributors."""
        self.role: str | None = None
        """The role the occurrence being mapped gives (``role_from``), for its contributors."""
        self.place: dict[str, Any] | None = None
        self.event: dict[str, Any] | None = None
        self.offer: dict[str, Any] | None = None
        self.countries: list[str] = []
        """Countries of origin (``diversity.countries``)."""
        self.original_languages: list[str] = []
        self.territories: list[dict[str, Any]] = []
        self.independent: bool | None = None
        self.warnings: list[DroppedLink] = []
        """The links dropped (``_links``)."""


Handler = Callable[[Mapped, list[str], FieldMapping], None]
_PAREN = re.compile(r"\s*\(([^)]*)\)\s*$")


def _date(value: str) -> dict[str, Any]:
    return dict(_cached_date(value))


@lru_cache(maxsize=65536)
def _cached_date(value: str) -> dict[str, Any]:
    # Catalogues repeat the same few thousand date strings; parsing each once is enough.
    d = parse_date_fr(value)
    out: dict[str, Any] = {
        "earliest": d.earliest,
        "latest": d.latest,
        "precision": d.precision.value,
    }
    if d.text:
        out["text"] = d.text
    if d.approximate:
        out["approximate"] = True
    return out


def _texts(key: str, kind: str | None = None) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        lang = mapping.lang or mapped.lang
        for v in values:
            item: dict[str, Any] = {"value": v}
            if lang:
                item["lang"] = lang
            if kind:
                item["kind"] = kind
            mapped.fields.setdefault(key, []).append(item)

    return handle


def _single_date(key: str) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        mapped.fields[key] = _date(values[0])

    return handle


def _terms(key: str) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        existing = mapped.fields.setdefault(key, [])
        labels = {t["label"] for t in existing}
        for v in values:
            if v in labels:
                continue
            labels.add(v)
            term: dict[str, Any] = {"label": v}
            lang = mapping.lang or mapped.lang
            if lang:
                term["lang"] = lang
            if mapping.vocabulary:
                term["vocabulary"] = mapping.vocabulary
            existing.append(term)

    return handle


def _identifier(scheme: str) -> Handler:
    IdentifierScheme(scheme)

    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        for v in values:
            mapped.fields.setdefault("identifiers", []).append({"scheme": scheme, "value": v})

    return handle


def _contributor(role: str) -> Handler:
    Role(role)

    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        ids, mapped.ids = mapped.ids, []
        for i, v in enumerate(values):
            name, note = v, None
            if mapping.strip_roles:
                m = _PAREN.search(v)
                if m:
                    name, note = v[: m.start()].strip(), m.group(1).strip()
            if not name:
                continue
            agent: dict[str, Any] = {"name": name}
            if mapping.kind:
                agent["kind"] = mapping.kind
            if i < len(ids) and ids[i] and mapping.id_scheme:
                agent["identifiers"] = [{"scheme": mapping.id_scheme, "value": ids[i]}]
            item: dict[str, Any] = {"agent": agent, "role": mapped.role or role}
            if note:
                item["note"] = note
            mapped.fields.setdefault("contributors", []).append(item)

    return handle


def _place(mapped: Mapped) -> dict[str, Any]:
    if mapped.place is None:
        mapped.place = {}
    return mapped.place


def _place_part(part: str) -> Handler:
    # One handler per part, with its scheme or key worked out here: this runs for every record.
    if part == "geo":

        def handle_geo(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
            _place(mapped)["geo"] = dict(_geo_pair(values[0]))

        return handle_geo
    if part in ("lat", "lon"):

        def handle_coordinate(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
            place = _place(mapped)
            place.setdefault("geo", {})[part] = float(values[0].replace(",", "."))

        return handle_coordinate
    if part == "country":

        def handle_country(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
            place = _place(mapped)
            place.setdefault("address", {})["country"] = normalise_country(values[0])

        return handle_country
    if part.startswith("identifier."):
        scheme = IdentifierScheme(part.split(".", 1)[1]).value

        def handle_identifier(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
            place = _place(mapped)
            place.setdefault("identifiers", []).append({"scheme": scheme, "value": values[0]})

        return handle_identifier
    if part == "name":

        def handle_name(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
            _place(mapped)["name"] = values[0]

        return handle_name

    def handle_address(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        _place(mapped).setdefault("address", {})[part] = values[0]

    return handle_address


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@lru_cache(maxsize=65536)
def _geo_pair(value: str) -> dict[str, float]:
    # The same places come back record after record; callers copy the result.
    numbers = _NUMBER.findall(value)
    if len(numbers) != 2:
        raise ValueError(f"« {value} » n'est pas une paire « latitude, longitude »")
    return {"lat": float(numbers[0]), "lon": float(numbers[1])}


def _event_part(part: str) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        if part == "url" and not _links(mapped, values[:1], mapping):
            return
        if mapped.event is None:
            mapped.event = {}
        event = mapped.event
        if part == "period":
            event["period"] = _date(values[0])
        else:
            event[part] = values[0]

    return handle


def _links(mapped: Mapped, values: list[str], mapping: FieldMapping) -> list[str]:
    """The values that are web links (http or https); each other one is dropped, and a warning
    naming it is kept in ``warnings`` for the run (docs/profile.md, « Liens »)."""
    kept = []
    for v in values:
        problem = url_problem(v)
        if problem is None:
            kept.append(v)
        else:
            source = ",".join(mapping.from_) or "const"
            mapped.warnings.append(DroppedLink(mapping.to, source, v, *problem))
    return kept


def _link(key: str) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        kept = _links(mapped, values[:1], mapping)
        if kept:
            mapped.fields[key] = kept[0]

    return handle


def _media(kind: str) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        for v in _links(mapped, values, mapping):
            mapped.fields.setdefault("media", []).append({"kind": kind, "url": v})

    return handle


def _rights(part: str) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        kept = _links(mapped, values[:1], mapping) if part == "licence" else values
        if kept:
            mapped.fields.setdefault("rights", {})[part] = kept[0]

    return handle


def _offer(part: str) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        value = values[0]
        if part == "url" and not _links(mapped, [value], mapping):
            return
        if mapped.offer is None:
            mapped.offer = {"category": mapping.category or "ticket"}
        offer = mapped.offer
        if part == "url":
            offer["url"] = value
        elif part == "price":
            offer["price"] = float(value.replace(",", "."))
        elif part == "free":
            offer["is_free"] = _boolean(value)

    return handle


def _boolean(value: str) -> bool:
    low = value.strip().lower()
    if low in ("1", "true", "vrai", "oui", "yes", "o", "y"):
        return True
    if low in ("0", "false", "faux", "non", "no", "n"):
        return False
    raise ValueError(f"« {value} » n'est ni oui ni non")


def _languages(key: str) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        target = mapped.fields.setdefault(key, [])
        for v in values:
            tag = normalise_language(v)
            if tag not in target:
                target.append(tag)

    return handle


def _original_languages(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
    target = mapped.original_languages
    for v in values:
        tag = normalise_language(v)
        if tag not in target:
            target.append(tag)


def _countries(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
    target = mapped.countries
    for v in values:
        code = normalise_country(v)
        if code not in target:
            target.append(code)


def _territory(level: str) -> Handler:
    TerritoryLevel(level)

    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        country = mapping.country or mapped.territory_country
        for v in values:
            item: dict[str, Any] = {"level": level, "name": v}
            if country and level in ("region", "province"):
                item["code"] = normalise_subdivision(v, country)
            mapped.territories.append(item)

    return handle


def _scalar(key: str, convert: Callable[[str], Any]) -> Handler:
    def handle(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
        mapped.fields[key] = convert(values[0])

    return handle


def _positive(value: str) -> float:
    number = float(value.replace(",", "."))
    if number <= 0:
        raise ValueError(f"{value} n'est pas positif")
    return int(number) if number.is_integer() else number


def _independent(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
    mapped.independent = _boolean(values[0])


def _creation_label(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
    mapped.fields["creation_label"] = {"value": values[0], "method": "declaration"}


def _tdm_reservation(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
    value = values[0].strip()
    if value not in ("0", "1"):
        raise ValueError(f"« {values[0]} » : tdm-reservation vaut 1 ou 0 (TDMRep)")
    mapped.fields.setdefault("tdm", {})["reserved"] = value == "1"


def _tdm_policy(mapped: Mapped, values: list[str], mapping: FieldMapping) -> None:
    kept = _links(mapped, values[:1], mapping)
    if kept:
        mapped.fields.setdefault("tdm", {})["policy"] = kept[0]


_FIXED: dict[str, Handler] = {
    "title": _texts("titles"),
    "alternative_title": _texts("titles", "alternative"),
    "original_title": _texts("titles", "original"),
    "description": _texts("descriptions"),
    "created": _single_date("created"),
    "published": _single_date("published"),
    "genre": _terms("genres"),
    "subject": _terms("subjects"),
    "media.image": _media("image"),
    "media.page": _media("page"),
    "url": _link("url"),
    "in_language": _languages("in_languages"),
    "original_language": _original_languages,
    "country": _countries,
    "independent": _independent,
    "duration_minutes": _scalar("duration_minutes", _positive),
    "creation_label": _creation_label,
    "tdm_reservation": _tdm_reservation,
    "tdm_policy": _tdm_policy,
    "type": _scalar("type", str),
}


def handler_for(target: str) -> Handler:
    """The handler of a target field; raises ``ValueError`` for an unknown target."""
    if target in _FIXED:
        return _FIXED[target]
    head, _, tail = target.partition(".")
    factories: dict[str, Callable[[str], Handler]] = {
        "identifier": _identifier,
        "contributor": _contributor,
        "place": _place_part,
        "event": _event_part,
        "rights": _rights,
        "offer": _offer,
        "territory": _territory,
    }
    if head in factories and tail:
        return factories[head](tail)
    raise ValueError(f"champ cible inconnu : {target}")


class _Compiled:
    """A field mapping with everything that does not depend on the record worked out once."""

    __slots__ = (
        "cleans",
        "field",
        "handle",
        "json_path",
        "mapping",
        "memo",
        "nulls",
        "source",
        "sources",
        "split",
    )

    def __init__(self, mapping: FieldMapping, joins: set[str]) -> None:
        self.mapping = mapping
        self.handle = handler_for(mapping.to)
        self.source = ",".join(mapping.from_) or "const"
        self.nulls = frozenset(mapping.null_values)
        self.split = re.compile(mapping.split) if mapping.split else None
        # A JSON cell is "cleaned" too: what it gives depends on the raw value alone (memoised).
        self.cleans = bool(
            mapping.pattern
            or mapping.vocab
            or mapping.template
            or mapping.json is not None
            or bool(mapping.sentence_case)
        )
        self.json_path = (
            [p for p in mapping.json.split(".") if p] if mapping.json is not None else None
        )
        self.sources = [_source(name, joins) for name in mapping.from_]
        # The common case, one plain column and no joining, gets a fast path in ``apply``.
        simple = len(self.sources) == 1 and self.sources[0][0] is None and mapping.join is None
        self.field = self.sources[0][1] if simple else None
        self.memo: dict[str, tuple[str, ...]] = {}
        """Cleaned values of a plain column by raw value, for mappings that split or clean: the same
        disciplines, periods and postal codes come back record after record."""


_MEMO_SIZE = 8192


def _too_long(compiled: _Compiled, value: str) -> RecordProblem:
    def spaced(n: int) -> str:
        return f"{n:,}".replace(",", "\u202f")

    return RecordProblem(
        "reason.too_long", field=compiled.source, length=spaced(len(value)), limit=spaced(MAX_TEXT)
    )


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def sentence_case(text: str) -> str:
    """French sentence case for a Title-Cased term: « Pendant D'oreille À Pendeloques » →
    « Pendant d'oreille à pendeloques ». Only words written Capital-then-lowercase are lowered,
    and single capitals only as « À » or an elided article (« D' », « L' »): acronyms, « XIXe »
    and « type B » keep theirs; the first word stays as written."""
    found = _WORD.search(text)
    if found is None:
        return text
    first = found.start()

    def lower(match: re.Match[str]) -> str:
        word = match.group(0)
        if match.start() == first or not word[0].isupper():
            return word
        if len(word) == 1:
            elided = text[match.end() : match.end() + 1] in ("'", "’")
            return word.lower() if word == "À" or elided else word
        return word.lower() if word[1:].islower() else word

    return _WORD.sub(lower, text)


def _source(name: str, joins: set[str]) -> tuple[str | None, str]:
    """``(join name, column)`` for ``@join.column``, ``(None, field)`` for a plain field."""
    if name.startswith("@"):
        join, _, column = name[1:].partition(".")
        if join in joins:
            return join, column
    return None, name


class Mapper:
    """A mapping profile compiled for fast application to many records."""

    def __init__(self, profile: MappingProfile) -> None:
        self.profile = profile
        names = {j.name for j in profile.join}
        try:
            self._mappings = [_Compiled(mapping, names) for mapping in profile.map]
        except ValueError as exc:
            raise BadProfile("profile.invalid", path=profile.path, detail=str(exc)) from None
        self._type_rule = (
            _Compiled(profile.record.type_rule, names) if profile.record.type_rule else None
        )
        self._id_sources = {id(r): [_source(n, names) for n in r.id_from] for r in profile.map}
        self._patterns = {id(r): re.compile(r.pattern) for r in profile.map if r.pattern}
        if profile.record.type_rule and profile.record.type_rule.pattern:
            mapping = profile.record.type_rule
            self._patterns[id(mapping)] = re.compile(mapping.pattern or "")
        self._id_fields = re.findall(r"\{([^}]+)\}", profile.record.id)
        self._join_on = {j.name: j.on for j in profile.join}
        self.joins: dict[str, dict[str, list[dict[str, str]]]] = {}

    def source_id(self, record: dict[str, Any]) -> str:
        if not self._id_fields:
            value = _get(record, self.profile.record.id)
            if value is None or not str(value).strip():
                raise RecordProblem("reason.missing_id", field=self.profile.record.id)
            return str(value).strip()
        parts = {}
        for name in self._id_fields:
            value = _get(record, name)
            if value is None or not str(value).strip():
                raise RecordProblem("reason.missing_id", field=name)
            parts[name] = str(value).strip()
        return self.profile.record.id.format_map(parts)

    def values(
        self, record: dict[str, Any], compiled: _Compiled, sources: list[tuple[str | None, str]]
    ) -> list[str]:
        mapping = compiled.mapping
        raw: list[str] = []
        for join, name in sources:
            if name in mapping.sentence_case:
                start = len(raw)
                self._read(record, join, name, raw)
                raw[start:] = [sentence_case(v) for v in raw[start:]]
            else:
                self._read(record, join, name, raw)
        if mapping.const is not None and not sources:
            raw.append(mapping.const)
        return self._finish(raw, compiled)

    def _read(self, record: dict[str, Any], join: str | None, name: str, raw: list[str]) -> None:
        """Append the values of one source (a field, or a joined file's column) to ``raw``."""
        if join is not None:
            key = str(_get(record, self._join_on[join]) or "").strip()
            rows = self.joins.get(join, {}).get(key, ())
            raw.extend(row[name] for row in rows if row.get(name))
            return
        value = record[name] if name in record else _get(record, name)
        if isinstance(value, str):
            raw.append(value)
        elif isinstance(value, list):
            raw.extend(str(v) for v in value if v is not None)
        elif value is not None:
            raw.append(str(value))

    def _finish(self, raw: list[str], compiled: _Compiled) -> list[str]:
        mapping = compiled.mapping
        if compiled.json_path is not None:
            raw = [v for cell in raw for v in _json_values(cell, compiled.json_path)]
        out: list[str] = []
        nulls = compiled.nulls
        for value in raw:
            value = value.strip()
            if not value or value in nulls:
                continue
            if len(value) > MAX_TEXT:
                raise _too_long(compiled, value)
            out.append(value)
        if mapping.join is not None and out:
            # A title that repeats its denomination (« Peigne », « Peigne ») is said once.
            kept: dict[str, str] = {}
            for v in out:
                kept.setdefault(v.casefold(), v)
            out = [mapping.join.join(kept.values())]
        if compiled.split is not None:
            parts = (p.strip() for v in out for p in compiled.split.split(v))
            out = [p for p in parts if p and p not in nulls]
        return out

    def apply(self, record: dict[str, Any], source_id: str) -> Mapped:
        """The work fields of ``record`` (without id and provenance), or ``RecordProblem``."""
        profile = self.profile
        defaults = profile.defaults
        mapped = Mapped(None, defaults.text_language or None, defaults.territory_country or None)
        fields = mapped.fields
        for compiled in self._mappings:
            mapping = compiled.mapping
            try:
                if mapping.each is not None:
                    self._apply_each(record, compiled, mapped)
                    continue
                field = compiled.field
                value = record.get(field) if field is not None else None
                if type(value) is not str or len(value) > MAX_TEXT:
                    values = self._cleaned(record, compiled)
                elif compiled.split is None and not compiled.cleans:
                    # Inline fast path of ``values`` for one plain text column (most mappings).
                    value = value.strip()
                    values = [value] if value and value not in compiled.nulls else []
                else:
                    # One plain column: what ``values`` and ``_clean`` make of it depends on
                    # the raw value alone.
                    memo = compiled.memo.get(value)
                    if memo is None:
                        values = self._cleaned(record, compiled)
                        if len(compiled.memo) < _MEMO_SIZE:
                            compiled.memo[value] = tuple(values)
                    else:
                        values = list(memo)
                if mapping.id_from:
                    mapped.ids = self.values(record, compiled, self._id_sources[id(mapping)])
                if not values:
                    mapped.ids = []
                    if mapping.required:
                        raise RecordProblem(
                            "reason.missing_required", field=compiled.source, target=mapping.to
                        )
                    continue
                if mapping.lang_from is not None:
                    mapping = self._with_language(record, mapping)
                compiled.handle(mapped, values, mapping)
            except RecordProblem:
                raise
            except (ValueError, CodeError, DateParseError, KeyError) as exc:
                if mapping.on_error == "skip":
                    continue
                raise RecordProblem(
                    "reason.bad_value",
                    field=compiled.source,
                    target=mapping.to,
                    detail=str(exc).strip("'\""),
                ) from None
        work_type = profile.record.type or "CreativeWork"
        if self._type_rule is not None:
            type_rule = self._type_rule
            found = self._cleaned(record, type_rule)
            if found:
                work_type = found[0]
        try:
            fields["type"] = WorkType(work_type).value
        except ValueError:
            raise RecordProblem(
                "reason.bad_value",
                field="type",
                target="type",
                detail=f"type inconnu « {work_type} »",
            ) from None
        return mapped

    def _apply_each(self, record: dict[str, Any], compiled: _Compiled, mapped: Mapped) -> None:
        """Apply a mapping to each object of the list its ``each`` names (a MARC field's
        occurrences), with the role that object's ``role_from`` gives."""
        mapping = compiled.mapping
        found = _get(record, mapping.each or "")
        occurrences = [o for o in (found if isinstance(found, list) else [found]) if o]
        applied = False
        for occurrence in occurrences:
            if not isinstance(occurrence, dict):
                continue
            values = self._cleaned(occurrence, compiled)
            if mapping.id_from:
                mapped.ids = self.values(occurrence, compiled, self._id_sources[id(mapping)])
            if not values:
                mapped.ids = []
                continue
            mapped.role = self._role(occurrence, mapping)
            try:
                compiled.handle(mapped, values, mapping)
            finally:
                mapped.role = None
            applied = True
        if not applied and mapping.required:
            where = f"{mapping.each}.{compiled.source}"
            raise RecordProblem("reason.missing_required", field=where, target=mapping.to)

    def _role(self, occurrence: dict[str, Any], mapping: FieldMapping) -> str | None:
        """The role of the first value of ``role_from`` the ``roles`` table knows."""
        if not mapping.roles or not mapping.role_from:
            return None
        table = self.profile.vocab[mapping.roles]
        for key in mapping.role_from:
            raw: list[str] = []
            self._read(occurrence, None, key, raw)
            for value in raw:
                code = value.strip()
                role = table.get(code) or table.get(code.casefold())
                if role:
                    return role
        return None

    def _with_language(self, record: dict[str, Any], mapping: FieldMapping) -> FieldMapping:
        """The mapping with the language its record gives in ``lang_from`` (checked as BCP 47)."""
        found = _get(record, mapping.lang_from or "")
        text = found.strip() if isinstance(found, str) else ""
        if not text:
            return mapping
        return msgspec.structs.replace(mapping, lang=normalise_language(text))

    def _cleaned(self, record: dict[str, Any], compiled: _Compiled) -> list[str]:
        """The mapping's values in ``record``, cleaned (pattern, vocabulary table, template)."""
        values = self.values(record, compiled, compiled.sources)
        return self._clean(values, compiled.mapping) if compiled.cleans and values else values

    def _clean(self, values: list[str], mapping: FieldMapping) -> list[str]:
        pattern = self._patterns.get(id(mapping))
        if pattern is not None:
            matched = []
            for v in values:
                m = pattern.search(v)
                if m is None and mapping.unmatched == "drop":
                    continue
                if m is None:
                    raise ValueError(f"« {v[:80]} » ne correspond pas au motif {mapping.pattern}")
                matched.append(m.group(1) if m.groups() else m.group(0))
            values = matched
        if mapping.vocab:
            table = self.profile.vocab[mapping.vocab]
            mapped = []
            for v in values:
                key = v if v in table else v.casefold()
                if key in table:
                    if table[key]:
                        mapped.append(table[key])
                elif mapping.unmapped == "keep":
                    mapped.append(v)
                elif mapping.unmapped == "error":
                    raise ValueError(f"« {v} » absent de la table [vocab.{mapping.vocab}]")
            values = mapped
        if mapping.template:
            values = [mapping.template.format(value=v) for v in values]
        return values


def _json_values(cell: str, path: list[str]) -> list[str]:
    """The texts at ``path`` in the JSON of one cell; ``ValueError`` when it is not JSON."""
    cell = cell.strip()
    if not cell:
        return []
    try:
        value: Any = json.loads(cell)
    except RecursionError:
        raise ValueError("JSON imbriqué trop profondément dans la cellule") from None
    except json.JSONDecodeError as bad_json:
        where = f"{bad_json.msg}, caractère {bad_json.pos + 1}"
        raise ValueError(f"cellule JSON illisible ({where})") from None
    except ValueError as too_big:  # e.g. an integer of more than 4,300 digits
        raise ValueError(f"cellule JSON illisible ({too_big})") from None
    for part in path:
        if isinstance(value, list):
            value = [v.get(part) for v in value if isinstance(v, dict)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, int | float):
            out.append(str(item))
        elif item is not None:
            raise ValueError(f"la cellule JSON donne un objet ou une liste à « {'.'.join(path)} »")
    return out


def _get(record: dict[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    value: Any = record
    for part in name.split("."):
        if isinstance(value, list):
            value = [v.get(part) for v in value if isinstance(v, dict)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value
