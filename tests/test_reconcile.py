"""The reconciliation service: French-aware forms, the match model's arithmetic, and ``/reconcile``
checked against the W3C specs' own JSON schemas (0.2 and 1.0-draft) with their valid and invalid
examples (../shared/standards/reconciliation/)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanterne.reconcile import (
    Feature,
    MatchModel,
    date_closeness,
    form_similarity,
    name_forms,
    name_similarity,
    property_name,
    roman,
    title_forms,
    words,
)
from lanterne.web import Site, create_app
from reconcile_helpers import build
from web_helpers import Client

SPECS = Path(__file__).resolve().parents[1] / ".." / "shared" / "standards" / "reconciliation"
needs_specs = pytest.mark.skipif(
    not SPECS.is_dir(), reason=f"{SPECS} is absent: the specs' schemas are not shipped"
)


# French forms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "catalogued"),
    [
        ("Misérables, Les", "Les Misérables"),
        ("MISERABLES", "Les Misérables"),
        ("Fabuleux destin d'Amélie Poulain, Le (2001)", "Le Fabuleux Destin d'Amélie Poulain"),
        ("L’Auberge espagnole", "L'Auberge espagnole"),
        ("Auberge espagnole, L'", "L'Auberge espagnole"),
        ("Cœur de pirate", "Coeur de pirate"),
        ("Lætitia", "Laetitia"),
        ("Saint-Exupéry", "Saint Exupéry"),
        ("Rocky II", "Rocky 2"),
        ("The Hunger Games (The Hunger Games, #1)", "The Hunger Games"),
        ("Le Petit Prince : roman", "Le Petit Prince"),
        ("qu'il fait beau", "Il fait beau"),
    ],
)
def test_a_spreadsheets_title_and_the_catalogues_share_a_form(asked: str, catalogued: str) -> None:
    ours, _ = title_forms(asked)
    theirs, _ = title_forms(catalogued)
    assert set(ours) & set(theirs), (ours, theirs)


def test_a_year_in_parentheses_is_the_titles_year_and_an_alternative_title_a_form() -> None:
    forms, year = title_forms("Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)")
    assert year == 2001
    assert forms == (("amelie",), ("fabuleux", "destin", "amelie", "poulain"))


def test_roman_numerals_of_two_letters_or_more_are_numbers() -> None:
    assert [roman(w) for w in ("ii", "iv", "xiv", "mcmxc", "i", "vie")] == [
        2,
        4,
        14,
        1990,
        None,
        None,
    ]
    assert words("Dix petits nègres") == ("dix", "petits", "negres")  # « dix » stays a word
    assert words("Rocky VI") == ("rocky", "6")


def test_a_name_is_read_in_either_order_and_a_list_gives_each_name() -> None:
    assert name_forms("HÉBERT, Anne") == name_forms("Anne Hébert")
    forms = name_forms("Stephen King, Peter Straub")
    assert frozenset({"stephen", "king"}) in forms and frozenset({"peter", "straub"}) in forms
    # An initial counts 0.8 against a word it begins: matched 1 + 0.8; Dice 2 × 1.8 / 5 = 0.72,
    # share of the shorter name found 0.85 × 1.8 / 2 = 0.765: the larger.
    assert name_similarity(frozenset({"j", "k", "rowling"}), frozenset({"joanne", "rowling"})) == (
        pytest.approx(0.765)
    )
    # A surname alone: Dice 2 × 1 / 4 = 0.5, share found 0.85 × 1 / 1.
    assert name_similarity(frozenset({"jeunet"}), frozenset({"jean", "pierre", "jeunet"})) == (
        pytest.approx(0.85)
    )


def test_form_similarity_by_hand() -> None:
    # Words: {les, miserables} vs {miserables}: Dice 2·1/3. Distinct bigrams of « les
    # miserables » padded with spaces: 12 (« le », « es », « s␣ » come twice); of « miserables »:
    # 11, all shared: 22/23. Mean: (0.6667 + 0.9565) / 2.
    assert form_similarity(("les", "miserables"), ("miserables",)) == pytest.approx(
        (2 / 3 + 22 / 23) / 2, abs=1e-4
    )
    assert form_similarity(("a",), ("a",)) == 1.0


@given(st.text(max_size=60))
def test_any_text_has_forms_without_failing(text: str) -> None:
    forms, year = title_forms(text)
    assert all(isinstance(f, tuple) and f for f in forms)
    assert year is None or 1000 <= year <= 2099
    name_forms(text)


def test_property_ids_are_read_whatever_their_spelling() -> None:
    assert property_name("http://schema.org/author") == "creator"
    assert property_name("schema:datePublished") == "date"
    assert property_name("Année") == "date"
    assert property_name("Lieu") == "place"
    assert property_name("isbn") is None


# The model ----------------------------------------------------------------------------------


def test_score_is_the_weighted_mean_of_the_features_given() -> None:
    model = MatchModel(
        weights={"title": 0.6, "creator": 0.25, "date": 0.15}, threshold=80, margin=2
    )
    # 100 × (0.6·0.9 + 0.25·1 + 0.15·0.8) / (0.6 + 0.25 + 0.15) = 91.0
    features = [Feature("title", 0.9), Feature("creator", 1.0), Feature("date", 0.8)]
    assert model.score(features) == pytest.approx(91.0)
    assert model.score([Feature("title", 0.5)]) == pytest.approx(50.0)
    assert model.decide([91.0, 90.0]) == [False, False]  # a lead of 1 < margin 2
    assert model.decide([91.0, 80.0]) == [True, False]
    assert model.decide([79.0]) == [False]
    assert [date_closeness(2001, y) for y in (2001, 2002, 1999, 2005, 2010, None)] == [
        1.0,
        0.8,
        0.5,
        0.2,
        0.0,
        0.5,
    ]


# The service ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    path = build(tmp_path_factory.mktemp("reconcile"))
    yield Client(create_app(Site(path)))


def batch_02(client: Client, queries: dict[str, Any], get: bool = False) -> dict[str, Any]:
    if get:
        answer = client.get("/reconcile", params={"queries": json.dumps(queries)})
    else:
        answer = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


EXPECTED = {
    "q0": ({"query": "Fabuleux destin d'Amélie Poulain, Le (2001)", "type": "Movie"}, "amelie"),
    "q1": (
        {"query": "MISERABLES, LES", "properties": [{"pid": "creator", "v": "Hugo, Victor"}]},
        "miserables-livre",
    ),
    "q2": ({"query": "Misérables, Les", "type": "Movie"}, "miserables-film"),
    "q3": ({"query": "Bonheur d’occasion"}, "bonheur"),
    "q4": ({"query": "Rocky 2", "properties": [{"pid": "date", "v": 1979}]}, "rocky2"),
    "q5": ({"query": "Œuvre au noir, L'"}, "oeuvre"),
    "q6": ({"query": "Star Wars", "type": "Movie", "type_strict": "any"}, "starwars"),
    "q7": (
        {
            "query": "Petit Prince : roman",
            "properties": [{"pid": "author", "v": "Saint-Exupéry, A."}],
        },
        "prince",
    ),
}


@pytest.mark.parametrize("get", [False, True], ids=["post", "get"])
def test_openrefine_batches_match_the_french_variants(client: Client, get: bool) -> None:
    answer = batch_02(client, {k: q for k, (q, _) in EXPECTED.items()}, get=get)
    for key, (_, expected) in EXPECTED.items():
        best = answer[key]["result"][0]
        assert best["id"] == f"test:{expected}", (key, answer[key])
        assert best["match"] is True, (key, best)


def test_the_same_title_of_another_type_is_told_apart_by_type_and_creator(client: Client) -> None:
    answer = batch_02(client, {"q": {"query": "Les Misérables", "type": "Movie"}})
    film, book = answer["q"]["result"][:2]
    assert film["id"] == "test:miserables-film"
    # The book's title is as close, but it is not a Movie: its score × type_penalty 0.85.
    assert book["score"] == pytest.approx(film["score"] * 0.85, abs=0.01)
    features = {f["id"]: f["value"] for f in book["features"]}
    assert features == {"title": 1.0, "type": 0.0}


def test_agents_and_places_are_reconciled_too(client: Client) -> None:
    answer = batch_02(
        client,
        {
            "a": {"query": "HEBERT, Anne", "type": "Person"},
            "b": {"query": "Hugo, Victor", "type": "Person"},
            "p": {"query": "avignon", "type": "Place"},
        },
    )
    assert answer["a"]["result"][0]["id"] == "agent:nom:anne-hebert"
    assert answer["a"]["result"][0]["match"] is True
    assert answer["b"]["result"][0]["id"] == "agent:isni:0000000121200982"
    assert answer["p"]["result"][0]["id"] == "place:nom:avignon"


def test_a_works_id_as_query_finds_that_work(client: Client) -> None:
    answer = batch_02(client, {"q": {"query": "test:kamouraska"}})
    assert answer["q"]["result"][0] == answer["q"]["result"][0] | {
        "id": "test:kamouraska",
        "score": 100.0,
        "match": True,
    }


def test_draft_match_route_answers_the_same_candidates(client: Client) -> None:
    answer = client.post(
        "/reconcile/match",
        json={
            "queries": [
                {
                    "type": "Book",
                    "conditions": [
                        {"matchType": "name", "propertyValue": "Misérables, Les"},
                        {"matchType": "property", "propertyId": "creator", "propertyValue": "Hugo"},
                    ],
                }
            ]
        },
    )
    assert answer.status_code == 200
    candidates = answer.json()["results"][0]["candidates"]
    assert [c["id"] for c in candidates] == ["test:miserables-livre"]  # type restricts in 1.0
    assert {f["id"] for f in candidates[0]["features"]} == {"title", "creator"}


def test_a_batch_over_the_bound_is_413_and_a_malformed_one_400(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LANTERNE_RECONCILE_BATCH_MAX", "3")
    small = Client(create_app(Site(build(tmp_path))))
    queries = {f"q{i}": {"query": "x"} for i in range(4)}
    answer = small.post("/reconcile", data={"queries": json.dumps(queries)})
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "reconcile.batch_too_large"
    assert answer.headers["access-control-allow-origin"] == "*"
    draft = small.post("/reconcile/match", json={"queries": [{"conditions": []}] * 4})
    assert draft.status_code == 413
    for bad in ("{pas du json", "[]", '{"q0": {"limit": 1}}'):
        answer = client.post("/reconcile", data={"queries": bad})
        assert answer.status_code == 400, bad
        assert set(answer.json()["error"]) == {"code", "message"}
    assert client.post("/reconcile", data={"autre": "x"}).status_code == 400


def test_cors_for_browser_clients(client: Client) -> None:
    preflight = client.request(
        "OPTIONS",
        "/reconcile/match",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert client.get("/reconcile").headers["access-control-allow-origin"] == "*"
    # The rest of the site shares nothing with other origins.
    assert "access-control-allow-origin" not in client.get("/api/health").headers


def test_view_preview_and_suggest(client: Client) -> None:
    view = client.get("/reconcile/view/test:kamouraska", follow_redirects=False)
    assert view.status_code == 303 and view.headers["location"] == "/oeuvre/test%3Akamouraska"
    preview = client.get("/reconcile/preview", params={"id": "test:kamouraska"})
    assert preview.status_code == 200 and "Anne Hébert" in preview.text
    assert "frame-ancestors" not in preview.headers["content-security-policy"]
    assert client.get("/reconcile/preview", params={"id": "test:rien"}).status_code == 404
    suggested = client.get("/reconcile/suggest/entity", params={"prefix": "kamou"}).json()
    assert [r["id"] for r in suggested["result"]] == ["test:kamouraska"]


# Against the specs' JSON schemas -----------------------------------------------------------


def validators(version: str) -> dict[str, Any]:
    """A Draft 7 validator per schema of ``version``, resolving ``$ref`` offline (PROVENANCE.md)."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    folder = SPECS / version / "schemas"
    resources: dict[str, Resource[Any]] = {}
    schemas = {}
    for path in folder.glob("*.json"):
        schema = json.loads(path.read_text("utf-8"))
        resource = Resource.from_contents(schema, default_specification=DRAFT7)
        resources[path.name] = resource
        if "$id" in schema:
            resources[schema["$id"]] = resource
        schemas[path.stem] = schema
    registry = Registry().with_resources(resources.items())  # type: ignore[var-annotated]
    return {
        name: jsonschema.Draft7Validator(schema, registry=registry)
        for name, schema in schemas.items()
    }


def _valid(validator: Any, document: Any) -> list[str]:
    return [e.message for e in validator.iter_errors(document)]


@needs_specs
@pytest.mark.parametrize("version", ["0.2", "1.0-draft"])
def test_the_validators_accept_and_reject_the_specs_own_examples(version: str) -> None:
    checks = validators(version)
    seen = 0
    for folder in sorted((SPECS / version / "examples").iterdir()):
        if folder.name not in checks:
            continue
        for verdict in ("valid", "invalid"):
            for path in sorted((folder / verdict).glob("*.json")):
                errors = _valid(checks[folder.name], json.loads(path.read_text("utf-8")))
                assert (not errors) == (verdict == "valid"), (path, errors)
                seen += 1
    assert seen > 20


@needs_specs
def test_every_manifest_validates_against_the_schema_of_each_version_it_lists(
    client: Client,
) -> None:
    checks = {v: validators(v)["manifest"] for v in ("0.2", "1.0-draft")}
    for query in ("", "?version=0.2", "?version=1.0-draft"):
        manifest = client.get("/reconcile" + query).json()
        assert manifest["versions"]
        for version in manifest["versions"]:
            assert _valid(checks[version], manifest) == [], (query, version)
    assert client.get("/reconcile?version=0.3").status_code == 400


@needs_specs
def test_results_validate_and_the_queries_sent_are_valid_batches(client: Client) -> None:
    v02, v10 = validators("0.2"), validators("1.0-draft")
    queries = {k: q for k, (q, _) in EXPECTED.items()}
    assert _valid(v02["reconciliation-query-batch"], queries) == []
    assert _valid(v02["reconciliation-result-batch"], batch_02(client, queries)) == []
    draft = {
        "queries": [
            {"conditions": [{"matchType": "name", "propertyValue": q["query"]}]}
            for q, _ in EXPECTED.values()
        ]
    }
    assert _valid(v10["reconciliation-query-batch"], draft) == []
    answer = client.post("/reconcile/match", json=draft).json()
    assert _valid(v10["reconciliation-result-batch"], answer) == []
    assert all(r["candidates"] for r in answer["results"])


@needs_specs
@pytest.mark.parametrize("version", ["0.2", "1.0-draft"])
def test_the_specs_query_examples_are_read_as_the_schema_says(client: Client, version: str) -> None:
    folder = SPECS / version / "examples" / "reconciliation-query-batch"
    for verdict in ("valid", "invalid"):
        for path in sorted((folder / verdict).glob("*.json")):
            raw = path.read_text("utf-8")
            if version == "0.2":
                answer = client.post("/reconcile", data={"queries": raw})
            else:
                answer = client.post(
                    "/reconcile/match", content=raw, headers={"content-type": "application/json"}
                )
            expected = 200 if verdict == "valid" else 400
            assert answer.status_code == expected, (path.name, answer.text)


@needs_specs
def test_suggest_and_extend_answers_validate(client: Client) -> None:
    for version in ("0.2", "1.0-draft"):
        checks = validators(version)
        for kind, schema in (("entity", "entities"), ("type", "types"), ("property", "properties")):
            answer = client.get(f"/reconcile/suggest/{kind}", params={"prefix": "mis"}).json()
            assert _valid(checks[f"suggest-{schema}-response"], answer) == [], (version, kind)
        proposal = client.get("/reconcile/extend/propose", params={"type": "Book"}).json()
        assert _valid(checks["data-extension-property-proposal"], proposal) == []
    query = {
        "ids": ["test:kamouraska", "test:rien"],
        "properties": [{"id": "creator"}, {"id": "date"}],
    }
    assert _valid(validators("0.2")["data-extension-query"], query) == []
    old = client.post("/reconcile", data={"extend": json.dumps(query)}).json()
    assert _valid(validators("0.2")["data-extension-response"], old) == []
    assert old["rows"]["test:kamouraska"]["creator"] == [{"str": "Anne Hébert"}]
    new = client.post("/reconcile/extend", json=query).json()
    assert _valid(validators("1.0-draft")["data-extension-response"], new) == []


# The command line ----------------------------------------------------------------------------


def test_cli_writes_the_file_back_with_the_services_decisions(
    client: Client, tmp_path: Path
) -> None:
    from helpers import lanterne

    build(tmp_path)
    sheet = tmp_path / "feuille.csv"
    sheet.write_text(
        "titre;auteur;annee\n"
        "Misérables, Les;Hugo, Victor;1862\n"
        "Fabuleux destin d'Amélie Poulain, Le;Jeunet;2001\n"
        "Un titre que personne n'a;;\n"
        '=HYPERLINK("http://x");;\n',
        "utf-8",
    )
    done = lanterne(
        tmp_path,
        "reconcile",
        str(sheet),
        "--column",
        "titre",
        "--property",
        "creator=auteur",
        "--property",
        "year=annee",
        LANTERNE_ENCODER_IDLE="0",
    )
    assert done.returncode == 0, done.stderr
    rows = sheet.read_text("utf-8").splitlines()
    assert (
        rows[0] == "titre;auteur;annee;titre_id;titre_name;titre_score;titre_match;titre_features"
    )
    assert rows[1].startswith("Misérables, Les;Hugo, Victor;1862;test:miserables-livre;")
    # The same decision as the service's for the same query.
    served = batch_02(
        client,
        {
            "q": {
                "query": "Fabuleux destin d'Amélie Poulain, Le",
                "properties": [{"pid": "creator", "v": "Jeunet"}, {"pid": "year", "v": "2001"}],
            }
        },
    )["q"]["result"][0]
    cells = list(csv.reader(rows, delimiter=";"))
    features = ";".join(f"{f['id']}={f['value']:g}" for f in served["features"])
    assert cells[2][3:] == [served["id"], served["name"], f"{served['score']:g}", "true", features]
    assert cells[3][6] == "false"  # a best candidate, far from sure
    assert rows[4].startswith('"=HYPERLINK')  # the user's own cell is left as it was
    # Run again: the added columns are replaced, not added twice.
    again = lanterne(
        tmp_path, "reconcile", str(sheet), "--column", "titre", LANTERNE_ENCODER_IDLE="0"
    )
    assert again.returncode == 0, again.stderr
    assert sheet.read_text("utf-8").splitlines()[0].count("titre_id") == 1
    missing = lanterne(tmp_path, "reconcile", str(sheet), "--column", "title")
    assert missing.returncode == 4 and "titre" in missing.stderr


# 1.0-draft conditions that decide: required, matchQuantifier, matchQualifier -----------------


def _draft(client: Client, *conditions: dict[str, Any], kind: str | None = None) -> Any:
    query: dict[str, Any] = {"conditions": [{"matchType": "name", "propertyValue": "Misérables"}]}
    query["conditions"] += list(conditions)
    if kind is not None:
        query["type"] = kind
    return client.post("/reconcile/match", json={"queries": [query]})


def _ids(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [c["id"] for c in answer.json()["results"][0]["candidates"]]


def _creator(value: Any, **how: Any) -> dict[str, Any]:
    return {"matchType": "property", "propertyId": "creator", "propertyValue": value, **how}


def test_draft_required_condition_was_ignored_it_leaves_out_the_works_it_does_not_hold_for(
    client: Client,
) -> None:
    """required, matchQuantifier and matchQualifier were read and then not applied."""
    both = _ids(_draft(client))
    assert {"test:miserables-livre", "test:miserables-film"} <= set(both)
    # Wanted, not required: both stay, the film (not Hugo's) below, with the feature saying so.
    assert _ids(_draft(client, _creator("Victor Hugo")))[0] == "test:miserables-livre"
    assert _ids(_draft(client, _creator("Victor Hugo", required=True))) == ["test:miserables-livre"]
    assert _ids(_draft(client, _creator("Hugo", required=True))) == ["test:miserables-livre"]
    none = _ids(_draft(client, _creator("Victor Hugo", required=True, matchQuantifier="none")))
    assert "test:miserables-livre" not in none and "test:miserables-film" in none
    every = _creator(["Victor Hugo", "Claude Lelouch"], required=True, matchQuantifier="all")
    assert _ids(_draft(client, every)) == []  # no work has both
    some = _creator(["Victor Hugo", "Claude Lelouch"], required=True, matchQuantifier="any")
    assert {"test:miserables-livre", "test:miserables-film"} <= set(_ids(_draft(client, some)))
    year = {"matchType": "property", "propertyId": "date", "propertyValue": 1995}
    assert _ids(_draft(client, year | {"required": True})) == ["test:miserables-film"]


def test_draft_exact_match_needs_the_same_value_once_folded(client: Client) -> None:
    exact = {"required": True, "matchQualifier": "ExactMatch"}
    assert _ids(_draft(client, _creator("victor HUGO", **exact))) == ["test:miserables-livre"]
    assert _ids(_draft(client, _creator("Hugo", **exact))) == []  # a surname alone is not exact
    year = {"matchType": "property", "propertyId": "date", "propertyValue": 1996}
    assert _ids(_draft(client, year | {"required": True})) == ["test:miserables-film"]  # ±1
    assert _ids(_draft(client, year | exact)) == []


def test_draft_condition_not_required_that_fails_costs_the_type_penalty(client: Client) -> None:
    plain = _draft(client, _creator("Victor Hugo")).json()["results"][0]["candidates"]
    wanted = _draft(client, _creator("Victor Hugo", matchQuantifier="none"))
    found = {c["id"]: c for c in wanted.json()["results"][0]["candidates"]}
    book = next(c for c in plain if c["id"] == "test:miserables-livre")
    penalised = found["test:miserables-livre"]
    assert penalised["score"] == pytest.approx(book["score"] * 0.85, abs=0.02)
    assert {"id": "creator:none", "value": 0.0} in [
        {"id": f["id"], "value": f["value"]} for f in penalised["features"]
    ]


def test_draft_conditions_lanterne_cannot_apply_are_refused_not_ignored(client: Client) -> None:
    wildcard = _draft(client, _creator("Hu*", matchQualifier="WildcardMatch"))
    assert wildcard.status_code == 400 and "ExactMatch" in wildcard.text
    on_people = _draft(client, _creator("Hugo", required=True), kind="Person")
    assert on_people.status_code == 400
    # A property Lanterne does not know stays ignored, qualifier and all (no work has it).
    unknown = {
        "matchType": "property",
        "propertyId": "professionOrOccupation",
        "propertyValue": "Politik*",
        "matchQualifier": "WildcardMatch",
    }
    assert _draft(client, unknown).status_code == 200
    suggested = client.get("/reconcile/suggest/property", params={"prefix": ""}).json()
    assert all(
        p["matchQualifiers"] == [{"id": "ExactMatch", "name": "Valeur exacte (une fois pliée)"}]
        for p in suggested["result"]
    )
