"""Crosswalk between the description profile and schema.org JSON-LD, in both directions.

Writing gives one document per work, typed with the work's own schema.org type (a building is
``LandmarksOrHistoricalBuildings``, never a ``VisualArtwork``), using schema.org properties
wherever the vocabulary has one that fits the type — that is what search engines and Artsdata read.
What schema.org cannot say (EOF and European flags, territories, creation label, text-and-data-
mining reservation, date precision, provenance) goes into a companion node: the work is
``subjectOf`` a ``Dataset`` (its Lanterne record) whose ``variableMeasured`` are ``PropertyValue``
pairs. Only those fields that the native properties do not carry exactly are written there, so
``read(write(work)) == work`` holds for every work while the published graph stays plain schema.org.

Reading accepts what publishers write: strings for numbers and booleans (``"True"``), enumeration
members as URLs, single values or lists, language-tagged literals.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

import msgspec

from lanterne.profile._model import PROFILE_VERSION, Work, decode_work
from lanterne.profile._vocab import Role, WorkType
from lanterne.profile.schemaorg._graph import is_reference, local_name, types_of
from lanterne.profile.schemaorg._vocabulary import Vocabulary

CONTEXT = "https://schema.org"
ID_PREFIX = "urn:lanterne:"
RECORD_TYPE = "https://w3id.org/lanterne/profile#Record"
PROPERTY_PREFIX = "lanterne:"
WIKIDATA = "http://www.wikidata.org/entity/"

_to_builtins = msgspec.to_builtins


# Writing -----------------------------------------------------------------------------------


def work_to_jsonld(work: Work) -> dict[str, Any]:
    """One schema.org JSON-LD document for ``work`` (compact form, schema.org context)."""
    vocab = Vocabulary.load()
    data: dict[str, Any] = _to_builtins(work)
    node = _native(data, work.type, vocab)
    residual = _residual(work, node)
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
                    "value": json.dumps(value, ensure_ascii=False, sort_keys=True),
                }
                for key, value in sorted(residual.items())
            ],
        }
    return doc


_MISSING: Any = object()


@functools.cache
def _field_defaults() -> dict[str, Any]:
    """What reading gives for a field the document leaves out: its default, as builtins."""
    defaults: dict[str, Any] = {}
    for field in msgspec.structs.fields(Work):
        if field.default is not msgspec.NODEFAULT:
            defaults[field.encode_name] = _to_builtins(field.default)
        elif field.default_factory is not msgspec.NODEFAULT:
            defaults[field.encode_name] = _to_builtins(field.default_factory())
    return defaults


def _residual(work: Work, node: dict[str, Any]) -> dict[str, Any]:
    """Fields of ``work`` that the native node does not carry exactly (found by reading it back).

    A field the node leaves out reads back as its default, so it needs no record entry when the
    work has the default too; a field the node carries although the work has the default (an
    event's ``url`` read back as the work's) gets an entry resetting it. A struct field that the
    node carries in part (``diversity.countries`` as ``countryOfOrigin``, ``rights.licence`` as
    ``license``) gets one entry per differing member (``diversity.eof``), so the rest stays native.
    """
    back = _read_native(node)
    defaults = _field_defaults()
    residual: dict[str, Any] = {}
    for field in msgspec.structs.fields(Work):
        name = field.encode_name
        value = getattr(work, field.name)
        want = _to_builtins(value)
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
            schema: address[key] for key, schema in _ADDRESS.items() if key in address
        }
    geo = place.get("geo")
    if geo:
        node["geo"] = {"@type": "GeoCoordinates", "latitude": geo["lat"], "longitude": geo["lon"]}
    if place.get("identifiers"):
        node["identifier"] = [_property_value(i) for i in place["identifiers"]]
    return node


_ADDRESS = {
    "street": "streetAddress",
    "locality": "addressLocality",
    "postal_code": "postalCode",
    "region": "addressRegion",
    "country": "addressCountry",
}


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
        for key, prop in (("start", "startDate"), ("end", "endDate"), ("url", "url")):
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
    images = [m for m in data.get("media", []) if m["kind"] == "image"]
    if images:
        node["image"] = [
            {"@type": "ImageObject", "contentUrl": m["url"]}
            | {schema: m[key] for key, schema in _IMAGE.items() if key in m}
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


_IMAGE = {"width": "width", "height": "height", "licence": "license", "caption": "caption"}
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


# Reading -----------------------------------------------------------------------------------


def work_from_jsonld(document: dict[str, Any]) -> Work:
    """Read back a document written by ``work_to_jsonld`` (or a schema.org node with an ``@id``)."""
    node = document
    data = _read_native(node)
    record = node.get("subjectOf")
    for item in record if isinstance(record, list) else [record]:
        if isinstance(item, dict) and item.get("additionalType") == RECORD_TYPE:
            for pv in _as_list(item.get("variableMeasured")):
                key = str(pv.get("propertyID", ""))
                if key.startswith(PROPERTY_PREFIX):
                    # ``diversity.eof`` corrects one member of a struct field read natively.
                    name, _, member = key[len(PROPERTY_PREFIX) :].partition(".")
                    value = json.loads(pv["value"])
                    if member:
                        parent = data.get(name)
                        if not isinstance(parent, dict):
                            parent = data[name] = {}
                        parent[member] = value
                    else:
                        data[name] = value
    data.setdefault("profile_version", PROFILE_VERSION)
    return decode_work(msgspec.json.encode(data))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _read_text(value: Any, default_lang: str | None = None) -> dict[str, Any] | None:
    if isinstance(value, dict):
        text = value.get("@value")
        lang = value.get("@language", default_lang)
    else:
        text, lang = value, default_lang
    if text is None or not str(text).strip():
        return None
    out: dict[str, Any] = (
        {"value": str(text).strip()} if not isinstance(text, str) else {"value": text}
    )
    if lang:
        out["lang"] = lang
    return out


def _texts(value: Any, default_lang: str | None = None, **extra: str) -> list[dict[str, Any]]:
    found = [_read_text(v, default_lang) for v in _as_list(value)]
    return [t | extra for t in found if t is not None]


def _read_identifiers(value: Any) -> list[dict[str, Any]]:
    out = []
    for item in _as_list(value):
        if isinstance(item, dict) and "propertyID" in item and "value" in item:
            out.append({"scheme": str(item["propertyID"]), "value": str(item["value"])})
    return out


def _read_agent(value: Any, role: str) -> dict[str, Any] | None:
    if isinstance(value, str):
        return {"agent": {"name": value}, "role": role} if value.strip() else None
    if is_reference(value):
        # An unresolved link: the agent is known only by its URI, which is kept as its name too.
        uri = str(value["@id"])
        return {
            "agent": {"name": uri, "identifiers": [{"scheme": "uri", "value": uri}]},
            "role": role,
        }
    if not isinstance(value, dict) or not value.get("name"):
        return None
    kind = next(
        (t for t in types_of(value) if t in ("Person", "Organization", "PerformingGroup")), None
    )
    agent: dict[str, Any] = {"name": _plain(value["name"])}
    if kind and kind != "Person":
        agent["kind"] = kind
    elif kind is None and "Organization" in str(value.get("@type", "")):
        agent["kind"] = "Organization"
    ids = _read_identifiers(value.get("identifier"))
    if ids:
        agent["identifiers"] = ids
    return {"agent": agent, "role": role}


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        # A literal, or a link written as a reference (``"url": {"@id": "https://…"}``).
        value = value["@id"] if is_reference(value) else value.get("@value", "")
    return str(value).strip()


def _number_of(value: Any) -> float | None:
    """A finite number from what publishers write (``430``, ``"430"``, ``{"@value": "45.5"}``)."""
    if isinstance(value, dict) and "@value" not in value:
        value = value.get("value")  # a QuantitativeValue
    if isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, int | float) else float(_plain(value))
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _read_place(value: Any) -> dict[str, Any] | None:
    if isinstance(value, list):
        # Publishers list a venue next to its VirtualLocation: read the first place found.
        places = (_read_place(v) for v in value)
        return next((p for p in places if p), None)
    if is_reference(value):
        # A link to a node no file holds is an external resource: keep it as the place's URI.
        return {"identifiers": [{"scheme": "uri", "value": str(value["@id"])}]}
    if not isinstance(value, dict) or "VirtualLocation" in types_of(value):
        return None
    place: dict[str, Any] = {}
    if value.get("name"):
        place["name"] = _plain(value["name"])
    address = value.get("address")
    if isinstance(address, dict):
        read = {key: _plain(address.get(schema)) for key, schema in _ADDRESS.items()}
        fields = {key: text for key, text in read.items() if text}
        if fields:
            place["address"] = fields
    elif isinstance(address, str) and address.strip():
        place["address"] = {"street": address.strip()}
    geo = value.get("geo")
    if isinstance(geo, dict):
        lat, lon = _number_of(geo.get("latitude")), _number_of(geo.get("longitude"))
        if lat is not None and lon is not None:
            place["geo"] = {"lat": lat, "lon": lon}
    ids = _read_identifiers(value.get("identifier"))
    if ids:
        place["identifiers"] = ids
    return place or None


def _enum(value: Any) -> str | None:
    return local_name(str(value)) if value else None


def _read_date(value: Any) -> dict[str, Any] | None:
    text = _plain(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return {"earliest": text, "latest": text, "precision": "day"}
    if re.fullmatch(r"\d{4}", text):
        return {"earliest": text + "-01-01", "latest": text + "-12-31", "precision": "year"}
    return None


def _read_native(node: dict[str, Any]) -> dict[str, Any]:
    """The profile fields a schema.org node carries natively (before the record's corrections)."""
    data: dict[str, Any] = {}
    raw_id = str(node.get("@id", ""))
    data["id"] = unquote(raw_id[len(ID_PREFIX) :]) if raw_id.startswith(ID_PREFIX) else raw_id
    known = [t for t in types_of(node) if t in WorkType._value2member_map_]
    data["type"] = known[0] if known else (types_of(node) or ["CreativeWork"])[0]
    data["titles"] = _texts(node.get("name")) + _texts(
        node.get("alternateName"), kind="alternative"
    )
    descriptions = _texts(node.get("description"))
    if descriptions:
        data["descriptions"] = descriptions
    languages = [_plain(v) for v in _as_list(node.get("inLanguage")) if _plain(v)]
    if languages:
        data["in_languages"] = languages
    for prop, field in (("dateCreated", "created"), ("datePublished", "published")):
        date = _read_date(node.get(prop)) if node.get(prop) else None
        if date:
            data[field] = date
    genres = [{"label": _plain(g)} for g in _as_list(node.get("genre")) if _plain(g)]
    if genres:
        data["genres"] = genres
    subjects = []
    for item in _as_list(node.get("about")):
        if isinstance(item, dict) and item.get("name"):
            subject = {"label": _plain(item["name"])}
            if "termCode" in item:
                subject["term_id"] = str(item["termCode"])
            if "inDefinedTermSet" in item:
                subject["vocabulary"] = _plain(item["inDefinedTermSet"])
            subjects.append(subject)
    if subjects:
        data["subjects"] = subjects
    identifiers = _read_identifiers(node.get("identifier"))
    seen = {(i["scheme"], i["value"]) for i in identifiers}
    if node.get("isbn") and ("isbn", _plain(node["isbn"])) not in seen:
        identifiers.append({"scheme": "isbn", "value": _plain(node["isbn"])})
    for same in _as_list(node.get("sameAs")):
        text = _plain(same)
        if text.startswith(WIKIDATA) and ("wikidata", text[len(WIKIDATA) :]) not in seen:
            identifiers.append({"scheme": "wikidata", "value": text[len(WIKIDATA) :]})
    if identifiers:
        data["identifiers"] = identifiers
    contributors = []
    for role in Role:
        for value in _as_list(node.get(role.value)):
            contribution = _read_agent(value, role.value)
            if contribution:
                contributors.append(contribution)
    if contributors:
        data["contributors"] = contributors
    types = types_of(node)
    if any(WorkType._value2member_map_.get(t) is not None and WorkType(t).is_event for t in types):
        event: dict[str, Any] = {}
        for key, prop in (("start", "startDate"), ("end", "endDate")):
            if node.get(prop):
                event[key] = _plain(node[prop])
        place = _read_place(node.get("location"))
        if place:
            event["place"] = place
        for key, prop in (("status", "eventStatus"), ("attendance", "eventAttendanceMode")):
            if node.get(prop):
                event[key] = _enum(node[prop])
        if event:
            data["events"] = [event]
    if "LandmarksOrHistoricalBuildings" in types:
        place = _read_place(node)
        if place:
            place.pop("name", None)
            place.pop("identifiers", None)
            if place:
                data["places"] = [place]
    media = []
    for image in _as_list(node.get("image")):
        if isinstance(image, str):
            media.append({"kind": "image", "url": image})
        elif isinstance(image, dict) and (image.get("contentUrl") or image.get("url")):
            medium: dict[str, Any] = {
                "kind": "image",
                "url": _plain(image.get("contentUrl") or image.get("url")),
            }
            for key, schema in _IMAGE.items():
                if image.get(schema) in (None, ""):
                    continue
                if key in ("width", "height"):
                    size = _number_of(image[schema])
                    if size is not None and size >= 1 and size.is_integer():
                        medium[key] = int(size)
                elif _plain(image[schema]):
                    medium[key] = _plain(image[schema])
            media.append(medium)
    if media:
        data["media"] = media
    if _plain(node.get("license")):
        data["rights"] = {"licence": _plain(node["license"])}
    offers = [_read_offer(o) for o in _as_list(node.get("offers")) if isinstance(o, dict)]
    if offers:
        data["offers"] = offers
    if _plain(node.get("url")):
        data["url"] = _plain(node["url"])
    countries = [
        _plain(c.get("identifier")) if isinstance(c, dict) else _plain(c)
        for c in _as_list(node.get("countryOfOrigin"))
    ]
    if countries:
        data["diversity"] = {"countries": [c for c in countries if c]}
    duration = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+(?:\.\d+)?)M)?", _plain(node.get("duration", "")))
    if duration and any(duration.groups()):
        minutes = 60 * float(duration.group(1) or 0) + float(duration.group(2) or 0)
        data["duration_minutes"] = int(minutes) if minutes.is_integer() else minutes
    return data


def _read_offer(node: dict[str, Any]) -> dict[str, Any]:
    offer: dict[str, Any] = {"category": _plain(node.get("category")) or "ticket"}
    if _plain(node.get("url")):
        offer["url"] = _plain(node["url"])
    price = _number_of(node.get("price"))
    if price is not None and price >= 0:
        offer["price"] = price
    if node.get("priceCurrency"):
        offer["currency"] = _plain(node["priceCurrency"])
    seller = node.get("offeredBy") or node.get("seller")
    if isinstance(seller, dict) and seller.get("name"):
        offer["provider"] = _plain(seller["name"])
    if node.get("availability"):
        offer["availability"] = local_name(_plain(node["availability"]))
    regions = [
        _plain(c.get("identifier")) if isinstance(c, dict) else _plain(c)
        for c in _as_list(node.get("eligibleRegion"))
    ]
    if regions:
        offer["territories"] = regions
    return offer


# Foreign graphs ----------------------------------------------------------------------------

NodeHook = Callable[[dict[str, Any], dict[str, Any]], None]


def node_to_fields(node: dict[str, Any]) -> dict[str, Any]:
    """Profile fields read from a publisher's schema.org node (no id, source or defaults yet).

    The ingest pipeline adds the stable id, provenance and the mapping profile's defaults, then
    validates the result as a ``Work``.
    """
    data = _read_native(node)
    data.pop("id", None)
    free = node.get("isAccessibleForFree")
    if free is not None and str(free).lower() in ("true", "1", "false", "0"):
        is_free = str(free).lower() in ("true", "1")
        for offer in data.get("offers", []):
            offer.setdefault("is_free", is_free)
        if is_free and not data.get("offers"):
            data["offers"] = [{"category": "free", "is_free": True}]
    for offer in data.get("offers", []):
        if offer.get("availability"):
            offer["availability"] = local_name(offer["availability"])
    return data
