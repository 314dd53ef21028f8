"""The ``lanterne`` command. Only ``main()`` exits; every error is one line, in French or English.

Exit codes (docs/cli.md): 0 ok, 1 internal error, 2 usage, 3 not found, 4 bad input, 5 bad
profile, 6 catalogue error, 7 records quarantined with ``--strict``, 130 interrupted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import traceback
from importlib import resources
from pathlib import Path

import click
import msgspec

from lanterne import __version__
from lanterne._cli_audit import audit_command, gaps_command, simulate_command
from lanterne._cli_common import _State, _state, _t, echo, echo_json
from lanterne._cli_diagnose import diagnose_command
from lanterne._cli_recommend import (
    eval_recommend_command,
    prepare_movielens_command,
    recommend_command,
)
from lanterne._cli_search import eval_group, index_command, search_command
from lanterne._cli_web import run_server, serve_command
from lanterne._visible import visible
from lanterne.catalogue import Catalogue, CatalogueStats, open_catalogue
from lanterne.errors import ExitCode, LanterneError, NotFound
from lanterne.ingest import (
    IngestOptions,
    IngestSummary,
    MappingProfile,
    bundled_profiles,
    ingest,
    load_profile,
)
from lanterne.messages import Lang, detect_language, reason_label, say, say_partial
from lanterne.profile import Work
from lanterne.profile.schemaorg import work_to_jsonld
from lanterne.settings import Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--lang", type=click.Choice(["fr", "en"]), help="Langue des messages / language of messages."
)
@click.option(
    "--catalogue", "catalogue", metavar="FICHIER", help="Catalogue SQLite (LANTERNE_CATALOGUE)."
)
@click.version_option(__version__, prog_name="lanterne")
@click.pass_context
def cli(ctx: click.Context, lang: str | None, catalogue: str | None) -> None:
    """Lanterne : découvrabilité des œuvres francophones / discoverability of francophone works."""
    settings = Settings.load(catalogue=catalogue, lang=lang)
    ctx.obj = _State(settings, detect_language(lang or settings.lang or None))


@cli.command("ingest")
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--profile",
    "-p",
    "profile_name",
    required=True,
    help="Profil de correspondance (nom ou fichier .toml).",
)
@click.option("--encoding", help="Encodage du fichier (par défaut : détecté).")
@click.option("--delimiter", help="Séparateur CSV (par défaut : détecté).")
@click.option(
    "--batch-size",
    default=IngestOptions().batch_size,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Notices par transaction.",
)
@click.option(
    "--workers",
    default=min(2, os.cpu_count() or 1),
    show_default=True,
    type=click.IntRange(0, 64),
    help="Processus de correspondance en parallèle (0 : aucun).",
)
@click.option(
    "--full",
    "remap",
    is_flag=True,
    help="Tout recalculer, même les notices inchangées depuis le dernier import.",
)
@click.option(
    "--sync", is_flag=True, help="Marquer supprimées les œuvres absentes de cet export complet."
)
@click.option(
    "--strict", is_flag=True, help="Code de sortie 7 si des notices sont mises en quarantaine."
)
@click.option("--json", "as_json", is_flag=True, help="Résumé en JSON.")
@click.pass_context
def ingest_command(
    ctx: click.Context,
    source: Path,
    profile_name: str,
    encoding: str | None,
    delimiter: str | None,
    batch_size: int,
    workers: int,
    remap: bool,
    sync: bool,
    strict: bool,
    as_json: bool,
) -> None:
    """Importer SOURCE (fichier ou dossier) avec un profil / ingest SOURCE with a profile."""
    state = _state(ctx)
    profile = load_profile(profile_name)
    options = IngestOptions(
        encoding=encoding,
        delimiter=delimiter,
        batch_size=batch_size,
        workers=workers,
        remap=remap,
        sync=sync,
    )
    with open_catalogue(state.settings.catalogue) as catalogue:
        summary = _ingest_with_progress(
            catalogue, source, profile, options, state.lang, not as_json
        )
    if as_json:
        echo_json(
            json.dumps(
                msgspec.to_builtins(summary) | {"stored": summary.stored},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        _print_summary(summary, state.lang)
    if strict and summary.quarantined:
        ctx.exit(ExitCode.QUARANTINED)


def _ingest_with_progress(
    catalogue: Catalogue,
    source: Path,
    profile: MappingProfile,
    options: IngestOptions,
    lang: Lang,
    show: bool,
) -> IngestSummary:
    if not (show and sys.stderr.isatty()):
        return ingest(catalogue, source, profile, options)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    label = _t(lang, "notices lues", "records read")
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f} " + label),
        TimeElapsedColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(visible(source.name), total=None)
        return ingest(
            catalogue, source, profile, options, progress=lambda n: bar.update(task, completed=n)
        )


def _print_summary(s: IngestSummary, lang: Lang) -> None:
    rows = [
        (_t(lang, "lues", "read"), s.read),
        (_t(lang, "créées", "created"), s.created),
        (_t(lang, "mises à jour", "updated"), s.updated),
        (_t(lang, "inchangées", "unchanged"), s.unchanged),
        (_t(lang, "en quarantaine", "quarantined"), s.quarantined),
    ]
    if s.deleted:
        rows.append((_t(lang, "supprimées", "deleted"), s.deleted))
    echo(
        _t(
            lang,
            f"Import de {s.source} (profil {s.profile}) :",
            f"Ingest of {s.source} (profile {s.profile}):",
        )
    )
    for label, value in rows:
        echo(f"  {label:<16} {value:>9,}".replace(",", "\u202f"))
    for reason, count in s.by_reason.items():
        echo(f"    {count:>9,}  {reason_label(reason, lang)}".replace(",", "\u202f"))
    if s.warnings_total:
        echo(_t(lang, f"  avertissements : {s.warnings_total}", f"  warnings: {s.warnings_total}"))
        for w in s.warnings[:5]:
            echo(f"    {visible(w)}")
    if s.quarantined:
        echo(
            _t(
                lang,
                "Voir le détail : lanterne quarantine list",
                "Details: lanterne quarantine list",
            )
        )


@cli.command("stats")
@click.option("--source", help="Seulement cette source.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--top", default=10, show_default=True, help="Lignes par répartition.")
@click.pass_context
def stats_command(ctx: click.Context, source: str | None, as_json: bool, top: int) -> None:
    """Statistiques du catalogue / catalogue statistics."""
    state = _state(ctx)
    with open_catalogue(state.settings.catalogue) as catalogue:
        stats = catalogue.stats(source)
    if as_json:
        data = msgspec.to_builtins(stats) | {
            "european_share": stats.european_share,
            "eof_share": stats.eof_share,
        }
        echo_json(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_stats(stats, state.lang, top)


def _share(value: float | None, base: int, lang: Lang) -> str:
    if value is None:
        return _t(lang, "inconnue", "unknown")
    return f"{100 * value:.1f} %" + _t(
        lang, f" (sur {base:,} connues)", f" (of {base:,} known)"
    ).replace(",", "\u202f")


def _grouped(v: int) -> str:
    """A count with its thousands apart (« 32 540 », a narrow no-break space: both languages)."""
    return f"{v:,}".replace(",", "\u202f")


def _print_stats(stats: CatalogueStats, lang: Lang, top: int) -> None:
    n = _grouped

    echo(_t(lang, f"Catalogue : {n(stats.works)} œuvres", f"Catalogue: {n(stats.works)} works"))
    sections = [
        (_t(lang, "Par source", "By source"), stats.by_source),
        (_t(lang, "Par type", "By type"), stats.by_type),
        (_t(lang, "Par langue", "By language"), stats.by_language),
        (_t(lang, "Par pays", "By country"), stats.by_country),
        (
            _t(lang, "Par territoire (région, province)", "By territory (region, province)"),
            stats.by_territory,
        ),
    ]
    for title, counts in sections:
        echo(f"{title} :" if lang == "fr" else f"{title}:")
        if not counts:
            echo("  " + _t(lang, "(aucune donnée)", "(no data)"))
        for key, value in list(counts.items())[:top]:
            share = 100 * value / stats.works if stats.works else 0
            echo(f"  {visible(key):<34} {n(value):>9}  {share:5.1f} %")
        if len(counts) > top:
            rest = sum(list(counts.values())[top:])
            echo(
                "  "
                + _t(lang, f"… {len(counts) - top} autres", f"… {len(counts) - top} more")
                + f" ({n(rest)})"
            )
    echo(
        _t(lang, "Part européenne : ", "European share: ")
        + _share(stats.european_share, stats.european_known, lang)
    )
    echo(
        _t(
            lang,
            "Part EOF (expression originale française) : ",
            "EOF share (original French-language): ",
        )
        + _share(stats.eof_share, stats.eof_known, lang)
    )
    echo(
        _t(
            lang,
            f"En quarantaine : {n(stats.quarantined)} ; supprimées : {n(stats.deleted)}",
            f"Quarantined: {n(stats.quarantined)}; deleted: {n(stats.deleted)}",
        )
    )


@cli.command("show")
@click.argument("work_id")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonld", "profile"]), default="jsonld", show_default=True
)
@click.pass_context
def show_command(ctx: click.Context, work_id: str, fmt: str) -> None:
    """Afficher une œuvre (JSON-LD schema.org) / show a work."""
    state = _state(ctx)
    with open_catalogue(state.settings.catalogue) as catalogue:
        work: Work | None = catalogue.get(work_id)
    if work is None:
        raise NotFound("work.not_found", id=work_id)
    data = work_to_jsonld(work) if fmt == "jsonld" else msgspec.to_builtins(work)
    echo_json(json.dumps(data, ensure_ascii=False, indent=2))


@cli.group("quarantine")
def quarantine_group() -> None:
    """Notices mises en quarantaine / quarantined records."""


@quarantine_group.command("list")
@click.option("--source")
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0)
@click.option("--all", "include_resolved", is_flag=True, help="Inclure les entrées résolues.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def quarantine_list(
    ctx: click.Context,
    source: str | None,
    limit: int,
    offset: int,
    include_resolved: bool,
    as_json: bool,
) -> None:
    """Lister la quarantaine / list the quarantine."""
    state = _state(ctx)
    with open_catalogue(state.settings.catalogue) as catalogue:
        entries = catalogue.quarantine(source, limit, offset, include_resolved)
        counts = catalogue.quarantine_counts(source)
    if as_json:
        echo_json(
            json.dumps([msgspec.to_builtins(e) for e in entries], ensure_ascii=False, indent=2)
        )
        return
    total = sum(counts.values())
    echo(_t(state.lang, f"{total} notices en quarantaine", f"{total} quarantined records"))
    for reason, count in counts.items():
        echo(f"  {count:>7}  {reason_label(reason, state.lang)}")
    for e in entries:
        message = say_partial(e.reason, state.lang, e.params)
        where = f"{visible(e.source)} {visible(Path(e.file).name)}:{e.line}"
        echo(f"#{e.id:<6} {where}  {visible(message)}")
    if not entries:
        echo(_t(state.lang, "(rien à afficher)", "(nothing to show)"))
    elif not include_resolved and offset + len(entries) < total:
        # A page of the list must say that it is one, and how to read the next.
        more = offset + len(entries)
        first, last = _grouped(offset + 1), _grouped(more)
        echo(
            _t(
                state.lang,
                f"Entrées {first} à {last} sur {_grouped(total)} ; la suite : "
                f"lanterne quarantine list --offset {more}",
                f"Entries {first} to {last} of {_grouped(total)}; next: "
                f"lanterne quarantine list --offset {more}",
            )
        )


@quarantine_group.command("show")
@click.argument("entry_id", type=int)
@click.pass_context
def quarantine_show(ctx: click.Context, entry_id: int) -> None:
    """Afficher une entrée avec sa valeur brute / show one entry with its raw value."""
    state = _state(ctx)
    with open_catalogue(state.settings.catalogue) as catalogue:
        entry = catalogue.quarantine_entry(entry_id)
    if entry is None:
        raise NotFound("quarantine.not_found", id=entry_id)
    lang = state.lang
    echo(f"#{entry.id}  {visible(entry.source)}  {visible(entry.file)}:{entry.line}")
    reason = say_partial(entry.reason, lang, entry.params)
    echo(_t(lang, "raison : ", "reason: ") + visible(reason))
    if entry.field:
        echo(_t(lang, "champ : ", "field: ") + visible(entry.field))
    echo(
        _t(lang, "date : ", "at: ")
        + str(entry.at)
        + ("  (" + _t(lang, "résolue", "resolved") + ")" if entry.resolved else "")
    )
    echo(_t(lang, "valeur brute :", "raw value:"))
    raw = entry.raw
    shown = raw
    if len(raw) > 4000:
        total = f"{len(raw):,}".replace(",", "\u202f")
        rest = _t(lang, f"\n… ({total} caractères en tout)", f"\n… ({total} characters in all)")
        shown = raw[:4000] + rest
    echo(shown)


@cli.command("runs")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def runs_command(ctx: click.Context, limit: int, as_json: bool) -> None:
    """Imports passés, les plus récents d'abord / past ingest runs, newest first."""
    state = _state(ctx)
    with open_catalogue(state.settings.catalogue) as catalogue:
        runs = catalogue.runs(limit)
    if as_json:
        echo_json(json.dumps([msgspec.to_builtins(r) for r in runs], ensure_ascii=False, indent=2))
        return
    labels = {
        "completed": _t(state.lang, "terminé", "completed"),
        "interrupted": _t(state.lang, "interrompu", "interrupted"),
        "running": _t(state.lang, "en cours", "running"),
        "failed": _t(state.lang, "échoué", "failed"),
    }
    for run in runs:
        counts = " ".join(
            f"{key}={run.summary[key]}"
            for key in ("read", "created", "updated", "unchanged", "quarantined", "deleted")
            if key in run.summary
        )
        echo(f"{run.started_at}  {labels[run.status]:<11} {run.source:<22} {counts}")
    if not runs:
        echo(_t(state.lang, "(aucun import)", "(no ingest yet)"))


@cli.command("changes")
@click.option("--since", default=0, show_default=True, help="Numéro du dernier changement déjà lu.")
@click.option("--limit", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def changes_command(ctx: click.Context, since: int, limit: int, as_json: bool) -> None:
    """Journal des modifications (créées, mises à jour, supprimées) / change log."""
    state = _state(ctx)
    with open_catalogue(state.settings.catalogue) as catalogue:
        changes = catalogue.changes(since, limit)
    if as_json:
        echo_json(json.dumps([msgspec.to_builtins(c) for c in changes], ensure_ascii=False))
        return
    for change in changes:
        fields = visible(", ".join(change.fields))
        line = f"{change.seq:>8}  {change.at}  {change.kind:<8} {visible(change.work_id)}  {fields}"
        echo(line)
    if not changes:
        echo(_t(state.lang, "(aucun changement)", "(no changes)"))


@cli.command("profiles")
@click.option(
    "--schema",
    "as_schema",
    is_flag=True,
    help="Schéma JSON d'un profil de correspondance / JSON Schema of a mapping profile.",
)
@click.pass_context
def profiles_command(ctx: click.Context, as_schema: bool) -> None:
    """Profils de correspondance fournis / bundled mapping profiles."""
    if as_schema:
        from lanterne.ingest import mapping_profile_schema

        click.echo(json.dumps(mapping_profile_schema(), ensure_ascii=False, indent=2))
        return
    for name in bundled_profiles():
        profile = load_profile(name)
        echo(f"{name:<28} {profile.reader.format:<7} {profile.title}")


@cli.command("schema")
def schema_command() -> None:
    """Schéma JSON du profil de description / JSON Schema of the description profile."""
    from lanterne.profile import json_schema

    echo_json(json.dumps(json_schema(), ensure_ascii=False, indent=2))


@cli.command("demo")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Servir ensuite le site.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.pass_context
def demo_command(ctx: click.Context, serve: bool, host: str, port: int) -> None:
    """Importer le catalogue de démonstration, l'indexer, l'auditer, puis le servir."""
    from lanterne.recommend._service import catalogue_source
    from lanterne.search._works import CatalogueIndex
    from lanterne.web import Site
    from lanterne.web._demo import DEMO_HOME, write_demo_audits

    state = _state(ctx)
    lang = state.lang
    folder = resources.files("lanterne.demo")
    with open_catalogue(state.settings.catalogue) as catalogue:
        for profile_name, file_name in (
            ("festivals-france", "festivals-demo.csv"),
            ("joconde-costumes", "joconde-demo.csv"),
        ):
            with resources.as_file(folder.joinpath(file_name)) as path:
                summary = ingest(catalogue, path, load_profile(profile_name))
            _print_summary(summary, lang)
            echo()
        stats = catalogue.stats()
        _print_stats(stats, lang, 8)
        indexed, _ = CatalogueIndex(catalogue).update()
        echo(
            _t(lang, "Index de recherche : ", "Search index: ")
            + f"{indexed} "
            + _t(lang, "œuvres indexées", "works indexed")
        )
        audits = state.settings.audits_folder
        for path in write_demo_audits(catalogue_source(catalogue), audits):
            echo(_t(lang, "Audit de démonstration : ", "Demo audit: ") + str(path))
    site = Site(state.settings.catalogue, audits=audits, token=state.settings.token or None)
    if not (Path(str(state.settings.catalogue) + ".web.json")).is_file():
        site.set_home(DEMO_HOME)
    if serve:
        run_server(site, host, port, lang)


def _log_internal(settings: Settings) -> Path:
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = settings.log_dir / f"lanterne-erreur-{stamp}.log"
    path.write_text(traceback.format_exc(), "utf-8")
    return path


for _command in (
    diagnose_command,
    index_command,
    search_command,
    recommend_command,
    audit_command,
    gaps_command,
    simulate_command,
    serve_command,
    eval_group,
):
    cli.add_command(_command)
eval_group.add_command(eval_recommend_command)
eval_group.add_command(prepare_movielens_command)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; the only place that exits."""
    args = sys.argv[1:] if argv is None else argv
    lang: Lang = detect_language(_arg_value(args, "--lang"))
    try:
        code = cli.main(args=args, prog_name="lanterne", standalone_mode=False)
    except LanterneError as exc:
        echo(_t(lang, "Erreur : ", "Error: ") + exc.message(lang), err=True)
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
            _t(lang, "Erreur : ", "Error: ")
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
