"""Retrieval evaluation: test collections (SQuAD v1 or TREC-style) and nDCG@10, MRR@10, Recall@100.

SQuAD v1: each question's relevant document is the paragraph holding its answer (or, with
``level="article"``, the article); the corpus is every paragraph (or article) of the file, with
or without questions. TREC-style: a corpus in JSON Lines (``id``, ``title``, ``text``), queries
in TSV (``id``, ``text``) and qrels in TSV (``query``, [``iteration``,] ``doc``, ``relevance``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec

from lanterne.errors import BadInput
from lanterne.search._engine import Doc

Ranker = Callable[[str], Sequence[str]]
"""A query → document ids, best first (at least 100 when the corpus has them)."""


class Collection(msgspec.Struct, kw_only=True):
    name: str
    docs: list[Doc]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


class Metrics(msgspec.Struct, kw_only=True):
    ndcg_10: float
    mrr_10: float
    recall_100: float
    queries: int


def load_squad(path: Path, level: str = "paragraph") -> Collection:
    try:
        data = json.loads(path.read_text("utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput("eval.bad_collection", path=path, detail=str(exc)) from None
    docs: list[Doc] = []
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for a, article in enumerate(data):
        title = str(article.get("title", ""))
        paragraphs = article.get("paragraphs", [])
        article_id = f"a{a}"
        if level == "article":
            text = "\n".join(p.get("context", "") for p in paragraphs)
            docs.append(Doc(id=article_id, title=title, text=text))
        for p, paragraph in enumerate(paragraphs):
            doc_id = article_id if level == "article" else f"a{a}p{p}"
            if level != "article":
                docs.append(Doc(id=doc_id, title=title, text=paragraph.get("context", "")))
            for q, qa in enumerate(paragraph.get("qas", [])):
                qid = str(qa.get("id") or f"a{a}p{p}q{q}")
                queries[qid] = str(qa["question"])
                qrels.setdefault(qid, {})[doc_id] = 1
    if not queries:
        raise BadInput("eval.bad_collection", path=path, detail="aucune question")
    return Collection(name=path.name, docs=docs, queries=queries, qrels=qrels)


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
            found = {r[0]: r[1] for r in csv.reader(f, delimiter="\t") if len(r) >= 2}
        judged: dict[str, dict[str, int]] = {}
        with qrels.open(encoding="utf-8") as f:
            for r in csv.reader(f, delimiter="\t"):
                if len(r) < 3 or not r[-1].strip().lstrip("-").isdigit():
                    continue  # a header line
                qid, doc_id, rel = r[0], r[-2], int(r[-1])
                if rel > 0:
                    judged.setdefault(qid, {})[doc_id] = rel
    except (OSError, ValueError) as exc:
        raise BadInput("eval.bad_collection", path=corpus, detail=str(exc)) from None
    wanted = {q: t for q, t in found.items() if q in judged}
    return Collection(name=corpus.parent.name, docs=docs, queries=wanted, qrels=judged)


def evaluate(collection: Collection, rank: Ranker) -> Metrics:
    ndcg = mrr = recall = 0.0
    for qid, text in collection.queries.items():
        relevant = collection.qrels.get(qid, {})
        ranked = list(rank(text))
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


def ndcg_at(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    """Normalised discounted cumulative gain, gains 2^rel − 1 (Järvelin & Kekäläinen)."""
    dcg = sum((2 ** relevant.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    best = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / best if best else 0.0
