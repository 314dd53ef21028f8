"""``lanterne serve``: the web interface and the JSON API (docs/web.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from lanterne._cli_common import _state, _t
from lanterne.messages import Lang

if TYPE_CHECKING:
    from lanterne.web import Site


@click.command("serve")
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    help="Configuration d'évaluation : recommander depuis ces données (sans catalogue).",
)
@click.option(
    "--audits",
    type=click.Path(path_type=Path),
    help="Dossier des rapports d'audit publiés (LANTERNE_AUDITS).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.pass_context
def serve_command(
    ctx: click.Context, config: Path | None, audits: Path | None, host: str, port: int
) -> None:
    """Servir l'interface web et l'API / serve the web interface and the API."""
    from lanterne.recommend._service import dataset_source
    from lanterne.web import Site

    state = _state(ctx)
    settings = state.settings
    if config is not None:
        site = Site(None, source=dataset_source(config), token=settings.token or None)
    else:
        site = Site(
            settings.catalogue,
            audits=audits or settings.audits_folder,
            token=settings.token or None,
        )
    run_server(site, host, port, state.lang)


def run_server(site: Site, host: str, port: int, lang: Lang) -> None:
    """Build what the first visitor would wait for, print the address, serve until Ctrl-C."""
    import uvicorn

    from lanterne.web import create_app

    if site.has_catalogue:
        click.echo(
            _t(
                lang,
                "Préparation de l'index et des recommandations…",
                "Preparing the index and recommendations…",
            )
        )
        site.source()
    click.echo(
        _t(lang, "Lanterne est servi sur ", "Lanterne is served at ")
        + f"http://{host}:{port}/"
        + _t(lang, "  (API : ", "  (API: ")
        + f"http://{host}:{port}/api/openapi.json) — Ctrl-C "
        + _t(lang, "pour arrêter", "to stop")
    )
    uvicorn.run(create_app(site, lang=lang), host=host, port=port, log_level="warning")
