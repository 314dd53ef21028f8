"""Hybrid search over documents: a tantivy lexical index with French analysis, a usearch vector
index of multilingual sentence embeddings, and reciprocal rank fusion.

Documents are generic (an id, a title, contributors, subjects, a text, facet values) so the same
engine serves the catalogue (``_works``) and evaluation collections (``_eval``).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Literal

import msgspec
import numpy as np
import numpy.typing as npt
import tantivy
from usearch.index import Index as VectorIndex

from lanterne import registry
from lanterne.search._analysis import (
    ANALYZER,
    QUESTION_WORDS,
    folded_analyzer,
    french_analyzer,
    plain_analyzer,
)
from lanterne.search._encoder import DIMENSIONS, MODEL, Encoder
from lanterne.search._queries import QueryVectors
from lanterne.search._titles import title_match

Mode = Literal["hybrid", "lexical", "semantic"]
FACETS = ("type", "language", "country", "territory", "period", "access", "creation", "source")
TEXT_FIELDS = ("title", "contributors", "subjects", "text")
COMBINED = "all"


class Doc(msgspec.Struct, kw_only=True):
    id: str
    title: str
    text: str = ""
    contributors: str = ""
    subjects: str = ""
    facets: dict[str, list[str]] = {}


class SearchConfig(msgspec.Struct, kw_only=True, frozen=True):
    """How a query is run; round-trips to JSON so a run can be reproduced from its report."""

    weights: dict[str, int] = msgspec.field(
        default_factory=lambda: {"title": 2, "contributors": 1, "subjects": 1, "text": 1}
    )
    """How many times each field counts in the combined field ``all``, scored by one BM25 with
    one length normalisation (the repetition form of BM25F, Robertson et al. 2004): a word of
    the title weighs as two words of the text, and a long text does not outweigh its title
    by having been scored apart."""
    boosts: dict[str, float] = msgspec.field(
        default_factory=lambda: {
            "all": 1.0,
            "title": 1.0,
            "title_words": 1.0,
            "contributors": 1.0,
            "subjects": 0.5,
        }
    )
    """Short queries (at most ``short_query_words`` words): each field's BM25 added with this
    weight (a field absent or at 0 is not queried). Title-like queries lean on the titles."""
    long_boosts: dict[str, float] = msgspec.field(
        default_factory=lambda: {"all": 1.0, "subjects": 0.5}
    )
    """Longer queries (questions, descriptions): a title shared by many documents (the
    paragraphs of one article, the volumes of a series) must not swamp the words of the text."""
    short_query_words: int = 4
    question_words: list[str] = msgspec.field(default_factory=lambda: list(QUESTION_WORDS))
    """Words left out of longer queries only (« combien », « quel »…): a title may hold them."""
    rrf_k: int = 60
    """Reciprocal rank fusion: score = Σ weight / (k + rank)."""
    lexical_weight: float = 0.75
    semantic_weight: float = 1.0
    fusion: str = "scores"
    """A registered fusion (``lanterne.registry``): ``scores`` (the weighted mean of the
    scores, ``_fusion.fuse_scores``) takes the weights, ``rrf`` ``rrf_k`` and the weights."""
    fusion_params: dict[str, float | str | bool] = {}
    """The fusion's configuration (over ``rrf_k`` and the weights for ``rrf``)."""
    candidates: int = 100
    """Hits taken from each side before fusion."""
    semantic_min: float = 0.2
    """Cosine below which a semantic neighbour is not a candidate: unrelated texts score −0.1 to
    0.13 here, an English query and its French record 0.23 (tests/test_search.py)."""
    fuzzy_up_to: int = 3
    """Queries of at most this many words also match titles and names one typo away."""
    analysis: Literal["french", "plain"] = "french"
    max_query_chars: int = 500
    """Characters of a query that are read; the rest is ignored (``LANTERNE_SEARCH_QUERY_MAX``)."""
    frugal: bool = False
    """The frugal path (``LANTERNE_SEARCH_FRUGAL=1``): a hybrid search runs the lexical side
    first and consults the semantic side (the embedding model) only when the lexical side is
    unsure, its best score less than ``frugal_margin`` above its second (``lexical_margin``)."""
    frugal_margin: float = 0.2
    """Chosen by ``benchmarks/search_frugal.py``: the lowest margin whose nDCG@10 stays within
    0.005 of hybrid's, by leave-one-group-out cross-validation over the French collections
    (docs/search.md, « Chemin sobre »)."""


class Hit(msgspec.Struct, kw_only=True):
    id: str
    title: str
    score: float
    snippet: str
    lexical_rank: int | None = None
    semantic_rank: int | None = None


class Results(msgspec.Struct, kw_only=True):
    query: str
    mode: str
    hits: list[Hit]
    total: int
    """Candidates found (before pagination)."""
    facets: dict[str, dict[str, int]]
    filters: dict[str, list[str]]
    offset: int = 0
    semantic_skipped: bool = False
    """A hybrid search on the frugal path that did not need the semantic side (``frugal``)."""


def lexical_margin(scores: Sequence[float]) -> float:
    """How sure the lexical side is: its best score's relative lead over its second,
    ``(s1 − s2) / s1``; 1 when it found one document, 0 when it found none."""
    if not scores or scores[0] <= 0:
        return 0.0
    if len(scores) == 1:
        return 1.0
    return (scores[0] - scores[1]) / scores[0]


class _Meta(msgspec.Struct):
    """Per vector key: the document id, its title and facet values (kept beside the indexes)."""

    ids: list[str] = []
    titles: list[str] = []
    facets: list[dict[str, list[str]]] = []
    deleted: list[bool] = []
    model: str = MODEL


_WORD = re.compile(r"\w+", re.UNICODE)


class SearchEngine:
    """A lexical + vector index in ``path`` (a folder), or in memory when ``path`` is ``None``."""

    def __init__(
        self,
        path: Path | None = None,
        config: SearchConfig | None = None,
        encoder: Encoder | None = None,
        semantic: bool = True,
        remember_queries: bool = False,
    ) -> None:
        """``remember_queries``: keep past queries' vectors in the folder (``queries.sqlite``),
        for a CLI whose every query is a new process; otherwise only in memory (a server must
        not write its visitors' queries to disk)."""
        self.path = path
        self.config = config or SearchConfig()
        self.encoder = encoder or Encoder()
        self.semantic = semantic
        fusion = registry.get("fusion", self.config.fusion)
        base: dict[str, object] = {}
        if self.config.fusion in ("rrf", "scores"):
            base = {
                "lexical_weight": self.config.lexical_weight,
                "semantic_weight": self.config.semantic_weight,
            }
        if self.config.fusion == "rrf":
            base["k"] = self.config.rrf_k
        self.fuse = fusion.build(fusion.validate({**base, **self.config.fusion_params}))
        """The configured fusion: ``(lexical, semantic) -> fused``, each best first."""
        schema = tantivy.SchemaBuilder()
        schema.add_text_field("id", stored=True, tokenizer_name="raw")
        schema.add_unsigned_field("key", stored=True, indexed=True, fast=True)
        analyzer = ANALYZER if self.config.analysis == "french" else "plain_lanterne"
        for name in TEXT_FIELDS:
            schema.add_text_field(name, stored=True, tokenizer_name=analyzer)
        schema.add_text_field(COMBINED, stored=False, tokenizer_name=analyzer)
        # The title again, folded but not stemmed: « miserables » ranks « Les Misérables » above
        # « Misery », which the French stemmer reduces to the same stem.
        words = "folded_lanterne" if self.config.analysis == "french" else "plain_lanterne"
        schema.add_text_field("title_words", stored=False, tokenizer_name=words)
        for name in FACETS:
            schema.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
        self.schema = schema.build()
        if path is not None:
            (path / "lexical").mkdir(parents=True, exist_ok=True)
            self.lexical = tantivy.Index(self.schema, path=str(path / "lexical"))
        else:
            self.lexical = tantivy.Index(self.schema)
        # Searchers change only when this engine reloads (after its own writes): another engine
        # updating the same folder (the server builds the next state aside) must not show this
        # one segments its ``meta`` does not describe.
        self.lexical.config_reader(reload_policy="Manual")
        self.lexical.register_tokenizer(ANALYZER, french_analyzer())
        self.lexical.register_tokenizer("plain_lanterne", plain_analyzer())
        self.lexical.register_tokenizer("folded_lanterne", folded_analyzer())
        # The same analysis in Python, to make a query's terms exactly as the index made its own.
        text = french_analyzer() if self.config.analysis == "french" else plain_analyzer()
        title = folded_analyzer() if self.config.analysis == "french" else plain_analyzer()
        self._analyzers = {
            **dict.fromkeys((*TEXT_FIELDS, COMBINED), text),
            "title_words": title,
        }
        self.vectors = VectorIndex(ndim=DIMENSIONS, metric="cos", dtype="f16")
        self.query_vectors = QueryVectors(
            path / "queries.sqlite" if path is not None and remember_queries else None,
            MODEL,
            DIMENSIONS,
        )
        self.meta = _Meta()
        self._by_id: dict[str, int] = {}
        self._pairs: list[tuple[tuple[str, str], ...]] = []
        if path is not None and (path / "meta.json").is_file():
            self.meta = msgspec.json.decode((path / "meta.json").read_bytes(), type=_Meta)
            if (path / "vectors.usearch").is_file():
                self.vectors.load(str(path / "vectors.usearch"))
        self._by_id = {d: k for k, d in enumerate(self.meta.ids) if not self.meta.deleted[k]}
        self.lexical.reload()

    # Writing ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_id)

    def upsert(self, docs: Sequence[Doc]) -> None:
        """Add documents, replacing those with the same id."""
        if not docs:
            return
        writer = self.lexical.writer(heap_size=128_000_000, num_threads=1)
        keys: list[int] = []
        for doc in docs:
            old = self._by_id.get(doc.id)
            if old is not None:
                writer.delete_documents_by_term("id", doc.id)
                self.meta.deleted[old] = True
                if self.semantic and old in self.vectors:
                    self.vectors.remove(old)
            key = len(self.meta.ids)
            self.meta.ids.append(doc.id)
            self.meta.titles.append(doc.title)
            self.meta.facets.append(doc.facets)
            self.meta.deleted.append(False)
            self._by_id[doc.id] = key
            keys.append(key)
            document = tantivy.Document()
            document.add_text("id", doc.id)
            document.add_unsigned("key", key)
            document.add_text("title", doc.title)
            document.add_text("title_words", doc.title)
            document.add_text("text", doc.text)
            document.add_text("contributors", doc.contributors)
            document.add_text("subjects", doc.subjects)
            for field in TEXT_FIELDS:
                value = getattr(doc, field)
                if value:
                    for _ in range(self.config.weights.get(field, 0)):
                        document.add_text(COMBINED, value)
            for name in FACETS:
                for value in doc.facets.get(name, ()):
                    document.add_text(name, value)
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        if self.semantic:
            texts = [embedding_text_of(d) for d in docs]
            self.vectors.add(np.array(keys, dtype=np.uint64), self.encoder.encode(texts))
        self.lexical.reload()

    def delete(self, ids: Iterable[str]) -> None:
        writer = self.lexical.writer(heap_size=32_000_000, num_threads=1)
        for doc_id in ids:
            key = self._by_id.pop(doc_id, None)
            if key is None:
                continue
            writer.delete_documents_by_term("id", doc_id)
            self.meta.deleted[key] = True
            if self.semantic and key in self.vectors:
                self.vectors.remove(key)
        writer.commit()
        writer.wait_merging_threads()
        self.lexical.reload()

    def save(self) -> None:
        if self.path is None:
            return
        (self.path / "meta.json").write_bytes(msgspec.json.encode(self.meta))
        if self.semantic:
            self.vectors.save(str(self.path / "vectors.usearch"))

    def embeddings(self) -> tuple[list[str], npt.NDArray[np.float32]]:
        """The live documents' ids and their text vectors (for content similarity)."""
        ids = [d for d in self.meta.ids if d in self._by_id]
        if not self.semantic or not ids:
            return ids, np.zeros((len(ids), DIMENSIONS), dtype=np.float32)
        keys = np.array([self._by_id[d] for d in ids], dtype=np.uint64)
        vectors = np.asarray(self.vectors.get(keys), dtype=np.float32).reshape(len(ids), DIMENSIONS)
        return ids, vectors

    # Reading ------------------------------------------------------------------------------

    def _bounded(self, query: str) -> str:
        """The part of a query that is read: at most ``max_query_chars`` characters."""
        return query[: max(self.config.max_query_chars, 0)]

    def _lexical_query(self, query: str) -> tantivy.Query | None:
        """The query for the text fields, built from its analysed terms (``None``: no term).

        A public query is never query syntax: each word goes through the index's own analysis
        and becomes term queries (fuzzy ones on titles and names for short queries), OR-ed over
        the boosted fields and over the words. « AND », « title:x », « " », « [a TO b] »… are
        words or nothing, never operators (tantivy's parser raised on them: an HTTP 500).
        """
        words = _WORD.findall(self._bounded(query))
        short = len(words) <= self.config.short_query_words
        if not short and self.config.question_words:
            asked = set(self.config.question_words)
            words = [w for w in words if w.casefold() not in asked] or words
        boosts = self.config.boosts if short else self.config.long_boosts
        fuzzy = ("title", "contributors") if len(words) <= self.config.fuzzy_up_to else ()
        fields = [(f, a, boosts[f]) for f, a in self._analyzers.items() if boosts.get(f, 0.0) > 0]
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        # A word written twice the same way counts once, as tantivy's own parser had it (the
        # evaluation's figures are unchanged; « Adoption … adoption » still counts twice).
        for word in dict.fromkeys(words):
            for field, analyzer, boost in fields:
                terms = analyzer.analyze(word)
                if not terms:
                    continue
                if len(terms) > 1:  # « a_b »: \w keeps it whole, the tokenizer does not
                    leaf = tantivy.Query.phrase_query(
                        self.schema, field, list[str | tuple[int, str]](terms)
                    )
                elif field in fuzzy:
                    leaf = tantivy.Query.fuzzy_term_query(self.schema, field, terms[0], 1, True)
                else:
                    leaf = tantivy.Query.term_query(self.schema, field, terms[0])
                if boost != 1.0:
                    leaf = tantivy.Query.boost_query(leaf, boost)
                clauses.append((tantivy.Occur.Should, leaf))
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def _text_terms(self, query: str) -> tantivy.Query | None:
        """The query's terms in the ``text`` field, for the snippets (which highlight the words
        of one field: the ranking query reads the combined field)."""
        analyzer = self._analyzers["text"]
        terms = dict.fromkeys(
            t for w in _WORD.findall(self._bounded(query)) for t in analyzer.analyze(w)
        )
        clauses = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "text", t)) for t in terms
        ]
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def _filtered(self, query: tantivy.Query, filters: dict[str, list[str]]) -> tantivy.Query:
        if not filters:
            return query
        clauses = [(tantivy.Occur.Must, query)]
        for name, values in filters.items():
            terms = [
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, name, v))
                for v in values
            ]
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(terms)))
        return tantivy.Query.boolean_query(clauses)

    def lexical_ranking(
        self, query: str, limit: int, filters: dict[str, list[str]] | None = None
    ) -> list[tuple[int, float]]:
        """(key, score) of the best lexical matches (BM25 over boosted fields)."""
        parsed = self._lexical_query(query)
        hits = self._lexical_hits(parsed, limit, filters or {})
        return [(k, score) for k, score, _ in hits]

    def _lexical_hits(
        self, parsed: tantivy.Query | None, limit: int, filters: dict[str, list[str]]
    ) -> list[tuple[int, float, tantivy.DocAddress]]:
        if parsed is None:
            return []
        searcher = self.lexical.searcher()
        found = searcher.search(self._filtered(parsed, filters), limit, count=False)
        addresses = [addr for _, addr in found.hits]
        # The key from its fast-field column: no stored document is read.
        keys = searcher.fast_field_values("key", addresses) if addresses else []
        return [
            (int(k), float(score), addr)
            for k, (score, addr) in zip(keys, found.hits, strict=True)
            if isinstance(k, int)
        ]

    def candidates(
        self,
        fields: dict[str, str],
        limit: int,
        filters: dict[str, list[str]] | None = None,
        fuzzy: tuple[str, ...] = (),
        prefix: bool = False,
        common: float | None = None,
    ) -> list[tuple[str, float]]:
        """(id, BM25 score) of the documents whose ``fields`` hold the words given for each
        (field → text), best first: the lexical side alone, no snippet, no facet count (what
        reconciliation reads, ``lanterne.reconcile``). Words of the ``fuzzy`` fields also match
        one typo away; with ``prefix``, the last word of each text matches as a beginning
        (« kamou » finds « Kamouraska », for suggestions as one types). ``common``: a word in
        more than this share of the documents is left out of a field's words when a rarer one
        remains (Lucene's common-terms idea: its weight is near nothing, its postings the
        longest; « festival » in a catalogue of festivals)."""
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        searcher = self.lexical.searcher() if common is not None else None
        most = common * searcher.num_docs if searcher is not None and common is not None else 0
        for field, value in fields.items():
            analyzer = self._analyzers.get(field)
            if analyzer is None or not value:
                continue
            asked = list(dict.fromkeys(_WORD.findall(self._bounded(value))))
            terms = [
                (n, term) for n, word in enumerate(asked) for term in analyzer.analyze(word)[:1]
            ]
            if searcher is not None and len(terms) > 1:
                rare = [(n, t) for n, t in terms if searcher.doc_freq(field, t) <= most]
                terms = rare or terms
            for n, term in terms:
                if prefix and n == len(asked) - 1:
                    leaf = tantivy.Query.fuzzy_term_query(self.schema, field, term, 0, True, True)
                elif field in fuzzy and len(term) > 3:
                    leaf = tantivy.Query.fuzzy_term_query(self.schema, field, term, 1, True)
                else:
                    leaf = tantivy.Query.term_query(self.schema, field, term)
                clauses.append((tantivy.Occur.Should, leaf))
        if not clauses:
            return []
        hits = self._lexical_hits(tantivy.Query.boolean_query(clauses), limit, filters or {})
        return [(self.meta.ids[k], score) for k, score, _ in hits]

    def semantic_ranking(
        self, query: str, limit: int, filters: dict[str, list[str]] | None = None
    ) -> list[tuple[int, float]]:
        """(key, cosine) of the nearest documents that pass the filters."""
        query = self._bounded(query)
        if not self.semantic or len(self.vectors) == 0 or not query.strip():
            return []
        vector = self.query_vectors.get(query)
        if vector is None:
            vector = self.encoder.encode([query])[0]
            self.query_vectors.put(query, vector)
        wanted = limit * (10 if filters else 1)
        found = self.vectors.search(vector, min(wanted, len(self.vectors)), threads=1)
        out: list[tuple[int, float]] = []
        for key, distance in zip(found.keys, found.distances, strict=True):
            k = int(key)
            if self.meta.deleted[k] or not _passes(self.meta.facets[k], filters or {}):
                continue
            similarity = 1.0 - float(distance)
            if similarity < self.config.semantic_min:
                break  # neighbours come nearest first
            out.append((k, similarity))
            if len(out) >= limit:
                break
        return out

    def expect(self, query: str, mode: Mode = "hybrid") -> None:
        """Say which query comes next. When its vector is not remembered, the embedding model
        starts loading now, in the background, while the caller brings the index up to date and
        the lexical side runs (``settle()`` before the process ends)."""
        asked = self._bounded(query)
        if mode == "lexical" or not self.semantic or len(self.vectors) == 0:
            return
        if self.config.frugal and mode == "hybrid":
            return  # the model is loaded only if the lexical side turns out unsure
        if _WORD.search(asked) and self.query_vectors.get(asked) is None:
            self.encoder.preload()

    def settle(self) -> None:
        self.encoder.wait()

    def search(
        self,
        query: str,
        mode: Mode = "hybrid",
        filters: dict[str, list[str]] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> Results:
        filters = {k: v for k, v in (filters or {}).items() if v}
        n = max(self.config.candidates, offset + limit)
        if not _WORD.search(self._bounded(query)):
            return self.browse(filters, limit, offset, query=query, mode=mode)
        parsed = self._lexical_query(query)
        lexical_hits = self._lexical_hits(parsed, n, filters) if mode != "semantic" else []
        lexical = [(k, score) for k, score, _ in lexical_hits]
        addresses = {k: addr for k, _, addr in lexical_hits}
        skipped = (
            mode == "hybrid"
            and self.config.frugal
            and lexical_margin([score for _, score in lexical[:2]]) >= self.config.frugal_margin
        )
        semantic = (
            self.semantic_ranking(query, n, filters) if mode != "lexical" and not skipped else []
        )
        fused: list[tuple[int, float]] = self.fuse(lexical, semantic)
        if mode != "semantic":
            fused = self._titles_first(query, fused)
        lex_rank = {k: i + 1 for i, (k, _) in enumerate(lexical)}
        sem_rank = {k: i + 1 for i, (k, _) in enumerate(semantic)}
        facets = self._facet_counts(k for k, _ in fused)
        page = fused[offset : offset + limit]
        snippets = self._snippets(self._text_terms(query), [k for k, _ in page], addresses)
        hits = [
            Hit(
                id=self.meta.ids[k],
                title=self.meta.titles[k],
                score=round(score, 6),
                snippet=snippets.get(k, ""),
                lexical_rank=lex_rank.get(k),
                semantic_rank=sem_rank.get(k),
            )
            for k, score in page
        ]
        return Results(
            query=query,
            mode=mode,
            hits=hits,
            total=len(fused),
            facets=facets,
            filters=filters,
            offset=offset,
            semantic_skipped=skipped,
        )

    def _titles_first(self, query: str, fused: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Whole-title matches first, then title phrases, then the rest, each in fused order
        (a stable sort: the fusion decides within a tier)."""
        asked = self._bounded(query)
        tiers = {k: title_match(asked, self.meta.titles[k]) for k, _ in fused}
        if not any(tiers.values()):
            return fused
        return sorted(fused, key=lambda kv: -tiers[kv[0]])

    def _facet_counts(self, keys: Iterable[int]) -> dict[str, dict[str, int]]:
        """Facet → value → documents among ``keys``, most frequent first. Counted in one pass
        over each document's (facet, value) pairs, kept per key (a search at 100k works
        spent a third of its Python time in per-facet counters)."""
        pairs = self._pairs
        for k in range(len(pairs), len(self.meta.facets)):
            facets = self.meta.facets[k]
            pairs.append(tuple({(name, v) for name in FACETS for v in facets.get(name, ())}))
        counts = Counter(chain.from_iterable(pairs[k] for k in keys))
        out: dict[str, dict[str, int]] = {}
        for (name, value), n in counts.most_common():
            out.setdefault(name, {})[value] = n
        return {name: out[name] for name in FACETS if name in out}

    def browse(
        self,
        filters: dict[str, list[str]],
        limit: int = 10,
        offset: int = 0,
        *,
        query: str = "",
        mode: str = "hybrid",
    ) -> Results:
        """Every live document that passes the filters, in index order, with exact facet counts
        over all of them (a query with no word browses the catalogue)."""
        keys = [
            k
            for k in range(len(self.meta.ids))
            if not self.meta.deleted[k] and _passes(self.meta.facets[k], filters)
        ]
        facets = self._facet_counts(keys)
        hits = [
            Hit(id=self.meta.ids[k], title=self.meta.titles[k], score=0.0, snippet="")
            for k in keys[offset : offset + limit]
        ]
        return Results(
            query=query,
            mode=mode,
            hits=hits,
            total=len(keys),
            facets=facets,
            filters=filters,
            offset=offset,
        )

    def _snippets(
        self,
        parsed: tantivy.Query | None,
        keys: list[int],
        addresses: dict[int, tantivy.DocAddress] | None = None,
    ) -> dict[int, str]:
        """Highlighted extracts of the text (``<b>`` around matched words), escaped HTML."""
        if not keys:
            return {}
        searcher = self.lexical.searcher()
        generator = (
            tantivy.SnippetGenerator.create(searcher, parsed, self.schema, "text")
            if parsed is not None
            else None
        )
        out: dict[int, str] = {}
        for key in keys:
            address = (addresses or {}).get(key)
            if address is None:  # a semantic-only hit: find its document by key
                found = searcher.search(tantivy.Query.term_query(self.schema, "key", key), 1)
                if not found.hits:
                    continue
                address = found.hits[0][1]
            doc = searcher.doc(address)
            text = (doc.get_first("text") or "") if doc.get_first("text") else ""
            snippet = generator.snippet_from_doc(doc).to_html() if generator else ""
            out[key] = snippet or html.escape(text[:200])
        return out


def _passes(facets: dict[str, list[str]], filters: dict[str, list[str]]) -> bool:
    return all(set(facets.get(name, ())) & set(values) for name, values in filters.items())


def embedding_text_of(doc: Doc) -> str:
    """The text of a document that the index embeds."""
    # USE reads the first ~100 tokens well; the title and the start of the text carry the topic.
    text = f"{doc.title}. {doc.text}" if doc.title and doc.text else doc.title or doc.text
    return text[:600]


def config_json(config: SearchConfig) -> str:
    return json.dumps(msgspec.to_builtins(config), sort_keys=True)
