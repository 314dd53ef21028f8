"""``lanterne export parquet`` and ``lanterne batch``: the catalogue as Parquet, and batch work
on Apache Spark (``local[N]`` on this machine, ``spark://HOST:PORT`` on a cluster)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import msgspec

from lanterne.catalogue import open_catalogue
from lanterne.cli._audit import audit_options
from lanterne.cli._common import _state, echo
from lanterne.cli._footprint import Measured
from lanterne.messages import translate
from lanterne.report import count, decimal

_MASTER = click.option(
    "--master",
    default="local[2]",
    show_default=True,
    help="Maître Spark : local[N] (cette machine, N cœurs) ou spark://HÔTE:PORT / Spark master.",
)
_PARTITIONS = click.option(
    "--partitions",
    type=click.IntRange(1, 100_000),
    help="Nombre de partitions (sinon : selon l'entrée) / number of partitions.",
)


_INPUT = click.option(
    "--input",
    "given",
    metavar="EXPORT|URL",
    help="Export Parquet (lanterne export parquet) ou catalogue postgresql:// ; sinon le "
    "catalogue / a Parquet export or a PostgreSQL catalogue.",
)
_JDBC = click.option(
    "--jdbc-jar",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Pilote JDBC de PostgreSQL (sinon celui de Debian) / PostgreSQL JDBC driver.",
)


def _works_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a batch job over the catalogue's works: master, partitions, input,
    source, JDBC driver."""
    source = click.option("--source", help="Une seule source / one source only.")
    for option in (_JDBC, source, _INPUT, _PARTITIONS, _MASTER):
        command = option(command)
    return command


def _write_json(path: Path, report: object) -> None:
    """A report as indented JSON, written whole or not at all."""
    from lanterne.publish import atomic_file

    with atomic_file(path) as out:
        out.write(json.dumps(msgspec.to_builtins(report), ensure_ascii=False, indent=2).encode())
        out.write(b"\n")


def _input(
    ctx: click.Context, master: str, given: str | None, jdbc_jar: Path | None
) -> tuple[str, list[Path]]:
    """The works to read (``--input``, else the general catalogue) and the jars Spark needs for
    them; what can be said before Spark starts (a few seconds) is said first."""
    from lanterne._location import is_server
    from lanterne.batch import jdbc_jar as find_jar
    from lanterne.batch import normalise_master
    from lanterne.errors import InputNotFound

    normalise_master(master)
    where = given or str(_state(ctx).settings.catalogue)
    if not is_server(where) and not Path(where).exists():
        raise InputNotFound("batch.no_input", path=where)
    return where, [find_jar(jdbc_jar)] if is_server(where) else []


@click.group("export")
def export_group() -> None:
    """Exporter le catalogue (Parquet) pour d'autres outils / export the catalogue (Parquet)."""


@export_group.command("parquet", cls=Measured)
@click.option("--source", help="Une seule source / one source only.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def export_parquet_command(ctx: click.Context, source: str | None, output: Path) -> None:
    """Les œuvres en un fichier Parquet (Spark, Arrow, pandas, DuckDB) / the works in Parquet."""
    from lanterne.batch import export_parquet

    state = _state(ctx)
    with open_catalogue(state.settings.catalogue) as db:
        written = export_parquet(db, output, source)
    echo(
        translate(
            state.lang,
            "{works} œuvres écrites dans {path}",
            works=count(written, state.lang),
            path=output,
        )
    )


@click.group("batch")
def batch_group() -> None:
    """Traitements par lots sur Apache Spark / batch work on Apache Spark."""


@batch_group.command("diagnose", cls=Measured)
@_works_options
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Dossier : diagnoses/ (Parquet, une ligne par œuvre) et report.json.",
)
@click.pass_context
def batch_diagnose_command(
    ctx: click.Context,
    master: str,
    partitions: int | None,
    given: str | None,
    source: str | None,
    jdbc_jar: Path | None,
    output: Path,
) -> None:
    """Diagnostic de toutes les œuvres sur Spark / the diagnosis of every work on Spark."""
    from lanterne.batch import batch_diagnose, spark_session
    from lanterne.cli._diagnose import _print_report

    state = _state(ctx)
    where, jars = _input(ctx, master, given, jdbc_jar)
    with spark_session(master, "lanterne batch diagnose", jars) as spark:
        report = batch_diagnose(spark, where, output, source, partitions)
    _write_json(output / "report.json", report)
    _print_report(report, state.lang)
    echo(
        translate(
            state.lang,
            "Diagnostics par œuvre : {rows} ; rapport : {report}",
            rows=output / "diagnoses",
            report=output / "report.json",
        )
    )


@batch_group.command("embed", cls=Measured)
@_works_options
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Dossier : embeddings/ (Parquet), pour lanterne index --embeddings.",
)
@click.pass_context
def batch_embed_command(
    ctx: click.Context,
    master: str,
    partitions: int | None,
    given: str | None,
    source: str | None,
    jdbc_jar: Path | None,
    output: Path,
) -> None:
    """Vecteurs de l'index de recherche sur Spark / the search index's vectors on Spark."""
    from lanterne.batch import batch_embed, spark_session

    state = _state(ctx)
    where, jars = _input(ctx, master, given, jdbc_jar)
    with spark_session(master, "lanterne batch embed", jars) as spark:
        written = batch_embed(spark, where, output, source, partitions)
    echo(
        translate(
            state.lang,
            "{works} vecteurs écrits dans {path} (lanterne index --embeddings {path})",
            works=count(written, state.lang),
            path=output / "embeddings",
        )
    )


@batch_group.command("als", cls=Measured)
@_MASTER
@_PARTITIONS
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    required=True,
    help="Interactions : configuration d'évaluation (JSON), dossier MovieLens (ratings.csv) ou "
    "interactions.csv, CSV user,item[,rating] ou Parquet / interactions: an evaluation "
    "configuration, a MovieLens folder, a CSV or Parquet log.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Dossier : user_factors/, item_factors/ (Parquet), als.npz et report.json.",
)
@click.option("--factors", type=click.IntRange(1, 10_000), help="Facteurs (défaut : 64) / factors.")
@click.option(
    "--reg",
    type=click.FloatRange(0),
    help="λ de l'ALS de Lanterne, converti en regParam de MLlib (défaut : 0,1) / Lanterne's λ.",
)
@click.option(
    "--reg-param",
    type=click.FloatRange(0),
    help="regParam de MLlib tel quel, au lieu de --reg / MLlib's regParam as is.",
)
@click.option(
    "--alpha", type=click.FloatRange(0), help="Confiance 1 + α (défaut : 10) / confidence."
)
@click.option(
    "--iterations", type=click.IntRange(1, 1000), help="Itérations (défaut : 12) / iterations."
)
@click.option("--seed", type=int, help="Graine des facteurs initiaux / initial factors' seed.")
@click.option(
    "--evaluate",
    is_flag=True,
    help="nDCG@10, précision et rappel sur le découpage par utilisateur de lanterne eval "
    "recommend / accuracy on the same per-user split.",
)
@click.option(
    "--split-seed",
    "split_seeds",
    type=int,
    multiple=True,
    help="Avec --evaluate : graine(s) du découpage (défaut : celles de la configuration, sinon "
    "1 2 3) / split seeds.",
)
@click.option(
    "--compare",
    is_flag=True,
    help="Avec --evaluate : l'ALS de Lanterne sur le même découpage / Lanterne's ALS beside it.",
)
@click.pass_context
def batch_als_command(
    ctx: click.Context,
    master: str,
    partitions: int | None,
    data: Path,
    output: Path,
    factors: int | None,
    reg: float | None,
    reg_param: float | None,
    alpha: float | None,
    iterations: int | None,
    seed: int | None,
    evaluate: bool,
    split_seeds: tuple[int, ...],
    compare: bool,
) -> None:
    """ALS implicite sur Spark MLlib / implicit ALS on Spark MLlib."""
    from lanterne.batch import (
        batch_als,
        evaluate_als,
        interactions_source,
        normalise_master,
        resolved_config,
        spark_session,
    )

    state = _state(ctx)
    normalise_master(master)  # a bad master is refused before the log is read
    source = interactions_source(data)
    config = resolved_config(
        source,
        factors=factors,
        reg=reg,
        reg_param=reg_param,
        alpha=alpha,
        iterations=iterations,
        seed=seed,
    )
    with spark_session(master, "lanterne batch als") as spark:
        evaluation, split = (
            evaluate_als(spark, source, config, split_seeds or source.seeds, compare)
            if evaluate
            else ([], {})
        )
        report = batch_als(spark, source, output, config, partitions)
    report.evaluation, report.split = evaluation, split
    _write_json(output / "report.json", report)
    lang = state.lang
    c = report.counts
    echo(
        translate(
            lang,
            "{read} lignes lues : {used} gardées, {rejected} rejetées, {merged} doublons ; "
            "{users} utilisateurs, {items} œuvres",
            read=count(c.read, lang),
            used=count(c.used, lang),
            rejected=count(c.rejected, lang),
            merged=count(c.merged, lang),
            users=count(c.users, lang),
            items=count(c.items, lang),
        )
    )
    echo(
        translate(
            lang,
            "ALS de Spark : {factors} facteurs, α = {alpha}, regParam = {reg_param} (λ = {reg}), "
            "{iterations} itérations, ajusté en {seconds} s",
            factors=config.factors,
            alpha=_figure(config.alpha, lang),
            reg_param=_figure(report.reg_param, lang),
            reg=_figure(config.reg, lang),
            iterations=config.iterations,
            seconds=decimal(report.fit_seconds, lang, 1),
        )
    )
    for result in evaluation:
        m = result.metrics
        echo(
            translate(
                lang,
                "{engine} : nDCG@10 {ndcg}, précision@10 {precision}, rappel@10 {recall}, "
                "ajustement {seconds} s (moyenne sur {seeds} graine(s))",
                engine=result.engine,
                ndcg=decimal(m["ndcg@10"], lang, 4),
                precision=decimal(m["precision@10"], lang, 4),
                recall=decimal(m["recall@10"], lang, 4),
                seconds=decimal(m["fit_seconds"], lang, 1),
                seeds=len(result.per_seed),
            )
        )
    echo(
        translate(
            lang,
            "Facteurs : {users} et {items} (Parquet), {npz} pour le recommandeur ; rapport : "
            "{report}",
            users=output / "user_factors",
            items=output / "item_factors",
            npz=output / "als.npz",
            report=output / "report.json",
        )
    )


def _figure(x: float, lang: str) -> str:
    """A parameter as given, in the language's decimal sign (5, 0,1, 0,00512)."""
    text = f"{x:.3g}"
    return text.replace(".", ",") if lang != "en" else text


@batch_group.command("audit", cls=Measured)
@click.argument("captures", nargs=-1, required=True, type=click.Path(path_type=Path))
@_MASTER
@_PARTITIONS
@audit_options
@click.option(
    "--personas",
    type=click.Path(path_type=Path),
    help="Profils (JSON) : historiques pour la miscalibration / histories for miscalibration.",
)
@click.option(
    "--source",
    metavar="NOM",
    help="Source du catalogue des identifiants bruts / the catalogue source of raw ids.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rapport JSON (celui de lanterne audit --format json) / the JSON report.",
)
@click.pass_context
def batch_audit_command(
    ctx: click.Context,
    captures: tuple[Path, ...],
    master: str,
    partitions: int | None,
    platform_catalogue: Path | None,
    weighting: str,
    home_threshold: float,
    european_threshold: float,
    eof_threshold: float,
    resamples: int,
    seed: int,
    personas: Path | None,
    source: str | None,
    output: Path | None,
) -> None:
    """Audit d'exposition de captures Parquet sur Spark / the exposure audit on Spark."""
    from lanterne import batch
    from lanterne.cli._audit import _catalogue_lookup, audit_inputs

    state = _state(ctx)
    batch.capture_columns(captures)  # a file that cannot be audited is said before Spark starts
    config, items, histories = audit_inputs(
        platform_catalogue,
        weighting,
        home_threshold,
        european_threshold,
        eof_threshold,
        resamples,
        seed,
        personas,
    )
    lookup = _catalogue_lookup(state.settings.catalogue)
    with batch.spark_session(master, "lanterne batch audit") as spark:
        report, quarantine = batch.batch_audit(
            spark,
            list(captures),
            config,
            lookup=lookup,
            source=source,
            catalogue_items=items,
            histories=histories,
            partitions=partitions,
        )
    for rejected in quarantine.first:
        echo(f"{rejected.file}:{rejected.line} [{rejected.field}] {rejected.reason}", err=True)
    if quarantine.rows:
        echo(
            translate(
                state.lang,
                "{rows} lignes écartées ({fields})",
                rows=count(quarantine.rows, state.lang),
                fields=", ".join(
                    f"{k} {count(v, state.lang)}" for k, v in quarantine.by_field.items()
                ),
            ),
            err=True,
        )
    if output is not None:
        _write_json(output, report)
    for line in report.summary["en" if state.lang == "en" else "fr"]:
        echo("• " + line)
