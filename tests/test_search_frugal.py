"""The frugal path of hybrid search (LANTERNE_SEARCH_FRUGAL=1): the embedding model consulted
only when the lexical side is unsure; how sure it is, worked by hand; the setting read and
checked. The threshold's choice and its measured cost and quality: benchmarks/search_frugal.py
and docs/search.md (« Chemin sobre »)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanterne.catalogue import open_catalogue
from lanterne.errors import BadSetting
from lanterne.search._engine import SearchConfig, SearchEngine, lexical_margin
from lanterne.search._works import CatalogueIndex
from lanterne.settings import Settings, switch
from test_search import DOCS


class CountingEngine(SearchEngine):
    """The real engine, counting the times its semantic side is asked for."""

    semantic_calls = 0

    def semantic_ranking(self, *args: object, **kwargs: object) -> list[tuple[int, float]]:
        self.semantic_calls += 1
        return super().semantic_ranking(*args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def engines() -> tuple[CountingEngine, CountingEngine]:
    """The same documents indexed twice: plain hybrid and on the frugal path."""
    plain, frugal = CountingEngine(), CountingEngine(config=SearchConfig(frugal=True))
    plain.upsert(DOCS)
    frugal.upsert(DOCS)
    return plain, frugal


def test_lexical_margin_arithmetic() -> None:
    assert lexical_margin([]) == 0.0  # nothing found: unsure
    assert lexical_margin([0.0, 0.0]) == 0.0
    assert lexical_margin([7.5]) == 1.0  # a single document found: sure
    assert lexical_margin([10.0, 8.0]) == pytest.approx(0.2)  # (10 − 8) / 10
    assert lexical_margin([10.0, 9.0]) == pytest.approx(0.1)
    assert lexical_margin([4.0, 4.0, 1.0]) == 0.0  # a tie at the top: unsure


def test_frugal_path_skips_the_model_when_the_lexical_side_is_sure(
    engines: tuple[CountingEngine, CountingEngine],
) -> None:
    _, frugal = engines
    before = frugal.semantic_calls
    scores = [s for _, s in frugal.lexical_ranking("Les Misérables Victor Hugo", 2)]
    assert lexical_margin(scores) >= SearchConfig().frugal_margin  # the premise
    found = frugal.search("Les Misérables Victor Hugo", "hybrid")
    assert found.semantic_skipped and frugal.semantic_calls == before
    assert found.hits[0].id == "miserables" and found.mode == "hybrid"
    assert all(h.semantic_rank is None for h in found.hits)
    lexical = frugal.search("Les Misérables Victor Hugo", "lexical")
    assert [h.id for h in found.hits] == [h.id for h in lexical.hits]


def test_frugal_path_consults_the_model_when_the_lexical_side_is_unsure(
    engines: tuple[CountingEngine, CountingEngine],
) -> None:
    plain, frugal = engines
    # No English word of the query is in the French records: the lexical side finds nothing,
    # so the semantic side is asked, and the answer is the plain hybrid one.
    before = frugal.semantic_calls
    found = frugal.search("wild horses near the sea", "hybrid")
    assert not found.semantic_skipped and frugal.semantic_calls == before + 1
    assert found.hits[0].id == "chevaux" and found.hits[0].semantic_rank == 1
    same = plain.search("wild horses near the sea", "hybrid")
    assert [h.id for h in found.hits] == [h.id for h in same.hits]


def test_without_the_setting_hybrid_always_asks_the_model(
    engines: tuple[CountingEngine, CountingEngine],
) -> None:
    plain, _ = engines
    before = plain.semantic_calls
    found = plain.search("Les Misérables Victor Hugo", "hybrid")
    assert not found.semantic_skipped and plain.semantic_calls == before + 1
    # The lexical and semantic modes are what they say, frugal path or not.
    assert not plain.search("Les Misérables", "semantic").semantic_skipped


def test_frugal_setting_reaches_the_catalogue_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LANTERNE_SEARCH_FRUGAL", raising=False)
    with open_catalogue(tmp_path / "c.sqlite") as catalogue:
        assert CatalogueIndex(catalogue).engine.config.frugal is False  # the default: off
        monkeypatch.setenv("LANTERNE_SEARCH_FRUGAL", "1")
        assert CatalogueIndex(catalogue).engine.config.frugal is True
    assert Settings.load().search_frugal is True


@pytest.mark.parametrize("value", ["oui", "2", "true", "on", "-1"])
def test_frugal_setting_refuses_what_is_not_0_or_1(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERNE_SEARCH_FRUGAL", value)
    with pytest.raises(BadSetting) as refused:
        switch("search_frugal")
    text = refused.value.message("fr")
    assert "LANTERNE_SEARCH_FRUGAL" in text and f"« {value} »" in text and "0 (non)" in text
    assert "expected 0 (no) or 1 (yes)" in refused.value.message("en")


def test_an_empty_frugal_setting_is_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANTERNE_SEARCH_FRUGAL", "")
    assert switch("search_frugal") is False


def test_the_api_says_when_the_frugal_path_spared_the_model(
    demo_catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lanterne.web import create_app
    from web_helpers import Client, demo_site

    monkeypatch.setenv("LANTERNE_SEARCH_FRUGAL", "1")
    client = Client(create_app(demo_site(demo_catalogue)))
    sure = client.get("/api/search", params={"q": "Jazz de Tourrettes"}).json()
    assert sure["mode"] == "hybrid" and sure["semantic_skipped"] is True
    assert sure["hits"][0]["title"] == "Jazz de Tourrettes"
    # « festival »: dozens of festivals score alike (margin 0.007 on the demo), so the model
    # is asked to tell them apart.
    unsure = client.get("/api/search", params={"q": "festival"}).json()
    assert unsure["semantic_skipped"] is False
    assert any(h["semantic_rank"] is not None for h in unsure["hits"])
    monkeypatch.setenv("LANTERNE_SEARCH_FRUGAL", "0")
    plain = Client(create_app(demo_site(demo_catalogue)))
    assert (
        plain.get("/api/search", params={"q": "Jazz de Tourrettes"}).json()["semantic_skipped"]
        is False
    )
