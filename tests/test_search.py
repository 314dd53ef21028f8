"""Search on hand-made fixtures: French analysis, typos, the semantic side, filters and facets."""

from __future__ import annotations

from pathlib import Path

import pytest

from lanterne.search._engine import Doc, SearchConfig, SearchEngine
from lanterne.search._eval import Collection, evaluate, load_squad, ndcg_at
from lanterne.search._fusion import fuse

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


# The catalogue's index -------------------------------------------------------------------------


DEMO = Path(__file__).resolve().parents[1] / "src" / "lanterne" / "demo"


def test_the_catalogue_index_follows_the_change_log(tmp_path: Path) -> None:
    from lanterne.catalogue import SqliteCatalogue
    from lanterne.ingest import IngestOptions, ingest, load_mapping_profile
    from lanterne.search._works import CatalogueIndex

    lines = (DEMO / "festivals-demo.csv").read_text("utf-8-sig").splitlines(keepends=True)
    data = tmp_path / "festivals.csv"
    data.write_text("".join(lines), "utf-8")
    profile = load_mapping_profile("festivals-france")
    with SqliteCatalogue(tmp_path / "c.sqlite") as db:
        ingest(db, data, profile, IngestOptions(workers=0))
        index = CatalogueIndex(db)
        indexed, removed = index.update()
        assert (indexed, removed) == (db.count(), 0)
        saved = (index.folder / "vectors.usearch").stat().st_mtime_ns
        assert CatalogueIndex(db).update() == (0, 0)  # nothing changed since
        # … so nothing is written again (a search updates the index before every query).
        assert (index.folder / "vectors.usearch").stat().st_mtime_ns == saved
        # Rename one festival and drop another from a full export (--sync deletes it).
        first = lines[1].split(";")
        first[0] = "Festival Zyxwvutsrqp"
        gone_line = lines[2]
        data.write_text("".join([lines[0], ";".join(first), *lines[3:]]), "utf-8")
        ingest(db, data, profile, IngestOptions(workers=0, sync=True))
        again = CatalogueIndex(db)
        indexed, removed = again.update()
        assert indexed == 1 and removed == 1
        assert [h.title for h in again.engine.search("Zyxwvutsrqp", "lexical").hits] == [
            "Festival Zyxwvutsrqp"
        ]
        gone_title = gone_line.split(";")[0]
        assert all(h.title != gone_title for h in again.engine.search(gone_title, "lexical").hits)
        assert len(again.engine) == db.count()


def test_cli_search_index_and_eval(tmp_path: Path) -> None:
    import json
    import subprocess

    from helpers import lanterne as run_lanterne

    def lanterne(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lanterne(tmp_path, *args)

    assert lanterne("demo", "--no-serve").returncode == 0
    found = lanterne("search", "robe", "--json", "--facet", "source=joconde")
    assert found.returncode == 0, found.stderr
    results = json.loads(found.stdout)
    assert results["hits"] and all(h["id"].startswith("joconde:") for h in results["hits"])
    assert results["facets"]["source"] == {"joconde": results["total"]}
    text = lanterne("search", "festival de jazz")
    assert text.returncode == 0 and "résultats" in text.stdout
    bad = lanterne("search", "jazz", "--facet", "couleur=bleu")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr

    squad = tmp_path / "squad.json"
    squad.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "title": "A",
                        "paragraphs": [
                            {
                                "context": "Moncton est une ville du Nouveau-Brunswick.",
                                "qas": [
                                    {"id": "1", "question": "Où se trouve Moncton ?", "answers": []}
                                ],
                            }
                        ],
                    },
                    {
                        "title": "B",
                        "paragraphs": [{"context": "Le tintamarre acadien a lieu le 15 août."}],
                    },
                ]
            }
        ),
        "utf-8",
    )
    evaluated = lanterne("eval", "search", str(squad), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    figures = json.loads(evaluated.stdout)
    assert figures["documents"] == 2 and figures["queries"] == 1
    assert figures["hybrid"]["mrr_10"] == 1.0
    missing = lanterne("eval", "search", str(tmp_path / "nope.json"))
    assert missing.returncode == 3


def test_trec_collections(tmp_path: Path) -> None:
    from lanterne.search import load_trec

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        '{"id": "d1", "title": "Moncton", "text": "Ville du Nouveau-Brunswick."}\n'
        '{"id": "d2", "title": "Tintamarre", "text": "Fête acadienne du 15 août."}\n',
        "utf-8",
    )
    queries = tmp_path / "queries.tsv"
    queries.write_text("q1\tfête acadienne\nq2\tsans jugement\n", "utf-8")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq1\t0\td2\t2\nq1\t0\td1\t0\n", "utf-8")
    collection = load_trec(corpus, queries, qrels)
    assert [d.id for d in collection.docs] == ["d1", "d2"]
    assert collection.queries == {"q1": "fête acadienne"}  # q2 has no judgement: left out
    assert collection.qrels == {"q1": {"d2": 2}}
    engine = SearchEngine(semantic=False)
    engine.upsert(collection.docs)
    metrics = evaluate(collection, lambda q: [h.id for h in engine.search(q, "lexical").hits])
    assert (metrics.ndcg_10, metrics.mrr_10, metrics.recall_100) == (1.0, 1.0, 1.0)


def _festivals_catalogue(folder: Path) -> Path:
    from lanterne.catalogue import SqliteCatalogue
    from lanterne.ingest import IngestOptions, ingest, load_mapping_profile

    with SqliteCatalogue(folder / "c.sqlite") as db:
        ingest(
            db,
            DEMO / "festivals-demo.csv",
            load_mapping_profile("festivals-france"),
            IngestOptions(),
        )
    return folder


def test_first_search_says_it_builds_the_index_then_later_ones_are_quiet(tmp_path: Path) -> None:
    import os

    from helpers import lanterne

    folder = _festivals_catalogue(tmp_path)
    code = {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    first = lanterne(folder, "search", "jazz", **code)
    assert first.returncode == 0, first.stderr
    # not a terminal: plain lines, the first saying what happens, the last at 100 %
    assert "Construction de l'index de recherche" in first.stderr
    assert first.stderr.strip().splitlines()[-1].lstrip().startswith("100%")
    assert "\r" not in first.stderr
    again = lanterne(folder, "search", "jazz", **code)
    assert again.returncode == 0 and again.stderr == ""


def test_first_build_on_a_terminal_draws_a_bar(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    folder = _festivals_catalogue(tmp_path)
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "lanterne", "--catalogue", str(folder / "c.sqlite")]
    done = subprocess.run(
        [*command, "--lang", "en", "index"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, "LANTERNE_LOG_DIR": str(folder / "log")},
        timeout=600,
        check=False,
    )
    os.close(follower)
    shown = os.read(leader, 100_000).decode("utf-8")
    os.close(leader)
    assert done.returncode == 0
    assert "Building the search index" in shown and "\r" in shown and "100%" in shown


def test_a_query_asked_again_does_not_load_the_embedding_model(tmp_path: Path) -> None:
    from lanterne.search._encoder import Encoder

    first = SearchEngine(tmp_path / "index", remember_queries=True)
    first.upsert(DOCS)
    first.save()
    asked = first.search("wild horses", "semantic")
    again = SearchEngine(tmp_path / "index", encoder=Encoder(), remember_queries=True)
    repeated = again.search("wild horses", "semantic")
    assert again.encoder._session is None  # the vector came from the folder's query cache
    assert [h.id for h in repeated.hits] == [h.id for h in asked.hits] and asked.hits
    again.search("chevaux sauvages", "semantic")  # a new query still needs the model
    assert again.encoder._session is not None


def test_a_new_query_loads_the_model_while_the_index_opens(tmp_path: Path) -> None:
    # A new CLI query spent most of its time loading the model, one step after another.
    from lanterne.search._encoder import Encoder

    first = SearchEngine(tmp_path / "index", remember_queries=True)
    first.upsert(DOCS)
    first.save()
    asked = first.search("chevaux sauvages", "hybrid")
    engine = SearchEngine(tmp_path / "index", encoder=Encoder(), remember_queries=True)
    engine.expect("chevaux sauvages", "lexical")  # no vector needed: nothing loads
    engine.expect("chevaux sauvages", "hybrid")  # remembered: nothing loads
    assert engine.encoder._preloader is None and engine.encoder._session is None
    engine.expect("une question jamais posée", "hybrid")
    assert engine.encoder._preloader is not None  # loading in the background
    engine.settle()
    assert engine.encoder._session is not None
    again = engine.search("chevaux sauvages", "hybrid")
    assert [h.id for h in again.hits] == [h.id for h in asked.hits] and asked.hits
    fresh = engine.search("une question jamais posée", "semantic")
    alone = SearchEngine(tmp_path / "index").search("une question jamais posée", "semantic")
    assert [(h.id, h.score) for h in fresh.hits] == [(h.id, h.score) for h in alone.hits]


def test_a_server_index_keeps_no_visitor_query_on_disk(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "index")
    engine.upsert(DOCS)
    engine.search("wild horses", "hybrid")
    assert not (tmp_path / "index" / "queries.sqlite").exists()
