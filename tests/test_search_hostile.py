"""Hostile queries: a public query is words, never tantivy's query syntax.

Every string here made tantivy's query parser raise (an HTTP 500 on /api/search, an internal
error on ``lanterne search``) before queries were built from analysed terms.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanterne.errors import LanterneError
from lanterne.search._engine import Doc, SearchConfig, SearchEngine

DEMO = Path(__file__).resolve().parents[1] / "src" / "lanterne" / "demo" / "festivals-demo.csv"
DOCS = [
    Doc(id="miserables", title="Les Misérables", text="Roman de Victor Hugo.", contributors="Hugo"),
    Doc(id="or", title="L'Or du Rhin", text="Opéra de Wagner, prologue de la Tétralogie."),
    Doc(id="not", title="Not in my name", text="A protest song, and a film about it."),
    Doc(id="robe", title="Robe de bal", text="Robe de soie brodée, vers 1860."),
]

HOSTILE = [
    "AND",
    "OR",
    "NOT",
    "IN",
    "and",
    "Or",
    "nOt",
    "in",
    "a NOT",
    "NOT a",
    "a AND",
    "OR OR OR",
    "' OR 1=1 --",
    "title:x",
    "title:misérables",
    "nope:x",
    '"',
    '"robe de',
    "(",
    ")",
    "((robe)",
    "[a TO b]",
    "{a TO b}",
    "[* TO *]",
    "*",
    "rob*",
    "robe^2",
    "^2",
    "robe~",
    "robe~2",
    "~",
    "+",
    "-",
    "+robe -bal",
    "\\",
    "robe\\",
    "\x00",
    "robe\x00bal",
    "x" * 10_000,
    "robe " * 2_000,
    "!?;:.,/'\"«»—…()[]{}<>@#$%&*+=|\\^~`",
    "le la les de du des et ou",
    "the of and a an",
    "IN:robe",
    "robe AND NOT bal",
    "key:1",
    "id:miserables",
]


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    e = SearchEngine()
    e.upsert(DOCS)
    return e


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: repr(q[:20]))
@pytest.mark.parametrize("mode", ["hybrid", "lexical", "semantic"])
def test_query_syntax_is_never_an_operator(engine: SearchEngine, query: str, mode: str) -> None:
    results = engine.search(query, mode)  # type: ignore[arg-type]
    assert results.total >= len(results.hits)
    assert all(h.id in {d.id for d in DOCS} for h in results.hits)


def test_operator_words_are_searched_as_words(engine: SearchEngine) -> None:
    # « or » and « not » are ordinary words here: they find the works whose titles hold them.
    assert engine.search("OR", "lexical").hits[0].id == "or"
    assert engine.search("NOT", "lexical").hits[0].id == "not"
    assert engine.search("title:misérables", "lexical").hits[0].id == "miserables"
    assert engine.search("+robe -bal", "lexical").hits[0].id == "robe"


def test_only_stop_words_or_punctuation_find_no_word_match(engine: SearchEngine) -> None:
    # (title words keep stop words, so « les » would find « Les Misérables »: none of these do)
    assert engine.search("et ou sur avec", "lexical").hits == []
    # no word at all: the catalogue is browsed, as for an empty query
    assert engine.search("!?;:.,", "lexical").total == len(DOCS)


def test_a_long_query_is_cut_at_the_declared_bound() -> None:
    e = SearchEngine(config=SearchConfig(max_query_chars=12), semantic=False)
    e.upsert(DOCS)
    assert e.search("robe de bal " + "zzz " * 5_000, "lexical").hits[0].id == "robe"
    # words beyond the bound are not read: « misérables » comes after 12 characters
    assert e.search("zzzz zzzz zz misérables", "lexical").hits == []


def test_the_query_bound_is_a_declared_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from lanterne.errors import BadSetting
    from lanterne.settings import SETTINGS, Settings

    assert "LANTERNE_SEARCH_QUERY_MAX" in {s.env for s in SETTINGS}
    monkeypatch.setenv("LANTERNE_SEARCH_QUERY_MAX", "40")
    assert Settings.load().search_query_max == 40
    # A bound that is not a number is said, never silently replaced by the default.
    monkeypatch.setenv("LANTERNE_SEARCH_QUERY_MAX", "beaucoup")
    with pytest.raises(BadSetting, match="LANTERNE_SEARCH_QUERY_MAX"):
        Settings.load()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.text(max_size=300), mode=st.sampled_from(["hybrid", "lexical", "semantic"]))
def test_arbitrary_text_never_raises_but_lanterne_errors(
    engine: SearchEngine, query: str, mode: str
) -> None:
    try:
        results = engine.search(query, mode)  # type: ignore[arg-type]
    except LanterneError:
        return
    assert len(results.hits) <= 10


@pytest.fixture(scope="module")
def festivals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo festivals ingested and indexed once, as ``c.sqlite`` in a folder."""
    from lanterne.catalogue import SqliteCatalogue
    from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
    from lanterne.search._works import CatalogueIndex

    folder = tmp_path_factory.mktemp("hostile-cli")
    with SqliteCatalogue(folder / "c.sqlite") as db:
        ingest(db, DEMO, load_mapping_profile("festivals-france"), IngestOptions(workers=0))
        CatalogueIndex(db).update()
    return folder


@pytest.mark.parametrize("query", ["' OR 1=1 --", "title:x", "a NOT", "[a TO b]", "\\", "AND"])
def test_cli_search_of_query_syntax_is_not_an_internal_error(festivals: Path, query: str) -> None:
    from helpers import lanterne

    # the code under test, also when it is not the installed one (a worktree on PYTHONPATH)
    found = lanterne(
        festivals, "search", query, "--json", PYTHONPATH=os.environ.get("PYTHONPATH", "")
    )
    assert found.returncode == 0, found.stderr
    assert "hits" in json.loads(found.stdout)


@pytest.mark.parametrize(
    "query", ["' OR 1=1 --", "title:x", "NOT", '"', "[a TO b]", "\x00", "de la"]
)
def test_api_search_of_query_syntax_is_not_a_500(demo_catalogue: Path, query: str) -> None:
    from lanterne.web import create_app
    from web_helpers import Client, demo_site

    answer = Client(create_app(demo_site(demo_catalogue))).get("/api/search", params={"q": query})
    assert answer.status_code == 200, answer.text
    assert "hits" in answer.json()
