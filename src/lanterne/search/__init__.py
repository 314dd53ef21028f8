"""French-aware hybrid search: a tantivy lexical index, multilingual embeddings, rank fusion."""

# onnxruntime first (_daemon loads _encoder), before tantivy and usearch (a crash otherwise).
from lanterne.search._baseline import bm25_available, bm25_ranker
from lanterne.search._daemon import DaemonEncoder
from lanterne.search._encoder import DIMENSIONS, MODEL, Encoder
from lanterne.search._engine import (
    FACETS,
    Doc,
    Hit,
    Mode,
    Results,
    SearchConfig,
    SearchEngine,
)
from lanterne.search._eval import (
    SHARED_DATA,
    Collection,
    Metrics,
    default_collections,
    evaluate,
    load_collections,
    load_squad,
    load_squad_splits,
    load_trec,
    mean_metrics,
)
from lanterne.search._fusion import fuse
from lanterne.search._interface import SearchIndex
from lanterne.search._precomputed import Precomputed, embedding_text, text_digest
from lanterne.search._works import CatalogueIndex

__all__ = [
    "DIMENSIONS",
    "FACETS",
    "MODEL",
    "SHARED_DATA",
    "CatalogueIndex",
    "Collection",
    "DaemonEncoder",
    "Doc",
    "Encoder",
    "Hit",
    "Metrics",
    "Mode",
    "Precomputed",
    "Results",
    "SearchConfig",
    "SearchEngine",
    "SearchIndex",
    "bm25_available",
    "bm25_ranker",
    "default_collections",
    "embedding_text",
    "evaluate",
    "fuse",
    "load_collections",
    "load_squad",
    "load_squad_splits",
    "load_trec",
    "mean_metrics",
    "text_digest",
]
