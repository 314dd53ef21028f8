"""The W3C Reconciliation Service API on the wire, versions 0.2 (what OpenRefine speaks) and
1.0-draft: reading query batches, writing result batches, the manifest, suggest and data
extension answers.

Query batches are read into typed structs that take exactly what the specs' JSON schemas
allow (``reconciliation-query-batch.json`` of each version): an unknown member, a batch with no
query text and no property, a 1.0 condition without ``matchType``, several types in 1.0 are
malformed (``BadInput``, HTTP 400); a batch of more queries than ``batch_max`` is too large
(``TooLarge``, HTTP 413).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec

from lanterne import __version__
from lanterne.errors import BadInput, TooLarge
from lanterne.messages import Lang, translate
from lanterne.profile import WorkType
from lanterne.reconcile._service import (
    AGENT_TYPES,
    ANY_WORK,
    PLACE_TYPE,
    PROPERTIES,
    QUALIFIERS,
    Candidate,
    Condition,
    Query,
    property_name,
)

Version = Literal["0.2", "1.0-draft"]
VERSIONS: tuple[Version, ...] = ("0.2", "1.0-draft")
FEATURE_NAMES = {
    "title": ("Similarité du titre", "Title similarity"),
    "creator": ("Créateur concordant", "Creator match"),
    "date": ("Proximité de la date", "Date closeness"),
    "place": ("Lieu concordant", "Place match"),
    "type": ("Type concordant", "Type match"),
    "name": ("Similarité du nom", "Name similarity"),
    "id": ("Identifiant exact", "Exact identifier"),
}


class _Ref(msgspec.Struct, kw_only=True):
    """A property value that is an entity (reconciled before)."""

    id: str
    name: str | None = None
    lang: str | None = None
    dir: str | None = None


Value = str | float | bool | _Ref
Values = str | float | bool | _Ref | list[Value]


class _Property02(msgspec.Struct, forbid_unknown_fields=True):
    pid: str
    v: Values


class _Query02(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    query: str | None = None
    type: str | list[str] | None = None
    limit: float | None = None
    properties: list[_Property02] | None = None
    type_strict: Literal["any", "should", "all"] | None = None


class _Condition(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    matchType: Literal["name", "id", "property"]
    propertyValue: Values
    propertyId: str | None = None
    required: bool | None = None
    matchQuantifier: Literal["any", "all", "none"] | None = None
    matchQualifier: str | None = None
    lang: str | None = None
    dir: str | None = None


class _Query10(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    conditions: list[_Condition]
    type: str | None = None
    limit: float | None = None
    lang: str | None = None
    dir: str | None = None


class _Batch10(msgspec.Struct, forbid_unknown_fields=True):
    queries: list[_Query10]


class _ExtendProperty(msgspec.Struct, kw_only=True):
    id: str
    settings: dict[str, Any] = {}


class ExtendQuery(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ids: list[str]
    properties: list[_ExtendProperty]


def _texts(value: Values) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, _Ref):
            out.append(item.name or item.id)
        elif isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, float):
            out.append(str(int(item)) if item.is_integer() else str(item))
        else:
            out.append(item)
    return out


def _limit(value: float | None, default: int) -> int:
    return max(1, min(int(value), 100)) if value is not None else default


def _malformed(detail: str) -> BadInput:
    return BadInput("reconcile.bad_query", detail=detail)


def _check_size(n: int, batch_max: int) -> None:
    if n > batch_max:
        raise TooLarge("reconcile.batch_too_large", size=n, limit=batch_max)


def read_batch_02(raw: str | bytes, batch_max: int) -> tuple[list[str], list[Query]]:
    """The keys and queries of a 0.2 batch (``{"q0": {"query": …}, …}``)."""
    try:
        decoded = msgspec.json.decode(raw, type=dict[str, _Query02])
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise _malformed(str(exc)) from None
    _check_size(len(decoded), batch_max)
    keys, queries = [], []
    for key, q in decoded.items():
        if q.query is None and not q.properties:
            raise _malformed(f"« {key} » : ni « query » ni « properties »")
        types = [q.type] if isinstance(q.type, str) else list(q.type or [])
        keys.append(key)
        queries.append(
            Query(
                text=q.query or "",
                types=types,
                type_strict=q.type_strict or "should",
                limit=_limit(q.limit, 5),
                properties=_properties((p.pid, p.v) for p in q.properties or []),
            )
        )
    return keys, queries


def read_batch_10(raw: bytes, batch_max: int) -> list[Query]:
    """The queries of a 1.0-draft batch (``{"queries": [{"conditions": […]}, …]}``)."""
    try:
        decoded = msgspec.json.decode(raw, type=_Batch10)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise _malformed(str(exc)) from None
    _check_size(len(decoded.queries), batch_max)
    queries = []
    for n, q in enumerate(decoded.queries):
        if not q.conditions:
            raise _malformed(f"$.queries[{n}].conditions : vide")
        text = ""
        given: list[tuple[str, Values]] = []
        deciding: list[Condition] = []
        for m, condition in enumerate(q.conditions):
            if condition.matchType in ("name", "id"):
                # The candidates are found by the name: a name condition is always required.
                text = " ".join(_texts(condition.propertyValue))
                continue
            if condition.propertyId is None:
                raise _malformed(f"$.queries[{n}] : « propertyId » manque")
            name = property_name(condition.propertyId)
            if name is None:
                continue  # a property Lanterne does not know: no work has it (docs)
            qualifier = condition.matchQualifier
            if qualifier is not None and qualifier not in QUALIFIERS:
                raise _malformed(
                    f"$.queries[{n}].conditions[{m}].matchQualifier « {qualifier} » : "
                    f"Lanterne applique {', '.join(QUALIFIERS)} ou, sans matchQualifier, "
                    "sa comparaison à la française (accents, casse, élisions)"
                )
            quantifier = condition.matchQuantifier or "any"
            if quantifier != "none":
                given.append((condition.propertyId, condition.propertyValue))
            if condition.required or quantifier != "any" or qualifier is not None:
                if q.type in (*AGENT_TYPES, PLACE_TYPE):
                    raise _malformed(
                        f"$.queries[{n}].conditions[{m}] : les conditions sur une propriété "
                        f"ne s'appliquent qu'aux œuvres, pas au type « {q.type} »"
                    )
                deciding.append(
                    Condition(
                        name=name,
                        values=tuple(_texts(condition.propertyValue)),
                        required=bool(condition.required),
                        quantifier=quantifier,
                        exact=qualifier == "ExactMatch",
                    )
                )
        queries.append(
            Query(
                text=text,
                types=[q.type] if q.type else [],
                # The draft has no type_strict: a type restricts the candidates.
                type_strict="any",
                limit=_limit(q.limit, 5),
                properties=_properties(given),
                conditions=deciding,
            )
        )
    return queries


def _properties(pairs: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pid, value in pairs:
        name = property_name(pid)
        if name is not None:
            out.setdefault(name, []).extend(_texts(value))
    return out


def _type_name(type_id: str) -> str:
    return type_id


def _features(c: Candidate, lang: Lang) -> list[dict[str, object]]:
    index = 1 if lang == "en" else 0
    return [
        {"id": f.id, "name": FEATURE_NAMES.get(f.id, (f.id, f.id))[index], "value": f.value}
        for f in c.features
    ]


def candidate_02(c: Candidate, lang: Lang = "fr") -> dict[str, object]:
    return {
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "type": [{"id": t, "name": _type_name(t)} for t in c.types],
        "score": c.score,
        "match": c.match,
        "features": [{"id": f.id, "value": f.value} for f in c.features],
    }


def results_02(keys: Sequence[str], found: Sequence[list[Candidate]]) -> dict[str, object]:
    return {k: {"result": [candidate_02(c) for c in cs]} for k, cs in zip(keys, found, strict=True)}


def results_10(found: Sequence[list[Candidate]], lang: Lang = "fr") -> dict[str, object]:
    return {
        "results": [
            {
                "candidates": [
                    {
                        "id": c.id,
                        "name": c.name,
                        "description": c.description,
                        "type": [{"id": t, "name": _type_name(t)} for t in c.types],
                        "score": c.score,
                        "match": c.match,
                        "features": _features(c, lang),
                    }
                    for c in cs
                ]
            }
            for cs in found
        ]
    }


def types() -> list[dict[str, str]]:
    """Every type a query may name: works by schema.org type, agents, places."""
    out = [{"id": ANY_WORK, "name": "Œuvre (tout type) / Work (any type)"}]
    out += [{"id": t.value, "name": t.value} for t in WorkType if t.value != ANY_WORK]
    out += [{"id": t, "name": t} for t in AGENT_TYPES]
    out.append({"id": PLACE_TYPE, "name": PLACE_TYPE})
    return out


def manifest(
    root: str,
    base_uri: str,
    batch_max: int,
    version: Version | None = None,
    lang: Lang = "fr",
) -> dict[str, object]:
    """The service manifest at ``root`` (the URL of ``/reconcile``). Without ``version`` it
    lists both versions and holds only what both schemas accept: they disagree on
    ``suggest`` (0.2: service objects; 1.0-draft: booleans), which is then given by
    ``?version=0.2`` (for OpenRefine) or ``?version=1.0-draft``."""
    base = base_uri.rstrip("/")
    out: dict[str, object] = {
        "versions": [version] if version else list(VERSIONS),
        "name": translate(lang, "Lanterne — catalogue des œuvres"),
        "identifierSpace": base + "/id/",
        "schemaSpace": "http://schema.org/",
        "serviceVersion": __version__,
        "view": {"url": root + "/view/{{id}}"},
        "preview": {"url": root + "/preview?id={{id}}", "width": 400, "height": 120},
        "defaultTypes": [{"id": ANY_WORK, "name": "Œuvre (tout type) / Work (any type)"}],
        "batchSize": batch_max,
        "extend": {
            "propose_properties": {"service_url": root, "service_path": "/extend/propose"},
            "proposeProperties": True,
        },
    }
    if version == "0.2":
        out["suggest"] = {
            kind: {"service_url": root, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        }
    elif version == "1.0-draft":
        out["suggest"] = {"entity": True, "type": True, "property": True}
    if version != "0.2":
        out["standardizedScore"] = True
    return out


def suggest_types(prefix: str) -> dict[str, object]:
    folded = prefix.casefold()
    return {
        "result": [
            {"id": t["id"], "name": t["name"]}
            for t in types()
            if not folded or folded in t["id"].casefold() or folded in t["name"].casefold()
        ]
    }


_QUALIFIER_NAMES = {"ExactMatch": ("Valeur exacte (une fois pliée)", "Exact value (once folded)")}


def suggest_properties(prefix: str, lang: Lang = "fr") -> dict[str, object]:
    folded = prefix.casefold()
    index = 1 if lang == "en" else 0
    return {
        "result": [
            {
                "id": pid,
                "name": names[index],
                "matchQualifiers": [
                    {"id": q, "name": _QUALIFIER_NAMES[q][index]} for q in QUALIFIERS
                ],
            }
            for pid, names in PROPERTIES.items()
            if not folded or folded in pid or folded in names[index].casefold()
        ]
    }


def suggest_entities(found: Sequence[Candidate]) -> dict[str, object]:
    return {"result": [{"id": c.id, "name": c.name, "description": c.description} for c in found]}


EXTEND_PROPERTIES = ("name", "type", "creator", "date", "place", "language", "url")


_EXTEND_NAMES = {
    "name": ("Titre", "Title"),
    "type": ("Type schema.org", "schema.org type"),
    "creator": PROPERTIES["creator"],
    "date": PROPERTIES["date"],
    "place": PROPERTIES["place"],
    "language": ("Langue", "Language"),
    "url": ("Page de l'œuvre", "The work's page"),
}


def _extend_name(pid: str, lang: Lang) -> str:
    names = _EXTEND_NAMES.get(pid)
    return pid if names is None else names[1 if lang == "en" else 0]


def propose(type_id: str, lang: Lang = "fr") -> dict[str, object]:
    """The properties data extension offers for works of ``type_id``."""
    return {
        "type": type_id or ANY_WORK,
        "properties": [{"id": p, "name": _extend_name(p, lang)} for p in EXTEND_PROPERTIES],
    }


def read_extend(raw: str | bytes, batch_max: int) -> ExtendQuery:
    try:
        query = msgspec.json.decode(raw, type=ExtendQuery)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise _malformed(str(exc)) from None
    _check_size(len(query.ids), batch_max)
    return query


def extend_02(
    query: ExtendQuery, rows: Mapping[str, Mapping[str, list[str]]], lang: Lang = "fr"
) -> dict[str, object]:
    return {
        "meta": [{"id": p.id, "name": _extend_name(p.id, lang)} for p in query.properties],
        "rows": {
            work_id: {
                p.id: [{"str": v} for v in rows.get(work_id, {}).get(p.id, [])]
                for p in query.properties
            }
            for work_id in query.ids
        },
    }


def extend_10(
    query: ExtendQuery, rows: Mapping[str, Mapping[str, list[str]]], lang: Lang = "fr"
) -> dict[str, object]:
    return {
        "meta": [{"id": p.id, "name": _extend_name(p.id, lang)} for p in query.properties],
        "rows": [
            {
                "id": work_id,
                "properties": [
                    {
                        "id": p.id,
                        "values": [{"str": v} for v in rows.get(work_id, {}).get(p.id, [])],
                    }
                    for p in query.properties
                ],
            }
            for work_id in query.ids
        ],
    }
