"""The profile's models: what they reject, the title they show, canonical JSON, JSON Schema."""

from __future__ import annotations

import copy
import json
from typing import Any

import msgspec
import pytest

from lanterne.profile import (
    PROFILE_VERSION,
    SCHEMA_ID,
    Agent,
    Contribution,
    Identifier,
    IdentifierScheme,
    Provenance,
    Role,
    Term,
    TextKind,
    Title,
    Work,
    WorkType,
    decode_work,
    encode_work,
    json_schema,
)

VALID: dict[str, Any] = {
    "id": "bnf:cb1",
    "type": "Book",
    "titles": [{"value": "Les Misérables", "lang": "fr"}],
    "in_languages": ["fr"],
    "created": {"earliest": "1801-01-01", "latest": "1900-12-31", "precision": "century"},
    "places": [
        {
            "address": {"locality": "Paris", "country": "FR"},
            "geo": {"lat": 48.85, "lon": 2.35},
        }
    ],
    "offers": [{"category": "buy", "price": 9.5, "currency": "EUR", "territories": ["FR"]}],
    "diversity": {
        "original_languages": ["fr"],
        "countries": ["FR", "SUHH"],
        "territories": [{"level": "region", "code": "FR-BRE"}],
    },
    "provenance": {"source": "bnf", "source_id": "cb1"},
}


def _with(path: str, value: Any) -> dict[str, Any]:
    """A copy of VALID with the value at ``path`` (dotted; list indexes as numbers) replaced."""
    doc = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target: Any = doc
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return doc


def test_the_valid_sample_decodes() -> None:
    work = decode_work(json.dumps(VALID))
    assert work.type is WorkType.BOOK
    assert work.profile_version == PROFILE_VERSION


@pytest.mark.parametrize(
    ("path", "value"),
    [
        # BCP 47: invalid tags, and valid but non-canonical ones (ISO 639-2 « fre » is « fr »)
        ("titles.0.lang", "fr_FR"),
        ("titles.0.lang", "français"),
        ("titles.0.lang", "fre"),
        ("in_languages", ["fre"]),
        ("in_languages", ["FR"]),
        ("diversity.original_languages", ["fra"]),
        # ISO 3166: unknown countries, and a subdivision that does not exist
        ("diversity.countries", ["ZZ"]),
        ("diversity.countries", ["FRA"]),
        ("places.0.address.country", "ZZ"),
        ("offers.0.territories", ["ZZ"]),
        ("diversity.territories", [{"level": "region", "code": "FR-ZZZ"}]),
        ("diversity.territories", [{"level": "municipality"}]),
        # numbers out of range
        ("places.0.geo.lat", 91),
        ("places.0.geo.lon", -180.5),
        ("offers.0.price", -1),
        ("offers.0.currency", "eur"),
        # dates
        ("created", {"earliest": "1900-12-31", "latest": "1801-01-01", "precision": "century"}),
        ("created", {"earliest": "19th century", "latest": "1900", "precision": "century"}),
        ("created", {"earliest": "1801", "latest": "1900", "precision": "millennium"}),
        # structure
        ("titles", []),
        ("titles", [{"value": ""}]),
        ("type", "Opera"),
        ("unknown_field", 1),
        ("provenance.fetched_at", "2024-01-01"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_invalid_work_is_rejected(path: str, value: Any) -> None:
    with pytest.raises(msgspec.ValidationError):
        decode_work(json.dumps(_with(path, value)))


def test_a_work_needs_its_required_fields() -> None:
    for field in ("id", "type", "titles", "provenance"):
        doc = copy.deepcopy(VALID)
        del doc[field]
        with pytest.raises(msgspec.ValidationError, match=field):
            decode_work(json.dumps(doc))


def test_validation_error_names_the_struct_at_fault() -> None:
    # Code checks run in __post_init__, so the error points at the struct holding the code.
    with pytest.raises(msgspec.ValidationError, match=r"at `\$\.diversity`") as caught:
        decode_work(json.dumps(_with("diversity.countries", ["ZZ"])))
    assert "ZZ" in str(caught.value)


def _titles(*titles: Title) -> Work:
    return Work(
        id="x:1",
        type=WorkType.MOVIE,
        titles=list(titles),
        provenance=Provenance(source="x", source_id="1"),
    )


def test_title_picks_french_first() -> None:
    en = Title(value="The Wretched", lang="en")
    fr_ca = Title(value="Les Misérables (Québec)", lang="fr-CA")
    fr_alt = Title(value="Les Misérables, roman", lang="fr", kind=TextKind.ALTERNATIVE_TITLE)
    untagged = Title(value="Les Miserables")
    assert _titles(en, fr_ca).title == "Les Misérables (Québec)"
    assert _titles(en, fr_alt, untagged).title == "Les Miserables"  # untagged before others
    assert _titles(en, fr_alt).title == "The Wretched"  # alternatives never win
    assert _titles(en, Title(value="Die Elenden", lang="de")).title == "The Wretched"
    assert _titles(untagged, Title(value="Les Mis", lang="fr")).title == "Les Mis"


def test_encode_work_is_deterministic() -> None:
    work = decode_work(json.dumps(VALID))
    first = encode_work(work)
    assert encode_work(work) == first
    assert encode_work(decode_work(first)) == first
    # The same content decoded from differently ordered JSON encodes to the same bytes.
    shuffled = {key: VALID[key] for key in reversed(list(VALID))}
    shuffled["places"] = [{"geo": {"lon": 2.35, "lat": 48.85}, **VALID["places"][0]}]
    assert encode_work(decode_work(json.dumps(shuffled))) == first
    # Keys follow field order; list order is kept as given.
    keys = list(json.loads(first))
    assert keys[:3] == ["id", "type", "titles"]
    assert keys.index("provenance") > keys.index("diversity")
    assert json.loads(first)["diversity"]["countries"] == ["FR", "SUHH"]
    # Defaults are left out, so an unset field costs nothing and changes no hash.
    assert b"profile_version" not in first
    assert b"descriptions" not in first


def test_encode_work_same_work_built_twice_same_bytes() -> None:
    def build() -> Work:
        return Work(
            id="x:2",
            type=WorkType.BOOK,
            titles=[Title(value="Vendredi", lang="fr")],
            genres=[Term(label="roman", vocabulary="rameau")],
            identifiers=[Identifier(scheme=IdentifierScheme.ISBN, value="9782070367771")],
            contributors=[Contribution(agent=Agent(name="Michel Tournier"), role=Role.AUTHOR)],
            provenance=Provenance(source="x", source_id="2"),
        )

    assert build() == build()
    assert encode_work(build()) == encode_work(build())
    assert decode_work(encode_work(build())) == build()


# --- JSON Schema --------------------------------------------------------------------------------


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return found + [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []


def test_json_schema_is_a_versioned_draft_2020_12_schema() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert PROFILE_VERSION in schema["$id"]
    assert schema["title"] == f"Lanterne description profile {PROFILE_VERSION} — Work"
    assert schema["$ref"] == "#/$defs/Work"
    definitions = schema["$defs"]
    assert "Work" in definitions
    work = definitions["Work"]
    assert set(work["required"]) == {"id", "type", "titles", "provenance"}
    assert work["additionalProperties"] is False
    assert definitions["WorkType"]["enum"] == sorted(t.value for t in WorkType)
    # Every reference resolves, and the schema is plain JSON.
    for ref in _refs(schema):
        assert ref.startswith("#/$defs/")
        assert ref.removeprefix("#/$defs/") in definitions
    assert json.loads(json.dumps(schema)) == schema


def test_json_schema_validates_an_encoded_work() -> None:
    jsonschema = pytest.importorskip(
        "jsonschema",
        reason="jsonschema is not installed (not a project dependency); the schema's structure "
        "is checked by test_json_schema_is_a_versioned_draft_2020_12_schema",
    )
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(json.loads(encode_work(decode_work(json.dumps(VALID)))))
    assert not validator.is_valid(_with("unknown_field", 1))
    assert not validator.is_valid(_with("places.0.geo.lat", 91))
