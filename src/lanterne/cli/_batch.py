"""``lanterne export parquet`` and ``lanterne batch``: the catalogue as Parquet, and batch work
on Apache Spark (``local[N]`` on this machine, ``spark://HOST:PORT`` on a cluster)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import msgspec

from lanterne.catalogue import open_catalogue
from lanterne.cli._common import _state, echo
from lanterne.cli._footprint import Measured
from lanterne.messages import translate
from lanterne.report import count

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


def _where(ctx: click.Context, given: str | None) -> str:
    """The input: a Parquet export named by ``--input``, else the general catalogue."""
    if given:
        return given
    return str(_state(ctx).settings.catalogue)


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
@_MASTER
@_PARTITIONS
@click.option(
    "--input",
    "given",
    metavar="EXPORT|URL",
    help="Export Parquet (lanterne export parquet) ou catalogue postgresql:// ; sinon le "
    "catalogue / a Parquet export or a PostgreSQL catalogue.",
)
@click.option("--source", help="Une seule source / one source only.")
@click.option(
    "--jdbc-jar",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Pilote JDBC de PostgreSQL (sinon celui de Debian) / PostgreSQL JDBC driver.",
)
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
    from lanterne._location import is_server
    from lanterne.batch import batch_diagnose, normalise_master, spark_session
    from lanterne.batch import jdbc_jar as find_jar
    from lanterne.cli._diagnose import _print_report
    from lanterne.errors import InputNotFound
    from lanterne.publish import atomic_file

    state = _state(ctx)
    where = _where(ctx, given)
    # What can be said before Spark starts (a few seconds) is said first.
    normalise_master(master)
    if not is_server(where) and not Path(where).exists():
        raise InputNotFound("batch.no_input", path=where)
    jars = [find_jar(jdbc_jar)] if is_server(where) else []
    with spark_session(master, "lanterne batch diagnose", jars) as spark:
        report = batch_diagnose(spark, where, output, source, partitions)
    with atomic_file(output / "report.json") as out:
        out.write(json.dumps(msgspec.to_builtins(report), ensure_ascii=False, indent=2).encode())
        out.write(b"\n")
    _print_report(report, state.lang)
    echo(
        translate(
            state.lang,
            "Diagnostics par œuvre : {rows} ; rapport : {report}",
            rows=output / "diagnoses",
            report=output / "report.json",
        )
    )
