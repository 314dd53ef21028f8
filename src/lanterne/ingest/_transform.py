"""One source record → a validated, encoded ``Work``, without touching the catalogue.

Pure functions of the compiled mapping and the record, so they can run in a worker process.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from lanterne.ingest._mapper import Fields, Mapped, Mapper, RecordProblem
from lanterne.ingest._mapping_profile import MappingProfile
from lanterne.ingest._records import DroppedLink, Encoded, Quarantined, Unchanged
from lanterne.profile import Work as _Work
from lanterne.profile import (
    WorkType,
    encode_work,
    is_eof_language,
    is_european,
    work_id,
)
from lanterne.profile.schemaorg import node_to_fields

# ``gc=False``: outcomes hold no reference cycles, and an import makes millions of them.
Outcome = Encoded | Quarantined | Unchanged
"""What became of one record; outcomes cross from the map workers in input order."""


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
            return _quarantined(None, problem)
    try:
        mapped = mapper.apply(data, source_id)
        if kind == "jsonld":
            _with_graph(mapped, node_to_fields(data), profile)
        elif kind == "native":
            # Fields a crosswalk read (a harvested oai_dc or EDM record), under ``@work``.
            _with_graph(mapped, dict(data["@work"]), profile)
        work = build_work(mapped, profile, source_id, from_graph=kind in ("jsonld", "native"))
    except RecordProblem as problem:
        return _quarantined(source_id, problem)
    except msgspec.ValidationError as exc:
        return Quarantined(source_id, "reason.invalid_record", {"detail": str(exc)}, None)
    doc = encode_work(work)
    digest = hashlib.blake2b(doc, digest_size=16).digest()
    return Encoded(source_id, work.id, work.type.value, doc, digest, mapped.warnings)


def _quarantined(source_id: str | None, problem: RecordProblem) -> Quarantined:
    params = {"field": problem.field or "", **problem.params}
    return Quarantined(source_id, problem.reason, params, problem.field)


def _with_graph(mapped: Mapped, native: Fields, profile: MappingProfile) -> None:
    """The fields a record gives natively (a schema.org node's, a crosswalk's), with the fields
    the mappings gave from it over them."""
    if profile.record.type is None and profile.record.type_rule is None:
        mapped.fields.pop("type", None)
    found = native.pop("_warnings", None)
    if found:
        # The links the node's reading dropped, then those of the mappings not already there.
        dropped = [DroppedLink(*link) for link in found]
        dropped.extend(link for link in mapped.warnings if link not in dropped)
        mapped.warnings = dropped
    _merge(native, mapped.fields)
    mapped.fields = native


def _merge(fields: Fields, mapped: Fields) -> None:
    for key, value in mapped.items():
        if isinstance(value, list) and isinstance(fields.get(key), list):
            fields[key].extend(v for v in value if v not in fields[key])
        elif isinstance(value, dict) and isinstance(fields.get(key), dict):
            fields[key].update(value)
        else:
            fields[key] = value


def build_work(
    mapped: Mapped, profile: MappingProfile, source_id: str, from_graph: bool = False
) -> _Work:
    """Assemble the mapped fields, the source's declared defaults and derived flags into a Work."""
    defaults = profile.defaults
    fields = mapped.fields
    work_type = WorkType(fields.get("type", profile.record.type or "CreativeWork"))
    place = mapped.place
    event = mapped.event
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
    offer = mapped.offer
    if offer:
        fields.setdefault("offers", []).append(offer)
    diversity = fields.setdefault("diversity", {})
    countries = mapped.countries or diversity.get("countries") or list(defaults.countries)
    originals = mapped.original_languages or list(defaults.original_languages)
    territories = mapped.territories
    independent = mapped.independent
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
        # Mapped texts got the default language from their mapping; texts read from a
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
    tdm = fields.get("tdm")
    if tdm is None and defaults.tdm_reservation is not None:
        tdm = fields["tdm"] = {"reserved": bool(defaults.tdm_reservation)}
        if defaults.tdm_policy:
            tdm["policy"] = defaults.tdm_policy
    if tdm is not None:
        tdm.setdefault("declared_by", profile.source)
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
