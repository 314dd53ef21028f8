"""Retrieval evaluation: test collections (SQuAD v1 or TREC-style) and nDCG@10, MRR@10, Recall@100.

SQuAD v1: each question's relevant document is the paragraph holding its answer (or, with
``level="article"``, the article); the corpus is every paragraph (or article) of the file, with
or without questions. TREC-style: a corpus in JSON Lines (``id``, ``title``, ``text``), queries
in TSV (``id``, ``text``) or JSON Lines (``_id``, ``text``) and qrels in TSV (``query``,
[``iteration``,] ``doc``, ``relevance``).

A SQuAD file whose every article asks its own title among its questions (a FAQ: the title *is*
a question) gives two collections, ``…/alt`` (the other questions: the real test) and ``…/title``
(the title questions: known-item); in both, titles are left out of the documents, else the title
queries would find themselves. Documents with the same text (whitespace aside) are one answer:
``Collection.same`` maps each copy to the first, and ``evaluate`` counts a hit on a copy as a hit
on it, once.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from lanterne.errors import BadInput, InputNotFound
from lanterne.search._engine import Doc

Ranker = Callable[[str], Sequence[str]]
"""A query → document ids, best first (at least 100 when the corpus has them)."""

SHARED_DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
"""../shared/data beside the source checkout (src/lanterne/search/_eval.py → its parent)."""

DEFAULT_COLLECTIONS = ("spf-qr-fr-retrieval", "cnil-faq-fr-retrieval")
"""The French retrieval collections of ../shared/data, folders read by ``load_collections``."""

SUBJECT_KEYS = ("dossier", "theme", "sous_theme")
"""Article fields of a SQuAD file indexed as the documents' subjects (keywords and categories of
the CNIL's FAQ); never ``title``."""


class Collection(msgspec.Struct, kw_only=True):
    name: str
    docs: list[Doc]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    same: dict[str, str] = {}
    """Document id → the id of the first document with the same text (copies only)."""


class Metrics(msgspec.Struct, kw_only=True):
    ndcg_10: float
    mrr_10: float
    recall_100: float
    queries: int


def _bad(path: Path, detail: str) -> BadInput:
    return BadInput("eval.bad_collection", path=path, detail=detail)


def _squad_data(path: Path) -> list[Any]:
    """The ``data`` list of a SQuAD v1 file, its shape checked down to each question."""
    try:
        top = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _bad(path, str(exc)) from None
    data = top.get("data") if isinstance(top, dict) else None
    if not isinstance(data, list):
        raise _bad(path, "« data » : liste / list")
    for a, article in enumerate(data):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            raise _bad(path, f"data[{a}].paragraphs : liste / list")
        for p, paragraph in enumerate(paragraphs):
            where = f"data[{a}].paragraphs[{p}]"
            if not isinstance(paragraph, dict) or not isinstance(paragraph.get("context", ""), str):
                raise _bad(path, f"{where}.context : texte / string")
            qas = paragraph.get("qas", [])
            if not isinstance(qas, list):
                raise _bad(path, f"{where}.qas : liste / list")
            for q, qa in enumerate(qas):
                if not isinstance(qa, dict) or not isinstance(qa.get("question"), str):
                    raise _bad(path, f"{where}.qas[{q}].question : texte / string")
    return data


def _is_squad(path: Path) -> bool:
    """Whether ``path`` looks like SQuAD v1 (a JSON object whose ``data`` holds articles with
    ``paragraphs``), read cheaply enough to sort a folder's files."""
    try:
        top = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    data = top.get("data") if isinstance(top, dict) else None
    return (
        isinstance(data, list)
        and bool(data)
        and isinstance(data[0], dict)
        and ("paragraphs" in data[0])
    )


def _norm(text: str) -> str:
    return " ".join(text.split())


def _titles_asked(data: list[Any]) -> bool:
    """Whether every article that has questions asks its own title among them (a FAQ)."""
    asked = False
    for article in data:
        questions = {
            _norm(qa["question"]) for p in article["paragraphs"] for qa in p.get("qas", [])
        }
        if not questions:
            continue
        if _norm(str(article.get("title", ""))) not in questions:
            return False
        asked = True
    return asked


def _subjects(article: dict[str, Any]) -> str:
    return ", ".join(
        _norm(article[k]) for k in SUBJECT_KEYS if isinstance(article.get(k), str) and article[k]
    )


def _same(docs: Sequence[Doc]) -> dict[str, str]:
    first: dict[str, str] = {}
    same: dict[str, str] = {}
    for d in docs:
        key = _norm(d.text)
        if not key:
            continue
        canonical = first.setdefault(key, d.id)
        if canonical != d.id:
            same[d.id] = canonical
    return same


def _squad_items(
    data: list[Any], level: str, titles: bool
) -> tuple[list[Doc], list[tuple[str, str, str, str]]]:
    """The documents (with their article's title, or none) and every question as (id, text,
    relevant document id, its article's title)."""
    docs: list[Doc] = []
    asked: list[tuple[str, str, str, str]] = []
    for a, article in enumerate(data):
        title = str(article.get("title", ""))
        shown = title if titles else ""
        subjects = _subjects(article)
        paragraphs = article["paragraphs"]
        article_id = f"a{a}"
        if level == "article":
            text = "\n".join(p.get("context", "") for p in paragraphs)
            docs.append(Doc(id=article_id, title=shown, text=text, subjects=subjects))
        for p, paragraph in enumerate(paragraphs):
            doc_id = article_id if level == "article" else f"a{a}p{p}"
            if level != "article":
                docs.append(
                    Doc(
                        id=doc_id, title=shown, text=paragraph.get("context", ""), subjects=subjects
                    )
                )
            for q, qa in enumerate(paragraph.get("qas", [])):
                qid = str(qa.get("id") or f"a{a}p{p}q{q}")
                asked.append((qid, qa["question"], doc_id, title))
    return docs, asked


def _collection(name: str, docs: list[Doc], asked: list[tuple[str, str, str, str]]) -> Collection:
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for qid, text, doc_id, _ in asked:
        queries[qid] = text
        qrels.setdefault(qid, {})[doc_id] = 1
    return Collection(name=name, docs=docs, queries=queries, qrels=qrels, same=_same(docs))


def load_squad(path: Path, level: str = "paragraph") -> Collection:
    """Every question of a SQuAD v1 file over every paragraph (or article), titles indexed."""
    data = _squad_data(path)
    docs, asked = _squad_items(data, level, titles=True)
    if not asked:
        raise _bad(path, "aucune question / no question")
    return _collection(path.name, docs, asked)


def load_squad_splits(
    path: Path, level: str = "paragraph", name: str | None = None
) -> list[Collection]:
    """A SQuAD v1 file as its collections: one, or, when every article asks its own title,
    ``NAME/alt`` and ``NAME/title`` with the titles left out of the documents."""
    data = _squad_data(path)
    name = name or path.name
    if not _titles_asked(data):
        docs, asked = _squad_items(data, level, titles=True)
        if not asked:
            raise _bad(path, "aucune question / no question")
        return [_collection(name, docs, asked)]
    docs, asked = _squad_items(data, level, titles=False)
    is_title = [_norm(text) == _norm(title) for _, text, _, title in asked]
    alt = [x for x, t in zip(asked, is_title, strict=True) if not t]
    title = [x for x, t in zip(asked, is_title, strict=True) if t]
    splits = [(f"{name}/alt", alt), (f"{name}/title", title)]
    return [_collection(n, docs, qs) for n, qs in splits if qs]


def load_trec(corpus: Path, queries: Path, qrels: Path) -> Collection:
    docs: list[Doc] = []
    try:
        with corpus.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    doc_id = str(row.get("id") or row.get("_id"))
                    docs.append(
                        Doc(id=doc_id, title=row.get("title", ""), text=row.get("text", ""))
                    )
        with queries.open(encoding="utf-8") as f:
            if queries.suffix == ".jsonl":  # BEIR: {"_id", "text"} a line
                rows = (json.loads(line) for line in f if line.strip())
                found = {str(r.get("_id") or r.get("id")): str(r["text"]) for r in rows}
            else:
                found = {r[0]: r[1] for r in csv.reader(f, delimiter="\t") if len(r) >= 2}
        judged: dict[str, dict[str, int]] = {}
        with qrels.open(encoding="utf-8") as f:
            for r in csv.reader(f, delimiter="\t"):
                if len(r) < 3 or not r[-1].strip().lstrip("-").isdigit():
                    continue  # a header line
                qid, doc_id, rel = r[0], r[-2], int(r[-1])
                if rel > 0:
                    judged.setdefault(qid, {})[doc_id] = rel
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _bad(corpus, str(exc)) from None
    wanted = {q: t for q, t in found.items() if q in judged}
    return Collection(
        name=corpus.parent.name, docs=docs, queries=wanted, qrels=judged, same=_same(docs)
    )


def _trec_files(folder: Path) -> tuple[Path, Path, Path] | None:
    """corpus.jsonl with queries (.tsv or .jsonl) and qrels (qrels.tsv or BEIR's qrels/test.tsv)."""
    corpus = folder / "corpus.jsonl"
    queries = next(
        (q for q in (folder / "queries.tsv", folder / "queries.jsonl") if q.is_file()), None
    )
    qrels = next(
        (q for q in (folder / "qrels.tsv", folder / "qrels" / "test.tsv") if q.is_file()), None
    )
    if corpus.is_file() and queries is not None and qrels is not None:
        return corpus, queries, qrels
    return None


def load_collections(path: Path, level: str = "paragraph") -> list[Collection]:
    """The collections a file or folder holds: a SQuAD v1 file (split in two when it asks its
    titles, see ``load_squad_splits``), or a folder's TREC triple and SQuAD v1 files (other
    files are not collections and are passed over). Raises ``InputNotFound`` when ``path`` does
    not exist, ``BadInput`` when it holds no readable collection."""
    if path.is_file():
        return load_squad_splits(path, level)
    if not path.is_dir():
        raise InputNotFound("input.not_found", path=path)
    found: list[Collection] = []
    trec = _trec_files(path)
    if trec is not None:
        found.append(load_trec(*trec))
    squad = [f for f in sorted(path.glob("*.json")) if _is_squad(f)]
    for f in squad:
        # One collection in the folder: named after the folder, else folder/file.
        name = path.name if len(squad) == 1 and trec is None else f"{path.name}/{f.stem}"
        found.extend(load_squad_splits(f, level, name))
    if not found:
        raise BadInput("eval.no_collection", path=path)
    return found


def default_collections(shared: Path = SHARED_DATA) -> tuple[list[Collection], list[Path]]:
    """The French collections of ``shared`` (../shared/data): spf-qr-fr-retrieval, then
    cnil-faq-fr-retrieval/alt and /title; and the folders that are absent (skipped)."""
    found: list[Collection] = []
    absent: list[Path] = []
    for name in DEFAULT_COLLECTIONS:
        folder = shared / name
        if folder.is_dir():
            found.extend(load_collections(folder))
        else:
            absent.append(folder)
    return found, absent


def evaluate(collection: Collection, rank: Ranker) -> Metrics:
    """Mean nDCG@10, MRR@10 and Recall@100 of ``rank`` over the collection's queries; a copy of
    a document (``Collection.same``) stands for it, and only its first appearance counts."""
    same = collection.same
    ndcg = mrr = recall = 0.0
    for qid, text in collection.queries.items():
        relevant: dict[str, int] = {}
        for d, rel in collection.qrels.get(qid, {}).items():
            key = same.get(d, d)
            relevant[key] = max(rel, relevant.get(key, 0))
        ranked = list(dict.fromkeys(same.get(d, d) for d in rank(text)))
        ndcg += ndcg_at(ranked, relevant, 10)
        mrr += next((1 / (i + 1) for i, d in enumerate(ranked[:10]) if d in relevant), 0.0)
        recall += len(set(ranked[:100]) & set(relevant)) / len(relevant) if relevant else 0.0
    n = len(collection.queries)
    return Metrics(
        ndcg_10=round(ndcg / n, 4),
        mrr_10=round(mrr / n, 4),
        recall_100=round(recall / n, 4),
        queries=n,
    )


def mean_metrics(rows: Sequence[Metrics]) -> Metrics:
    """The unweighted mean over collections (each counts once, whatever its number of queries);
    ``queries`` is their total."""
    n = len(rows)
    return Metrics(
        ndcg_10=round(sum(m.ndcg_10 for m in rows) / n, 4),
        mrr_10=round(sum(m.mrr_10 for m in rows) / n, 4),
        recall_100=round(sum(m.recall_100 for m in rows) / n, 4),
        queries=sum(m.queries for m in rows),
    )


def ndcg_at(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    """Normalised discounted cumulative gain, gains 2^rel − 1 (Järvelin & Kekäläinen)."""
    dcg = sum((2 ** relevant.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    best = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / best if best else 0.0
