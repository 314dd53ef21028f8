"""Search on hand-made fixtures: French analysis, typos, the semantic side, filters and facets."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanterne.search._engine import Doc, SearchConfig, SearchEngine, fuse
from lanterne.search._eval import Collection, evaluate, load_squad, ndcg_at

DOCS = [
    Doc(
        id="quebec",
        title="Festival d'été de Québec",
        text="Onze jours de concerts en plein air sur les plaines d'Abraham, chaque juillet.",
        subjects="musique",
        facets={"type": ["Festival"], "country": ["CA"], "language": ["fr-CA"]},
    ),
    Doc(
        id="opera",
        title="L'Opéra de quat'sous",
        text="Pièce de théâtre musical de Bertolt Brecht et Kurt Weill, créée à Berlin.",
        contributors="Bertolt Brecht; Kurt Weill",
        facets={"type": ["TheaterEvent"], "country": ["DE"], "language": ["fr"]},
    ),
    Doc(
        id="miserables",
        title="Les Misérables",
        text="Roman de Victor Hugo : Jean Valjean, forçat évadé, cherche la rédemption.",
        contributors="Victor Hugo",
        facets={"type": ["Book"], "country": ["FR"], "language": ["fr"]},
    ),
    Doc(
        id="danse",
        title="Marcher à l'infini",
        text="Spectacle de danse contemporaine présenté au théâtre Capitol de Moncton.",
        facets={"type": ["DanceEvent"], "country": ["CA"], "language": ["fr-CA"]},
    ),
    Doc(
        id="chevaux",
        title="Chevaux de Camargue",
        text="Photographies des chevaux sauvages et des gardians dans le delta du Rhône.",
        facets={"type": ["Photograph"], "country": ["FR"], "language": ["fr"]},
    ),
    Doc(
        id="magasin",
        title="Magasinage des fêtes au marché Jean-Talon",
        text="Courriel des artisans du marché : fin de semaine de magasinage et de dégustation.",
        facets={"type": ["Event"], "country": ["CA"], "language": ["fr-CA"]},
    ),
]


@pytest.fixture(scope="module")
def engine() -> SearchEngine:
    e = SearchEngine()
    e.upsert(DOCS)
    return e


def top(engine: SearchEngine, query: str, mode: str = "hybrid") -> str:
    hits = engine.search(query, mode).hits  # type: ignore[arg-type]
    assert hits, query
    return hits[0].id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("miserables", "miserables"),  # no accents
        ("festival ete quebec", "quebec"),  # no accents, elided « d'été »
        ("opera", "opera"),  # « L'Opéra »: elision and accent
        ("l'opéra", "opera"),
        ("cheval", "chevaux"),  # plural « chevaux » and singular « cheval » stem alike
        ("festivals", "quebec"),  # plural query, singular title
        ("magasiner fin de semaine", "magasin"),  # Québec French: « magasiner », « fin de semaine »
        ("évènement musical plein air", "quebec"),  # 1990 spelling « évènement »
    ],
)
def test_french_analysis_finds_the_work(engine: SearchEngine, query: str, expected: str) -> None:
    assert top(engine, query, "lexical") == expected
    assert top(engine, query, "hybrid") == expected


def test_a_typo_in_a_short_query_still_finds_the_title(engine: SearchEngine) -> None:
    assert top(engine, "Victr Hugo", "lexical") == "miserables"
    assert top(engine, "Brect", "lexical") == "opera"  # « Brecht », one letter missing


def test_an_english_query_finds_a_french_only_work_through_the_semantic_side(
    engine: SearchEngine,
) -> None:
    # No English word of the query is in the French record: lexical finds nothing.
    assert engine.search("wild horses near the sea", "lexical").hits == []
    assert top(engine, "wild horses near the sea", "semantic") == "chevaux"
    hybrid = engine.search("wild horses near the sea", "hybrid").hits[0]
    assert hybrid.id == "chevaux" and hybrid.lexical_rank is None and hybrid.semantic_rank == 1


def test_filters_and_facet_counts(engine: SearchEngine) -> None:
    # « théâtre » appears in two records: the Brecht play and the Moncton dance show.
    found = engine.search("théâtre", "lexical")
    assert {h.id for h in found.hits} == {"opera", "danse"}
    assert found.facets["country"] == {"DE": 1, "CA": 1}
    assert found.facets["type"] == {"TheaterEvent": 1, "DanceEvent": 1}
    only_ca = engine.search("théâtre", "lexical", filters={"country": ["CA"]})
    assert [h.id for h in only_ca.hits] == ["danse"]
    assert only_ca.facets["country"] == {"CA": 1}
    # Values of one facet are OR-ed, facets are AND-ed.
    both = engine.search("théâtre", "lexical", filters={"country": ["CA", "DE"]})
    assert {h.id for h in both.hits} == {"opera", "danse"}
    none = engine.search("théâtre", "lexical", filters={"country": ["CA"], "type": ["Book"]})
    assert none.hits == [] and none.total == 0
    # The semantic side obeys the filters too.
    query = "danse contemporaine à Moncton"
    assert top(engine, query, "semantic") == "danse"
    theatre = engine.search(query, "semantic", filters={"type": ["TheaterEvent"]})
    assert all(h.id == "opera" for h in theatre.hits)


def test_pagination_and_snippets(engine: SearchEngine) -> None:
    everything = engine.search("de", "hybrid", limit=100).hits
    first = engine.search("théâtre", "hybrid", limit=1)
    second = engine.search("théâtre", "hybrid", limit=1, offset=1)
    assert first.hits[0].id != second.hits[0].id
    assert first.total == second.total
    assert "<b>" in first.hits[0].snippet  # the matched word is highlighted
    assert len(everything) <= len(DOCS)


def test_replacing_and_deleting_documents(tmp_path: Path) -> None:
    e = SearchEngine(tmp_path / "idx")
    e.upsert(DOCS[:3])
    e.upsert([Doc(id="opera", title="Die Dreigroschenoper", text="Brecht, Weill, Berlin 1928.")])
    assert len(e) == 3
    assert top(e, "Dreigroschenoper", "lexical") == "opera"
    assert e.search("quat'sous", "lexical").hits == []
    e.delete(["miserables"])
    assert all(h.id != "miserables" for h in e.search("Hugo", "hybrid").hits)
    e.save()
    again = SearchEngine(tmp_path / "idx")
    assert len(again) == 2
    assert top(again, "Dreigroschenoper", "hybrid") == "opera"


def test_reciprocal_rank_fusion_arithmetic() -> None:
    # k = 60: key 1 is 1st lexically and 2nd semantically: 1/61 + 1/62 = 0.032522;
    # key 2 is 2nd lexically only: 1/62 = 0.016129; key 3 is 1st semantically: 1/61 = 0.016393.
    fused = fuse([(1, 9.0), (2, 5.0)], [(3, 0.9), (1, 0.8)], k=60)
    assert [k for k, _ in fused] == [1, 3, 2]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    weighted = fuse([(1, 9.0), (2, 5.0)], [(3, 0.9), (1, 0.8)], k=60, semantic_weight=0.0)
    assert [k for k, _ in weighted][:2] == [1, 2]


def test_metrics_arithmetic() -> None:
    # One relevant document at rank 3: DCG = 1 / log2(4) = 0.5; ideal 1 → nDCG@10 0.5; MRR 1/3.
    assert ndcg_at(["a", "b", "x"], {"x": 1}, 10) == pytest.approx(0.5)
    collection = Collection(
        name="t", docs=[], queries={"q1": "…", "q2": "…"}, qrels={"q1": {"x": 1}, "q2": {"y": 1}}
    )
    ranked = {"…": ["a", "b", "x"]}
    m = evaluate(collection, lambda q: ranked[q])
    # q1: nDCG 0.5, RR 1/3, recall 1; q2: not found → 0, 0, 0. Means: 0.25, 0.1667, 0.5.
    assert (m.ndcg_10, m.mrr_10, m.recall_100) == (0.25, 0.1667, 0.5)


def test_squad_levels(tmp_path: Path) -> None:
    data = {
        "data": [
            {
                "title": "Acadie",
                "paragraphs": [
                    {
                        "context": "Moncton est au Nouveau-Brunswick.",
                        "qas": [{"id": "q1", "question": "Où est Moncton ?", "answers": []}],
                    },
                    {"context": "Le tintamarre a lieu le 15 août."},
                ],
            }
        ]
    }
    path = tmp_path / "squad.json"
    import json

    path.write_text(json.dumps(data), "utf-8")
    paragraphs = load_squad(path)
    assert [d.id for d in paragraphs.docs] == ["a0p0", "a0p1"]
    assert paragraphs.qrels == {"q1": {"a0p0": 1}}
    articles = load_squad(path, "article")
    assert [d.id for d in articles.docs] == ["a0"] and articles.qrels == {"q1": {"a0": 1}}


def test_config_changes_the_analysis() -> None:
    plain = SearchEngine(config=SearchConfig(analysis="plain"), semantic=False)
    plain.upsert(DOCS)
    # Four words (no typo tolerance): without French analysis the accent-less words miss.
    query = "miserables forcat evade redemption"
    assert plain.search(query, "lexical").hits == []
    french = SearchEngine(semantic=False)
    french.upsert(DOCS)
    assert top(french, query, "lexical") == "miserables"
