"""The ``lanterne`` group, its table of commands, and ``main()``, the only place that exits."""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from pathlib import Path

import click

from lanterne import __version__
from lanterne.cli._common import _Invocation, echo
from lanterne.cli._lazy import PLUGINS, Lazy, LazyGroup
from lanterne.errors import ExitCode, LanterneError
from lanterne.messages import Lang, say, translate
from lanterne.settings import Settings, interface_language

_CATALOGUE = "lanterne.cli._catalogue"
_SEARCH = "lanterne.cli._search"
_RECOMMEND = "lanterne.cli._recommend"
_AUDIT = "lanterne.cli._audit"
_WEB = "lanterne.cli._web"

COMMANDS: dict[str, Lazy] = {
    "ingest": Lazy(
        f"{_CATALOGUE}:ingest_command",
        "Importer SOURCE (fichier ou dossier) avec un profil / ingest SOURCE with a profile.",
    ),
    "harvest": Lazy(
        "lanterne.cli._harvest:harvest_command",
        "Moissonner un entrepôt OAI-PMH dans le catalogue / harvest an OAI-PMH repository.",
    ),
    "stats": Lazy(
        f"{_CATALOGUE}:stats_command", "Statistiques du catalogue / catalogue statistics."
    ),
    "show": Lazy(
        f"{_CATALOGUE}:show_command", "Afficher une œuvre (JSON-LD schema.org) / show a work."
    ),
    "quarantine": Lazy(
        f"{_CATALOGUE}:quarantine_group", "Notices mises en quarantaine / quarantined records."
    ),
    "runs": Lazy(
        f"{_CATALOGUE}:runs_command",
        "Imports passés, les plus récents d'abord / past ingest runs, newest first.",
    ),
    "changes": Lazy(
        f"{_CATALOGUE}:changes_command",
        "Journal des modifications (créées, mises à jour, supprimées) / change log.",
    ),
    "migrate": Lazy(
        f"{_CATALOGUE}:migrate_command",
        "Mettre à jour le schéma, ou passer à PostgreSQL / "
        "update the schema or move to PostgreSQL.",
    ),
    "profiles": Lazy(
        f"{_CATALOGUE}:profiles_command",
        "Profils de correspondance fournis / bundled mapping profiles.",
    ),
    "schema": Lazy(
        f"{_CATALOGUE}:schema_command",
        "Schéma JSON du profil de description / JSON Schema of the description profile.",
    ),
    "diagnose": Lazy(
        "lanterne.cli._diagnose:diagnose_command",
        "Diagnostic de découvrabilité / discoverability diagnosis.",
    ),
    "index": Lazy(
        f"{_SEARCH}:index_command", "Mettre l'index de recherche à jour / update the search index."
    ),
    "search": Lazy(f"{_SEARCH}:search_command", "Chercher des œuvres / search works."),
    "recommend": Lazy(
        f"{_RECOMMEND}:recommend_command",
        "Recommander des œuvres, avec leurs raisons / recommend works, with reasons.",
    ),
    "audit": Lazy(
        f"{_AUDIT}:audit_command", "Auditer l'exposition des œuvres / audit the exposure of works."
    ),
    "simulate": Lazy(
        f"{_AUDIT}:simulate_command",
        "Profils fictifs qui parcourent une plateforme locale / sock-puppet personas on loopback.",
    ),
    "gaps": Lazy(
        f"{_AUDIT}:gaps_command", "Œuvres sans offre en ligne / works with no online offer."
    ),
    "reconcile": Lazy(
        "lanterne.cli._reconcile:reconcile_command",
        "Réconcilier une colonne d'un CSV avec le catalogue / reconcile a CSV column.",
    ),
    "publish": Lazy(
        "lanterne.cli._publish:publish_group",
        "Publier : fichiers complets, plans de site, contrôles / publish: dumps, sitemaps, checks.",
    ),
    "export": Lazy(
        "lanterne.cli._batch:export_group",
        "Exporter le catalogue (Parquet) pour d'autres outils / export the catalogue (Parquet).",
    ),
    "batch": Lazy(
        "lanterne.cli._batch:batch_group",
        "Traitements par lots sur Apache Spark / batch work on Apache Spark.",
    ),
    "provenance": Lazy(
        "lanterne.cli._provenance:provenance_group",
        "Provenance : registre d'images, C2PA, étiquettes / image registry, C2PA, labels.",
    ),
    "serve": Lazy(
        f"{_WEB}:serve_command",
        "Servir l'interface web et l'API / serve the web interface and the API.",
    ),
    "demo": Lazy(
        f"{_WEB}:demo_command",
        "Importer le catalogue de démonstration, l'indexer, l'auditer, puis le servir.",
    ),
}
"""Every built-in command but ``eval``: the module and attribute that hold it, and its help."""

EVAL_COMMANDS: dict[str, Lazy] = {
    "search": Lazy(
        f"{_SEARCH}:eval_search_command",
        "nDCG@10, MRR@10, R@100 sur des collections (SQuAD v1, TREC ; défaut : ../shared/data).",
    ),
    "recommend": Lazy(
        f"{_RECOMMEND}:eval_recommend_command",
        "Évaluer des recommandations hors ligne / offline recommendation evaluation.",
    ),
    "prepare-movielens": Lazy(
        f"{_RECOMMEND}:prepare_movielens_command",
        "MovieLens + Wikidata → interactions.csv, item-attributes.csv, titles.csv.",
    ),
}
"""The commands of ``lanterne eval``, which come from two modules."""


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    plugins=PLUGINS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--lang", type=click.Choice(["fr", "en"]), help="Langue des messages / language of messages."
)
@click.option(
    "--catalogue",
    "catalogue",
    metavar="FICHIER|URL",
    help="Catalogue : fichier SQLite ou URL postgresql:// (LANTERNE_CATALOGUE).",
)
@click.version_option(__version__, prog_name="lanterne")
@click.pass_context
def cli(ctx: click.Context, lang: str | None, catalogue: str | None) -> None:
    """Lanterne : découvrabilité des œuvres francophones / discoverability of francophone works."""
    settings = Settings.load(catalogue=catalogue, lang=lang)
    ctx.obj = _Invocation(settings, interface_language(lang or settings.lang or None))


@cli.group("eval", cls=LazyGroup, lazy=EVAL_COMMANDS)
def eval_group() -> None:
    """Évaluations / evaluations."""


def _log_internal(settings: Settings) -> Path:
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = settings.log_dir / f"lanterne-erreur-{stamp}.log"
    path.write_text(traceback.format_exc(), "utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """Run the command line; the only place that exits."""
    args = sys.argv[1:] if argv is None else argv
    lang: Lang = interface_language(_arg_value(args, "--lang"))
    try:
        code = cli.main(args=args, prog_name="lanterne", standalone_mode=False)
    except LanterneError as exc:
        echo(translate(lang, "Erreur : ") + exc.message(lang), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except (KeyboardInterrupt, click.exceptions.Abort):
        echo(say("interrupted", lang), err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:
        settings = Settings.load(lang=lang)
        try:
            log = str(_log_internal(settings))
        except OSError:
            log = "(journal impossible à écrire)"
        echo(
            translate(lang, "Erreur : ")
            + say("internal", lang, detail=type(exc).__name__, log=log),
            err=True,
        )
        sys.exit(ExitCode.INTERNAL)
    # With standalone_mode off, click returns the code a command asked for with ctx.exit().
    sys.exit(code if isinstance(code, int) else ExitCode.OK)


def _arg_value(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None
