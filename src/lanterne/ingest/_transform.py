"""One source record → a validated, encoded ``Work``, without touching the catalogue.

Pure functions of the compiled mapping and the record, so they can run in a worker process.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from lanterne.ingest._mapper import Fields, Mapper, RecordProblem
from lanterne.ingest._profile import MappingProfile
from lanterne.profile import Work as _Work
from lanterne.profile import (
    WorkType,
    encode_work,
    is_eof_language,
    is_european,
    work_id,
)
from lanterne.profile.schemaorg import node_to_fields

# A record's outcome: ("ok", source_id, (work id, type, doc, digest, warnings)), to which the
# ordered stage appends the raw record's digest (warnings: the links dropped, each as (target,
# source field, value, problem id, detail)); ("problem", source_id, (reason, params, field));
# or ("unchanged", source_id, ()) when the record was not mapped again.
Outcome = tuple[str, str | None, tuple[Any, ...]]


def transform_record(
    mapper: Mapper, kind: str, data: dict[str, Any], source_id: str | None = None
) -> Outcome:
    """Map, validate and encode one record; never touches the catalogue.

    ``source_id`` is the record's id when the caller already read it.
    """
    profile = mapper.profile
    if source_id is None:
        try:
            source_id = mapper.source_id(data)
        except RecordProblem as problem:
            params = {"field": problem.field or "", **problem.params}
            return ("problem", None, (problem.reason, params, problem.field))
    try:
        fields = mapper.apply(data, source_id)
        if kind == "jsonld":
            if profile.record.type is None and profile.record.type_rule is None:
                fields.pop("type", None)
            native = node_to_fields(data)
            _merge(native, fields)
            fields = native
        warnings = fields.pop("_warnings", [])
        work = build_work(fields, profile, source_id, from_graph=kind == "jsonld")
    except RecordProblem as problem:
        params = {"field": problem.field or "", **problem.params}
        return ("problem", source_id, (problem.reason, params, problem.field))
    except msgspec.ValidationError as exc:
        return ("problem", source_id, ("reason.invalid_record", {"detail": str(exc)}, None))
    doc = encode_work(work)
    digest = hashlib.blake2b(doc, digest_size=16).digest()
    return ("ok", source_id, (work.id, work.type.value, doc, digest, warnings))


def _merge(fields: Fields, mapped: Fields) -> None:
    for key, value in mapped.items():
        if isinstance(value, list) and isinstance(fields.get(key), list):
            fields[key].extend(v for v in value if v not in fields[key])
        elif isinstance(value, dict) and isinstance(fields.get(key), dict):
            fields[key].update(value)
        else:
            fields[key] = value


def build_work(
    fields: Fields, profile: MappingProfile, source_id: str, from_graph: bool = False
) -> _Work:
    """Assemble the mapped fields, the source's declared defaults and derived flags into a Work."""
    defaults = profile.defaults
    fields.pop("_lang", None)
    fields.pop("_territory_country", None)
    fields.pop("_ids", None)
    work_type = WorkType(fields.get("type", profile.record.type or "CreativeWork"))
    place = fields.pop("_place", None)
    event = fields.pop("_event", None)
    if place and "geo" in place and set(place["geo"]) != {"lat", "lon"}:
        del place["geo"]
    if work_type.is_event and (place or event):
        events = fields.setdefault("events", [{}])
        if event:
            events[0].update(event)
        if place:
            events[0].setdefault("place", place)
    else:
        if place:
            fields.setdefault("places", []).append(place)
        if event:
            fields.setdefault("events", []).append(event)
    offer = fields.pop("_offer", None)
    if offer:
        fields.setdefault("offers", []).append(offer)
    diversity = fields.setdefault("diversity", {})
    countries = (
        fields.pop("_countries", None) or diversity.get("countries") or list(defaults.countries)
    )
    originals = fields.pop("_original_languages", None) or list(defaults.original_languages)
    territories = fields.pop("_territories", None)
    independent = fields.pop("_independent", None)
    if countries:
        diversity["countries"] = countries
        diversity["european"] = is_european(countries)
    if originals:
        diversity["original_languages"] = originals
        diversity["eof"] = is_eof_language(originals[0])
    if territories:
        diversity["territories"] = territories
    if independent is not None:
        diversity["independent"] = independent
    if defaults.text_language and from_graph:
        # Mapped texts got the default language from their rule; texts read from a
        # schema.org graph did not.
        for key in ("titles", "descriptions"):
            for text in fields.get(key, []):
                text.setdefault("lang", defaults.text_language)
    if defaults.in_languages and not fields.get("in_languages"):
        fields["in_languages"] = list(defaults.in_languages)
    if defaults.creation_label and "creation_label" not in fields:
        fields["creation_label"] = {
            "value": defaults.creation_label,
            "declared_by": profile.source,
            "method": "declaration",
        }
    if not fields.get("titles"):
        raise RecordProblem("reason.missing_required", field="name", target="title")
    provenance: dict[str, Any] = {"source": profile.source, "source_id": source_id}
    provenance["profile"] = profile.name
    if profile.licence:
        provenance["licence"] = profile.licence
    if profile.attribution:
        provenance["attribution"] = profile.attribution
    fields["id"] = work_id(profile.source, source_id)
    fields["provenance"] = provenance
    return msgspec.convert(fields, _Work)
