"""``lanterne publish``: the catalogue as files for harvesters (dumps, sitemaps), and every
record checked against the standards' own files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import click
import msgspec

from lanterne.catalogue import open_catalogue
from lanterne.cli._common import Registered, _state, echo, echo_json
from lanterne.cli._footprint import Measured
from lanterne.errors import ExitCode
from lanterne.messages import translate
from lanterne.publish import dump, dump_formats, update_sitemaps
from lanterne.report import count
from lanterne.settings import text


@click.group("publish")
def publish_group() -> None:
    """Publier : fichiers complets, plans de site, contrôles / publish: dumps, sitemaps, checks."""


@publish_group.command("check", cls=Measured)
@click.option("--catalogue", "catalogue", metavar="FICHIER", help="Catalogue SQLite.")
@click.option("--format", "fmt", type=click.Choice(["edm", "oai_dc", "shacl"]), default="edm")
@click.option("--source", help="Une seule source / one source only.")
@click.option(
    "--standards",
    type=click.Path(file_okay=False, path_type=Path),
    help="Dossier des standards (LANTERNE_STANDARDS) / standards folder.",
)
@click.option("--base-uri", help="URI de base (LANTERNE_BASE_URI).")
@click.option("--provider", help="edm:provider (LANTERNE_EDM_PROVIDER).")
@click.option("--rights", help="Droits des œuvres sans licence (LANTERNE_EDM_RIGHTS).")
@click.option("--all", "show_all", is_flag=True, help="Lister aussi les notices valides.")
@click.option("--json", "as_json", is_flag=True, help="Rapport JSON / JSON report.")
@click.pass_context
def check_command(
    ctx: click.Context,
    catalogue: str | None,
    fmt: str,
    source: str | None,
    standards: Path | None,
    base_uri: str | None,
    provider: str | None,
    rights: str | None,
    show_all: bool,
    as_json: bool,
) -> None:
    """Valider chaque notice (XSD et Schematron d'Europeana, XSD oai_dc, forme SHACL du profil)
    / validate every record (Europeana's XSD and Schematron, the oai_dc XSD, the profile's SHACL
    shape)."""
    from lanterne.publish import EdmOptions, Standards, Validator, check
    from lanterne.settings import text

    state = _state(ctx)
    lang = state.lang
    # The SHACL shape ships with Lanterne: no standards' folder needed for it.
    validator = None if fmt == "shacl" else Validator(Standards.find(standards))
    options = EdmOptions(
        base=text("base_uri", base_uri),
        provider=text("edm_provider", provider),
        rights=text("edm_rights", rights),
    )
    path = _catalogue(ctx, catalogue)
    formats: dict[str, Literal["edm", "oai_dc", "shacl"]] = {"oai_dc": "oai_dc", "shacl": "shacl"}
    chosen = formats.get(fmt, "edm")
    with open_catalogue(path) as db:
        report = check(db.iter_works(source), chosen, validator, options, lang)
    if as_json:
        echo_json(json.dumps(msgspec.to_builtins(report), ensure_ascii=False, indent=2))
    else:
        for work in report.works:
            if work.status == "excluded":
                why = " ; ".join(r.message(lang) for r in work.reasons)
                echo(translate(lang, "exclue    ") + f"{work.work_id} : {why}")
            elif work.status == "invalid":
                echo(translate(lang, "invalide  ") + f"{work.work_id} : " + work.errors[0])
            elif show_all:
                echo(translate(lang, "valide    ") + work.work_id)
        echo(
            translate(
                lang,
                "{format} : {total} œuvres — {valid} valides, {excluded} exclues, {invalid} "
                "invalides",
                format=fmt,
                total=count(report.total, lang),
                valid=count(report.valid, lang),
                excluded=count(report.excluded, lang),
                invalid=count(report.invalid, lang),
            )
        )
        for key, n in report.by_reason.items():
            from lanterne.messages import say

            reason = say(key, lang, licence="…", label="…", type="…")
            echo(f"  {count(n, lang):>8}  {reason}")
    if report.invalid:
        ctx.exit(ExitCode.BAD_INPUT)


def _catalogue(ctx: click.Context, given: str | None) -> Path | str:
    """The catalogue ``--catalogue`` of the subcommand names, else the general one."""
    from lanterne.settings import location

    return (location("catalogue", given) if given else None) or _state(ctx).settings.catalogue


@publish_group.command("dump", cls=Measured)
@click.option("--catalogue", "catalogue", metavar="FICHIER", help="Catalogue SQLite.")
@click.option("--format", "fmt", type=Registered(dump_formats), required=True)
@click.option("--source", help="Une seule source / one source only.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--base-uri", help="URI de base (LANTERNE_BASE_URI).")
@click.option("--download-url", help="Adresse publique du fichier / the file's public URL.")
@click.option("--provider", help="edm:provider (LANTERNE_EDM_PROVIDER), format edm.")
@click.option("--rights", help="Droits des œuvres sans licence (LANTERNE_EDM_RIGHTS), format edm.")
@click.option(
    "--respect-tdm",
    is_flag=True,
    help="Laisser de côté les œuvres dont la fouille est réservée (TDMRep) / leave out works "
    "reserved from text and data mining.",
)
@click.pass_context
def dump_command(
    ctx: click.Context,
    catalogue: str | None,
    fmt: str,
    source: str | None,
    output: Path,
    base_uri: str | None,
    download_url: str | None,
    provider: str | None,
    rights: str | None,
    respect_tdm: bool,
) -> None:
    """Tout le catalogue en un fichier (.gz : compressé), avec sa description DCAT/VoID /
    the whole catalogue in one file (.gz: compressed), with its DCAT/VoID description."""
    from lanterne.messages import say
    from lanterne.publish import EdmOptions

    lang = _state(ctx).lang
    base = text("base_uri", base_uri)
    edm = EdmOptions(
        base=base, provider=text("edm_provider", provider), rights=text("edm_rights", rights)
    )
    with open_catalogue(_catalogue(ctx, catalogue)) as db:
        summary = dump(
            db,
            fmt,
            output,
            base=base,
            source=source,
            download_url=download_url,
            respect_tdm=respect_tdm,
            edm=edm,
        )
    if respect_tdm:
        echo(
            translate(
                lang,
                "{works} œuvres laissées de côté : fouille de textes et de données réservée "
                "(TDMRep)",
                works=count(summary.withheld, lang),
            )
        )
    if summary.excluded:
        echo(
            translate(
                lang,
                "{works} œuvres laissées de côté : le format {format} ne peut pas les porter "
                "(« lanterne publish check --format {format} » les liste avec leurs raisons)",
                works=count(summary.excluded, lang),
                format=summary.format,
            )
        )
        for key, n in summary.by_reason.items():
            reason = say(key, lang, licence="…", label="…", type="…")
            echo(f"  {count(n, lang):>8}  {reason}")
    echo(
        translate(
            lang,
            "{works} œuvres, {triples} triplets → {path} (description : {description})",
            works=count(summary.works, lang),
            triples=count(summary.triples, lang),
            path=summary.path,
            description=summary.description,
        )
    )


@publish_group.command("sitemap", cls=Measured)
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
        translate(
            lang,
            "{sitemaps} plans de site ; écrits : {written}, retirés : {removed} → {index}",
            sitemaps=run.sitemaps,
            written=len(run.written),
            removed=len(run.removed),
            index=output / "sitemap.xml",
        )
    )
