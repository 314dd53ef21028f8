"""Reading schema.org JSON-LD into the description profile.

Two readers: ``work_from_jsonld`` reads back a document Lanterne wrote (native properties, then
the « Lanterne record » corrections), and ``node_to_fields`` reads a publisher's node. Both accept
what publishers write: strings for numbers and booleans (``"True"``), enumeration members as URLs,
single values or lists, language-tagged literals, links to nodes no file holds (kept as URIs).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import unquote

import msgspec

from lanterne.profile._model import PROFILE_VERSION, Work, decode_work, url_problem
from lanterne.profile._vocab import Role, WorkType
from lanterne.profile.schemaorg._graph import is_reference, local_name, types_of

CONTEXT = "https://schema.org"
ID_PREFIX = "urn:lanterne:"
RECORD_TYPE = "https://w3id.org/lanterne/profile#Record"
PROPERTY_PREFIX = "lanterne:"
WIKIDATA = "http://www.wikidata.org/entity/"

ADDRESS = {
    "street": "streetAddress",
    "locality": "addressLocality",
    "postal_code": "postalCode",
    "region": "addressRegion",
    "country": "addressCountry",
}

IMAGE = {"width": "width", "height": "height", "licence": "license", "caption": "caption"}


def work_from_jsonld(document: dict[str, Any]) -> Work:
    """Read back a document written by ``work_to_jsonld`` (or a schema.org node with an ``@id``)."""
    node = document
    data = read_native(node)
    data.pop("_warnings", None)  # the model drops those links too
    record = node.get("subjectOf")
    for item in record if isinstance(record, list) else [record]:
        if isinstance(item, dict) and item.get("additionalType") == RECORD_TYPE:
            for pv in _as_list(item.get("variableMeasured")):
                key = _str(pv.get("propertyID", ""))
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


def _str(value: Any) -> str:
    """A literal's text; ``""`` for an object or a list, whose ``str`` would recurse into it (a
    node read without ``Graph.resolve``'s bounds may nest thousands deep)."""
    return "" if isinstance(value, dict | list) else str(value)


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
    if text is None or not _str(text).strip():
        return None
    out: dict[str, Any] = (
        {"value": _str(text).strip()} if not isinstance(text, str) else {"value": text}
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
            out.append({"scheme": _str(item["propertyID"]), "value": _str(item["value"])})
    return out


def _read_agent(value: Any, role: str) -> dict[str, Any] | None:
    if isinstance(value, str):
        return {"agent": {"name": value}, "role": role} if value.strip() else None
    if is_reference(value):
        # An unresolved link: the agent is known only by its URI, which is kept as its name too.
        uri = _str(value["@id"])
        if not uri.strip():
            return None
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
    elif kind is None and "Organization" in _str(value.get("@type", "")):
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
    return _str(value).strip()


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
        # Publishers list a venue next to its VirtualLocation: read the first place found,
        # lists in lists flattened with a stack (no recursion).
        stack = list(reversed(value))
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif found := _read_place(item):
                return found
        return None
    if is_reference(value):
        # A link to a node no file holds is an external resource: keep it as the place's URI.
        uri = _str(value["@id"])
        return {"identifiers": [{"scheme": "uri", "value": uri}]} if uri.strip() else None
    if not isinstance(value, dict) or "VirtualLocation" in types_of(value):
        return None
    place: dict[str, Any] = {}
    if value.get("name"):
        place["name"] = _plain(value["name"])
    address = value.get("address")
    if isinstance(address, dict):
        read = {key: _plain(address.get(schema)) for key, schema in ADDRESS.items()}
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
    return local_name(_str(value)) if value else None


def _read_date(value: Any) -> dict[str, Any] | None:
    text = _plain(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return {"earliest": text, "latest": text, "precision": "day"}
    if re.fullmatch(r"\d{4}", text):
        return {"earliest": text + "-01-01", "latest": text + "-12-31", "precision": "year"}
    return None


def _web_link(warnings: list[Any], target: str, prop: str, value: str) -> str | None:
    """``value`` if it is a web link (http or https); else ``None``, and a warning naming it
    (target, property, value, problem id, detail) in ``warnings``."""
    problem = url_problem(value)
    if problem is None:
        return value
    warnings.append((target, prop, value, *problem))
    return None


def read_native(node: dict[str, Any]) -> dict[str, Any]:
    """The profile fields a schema.org node carries natively (before the record's corrections).

    Links that are not http(s) URLs are left out, each with a warning in ``_warnings``.
    """
    data: dict[str, Any] = {}
    warnings: list[Any] = []
    raw_id = _str(node.get("@id", ""))
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
                subject["term_id"] = _str(item["termCode"])
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
        for key, prop in (("start", "startDate"), ("end", "endDate"), ("door_time", "doorTime")):
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
            if _web_link(warnings, "media.image", "image", image.strip()):
                media.append({"kind": "image", "url": image.strip()})
        elif isinstance(image, dict) and (image.get("contentUrl") or image.get("url")):
            prop = "contentUrl" if image.get("contentUrl") else "url"
            link = _web_link(warnings, "media.image", f"image.{prop}", _plain(image[prop]))
            if link is None:
                continue
            medium: dict[str, Any] = {"kind": "image", "url": link}
            for key, schema in IMAGE.items():
                if image.get(schema) in (None, ""):
                    continue
                if key in ("width", "height"):
                    size = _number_of(image[schema])
                    if size is not None and size >= 1 and size.is_integer():
                        medium[key] = int(size)
                elif key == "licence":
                    licence = _web_link(
                        warnings, "media.licence", f"image.{schema}", _plain(image[schema])
                    )
                    if licence:
                        medium[key] = licence
                elif _plain(image[schema]):
                    medium[key] = _plain(image[schema])
            media.append(medium)
    for page in _as_list(node.get("mainEntityOfPage")):
        # A URL, a reference ({"@id": …}) or a WebPage node with its url.
        url = _plain(page["url"]) if isinstance(page, dict) and "url" in page else _plain(page)
        if url:
            media.append({"kind": "page", "url": url})
    if media:
        data["media"] = media
    licence = _plain(node.get("license"))
    if licence and _web_link(warnings, "rights.licence", "license", licence):
        data["rights"] = {"licence": licence}
    offers = [_read_offer(o, warnings) for o in _as_list(node.get("offers")) if isinstance(o, dict)]
    if offers:
        data["offers"] = offers
    url = _plain(node.get("url"))
    if url and _web_link(warnings, "url", "url", url):
        data["url"] = url
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
    if warnings:
        data["_warnings"] = warnings
    return data


def _read_offer(node: dict[str, Any], warnings: list[Any]) -> dict[str, Any]:
    offer: dict[str, Any] = {"category": _plain(node.get("category")) or "ticket"}
    url = _plain(node.get("url"))
    if url and _web_link(warnings, "offer.url", "offers.url", url):
        offer["url"] = url
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


def node_to_fields(node: dict[str, Any]) -> dict[str, Any]:
    """Profile fields read from a publisher's schema.org node (no id, source or defaults yet).

    The ingest pipeline adds the stable id, provenance and the mapping profile's defaults, then
    validates the result as a ``Work``.
    """
    data = read_native(node)
    data.pop("id", None)
    free = node.get("isAccessibleForFree")
    if free is not None and _str(free).lower() in ("true", "1", "false", "0"):
        is_free = _str(free).lower() in ("true", "1")
        for offer in data.get("offers", []):
            offer.setdefault("is_free", is_free)
        if is_free and not data.get("offers"):
            data["offers"] = [{"category": "free", "is_free": True}]
    for offer in data.get("offers", []):
        if offer.get("availability"):
            offer["availability"] = local_name(offer["availability"])
    return data
