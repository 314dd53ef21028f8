"""``lanterne index``, ``lanterne search`` and ``lanterne eval search``."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import click
import msgspec

from lanterne._visible import visible
from lanterne.catalogue import open_catalogue
from lanterne.cli._common import _state, echo, echo_json
from lanterne.errors import NotFound
from lanterne.messages import Lang, translate


def _facet_filters(facets: tuple[str, ...]) -> dict[str, list[str]]:
    from lanterne.search import FACETS

    filters: dict[str, list[str]] = {}
    for item in facets:
        name, sep, value = item.partition("=")
        if not sep or name not in FACETS or not value:
            raise click.BadParameter(
                f"« {item} » : attendu NOM=VALEUR, NOM parmi {', '.join(FACETS)}",
                param_hint="--facet",
            )
        filters.setdefault(name, []).append(value)
    return filters


class _BuildProgress:
    """What a first build is doing, on stderr: a bar redrawn in place on a terminal, else a
    plain line at most every ``every`` seconds (logs, pipes)."""

    def __init__(self, lang: Lang, every: float = 10.0) -> None:
        import sys
        import time

        self.lang = lang
        self.tty = sys.stderr.isatty()
        self.every = every
        self.clock = time.monotonic
        self.started = self.clock()
        self.shown = -every

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done == 0:
            click.echo(
                translate(
                    self.lang,
                    "Construction de l'index de recherche de {total} œuvres "
                    "(une fois par catalogue ; les recherches suivantes n'indexent que les "
                    "changements)…",
                    total=total,
                ),
                err=True,
            )
        finished = done >= total
        if not self.tty and not finished and now - self.shown < self.every:
            return
        self.shown = now
        share = done / total if total else 1.0
        elapsed = now - self.started
        line = f"{done}/{total} " + translate(self.lang, "œuvres") + f" ({elapsed:.0f} s)"
        if self.tty:
            bar = "█" * int(share * 30) + "·" * (30 - int(share * 30))
            click.echo(f"\r  {bar} {share:>4.0%} {line}", err=True, nl=finished)
        else:
            click.echo(f"  {share:.0%} {line}", err=True)


@click.command("index")
@click.pass_context
def index_command(ctx: click.Context) -> None:
    """Mettre l'index de recherche à jour / update the search index."""
    from lanterne.search import CatalogueIndex

    state = _state(ctx)
    with open_catalogue(state.settings.catalogue) as catalogue:
        index = CatalogueIndex(catalogue)
        indexed, removed = index.update(_BuildProgress(state.lang))
        total = len(index.engine)
    echo(
        translate(state.lang, "Index de recherche : ")
        + f"{total} "
        + translate(state.lang, "œuvres")
        + f" (+{indexed}, −{removed})"
    )


@click.command("search")
@click.argument("query")
@click.option("--facet", "facets", multiple=True, metavar="NOM=VALEUR", help="Filtre, répétable.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "lexical", "semantic"]),
    default="hybrid",
    show_default=True,
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--offset", default=0, type=click.IntRange(0, 100_000))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def search_command(
    ctx: click.Context,
    query: str,
    facets: tuple[str, ...],
    mode: str,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Chercher des œuvres / search works."""
    from lanterne.search import CatalogueIndex, DaemonEncoder

    state = _state(ctx)
    filters = _facet_filters(facets)
    with open_catalogue(state.settings.catalogue) as catalogue:
        # remember_queries: the next page of the same search needs no embedding model; the
        # daemon keeps the model loaded for the next new query (LANTERNE_ENCODER_IDLE)
        index = CatalogueIndex(catalogue, encoder=DaemonEncoder(), remember_queries=True)
        index.engine.expect(query, mode)  # type: ignore[arg-type]
        try:
            index.update(_BuildProgress(state.lang))  # cheap when nothing changed since the last
            results = index.engine.search(query, mode, filters, limit, offset)  # type: ignore[arg-type]
        finally:
            index.engine.settle()
    if as_json:
        echo_json(json.dumps(msgspec.to_builtins(results), ensure_ascii=False, indent=2))
        return
    lang = state.lang
    echo(
        f"{results.total} "
        + translate(lang, "résultats")
        + (
            f" ({', '.join(f'{k}={v}' for k, vs in filters.items() for v in vs)})"
            if filters
            else ""
        )
    )
    for i, hit in enumerate(results.hits, start=offset + 1):
        echo(f"{i:>3}. {visible(hit.title)}  [{visible(hit.id)}]")
        if hit.snippet:
            plain = html.unescape(hit.snippet.replace("<b>", "").replace("</b>", ""))
            echo(f"     {visible(plain[:160])}")
    for name, counts in results.facets.items():
        top = ", ".join(f"{visible(k)} {v}" for k, v in list(counts.items())[:6])
        echo(f"  {name}: {top}")


@click.command("search")
@click.argument("collection", type=click.Path(path_type=Path))
@click.option(
    "--level", type=click.Choice(["paragraph", "article"]), default="paragraph", show_default=True
)
@click.option("--queries", type=click.Path(path_type=Path), help="TREC : requêtes (TSV).")
@click.option("--qrels", type=click.Path(path_type=Path), help="TREC : jugements (TSV).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eval_search_command(
    ctx: click.Context,
    collection: Path,
    level: str,
    queries: Path | None,
    qrels: Path | None,
    as_json: bool,
) -> None:
    """nDCG@10, MRR@10, Recall@100 sur une collection (SQuAD v1 ou TREC)."""
    from lanterne.search import SearchEngine, evaluate, load_squad, load_trec

    state = _state(ctx)
    if not collection.is_file():
        raise NotFound("input.not_found", path=collection)
    if (queries is None) != (qrels is None):
        raise click.UsageError("--queries et --qrels vont ensemble / go together")
    data = (
        load_trec(collection, queries, qrels)
        if queries is not None and qrels is not None
        else load_squad(collection, level)
    )
    engine = SearchEngine()
    engine.upsert(data.docs)
    figures: dict[str, Any] = {
        "collection": data.name,
        "documents": len(data.docs),
        "queries": len(data.queries),
        "config": msgspec.to_builtins(engine.config),
    }
    for mode in ("lexical", "semantic", "hybrid"):

        def ranked(query: str, mode: str = mode) -> list[str]:
            return [h.id for h in engine.search(query, mode, limit=100).hits]  # type: ignore[arg-type]

        metrics = evaluate(data, ranked)
        figures[mode] = msgspec.to_builtins(metrics)
    if as_json:
        echo_json(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    echo(
        f"{data.name}: {len(data.docs)} documents, {len(data.queries)} "
        + translate(state.lang, "requêtes")
    )
    echo(f"{'':<10}{'nDCG@10':>9}{'MRR@10':>9}{'R@100':>8}")
    for mode in ("lexical", "semantic", "hybrid"):
        m = figures[mode]
        echo(f"{mode:<10}{m['ndcg_10']:>9.4f}{m['mrr_10']:>9.4f}{m['recall_100']:>8.4f}")
