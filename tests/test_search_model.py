"""The lexical model and the fusion that generalise across collections (issue 16): what broke on
a collection of paragraphs sharing their article's title, and on a weak semantic side."""

from __future__ import annotations

from lanterne.search._engine import Doc, SearchConfig, SearchEngine
from lanterne.search._fusion import fuse, fuse_scores

OLD_BOOSTS = {"title": 3.0, "title_words": 2.0, "contributors": 2.0, "subjects": 1.5, "text": 1.0}
OLD = SearchConfig(boosts=OLD_BOOSTS, long_boosts=OLD_BOOSTS, weights={}, question_words=[])

# Six paragraphs of one article, all titled « Napoléon Bonaparte », and one paragraph of another
# article that answers the question in its text.
ARTICLE = [
    Doc(id=f"napoleon{i}", title="Napoléon Bonaparte", text=text)
    for i, text in enumerate(
        [
            "Né à Ajaccio en 1769, il entre à l'école militaire de Brienne.",
            "La campagne d'Italie fait de lui un général célèbre.",
            "Il devient Premier consul après le coup d'État de brumaire.",
            "Le Code civil est promulgué en 1804.",
            "La retraite de Russie décime la Grande Armée en 1812.",
            "Exilé à Sainte-Hélène, il y meurt en 1821.",
        ]
    )
]
DEPARTEMENTS = [
    "Ain",
    "Aisne",
    "Allier",
    "Ardèche",
    "Ariège",
    "Aube",
    "Aude",
    "Aveyron",
    "Calvados",
    "Cantal",
    "Charente",
    "Cher",
    "Corrèze",
    "Creuse",
    "Dordogne",
    "Doubs",
    "Drôme",
    "Eure",
    "Gard",
    "Gers",
    "Gironde",
    "Hérault",
    "Indre",
    "Isère",
    "Jura",
    "Landes",
    "Loire",
    "Loiret",
    "Lot",
    "Lozère",
    "Manche",
    "Marne",
    "Mayenne",
    "Meuse",
    "Morbihan",
    "Moselle",
    "Nièvre",
    "Nord",
    "Oise",
    "Orne",
]
OTHERS = [
    Doc(id=f"commune{i}", title=f"Commune {name}", text=f"Une commune de {name} : mairie, école.")
    for i, name in enumerate(DEPARTEMENTS)
]
ANSWER = Doc(
    id="sacre",
    title="Couronnement de 1804",
    text="Le sacre de l'empereur a lieu à Notre-Dame de Paris le 2 décembre 1804, "
    "en présence du pape Pie VII ; le tableau de David en garde la scène.",
)
QUESTION = (
    "Dans quelle cathédrale Napoléon Bonaparte a-t-il été sacré empereur en présence du pape ?"
)


def _first(config: SearchConfig, docs: list[Doc], query: str) -> str:
    engine = SearchEngine(config=config, semantic=False)
    engine.upsert(docs)
    return engine.search(query, "lexical", limit=10).hits[0].id


def test_a_title_shared_by_many_paragraphs_does_not_swamp_their_text() -> None:
    docs = [*ARTICLE, ANSWER, *OTHERS]
    # The title, boosted per field, put a paragraph of the article first: the question names it.
    assert _first(OLD, docs, QUESTION).startswith("napoleon")
    assert _first(SearchConfig(), docs, QUESTION) == "sacre"


def test_short_queries_still_lean_on_titles() -> None:
    docs = [*ARTICLE, ANSWER, *OTHERS]
    assert _first(SearchConfig(), docs, "napoleon bonaparte").startswith("napoleon")
    assert _first(SearchConfig(), docs, "couronnement") == "sacre"


def test_question_words_are_left_out_of_long_queries_only() -> None:
    docs = [
        Doc(id="attente", title="Délais", text="Combien faut-il de temps ? Il faut attendre."),
        Doc(id="passeport", title="Tarifs", text="Le passeport coûte 86 euros."),
        Doc(id="titre", title="Comment", text="Une pièce."),
        *OTHERS,
    ]
    question = "Combien faut-il payer pour un passeport ?"
    # « combien » and « faut » are rare in the documents: they outweighed « passeport ».
    assert _first(OLD, docs, question) == "attente"
    assert _first(SearchConfig(), docs, question) == "passeport"
    assert _first(SearchConfig(), docs, "comment") == "titre"  # a short query keeps its words


def test_a_weak_semantic_side_does_not_drag_a_confident_lexical_ranking() -> None:
    lexical = [(1, 12.0), (2, 3.1), (3, 3.0), (4, 2.9)]
    # Near-equal, low cosines in another order: the semantic side knows little here.
    semantic = [(4, 0.31), (3, 0.30), (2, 0.29), (5, 0.28)]
    assert fuse(lexical, semantic)[0][0] == 4, "rank fusion followed the weak side"
    assert fuse_scores(lexical, semantic)[0][0] == 1


def test_a_confident_semantic_side_lifts_what_the_words_missed() -> None:
    lexical = [(1, 5.0), (2, 4.9), (3, 4.8)]
    semantic = [(3, 0.82), (7, 0.35)]
    fused = fuse_scores(lexical, semantic)
    assert fused[0][0] == 3
    assert [k for k, _ in fused][-1] == 7


def test_score_fusion_weights_and_empty_sides() -> None:
    lexical = [(1, 2.0), (2, 1.0)]
    semantic = [(2, 0.9)]
    assert fuse_scores(lexical, [], 1.0, 1.0) == [(1, 0.5), (2, 0.25)]
    assert fuse_scores([], semantic) == [(2, 0.45)]
    assert fuse_scores(lexical, semantic, 1.0, 0.0)[0][0] == 1
    assert fuse_scores(lexical, semantic, 0.0, 1.0)[0][0] == 2
    assert fuse_scores(lexical, semantic, 0.0, 0.0) == []


def test_snippets_highlight_the_text_although_ranking_reads_the_combined_field() -> None:
    engine = SearchEngine(semantic=False)
    engine.upsert([*ARTICLE, ANSWER, *OTHERS])
    hit = engine.search(QUESTION, "lexical", limit=1).hits[0]
    assert "<b>" in hit.snippet and "sacre" in hit.snippet.lower()


def test_a_document_without_a_title_is_encoded_from_its_text_alone() -> None:
    """The evaluation's FAQ documents, titles left out, were encoded as « . text »."""
    from lanterne.search._engine import embedding_text_of as _embedding_text

    assert _embedding_text(Doc(id="a", title="", text="Le texte.")) == "Le texte."
    assert _embedding_text(Doc(id="b", title="Titre", text="")) == "Titre"
    assert _embedding_text(Doc(id="c", title="Titre", text="Le texte.")) == "Titre. Le texte."
