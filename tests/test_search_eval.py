"""The search evaluation harness: collections from files, folders and ../shared/data, the FAQ
split (alt / title, titles left out), identical answers counted once, ``lanterne eval search``
over several collections."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from helpers import lanterne
from lanterne.errors import BadInput
from lanterne.search import (
    Collection,
    Doc,
    bm25_available,
    bm25_ranker,
    default_collections,
    evaluate,
    load_collections,
    load_squad,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CNIL = SHARED / "cnil-faq-fr-retrieval" / "besoindaide_PIAF_V5.json"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"real datasets not found at {SHARED} (../shared/data)"
)


def _squad(path: Path, articles: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"version": "v1.0", "data": articles}), "utf-8")
    return path


def _qa(*questions: str) -> list[dict[str, Any]]:
    return [{"question": q, "answers": []} for q in questions]


def _faq(path: Path) -> Path:
    """Three FAQ items, each asking its own title; the third answers as the first does (its
    context differs in whitespace only)."""
    return _squad(
        path,
        [
            {
                "title": "Un cookie : qu'est-ce que c'est ?",
                "dossier": "cookies, traceurs",
                "theme": " Internet",
                "paragraphs": [
                    {
                        "context": "Un cookie est un petit fichier déposé par un site.",
                        "qas": _qa("Un cookie : qu'est-ce que c'est ?", "C'est quoi les cookies ?"),
                    }
                ],
            },
            {
                "title": "Comment marche un moteur de recherche ?",
                "paragraphs": [
                    {
                        "context": "Un robot parcourt le web et indexe les pages.",
                        "qas": _qa("Comment  marche un moteur de recherche ?"),  # whitespace aside
                    }
                ],
            },
            {
                "title": "Les cookies, c'est quoi ?",
                "paragraphs": [
                    {
                        "context": "Un cookie est un  petit fichier\ndéposé par un site.",
                        "qas": _qa("Les cookies, c'est quoi ?", "A quoi sert un cookie ?"),
                    }
                ],
            },
        ],
    )


def _plain(path: Path, words: str = "Moncton") -> Path:
    """A SQuAD file whose titles are not questions (an encyclopaedia, or spf's fiche ids)."""
    return _squad(
        path,
        [
            {
                "title": "Acadie",
                "paragraphs": [
                    {
                        "context": f"{words} est au Nouveau-Brunswick.",
                        "qas": [{"id": "q1", "question": f"Où est {words} ?", "answers": []}],
                    },
                    {"context": "Le tintamarre a lieu le 15 août."},
                ],
            }
        ],
    )


# Loaders -----------------------------------------------------------------------------------


def test_a_faq_file_gives_alt_and_title_collections_with_titles_left_out(tmp_path: Path) -> None:
    alt, title = load_collections(_faq(tmp_path / "faq.json"))
    assert (alt.name, title.name) == ("faq.json/alt", "faq.json/title")
    assert sorted(alt.queries.values()) == ["A quoi sert un cookie ?", "C'est quoi les cookies ?"]
    assert len(title.queries) == 3
    assert alt.docs is title.docs  # one document set, indexed once
    assert [d.title for d in alt.docs] == ["", "", ""]
    assert alt.docs[0].subjects == "cookies, traceurs, Internet"
    assert alt.docs[0].text == "Un cookie est un petit fichier déposé par un site."
    assert alt.same == {"a2p0": "a0p0"}  # the third item's answer is the first's


def test_a_file_whose_titles_are_not_asked_is_one_collection_titles_indexed(
    tmp_path: Path,
) -> None:
    (collection,) = load_collections(_plain(tmp_path / "acadie.json"))
    assert collection.name == "acadie.json"
    assert [d.title for d in collection.docs] == ["Acadie", "Acadie"]
    assert collection.qrels == {"q1": {"a0p0": 1}} and collection.same == {}


def test_a_folder_holds_its_squad_and_trec_files_and_passes_over_the_rest(tmp_path: Path) -> None:
    one = tmp_path / "one"
    one.mkdir()
    _plain(one / "test.json")
    (one / "questions.json").write_text('[["F1", "Une question ?", "Un texte"]]', "utf-8")
    (one / "PROVENANCE.md").write_text("# notes", "utf-8")
    assert [c.name for c in load_collections(one)] == ["one"]

    many = tmp_path / "many"
    many.mkdir()
    _plain(many / "a.json")
    _faq(many / "b.json")
    # BEIR's layout: corpus.jsonl, queries.jsonl, qrels/test.tsv
    (many / "corpus.jsonl").write_text(
        '{"_id": "d1", "title": "Moncton", "text": "Ville du Nouveau-Brunswick."}\n', "utf-8"
    )
    (many / "queries.jsonl").write_text('{"_id": "q1", "text": "ville acadienne"}\n', "utf-8")
    (many / "qrels").mkdir()
    (many / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n", "utf-8")
    found = load_collections(many)
    assert [c.name for c in found] == ["many", "many/a", "many/b/alt", "many/b/title"]
    assert found[0].queries == {"q1": "ville acadienne"} and found[0].qrels == {"q1": {"d1": 1}}


def test_a_folder_without_a_collection_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text("[1, 2]", "utf-8")
    with pytest.raises(BadInput) as caught:
        load_collections(tmp_path)
    assert caught.value.key == "eval.no_collection" and str(tmp_path) in caught.value.message()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("{not json", "Expecting property name"),
        ('{"version": "v1.0"}', "« data »"),
        ('{"data": [{"title": "x", "paragraphs": "texte"}]}', "data[0].paragraphs"),
        ('{"data": [{"paragraphs": [{"context": "c", "qas": [{"q": 1}]}]}]}', "qas[0].question"),
        ('{"data": [{"paragraphs": [{"context": "c"}]}]}', "aucune question"),
    ],
)
def test_a_malformed_squad_file_says_where(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, "utf-8")
    with pytest.raises(BadInput) as caught:
        load_squad(path)
    message = caught.value.message()
    assert str(path) in message and where in message and "SQuAD v1" in message


def test_default_collections_pass_over_absent_folders(tmp_path: Path) -> None:
    found, absent = default_collections(tmp_path)
    assert found == []
    assert absent == [tmp_path / "spf-qr-fr-retrieval", tmp_path / "cnil-faq-fr-retrieval"]


@needs_shared
def test_the_cnil_faq_splits_in_168_reformulations_and_523_titles_not_indexed() -> None:
    found, absent = default_collections(SHARED)
    assert absent == []
    named = {c.name: c for c in found}
    assert list(named) == [
        "spf-qr-fr-retrieval",
        "cnil-faq-fr-retrieval/alt",
        "cnil-faq-fr-retrieval/title",
    ]
    assert (len(named["spf-qr-fr-retrieval"].docs), len(named["spf-qr-fr-retrieval"].queries)) == (
        530,
        105,
    )
    alt, title = named["cnil-faq-fr-retrieval/alt"], named["cnil-faq-fr-retrieval/title"]
    assert (len(alt.docs), len(alt.queries), len(title.docs), len(title.queries)) == (
        523,
        168,
        523,
        523,
    )
    # 514 distinct contexts, 513 once whitespace is set aside: 10 items are another's copy.
    assert len(alt.same) == 10 and alt.same == title.same
    # No title reaches the index: a title question is found in a document only where the
    # CNIL's own answers quote it (six answers do), never in a title or the keywords.
    articles = json.loads(CNIL.read_text("utf-8"))["data"]

    def flat(text: str) -> str:
        return " ".join(text.split()).lower()

    answers = flat(" ".join(a["paragraphs"][0]["context"] for a in articles))
    for question in title.queries.values():
        q = flat(question)
        for d in title.docs:
            assert d.title == "" and q not in flat(d.subjects) and q not in flat(d.contributors)
            assert q not in flat(d.text) or q in answers
    assert {flat(a["title"]) for a in articles} == {flat(q) for q in title.queries.values()}
    # A reformulation is never a title as written (one differs from another item's in case only).
    written = {" ".join(a["title"].split()) for a in articles}
    assert not {" ".join(q.split()) for q in alt.queries.values()} & written


# Identical answers -------------------------------------------------------------------------


def _copies() -> Collection:
    # d2 holds d1's answer; the question's judged document is d1.
    return Collection(
        name="copies",
        docs=[Doc(id=i, title="") for i in ("d1", "d2", "d3", "d4")],
        queries={"q": "?"},
        qrels={"q": {"d1": 1}},
        same={"d2": "d1"},
    )


def test_a_hit_on_a_copy_of_the_answer_counts() -> None:
    m = evaluate(_copies(), lambda q: ["d3", "d2", "d4"])
    # the copy at rank 2: MRR 1/2, nDCG 1/log2(3) = 0.6309
    assert (m.mrr_10, m.ndcg_10, m.recall_100) == (0.5, 0.6309, 1.0)


def test_an_answer_and_its_copy_count_once_in_a_ranking() -> None:
    both = evaluate(_copies(), lambda q: ["d2", "d1", "d3"])
    assert (both.mrr_10, both.ndcg_10, both.recall_100) == (1.0, 1.0, 1.0)  # not 2 hits, not > 1
    # The copy after the answer is not a second document: d4 ranks second, the relevant d3 of
    # another question would too.
    other = _copies()
    other.qrels = {"q": {"d4": 1}}
    m = evaluate(other, lambda q: ["d1", "d2", "d4"])
    assert m.mrr_10 == 0.5  # d4 is the second distinct answer, not the third


def test_without_copies_nothing_changes() -> None:
    plain = _copies()
    plain.same = {}
    m = evaluate(plain, lambda q: ["d2", "d1"])
    assert (m.mrr_10, m.ndcg_10) == (0.5, 0.6309)


# Plain BM25 --------------------------------------------------------------------------------


@pytest.mark.skipif(not bm25_available(), reason="bm25s (a dev dependency) is not installed")
def test_plain_bm25_reads_every_text_field_and_skips_unknown_words() -> None:
    rank = bm25_ranker(
        [
            Doc(id="a", title="Tintamarre", text="Fête du 15 août."),
            Doc(id="b", title="Moncton", subjects="acadie", text="Ville."),
        ]
    )
    assert rank("Acadie")[0] == "b"  # a word of its subjects only
    assert rank("mot inconnu") == []


# lanterne eval search ----------------------------------------------------------------------


def _eval(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return lanterne(tmp_path, "eval", "search", *args)


def test_eval_search_prints_one_table_with_every_collection_and_the_average(
    tmp_path: Path,
) -> None:
    a, b = _plain(tmp_path / "a.json"), _faq(tmp_path / "faq.json")
    run = _eval(tmp_path, str(a), str(b), "--mode", "lexical")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split()[:4] == ["collection", "documents", "requêtes", "système"]
    for name in ("a.json", "faq.json/alt", "faq.json/title", "moyenne (3 collections)"):
        assert sum(line.startswith(name) for line in lines) == 1, name
    systems = 2 if bm25_available() else 1
    assert len(lines) == 1 + 4 * systems
    assert ("BM25 simple (bm25s)" in run.stdout) == bm25_available()
    assert "1,0000" in run.stdout  # French decimals
    assert "semantic" not in run.stdout
    english = lanterne(tmp_path, "--lang", "en", "eval", "search", str(b), "--mode", "lexical")
    assert "average (2 collections)" in english.stdout and "queries" in english.stdout


def test_eval_search_json_has_the_average_each_collection_and_the_config(tmp_path: Path) -> None:
    a, b = _plain(tmp_path / "a.json"), _faq(tmp_path / "faq.json")
    run = _eval(tmp_path, str(a), str(b), "--mode", "lexical", "--no-baseline", "--json")
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    rows = figures["collections"]
    assert [r["collection"] for r in rows] == ["a.json", "faq.json/alt", "faq.json/title"]
    assert [(r["documents"], r["queries"]) for r in rows] == [(2, 1), (3, 2), (3, 3)]
    assert all(set(r) == {"collection", "documents", "queries", "lexical"} for r in rows)
    assert figures["collection"] == "average" and figures["queries"] == 6
    for key in ("ndcg_10", "mrr_10", "recall_100"):  # unweighted: each collection once
        mean = sum(r["lexical"][key] for r in rows) / 3
        assert figures["lexical"][key] == pytest.approx(mean, abs=1e-4)
    assert "boosts" in figures["config"]


def test_eval_search_of_a_malformed_collection_is_bad_input_without_traceback(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": [{"paragraphs": [{"context": 3}]}]}', "utf-8")
    run = _eval(tmp_path, str(_plain(tmp_path / "a.json")), str(bad), "--mode", "lexical")
    assert run.returncode == 4 and "Traceback" not in run.stderr
    assert str(bad) in run.stderr and "data[0].paragraphs[0].context" in run.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    run = _eval(tmp_path, str(empty))
    assert run.returncode == 4 and "aucune collection" in run.stderr
    run = _eval(tmp_path, "--shared", str(empty))
    assert run.returncode == 4 and "--shared" in run.stderr and "absent" in run.stderr
    run = _eval(tmp_path, str(tmp_path / "a.json"), str(bad), "--queries", str(bad))
    assert run.returncode == 2


@needs_shared
def test_eval_search_without_collections_measures_the_french_ones_of_shared(
    tmp_path: Path,
) -> None:
    run = _eval(tmp_path, "--mode", "lexical", "--no-baseline")
    assert run.returncode == 0, run.stderr
    names = [line.split()[0] for line in run.stdout.splitlines()[1:]]
    assert names == [
        "spf-qr-fr-retrieval",
        "cnil-faq-fr-retrieval/alt",
        "cnil-faq-fr-retrieval/title",
        "moyenne",
    ]
    # The CNIL splits share their documents: indexed once.
    assert run.stderr.count("documents indexés") == 2


def test_eval_search_runs_the_configuration_its_json_report_gave(tmp_path: Path) -> None:
    a = _plain(tmp_path / "a.json")
    first = _eval(tmp_path, str(a), "--mode", "lexical", "--no-baseline", "--json")
    config = json.loads(first.stdout)["config"]
    config["short_query_words"] = 0
    config["long_boosts"] = {"text": 1.0}  # the text field alone, as a first-wave run had it
    saved = tmp_path / "config.json"
    saved.write_text(json.dumps(config), "utf-8")
    again = _eval(
        tmp_path, str(a), "--mode", "lexical", "--no-baseline", "--json", "--config", str(saved)
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["config"] == config


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"boosts": {"title": 2}, "titel_weight": 3}', "titel_weight"),
        ('{"rrf_k": "soixante"}', "rrf_k"),
        ("[1, 2]", "JSON"),
        ("{pas du json", "config.json"),
    ],
)
def test_a_bad_search_configuration_is_refused_not_ignored(
    tmp_path: Path, content: str, said: str
) -> None:
    saved = tmp_path / "config.json"
    saved.write_text(content, "utf-8")
    run = _eval(
        tmp_path, str(_plain(tmp_path / "a.json")), "--mode", "lexical", "--config", str(saved)
    )
    assert run.returncode == 4 and "Traceback" not in run.stderr
    assert said in run.stderr and "SearchConfig" in run.stderr
