"""Writing a work as schema.org JSON-LD: the outbound half of the crosswalk (``_read`` reads back).

One document per work, typed with the work's own schema.org type (a building is
``LandmarksOrHistoricalBuildings``, never a ``VisualArtwork``), using schema.org properties
wherever the vocabulary has one that fits the type — that is what search engines and Artsdata read.
What schema.org cannot say (EOF and European flags, territories, creation label, text-and-data-
mining reservation, date precision, provenance) goes into a companion node: the work is
``subjectOf`` a ``Dataset`` (its Lanterne record) whose ``variableMeasured`` are ``PropertyValue``
pairs. Only those fields that the native properties do not carry exactly are written there, so
``read(write(work)) == work`` holds for every work while the published graph stays plain schema.org.
"""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import msgspec

from lanterne.profile._model import PROFILE_VERSION, Work
from lanterne.profile._vocab import WorkType
from lanterne.profile.schemaorg._graph import local_name
from lanterne.profile.schemaorg._read import (
    ADDRESS,
    CONTEXT,
    ID_PREFIX,
    IMAGE,
    PROPERTY_PREFIX,
    RECORD_TYPE,
    WIKIDATA,
    read_native,
)
from lanterne.profile.schemaorg._vocabulary import Vocabulary

_to_builtins = msgspec.to_builtins


def work_to_jsonld(work: Work) -> dict[str, Any]:
    """One schema.org JSON-LD document for ``work`` (compact form, schema.org context)."""
    vocab = Vocabulary.load()
    data: dict[str, Any] = _to_builtins(work)
    node = _native(data, work.type, vocab)
    residual = _residual(work, data, node)
    doc: dict[str, Any] = {"@context": CONTEXT, **node}
    if residual:
        doc["subjectOf"] = {
            "@type": "Dataset",
            "additionalType": RECORD_TYPE,
            "name": f"Lanterne record {work.id}",
            "version": PROFILE_VERSION,
            "variableMeasured": [
                {
                    "@type": "PropertyValue",
                    "propertyID": PROPERTY_PREFIX + key,
                    "value": _record_json(value),
                }
                for key, value in sorted(residual.items())
            ],
        }
    return doc


_MISSING: Any = object()

# ``json.dumps`` with options builds an encoder per call; one kept gives the same text.
_record_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


@functools.cache
def _work_fields() -> tuple[msgspec.structs.FieldInfo, ...]:
    """The fields of ``Work``, read once: ``msgspec.structs.fields`` evaluates the class's
    annotations on every call, which cost more than the rest of writing a work."""
    return msgspec.structs.fields(Work)


@functools.cache
def _field_defaults() -> dict[str, Any]:
    """What reading gives for a field the document leaves out: its default, as builtins."""
    defaults: dict[str, Any] = {}
    for field in _work_fields():
        if field.default is not msgspec.NODEFAULT:
            defaults[field.encode_name] = _to_builtins(field.default)
        elif field.default_factory is not msgspec.NODEFAULT:
            defaults[field.encode_name] = _to_builtins(field.default_factory())
    return defaults


def _residual(work: Work, data: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Fields of ``work`` that the native node does not carry exactly (found by reading it back).

    A field the node leaves out reads back as its default, so it needs no record entry when the
    work has the default too; a field the node carries although the work has the default (an
    event's ``url`` read back as the work's) gets an entry resetting it. A struct field that the
    node carries in part (``diversity.countries`` as ``countryOfOrigin``, ``rights.licence`` as
    ``license``) gets one entry per differing member (``diversity.eof``), so the rest stays native.
    """
    back = read_native(node)
    defaults = _field_defaults()
    residual: dict[str, Any] = {}
    for field in _work_fields():
        name = field.encode_name
        value = getattr(work, field.name)
        # ``data`` (the work as builtins) omits fields left at their default.
        want = data[name] if name in data else defaults.get(name, _MISSING)
        have = back.get(name, defaults.get(name, _MISSING))
        if want == have:
            continue
        if isinstance(want, dict) and isinstance(have, dict):
            # Struct builtins omit defaults, and reading omits what the node does not say, so a
            # member missing on both sides is the default on both sides.
            for member in sorted(want.keys() | have.keys()):
                if want.get(member, _MISSING) != have.get(member, _MISSING):
                    residual[f"{name}.{member}"] = _to_builtins(getattr(value, member))
        else:
            residual[name] = want
    return residual


def _text(item: dict[str, Any]) -> Any:
    lang = item.get("lang")
    return {"@value": item["value"], "@language": lang} if lang else item["value"]


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _agent(agent: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": agent.get("kind", "Person"), "name": agent["name"]}
    ids = agent.get("identifiers", [])
    if ids:
        node["identifier"] = [_property_value(i) for i in ids]
    return node


def _property_value(identifier: dict[str, Any]) -> dict[str, Any]:
    return {
        "@type": "PropertyValue",
        "propertyID": identifier["scheme"],
        "value": identifier["value"],
    }


def _place(place: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "Place"}
    if "name" in place:
        node["name"] = place["name"]
    address = place.get("address")
    if address:
        node["address"] = {"@type": "PostalAddress"} | {
            schema: address[key] for key, schema in ADDRESS.items() if key in address
        }
    geo = place.get("geo")
    if geo:
        node["geo"] = {"@type": "GeoCoordinates", "latitude": geo["lat"], "longitude": geo["lon"]}
    if place.get("identifiers"):
        node["identifier"] = [_property_value(i) for i in place["identifiers"]]
    return node


def _date(fuzzy: dict[str, Any]) -> str | None:
    """An exact date or a single year; spans, approximations and BCE years are left to the record.

    schema.org dates are ISO 8601 with a four-digit year, which cannot say « -0750 ».
    """
    earliest, latest, precision = fuzzy["earliest"], fuzzy["latest"], fuzzy["precision"]
    if fuzzy.get("approximate"):
        return None
    if precision == "day" and earliest == latest and re.fullmatch(r"\d{4}-\d{2}-\d{2}", earliest):
        return str(earliest)
    if precision == "year" and re.match(r"\d{4}", earliest) and earliest[:4] == latest[:4]:
        return str(earliest[:4])
    return None


def _native(data: dict[str, Any], work_type: WorkType, vocab: Vocabulary) -> dict[str, Any]:
    t = work_type.value

    def fits(prop: str) -> bool:
        return vocab.property_fits(prop, t)

    node: dict[str, Any] = {"@type": t, "@id": ID_PREFIX + quote(data["id"], safe=":")}
    titles = [x for x in data["titles"] if x.get("kind", "title") == "title"]
    alternatives = [x for x in data["titles"] if x.get("kind") == "alternative"]
    if titles:
        node["name"] = _one_or_many([_text(x) for x in titles])
    if alternatives:
        node["alternateName"] = _one_or_many([_text(x) for x in alternatives])
    if data.get("descriptions"):
        node["description"] = _one_or_many([_text(x) for x in data["descriptions"]])
    if data.get("in_languages") and fits("inLanguage"):
        node["inLanguage"] = _one_or_many(data["in_languages"])
    for field, prop in (("created", "dateCreated"), ("published", "datePublished")):
        if data.get(field) and fits(prop):
            value = _date(data[field])
            if value:
                node[prop] = value
    if data.get("genres") and fits("genre"):
        node["genre"] = _one_or_many([g["label"] for g in data["genres"]])
    if data.get("subjects") and fits("about"):
        node["about"] = [
            {"@type": "DefinedTerm", "name": s["label"]}
            | ({"termCode": s["term_id"]} if "term_id" in s else {})
            | ({"inDefinedTermSet": s["vocabulary"]} if "vocabulary" in s else {})
            for s in data["subjects"]
        ]
    if data.get("identifiers"):
        node["identifier"] = [_property_value(i) for i in data["identifiers"]]
        isbn = [i["value"] for i in data["identifiers"] if i["scheme"] == "isbn"]
        if isbn and fits("isbn"):
            node["isbn"] = isbn[0]
        wikidata = [
            WIKIDATA + i["value"]
            for i in data["identifiers"]
            if i["scheme"] == "wikidata" and _QID.fullmatch(i["value"])
        ]
        if wikidata:
            node["sameAs"] = _one_or_many(wikidata)
    for contribution in data.get("contributors", []):
        prop = contribution["role"]
        if fits(prop) and "note" not in contribution:
            node.setdefault(prop, []).append(_agent(contribution["agent"]))
    events = data.get("events", [])
    if work_type.is_event and len(events) == 1:
        event = events[0]
        for key, prop in (
            ("start", "startDate"),
            ("end", "endDate"),
            ("door_time", "doorTime"),
            ("url", "url"),
        ):
            if key in event and not (key == "url" and "url" in data):
                node[prop] = event[key]
        if "place" in event:
            node["location"] = _place(event["place"])
        if "status" in event:
            node["eventStatus"] = CONTEXT + "/" + event["status"]
        if "attendance" in event:
            node["eventAttendanceMode"] = CONTEXT + "/" + event["attendance"]
    if work_type.is_place and len(data.get("places", [])) == 1:
        place = _place(data["places"][0])
        node.update({k: v for k, v in place.items() if k not in ("@type", "name", "identifier")})
    pages = [m["url"] for m in data.get("media", []) if m["kind"] == "page"]
    if pages and fits("mainEntityOfPage"):
        node["mainEntityOfPage"] = pages[0] if len(pages) == 1 else pages
    images = [m for m in data.get("media", []) if m["kind"] == "image"]
    if images:
        node["image"] = [
            {"@type": "ImageObject", "contentUrl": m["url"]}
            | {schema: m[key] for key, schema in IMAGE.items() if key in m}
            for m in images
        ]
    rights = data.get("rights") or {}
    if rights.get("licence") and fits("license"):
        node["license"] = rights["licence"]
    if data.get("offers") and fits("offers"):
        node["offers"] = [_offer(o, vocab) for o in data["offers"]]
    if data.get("url"):
        node["url"] = data["url"]
    countries = data.get("diversity", {}).get("countries", [])
    if countries and fits("countryOfOrigin"):
        node["countryOfOrigin"] = [{"@type": "Country", "identifier": c} for c in countries]
    if data.get("duration_minutes") and fits("duration"):
        node["duration"] = f"PT{_number(data['duration_minutes'])}M"
    return node


_QID = re.compile(r"Q[1-9]\d*")


def _number(value: float) -> str:
    """A decimal numeral as ISO 8601 durations need it: never in exponent form (``1e-05``)."""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def _availability(value: str, vocab: Vocabulary) -> str | None:
    """The schema.org IRI of an ``ItemAvailability`` member (``InStock`` or its IRI), or None."""
    member = local_name(value)
    types = vocab.enumeration_types(member)
    if any(vocab.is_subtype(t, "ItemAvailability") for t in types):
        return f"{CONTEXT}/{member}"
    return None


def _offer(offer: dict[str, Any], vocab: Vocabulary) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "Offer", "category": offer["category"]}
    if "url" in offer:
        node["url"] = offer["url"]
    if "price" in offer:
        node["price"] = offer["price"]
    if "currency" in offer:
        node["priceCurrency"] = offer["currency"]
    if "provider" in offer:
        node["offeredBy"] = {"@type": "Organization", "name": offer["provider"]}
    availability = _availability(offer["availability"], vocab) if "availability" in offer else None
    if availability:
        node["availability"] = availability
    if offer.get("territories"):
        node["eligibleRegion"] = [
            {"@type": "Country", "identifier": c} for c in offer["territories"]
        ]
    return node
