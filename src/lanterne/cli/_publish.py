"""``lanterne publish``: the catalogue as files for harvesters (dumps, sitemaps)."""

from __future__ import annotations

from pathlib import Path

import click

from lanterne.catalogue import open_catalogue
from lanterne.cli._common import Registered, _state, _t, echo
from lanterne.publish import dump, dump_formats, update_sitemaps
from lanterne.settings import text


@click.group("publish")
def publish_group() -> None:
    """Publier : fichiers complets, plans de site / publish: dumps, sitemaps."""


def _catalogue(ctx: click.Context, given: str | None) -> Path:
    return Path(given) if given else _state(ctx).settings.catalogue


@publish_group.command("dump")
@click.option("--catalogue", "catalogue", metavar="FICHIER", help="Catalogue SQLite.")
@click.option("--format", "fmt", type=Registered(dump_formats), required=True)
@click.option("--source", help="Une seule source / one source only.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--base-uri", help="URI de base (LANTERNE_BASE_URI).")
@click.option("--download-url", help="Adresse publique du fichier / the file's public URL.")
@click.pass_context
def dump_command(
    ctx: click.Context,
    catalogue: str | None,
    fmt: str,
    source: str | None,
    output: Path,
    base_uri: str | None,
    download_url: str | None,
) -> None:
    """Tout le catalogue en un fichier (.gz : compressé), avec sa description DCAT/VoID /
    the whole catalogue in one file (.gz: compressed), with its DCAT/VoID description."""
    lang = _state(ctx).lang
    with open_catalogue(_catalogue(ctx, catalogue)) as db:
        summary = dump(
            db,
            fmt,
            output,
            base=text("base_uri", base_uri),
            source=source,
            download_url=download_url,
        )
    echo(
        _t(
            lang,
            f"{summary.works} œuvres, {summary.triples} triplets → {summary.path} "
            f"(description : {summary.description})",
            f"{summary.works} works, {summary.triples} triples → {summary.path} "
            f"(description: {summary.description})",
        )
    )


@publish_group.command("sitemap")
@click.option("--catalogue", "catalogue", metavar="FICHIER", help="Catalogue SQLite.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--base-uri", help="URI de base (LANTERNE_BASE_URI).")
@click.option(
    "--limit",
    type=click.IntRange(1, 50_000),
    default=50_000,
    show_default=True,
    help="Adresses par plan / URLs per sitemap.",
)
@click.pass_context
def sitemap_command(
    ctx: click.Context, catalogue: str | None, output: Path, base_uri: str | None, limit: int
) -> None:
    """Plans de site des pages d'œuvres, mis à jour depuis le journal des modifications /
    sitemaps of the works' pages, updated from the change log."""
    lang = _state(ctx).lang
    with open_catalogue(_catalogue(ctx, catalogue)) as db:
        run = update_sitemaps(db, output, text("base_uri", base_uri), limit)
    echo(
        _t(
            lang,
            f"{run.sitemaps} plans de site ; écrits : {len(run.written)}, retirés : "
            f"{len(run.removed)} → {output / 'sitemap.xml'}",
            f"{run.sitemaps} sitemaps; written: {len(run.written)}, removed: "
            f"{len(run.removed)} → {output / 'sitemap.xml'}",
        )
    )
