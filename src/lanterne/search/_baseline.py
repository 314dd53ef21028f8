"""Plain BM25, the peer Lanterne's search is measured against (``lanterne eval search``,
``benchmarks/search.py``): the bm25s library (a development dependency) on lowercase words of
every text field of a document (title, contributors, subjects, text), no stemming, no stop words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported: lanterne.search loads onnxruntime before tantivy (_engine)
    from lanterne.search._engine import Doc

_WORD = re.compile(r"\w+")


def bm25_available() -> bool:
    """Whether bm25s can be imported (installed with the ``dev`` extra)."""
    import importlib.util

    return importlib.util.find_spec("bm25s") is not None


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def bm25_ranker(docs: Sequence[Doc], limit: int = 100) -> Callable[[str], list[str]]:
    """A query → the ids of at most ``limit`` documents, best first, by plain BM25."""
    import bm25s  # type: ignore[import-untyped]

    corpus = [_words(" ".join((d.title, d.contributors, d.subjects, d.text))) for d in docs]
    model = bm25s.BM25()
    model.index(corpus, show_progress=False)
    ids = [d.id for d in docs]
    vocabulary: dict[str, int] = getattr(model, "vocab_dict", None) or {}

    def rank(query: str) -> list[str]:
        # Words the corpus never has are dropped: bm25s refuses a query of unknown tokens.
        tokens = [w for w in _words(query) if w in vocabulary] if vocabulary else _words(query)
        if not tokens or not ids:
            return []
        found, _ = model.retrieve([tokens], k=min(limit, len(ids)), show_progress=False)
        return [ids[int(i)] for i in found[0]]

    return rank
