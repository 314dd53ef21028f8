"""``lanterne serve``: the web interface and the JSON API (docs/web.md); ``lanterne demo``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from lanterne.cli._common import _state, echo, echo_json, interaction_data_options
from lanterne.cli._footprint import Measured, say_footprint
from lanterne.errors import ExitCode
from lanterne.messages import Lang, translate

if TYPE_CHECKING:
    from lanterne.web import Site


@click.command("serve")
@interaction_data_options
@click.option(
    "--audits",
    type=click.Path(path_type=Path),
    help="Dossier des rapports d'audit publiés (LANTERNE_AUDITS).",
)
@click.option(
    "--get",
    "get_path",
    metavar="CHEMIN",
    help="Faire une seule requête GET dans ce processus, sans serveur (« /api/search?q=jazz ») : "
    "le corps de la réponse sur la sortie standard, code 0 pour 2xx et 3xx, 1 sinon "
    "/ run one GET request in process, no server: the body on stdout, exit 0 for 2xx and 3xx, "
    "1 otherwise.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processus serveurs (un par cœur) ; chacun charge l'index.",
)
@click.pass_context
def serve_command(
    ctx: click.Context,
    config: Path | None,
    model: str | None,
    goal_model: str | None,
    audits: Path | None,
    get_path: str | None,
    host: str,
    port: int,
    workers: int,
) -> None:
    """Servir l'interface web et l'API / serve the web interface and the API."""
    from lanterne.recommend import dataset_service
    from lanterne.web import Site

    state = _state(ctx)
    settings = state.settings
    if get_path is not None and (not get_path.startswith("/") or get_path.startswith("//")):
        raise click.BadParameter(
            translate(
                state.lang,
                "« {get_path} » : un chemin du site, commençant par une seule « / » "
                "(« /api/search?q=jazz »)",
                get_path=get_path,
            ),
            param_hint="--get",
        )
    if config is not None:
        service = dataset_service(config, model=model, goal_model=goal_model)
        site = Site(None, service=service, token=settings.token or None)
    elif model is not None or goal_model is not None:
        raise click.UsageError("--model, --goal-model: with --config only")
    else:
        site = Site(
            settings.catalogue,
            audits=audits or settings.audits_folder,
            token=settings.token or None,
        )
    if workers > 1 and config is not None:
        raise click.UsageError("--workers: with a catalogue only, not with --config")
    if get_path is not None:
        ctx.exit(get_once(site, get_path, state.lang))
    run_server(site, host, port, state.lang, workers)


def get_once(site: Site, path: str, lang: Lang) -> int:
    """``serve --get``: one GET request through the application the server would run, in this
    process (no server, no socket); prints the body and returns the exit code (0: 2xx or 3xx)."""
    import asyncio

    import httpx

    from lanterne.web import create_app

    async def request() -> httpx.Response:
        # An error inside the application answers 500 in the error shape, as it would to a
        # visitor, rather than surfacing here as an exception.
        transport = httpx.ASGITransport(app=create_app(site, lang=lang), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.get(path)

    response = asyncio.run(request())
    location = response.headers.get("location")
    if response.is_redirect and location:
        # The body of a redirection is empty or a courtesy: say where it leads (on stderr, so
        # that stdout stays the body), as curl -i would show it.
        echo(
            translate(
                lang,
                "{status} : redirection vers {location}",
                status=response.status_code,
                location=location,
            ),
            err=True,
        )
    kind = response.headers.get("content-type", "")
    if "json" in kind:
        echo_json(response.text)
    elif kind.startswith("text/") or "xml" in kind or "javascript" in kind:
        echo(response.text)
    else:
        click.echo(response.content, nl=False)  # an image, a PDF: the bytes as they are
    return ExitCode.OK if 200 <= response.status_code < 400 else 1


@click.command("demo", cls=Measured)
@click.option("--serve/--no-serve", default=True, show_default=True, help="Servir ensuite le site.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.pass_context
def demo_command(ctx: click.Context, serve: bool, host: str, port: int) -> None:
    """Importer le catalogue de démonstration, l'indexer, l'auditer, puis le servir."""
    from importlib import resources

    from lanterne.catalogue import beside, open_catalogue
    from lanterne.cli._catalogue import print_stats, print_summary
    from lanterne.ingest import ingest, load_mapping_profile
    from lanterne.recommend import catalogue_service
    from lanterne.search import CatalogueIndex
    from lanterne.web import DEMO_HOME, Site, write_demo_audits

    state = _state(ctx)
    lang = state.lang
    folder = resources.files("lanterne.demo")
    with open_catalogue(state.settings.catalogue) as catalogue:
        for profile_name, file_name in (
            ("festivals-france", "festivals-demo.csv"),
            ("joconde-costumes", "joconde-demo.csv"),
        ):
            with resources.as_file(folder.joinpath(file_name)) as path:
                summary = ingest(catalogue, path, load_mapping_profile(profile_name))
            print_summary(summary, lang)
            echo()
        stats = catalogue.stats()
        print_stats(stats, lang, 8)
        indexed, _ = CatalogueIndex(catalogue).update()
        echo(
            translate(lang, "Index de recherche : ")
            + f"{indexed} "
            + translate(lang, "œuvres indexées")
        )
        audits = state.settings.audits_folder
        for path in write_demo_audits(catalogue_service(catalogue), audits):
            echo(translate(lang, "Audit de démonstration : ") + str(path))
    site = Site(state.settings.catalogue, audits=audits, token=state.settings.token or None)
    if not beside(state.settings.catalogue, ".web.json").is_file():
        site.set_home(DEMO_HOME)
    if serve:
        say_footprint(ctx)  # the import, index and audits; serving lasts until Ctrl-C
        run_server(site, host, port, lang)


def run_server(site: Site, host: str, port: int, lang: Lang, workers: int = 1) -> None:
    """Build what the first visitor would wait for, print the address, serve until Ctrl-C."""
    import os
    import secrets
    import signal

    import uvicorn

    from lanterne.web import create_app

    if workers > 1:
        # Each worker builds its own site from these (and LANTERNE_TOKEN, read from the
        # environment as always); the CSRF secret is shared so that a form served by one
        # worker is accepted by another.
        os.environ["LANTERNE_CATALOGUE"] = str(site.catalogue_path)
        os.environ["LANTERNE_AUDITS"] = str(site.audits or "")
        os.environ["LANTERNE_WORKER_SECRET"] = secrets.token_hex(32)
        os.environ["LANTERNE_WORKER_LANG"] = lang
        from multiprocessing import get_context

        from lanterne.web import serve_worker

        spawn = get_context("spawn")  # a fresh interpreter each: no forked ONNX threads
        processes = [
            spawn.Process(target=serve_worker, args=(host, port), name=f"lanterne-{n + 1}")
            for n in range(workers)
        ]
        for process in processes:
            process.start()
        _announce(host, port, lang)

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt  # SIGTERM as Ctrl-C: the workers must not outlive us

        signal.signal(signal.SIGTERM, stop)
        try:
            for process in processes:
                process.join()
        except KeyboardInterrupt:
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=10)
        return
    if site.has_catalogue:
        echo(translate(lang, "Préparation de l'index et des recommandations…"))
        site.recommender_service()
    _announce(host, port, lang)
    uvicorn.run(create_app(site, lang=lang), host=host, port=port, log_level="warning")


def _announce(host: str, port: int, lang: Lang) -> None:
    echo(
        translate(lang, "Lanterne est servi sur ")
        + f"http://{host}:{port}/"
        + translate(lang, "  (API : ")
        + f"http://{host}:{port}/api/openapi.json) — Ctrl-C "
        + translate(lang, "pour arrêter")
    )
