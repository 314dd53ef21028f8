"""French text analysis for the lexical index, built from tantivy's own tokenizer and filters.

simple tokenizer (splits « l'opéra » into « l », « opéra ») → drop very long tokens → lowercase →
French stop words and elided articles (l', d', qu', jusqu'…) → accent folding (« événement »,
« évènement » and « evenement » meet) → Snowball French stemmer (« festivals » → « festival »).
"""

from __future__ import annotations

import tantivy

ANALYZER = "fr_lanterne"

ELISIONS = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
STOP_WORDS = [
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "du",
    "de",
    "au",
    "aux",
    "et",
    "ou",
    "en",
    "dans",
    "sur",
    "pour",
    "par",
    "avec",
    "sans",
    "sous",
    "chez",
    "ce",
    "cet",
    "cette",
    "ces",
    "son",
    "sa",
    "ses",
    "leur",
    "leurs",
    "mon",
    "ma",
    "mes",
    "ton",
    "ta",
    "tes",
    "notre",
    "nos",
    "votre",
    "vos",
    "il",
    "elle",
    "ils",
    "elles",
    "on",
    "nous",
    "vous",
    "je",
    "tu",
    "me",
    "te",
    "se",
    "qui",
    "que",
    "quoi",
    "dont",
    "où",
    "ne",
    "pas",
    "plus",
    "est",
    "sont",
    "à",
    "the",
    "of",
    "and",
    "a",
    "an",
    "in",
    "on",
    "for",
    "to",
    "with",
]


QUESTION_WORDS = [
    # French: the words that make a sentence a question, and its auxiliaries (« faut-il »,
    # « peut-on », « dois-je »); « qui », « que », « est »… are stop words already.
    "combien",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "lequel",
    "laquelle",
    "lesquels",
    "lesquelles",
    "comment",
    "pourquoi",
    "quand",
    "faut",
    "peut",
    "peux",
    "puis",
    "dois",
    "doit",
    "t",
    # English, by analogy (not measured: no English collection here).
    "what",
    "which",
    "who",
    "how",
    "why",
    "when",
    "where",
]
"""Left out of longer queries (``SearchConfig.question_words``), never out of the index."""


def french_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.custom_stopword([*ELISIONS, *STOP_WORDS]))
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("french"))
        .build()
    )


def plain_analyzer() -> tantivy.TextAnalyzer:
    """No language knowledge: lowercase words only (the « plain BM25 » baseline's analysis)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .build()
    )


def folded_analyzer() -> tantivy.TextAnalyzer:
    """Words lowercased and accent-folded, not stemmed (exact title words)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.custom_stopword(list(ELISIONS)))
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
