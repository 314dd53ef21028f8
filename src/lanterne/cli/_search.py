"""``lanterne index``, ``lanterne search`` and ``lanterne eval search``."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import msgspec

from lanterne._visible import visible
from lanterne.catalogue import open_catalogue
from lanterne.cli._common import _state, echo, echo_json
from lanterne.cli._footprint import Measured
from lanterne.errors import BadInput, NotFound, ToolMissing
from lanterne.messages import Lang, translate

if TYPE_CHECKING:
    from lanterne.search import SearchConfig


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


@click.command("index", cls=Measured)
@click.option(
    "--embeddings",
    type=click.Path(path_type=Path),
    help="Vecteurs déjà calculés (lanterne batch embed) : seuls les textes qui n'y sont pas sont "
    "encodés / precomputed vectors: only the texts they lack are encoded.",
)
@click.pass_context
def index_command(ctx: click.Context, embeddings: Path | None) -> None:
    """Mettre l'index de recherche à jour / update the search index."""
    from lanterne.report import count
    from lanterne.search import CatalogueIndex, Precomputed

    state = _state(ctx)
    encoder = Precomputed(embeddings) if embeddings is not None else None
    with open_catalogue(state.settings.catalogue) as catalogue:
        index = CatalogueIndex(catalogue, encoder=encoder)
        indexed, removed = index.update(_BuildProgress(state.lang))
        total = len(index.engine)
    if encoder is not None:
        echo(
            translate(
                state.lang,
                "Vecteurs repris de {path} : {reused} ; encodés ici : {encoded}",
                path=embeddings,
                reused=count(encoder.reused, state.lang),
                encoded=count(encoder.encoded, state.lang),
            )
        )
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


MODES = ("lexical", "semantic", "hybrid")
BASELINE = "bm25"
"""The plain-BM25 column's key in the figures (bm25s; ``lanterne.search.bm25_ranker``)."""


def _collections(
    paths: tuple[Path, ...],
    level: str,
    queries: Path | None,
    qrels: Path | None,
    shared: Path | None,
    lang: Lang,
) -> list[Any]:
    """What ``eval search`` is asked to measure: the files and folders named, the TREC triple,
    or the French collections of ../shared/data (absent ones said on stderr and passed over)."""
    from lanterne.search import SHARED_DATA, default_collections, load_collections, load_trec

    if (queries is None) != (qrels is None):
        raise click.UsageError("--queries et --qrels vont ensemble / go together")
    for path in paths:
        if not path.exists():
            raise NotFound("input.not_found", path=path)
    if queries is not None and qrels is not None:
        if len(paths) != 1 or not paths[0].is_file():
            raise click.UsageError(
                "--queries et --qrels : un seul corpus JSON Lines / one JSON Lines corpus"
            )
        return [load_trec(paths[0], queries, qrels)]
    if paths:
        return [c for path in paths for c in load_collections(path, level)]
    folder = shared or SHARED_DATA
    found, absent = default_collections(folder)
    for missing in absent:
        echo(
            translate(lang, "{path} absent : collection passée.", path=missing),
            err=True,
        )
    if not found:
        raise BadInput("eval.no_default", path=folder, names=", ".join(p.name for p in absent))
    return found


def _cell(x: float, lang: Lang) -> str:
    from lanterne.report import number

    return number(x, lang, 4)


def _table(figures: dict[str, Any], systems: list[str], lang: Lang) -> list[str]:
    """One row per collection and system, then the average over the collections."""
    from lanterne.report import count

    names = {m: m for m in MODES} | {BASELINE: translate(lang, "BM25 simple (bm25s)")}
    rows = figures["collections"]
    average = translate(lang, "moyenne ({n} collections)", n=len(rows))
    if len(rows) > 1:
        rows = [*rows, {**figures, "collection": average}]
    heads = [
        translate(lang, "collection"),
        translate(lang, "documents"),
        translate(lang, "requêtes"),
        translate(lang, "système"),
    ]
    first = max(len(heads[0]), *(len(r["collection"]) for r in rows))
    docs = max(len(heads[1]), *(len(count(r["documents"], lang)) for r in rows))
    asked = max(len(heads[2]), *(len(count(r["queries"], lang)) for r in rows))
    system = max(len(heads[3]), *(len(names[s]) for s in systems))
    lines = [
        f"{heads[0]:<{first}}  {heads[1]:>{docs}}  {heads[2]:>{asked}}  {heads[3]:<{system}}"
        + "".join(f"{h:>9}" for h in ("nDCG@10", "MRR@10", "R@100"))
    ]
    for row in rows:
        for i, key in enumerate(systems):
            m = row[key]
            # The average's counts are left blank: the splits of one file share its documents.
            lead = (
                f"{row['collection']:<{first}}  {count(row['documents'], lang):>{docs}}  "
                f"{count(row['queries'], lang):>{asked}}"
                if i == 0 and row["collection"] != average
                else f"{row['collection'] if i == 0 else '':<{first + docs + asked + 4}}"
            )
            lines.append(
                f"{lead}  {names[key]:<{system}}"
                + "".join(f"{_cell(m[k], lang):>9}" for k in ("ndcg_10", "mrr_10", "recall_100"))
            )
    return lines


def _search_config(path: Path | None) -> SearchConfig:
    """The configuration a ``--config`` file gives (every field it does not name at its default);
    an unknown field is refused, not ignored."""
    from lanterne.search import SearchConfig

    if path is None:
        return SearchConfig()
    if not path.is_file():
        raise NotFound("input.not_found", path=path)
    try:
        raw = msgspec.json.decode(path.read_bytes())
        if not isinstance(raw, dict):
            raise msgspec.ValidationError("un objet JSON / a JSON object")
        known = set(SearchConfig.__struct_fields__)
        unknown = sorted(str(k) for k in raw if k not in known)
        if unknown:
            raise msgspec.ValidationError("champ inconnu / unknown field: " + ", ".join(unknown))
        return msgspec.convert(raw, SearchConfig)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError) as exc:
        raise BadInput("eval.bad_config", path=path, detail=str(exc)) from None


@click.command("search", cls=Measured)
@click.argument("collections", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--level", type=click.Choice(["paragraph", "article"]), default="paragraph", show_default=True
)
@click.option("--queries", type=click.Path(path_type=Path), help="TREC : requêtes (TSV).")
@click.option("--qrels", type=click.Path(path_type=Path), help="TREC : jugements (TSV).")
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice(MODES),
    help="Mode mesuré, répétable (défaut : les trois) / mode to measure.",
)
@click.option(
    "--baseline/--no-baseline",
    default=None,
    help="BM25 simple (bm25s) à côté ; par défaut quand bm25s est installé / plain BM25 beside.",
)
@click.option(
    "--shared",
    type=click.Path(path_type=Path, file_okay=False),
    help="Données partagées, sans COLLECTION (défaut : ../shared/data à côté des sources).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Configuration de recherche (JSON, le « config » de --json) / search configuration.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eval_search_command(
    ctx: click.Context,
    collections: tuple[Path, ...],
    level: str,
    queries: Path | None,
    qrels: Path | None,
    modes: tuple[str, ...],
    baseline: bool | None,
    shared: Path | None,
    config_file: Path | None,
    as_json: bool,
) -> None:
    """nDCG@10, MRR@10, R@100 sur des collections (SQuAD v1, TREC ; défaut : ../shared/data)."""
    import time

    from lanterne.report import count, number
    from lanterne.search import (
        Metrics,
        SearchEngine,
        bm25_available,
        bm25_ranker,
        evaluate,
        mean_metrics,
    )

    state = _state(ctx)
    lang = state.lang
    config = _search_config(config_file)
    data = _collections(collections, level, queries, qrels, shared, lang)
    wanted = [m for m in MODES if m in modes] or list(MODES)
    if baseline is None:
        baseline = bm25_available()
    elif baseline and not bm25_available():
        raise ToolMissing("eval.no_bm25")
    systems = wanted + ([BASELINE] if baseline else [])
    rows: list[dict[str, Any]] = []
    measured: dict[str, list[Metrics]] = {s: [] for s in systems}
    engine = SearchEngine(config=config, semantic=False)
    indexed: object = None
    for collection in data:
        # The splits of one file share their documents: indexed (encoded, the slow part) once.
        if collection.docs is not indexed:
            start = time.monotonic()
            # Lexical only: no embedding model to load, no documents to encode.
            engine = SearchEngine(config=config, semantic=wanted != ["lexical"])
            engine.upsert(collection.docs)
            indexed = collection.docs
            echo(
                translate(
                    lang,
                    "{name} : {documents} documents indexés en {seconds} s",
                    name=collection.name,
                    documents=count(len(collection.docs), lang),
                    seconds=number(time.monotonic() - start, lang, 1),
                ),
                err=True,
            )
        row: dict[str, Any] = {
            "collection": collection.name,
            "documents": len(collection.docs),
            "queries": len(collection.queries),
        }
        for mode in wanted:

            def ranked(query: str, mode: str = mode, engine: SearchEngine = engine) -> list[str]:
                return [h.id for h in engine.search(query, mode, limit=100).hits]  # type: ignore[arg-type]

            measured[mode].append(evaluate(collection, ranked))
        if baseline:
            measured[BASELINE].append(evaluate(collection, bm25_ranker(collection.docs)))
        for key in systems:
            row[key] = msgspec.to_builtins(measured[key][-1])
        rows.append(row)
    # The top level is the average over the collections (unweighted; the one collection's own
    # figures when there is one), the same shape as each of ``collections``.
    figures: dict[str, Any] = {
        "collection": rows[0]["collection"] if len(rows) == 1 else "average",
        "documents": sum(r["documents"] for r in rows),
        "queries": sum(r["queries"] for r in rows),
        **{key: msgspec.to_builtins(mean_metrics(measured[key])) for key in systems},
        "collections": rows,
        "config": msgspec.to_builtins(engine.config),
    }
    if as_json:
        echo_json(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    for line in _table(figures, systems, lang):
        echo(line)
