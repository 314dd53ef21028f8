"""``lanterne harvest``: an OAI-PMH repository's records into the catalogue."""

from __future__ import annotations

import json

import click
import msgspec

from lanterne.catalogue import open_catalogue
from lanterne.cli._catalogue import print_summary
from lanterne.cli._common import _state, echo, echo_json
from lanterne.cli._footprint import Measured
from lanterne.errors import ExitCode
from lanterne.ingest import HarvestOptions, harvest, load_mapping_profile
from lanterne.messages import translate


@click.command("harvest", cls=Measured)
@click.argument("url")
@click.option(
    "--metadata-prefix",
    "prefix",
    type=click.Choice(["oai_dc", "edm", "marcxml"]),
    default="oai_dc",
    show_default=True,
    help="Format des notices demandé à l'entrepôt.",
)
@click.option("--set", "set_spec", help="Seulement cet ensemble (setSpec) de l'entrepôt.")
@click.option(
    "--profile",
    "-p",
    "profile_name",
    required=True,
    help="Profil de correspondance (oai-dc, oai-edm, marc21, unimarc, ou un fichier .toml).",
)
@click.option("--source", help="Nom de la source des œuvres (par défaut : celui du profil).")
@click.option(
    "--full", is_flag=True, help="Tout moissonner de nouveau, pas seulement ce qui a changé."
)
@click.option(
    "--strict", is_flag=True, help="Code de sortie 7 si des notices sont mises en quarantaine."
)
@click.option("--json", "as_json", is_flag=True, help="Résumé en JSON.")
@click.pass_context
def harvest_command(
    ctx: click.Context,
    url: str,
    prefix: str,
    set_spec: str | None,
    profile_name: str,
    source: str | None,
    full: bool,
    strict: bool,
    as_json: bool,
) -> None:
    """Moissonner un entrepôt OAI-PMH dans le catalogue / harvest an OAI-PMH repository."""
    state = _state(ctx)
    profile = load_mapping_profile(profile_name)
    options = HarvestOptions(set=set_spec, full=full, source=source)
    with open_catalogue(state.settings.catalogue) as catalogue:
        summary, harvested = harvest(catalogue, url, prefix, profile, options)
    if as_json:
        data = msgspec.to_builtins(summary) | {
            "stored": summary.stored,
            "harvest": msgspec.to_builtins(harvested),
        }
        echo_json(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_summary(summary, state.lang)
        echo(
            translate(
                state.lang,
                "  {pages} pages, {requests} requêtes, {tombstones} notices supprimées listées",
                pages=harvested.pages,
                requests=harvested.requests,
                tombstones=harvested.tombstones,
            )
        )
        if harvested.resumed:
            echo(translate(state.lang, "  reprise après la dernière page validée"))
        if harvested.from_:
            echo(translate(state.lang, "  depuis le {date}", date=harvested.from_))
    if strict and summary.quarantined:
        ctx.exit(ExitCode.QUARANTINED)
