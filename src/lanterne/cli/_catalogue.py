"""``lanterne ingest`` and the commands that read the catalogue: ``stats``, ``show``,
``quarantine``, ``runs``, ``changes``, ``profiles``, ``schema``; and ``migrate``, which brings
the catalogue's schema up to date."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
import msgspec

from lanterne._visible import visible
from lanterne.catalogue import Catalogue, CatalogueStats, open_catalogue
from lanterne.cli._common import _state, echo, echo_json
from lanterne.cli._footprint import Measured
from lanterne.errors import ExitCode, NotFound
from lanterne.ingest import (
    IngestOptions,
    IngestSummary,
    MappingProfile,
    bundled_mapping_profiles,
    ingest,
    load_mapping_profile,
)
from lanterne.messages import Lang, reason_label, say_partial, translate
from lanterne.profile import Work
from lanterne.profile.schemaorg import work_to_jsonld


@click.command("ingest", cls=Measured)
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
    profile = load_mapping_profile(profile_name)
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
        print_summary(summary, state.lang)
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

    label = translate(lang, "notices lues")
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


def print_summary(s: IngestSummary, lang: Lang) -> None:
    rows = [
        (translate(lang, "lues"), s.read),
        (translate(lang, "créées"), s.created),
        (translate(lang, "mises à jour"), s.updated),
        (translate(lang, "inchangées"), s.unchanged),
        (translate(lang, "en quarantaine"), s.quarantined),
    ]
    if s.deleted:
        rows.append((translate(lang, "supprimées"), s.deleted))
    echo(
        translate(
            lang, "Import de {source} (profil {profile}) :", source=s.source, profile=s.profile
        )
    )
    for label, value in rows:
        echo(f"  {label:<16} {value:>9,}".replace(",", "\u202f"))
    for reason, count in s.by_reason.items():
        echo(f"    {count:>9,}  {reason_label(reason, lang)}".replace(",", "\u202f"))
    if s.warnings_total:
        echo(
            translate(lang, "  avertissements : {warnings_total}", warnings_total=s.warnings_total)
        )
        for w in s.warnings[:5]:
            echo(f"    {visible(w)}")
    if s.quarantined:
        echo(translate(lang, "Voir le détail : lanterne quarantine list"))


@click.command("stats")
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
    print_stats(stats, state.lang, top)


def _share(value: float | None, base: int, lang: Lang) -> str:
    if value is None:
        return translate(lang, "inconnue")
    return f"{100 * value:.1f} %" + translate(lang, " (sur {base:,} connues)", base=base).replace(
        ",", "\u202f"
    )


def _grouped(v: int) -> str:
    """A count with its thousands apart (« 32 540 », a narrow no-break space: both languages)."""
    return f"{v:,}".replace(",", "\u202f")


def print_stats(stats: CatalogueStats, lang: Lang, top: int) -> None:
    n = _grouped

    echo(translate(lang, "Catalogue : {works} œuvres", works=n(stats.works)))
    sections = [
        (translate(lang, "Par source"), stats.by_source),
        (translate(lang, "Par type"), stats.by_type),
        (translate(lang, "Par langue"), stats.by_language),
        (translate(lang, "Par pays"), stats.by_country),
        (
            translate(lang, "Par territoire (région, province)"),
            stats.by_territory,
        ),
    ]
    for title, counts in sections:
        echo(f"{title} :" if lang == "fr" else f"{title}:")
        if not counts:
            echo("  " + translate(lang, "(aucune donnée)"))
        for key, value in list(counts.items())[:top]:
            share = 100 * value / stats.works if stats.works else 0
            echo(f"  {visible(key):<34} {n(value):>9}  {share:5.1f} %")
        if len(counts) > top:
            rest = sum(list(counts.values())[top:])
            echo(
                "  "
                + translate(lang, "… {others} autres", others=len(counts) - top)
                + f" ({n(rest)})"
            )
    _print_creation(stats, lang)
    echo(
        translate(lang, "Part européenne : ")
        + _share(stats.european_share, stats.european_known, lang)
    )
    echo(
        translate(lang, "Part EOF (expression originale française) : ")
        + _share(stats.eof_share, stats.eof_known, lang)
    )
    echo(
        translate(
            lang,
            "En quarantaine : {quarantined} ; supprimées : {deleted}",
            quarantined=n(stats.quarantined),
            deleted=n(stats.deleted),
        )
    )


_CREATION_ORDER = ("human", "ai-assisted", "synthetic", "unknown")


def _print_creation(stats: CatalogueStats, lang: Lang) -> None:
    """The creation labels' shares, over the catalogue and per source (« unknown » included:
    a share of human creation is read against the works whose label is known)."""
    from lanterne.profile import CreationLabelValue
    from lanterne.provenance import value_words

    def line(counts: dict[str, int]) -> str:
        total = sum(counts.values())
        parts = []
        for key in _CREATION_ORDER:
            if counts.get(key):
                words = value_words(CreationLabelValue(key), lang)
                parts.append(f"{words} {100 * counts[key] / total:.1f} %")
        return " ; ".join(parts) if lang == "fr" else "; ".join(parts)

    if not stats.by_creation:
        echo(translate(lang, "Étiquettes de création : ") + translate(lang, "(aucune donnée)"))
        return
    echo(translate(lang, "Étiquettes de création : ") + line(stats.by_creation))
    if len(stats.creation_by_source) > 1:
        for source, counts in stats.creation_by_source.items():
            echo(f"  {visible(source):<34} {line(counts)}")


@click.command("show")
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


@click.group("quarantine")
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
    echo(translate(state.lang, "{total} notices en quarantaine", total=total))
    for reason, count in counts.items():
        echo(f"  {count:>7}  {reason_label(reason, state.lang)}")
    for e in entries:
        message = say_partial(e.reason, state.lang, e.params)
        where = f"{visible(e.source)} {visible(Path(e.file).name)}:{e.line}"
        echo(f"#{e.id:<6} {where}  {visible(message)}")
    if not entries:
        echo(translate(state.lang, "(rien à afficher)"))
    elif not include_resolved and offset + len(entries) < total:
        # A page of the list must say that it is one, and how to read the next.
        more = offset + len(entries)
        first, last = _grouped(offset + 1), _grouped(more)
        echo(
            translate(
                state.lang,
                "Entrées {first} à {last} sur {total} ; la suite : "
                "lanterne quarantine list --offset {more}",
                first=first,
                last=last,
                total=_grouped(total),
                more=more,
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
    echo(translate(lang, "raison : ") + visible(reason))
    if entry.field:
        echo(translate(lang, "champ : ") + visible(entry.field))
    echo(
        translate(lang, "date : ")
        + str(entry.at)
        + ("  (" + translate(lang, "résolue") + ")" if entry.resolved else "")
    )
    echo(translate(lang, "valeur brute :"))
    raw = entry.raw
    shown = raw
    if len(raw) > 4000:
        total = f"{len(raw):,}".replace(",", "\u202f")
        rest = translate(lang, "\n… ({total} caractères en tout)", total=total)
        shown = raw[:4000] + rest
    echo(shown)


@click.command("runs")
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
        "completed": translate(state.lang, "terminé"),
        "interrupted": translate(state.lang, "interrompu"),
        "running": translate(state.lang, "en cours"),
        "failed": translate(state.lang, "échoué"),
    }
    for run in runs:
        counts = " ".join(
            f"{key}={run.summary[key]}"
            for key in ("read", "created", "updated", "unchanged", "quarantined", "deleted")
            if key in run.summary
        )
        echo(f"{run.started_at}  {labels[run.status]:<11} {run.source:<22} {counts}")
    if not runs:
        echo(translate(state.lang, "(aucun import)"))


@click.command("changes")
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
        echo(translate(state.lang, "(aucun changement)"))


@click.command("profiles")
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
    for name in bundled_mapping_profiles():
        profile = load_mapping_profile(name)
        echo(f"{name:<28} {profile.reader.format:<7} {profile.title}")


@click.command("schema")
def schema_command() -> None:
    """Schéma JSON du profil de description / JSON Schema of the description profile."""
    from lanterne.profile import json_schema

    echo_json(json.dumps(json_schema(), ensure_ascii=False, indent=2))


@click.command("migrate", cls=Measured)
@click.option(
    "--catalogue",
    "given",
    metavar="FICHIER|URL",
    help="Catalogue à mettre à jour (sinon celui de lanterne --catalogue / LANTERNE_CATALOGUE).",
)
@click.option(
    "--to",
    "to",
    metavar="URL",
    help="Déplacer tout le catalogue (un fichier SQLite) dans cette base PostgreSQL, vide.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def migrate_command(ctx: click.Context, given: str | None, to: str | None, as_json: bool) -> None:
    """Mettre à jour le schéma, ou passer à PostgreSQL / update the schema or move to PostgreSQL."""
    from lanterne.catalogue import migrate_catalogue
    from lanterne.settings import location

    state = _state(ctx)
    target = (location("catalogue", given) if given else None) or state.settings.catalogue
    if to is not None:
        _move(state.lang, target, to, as_json)
        return
    done = migrate_catalogue(target)
    if as_json:
        echo_json(json.dumps(msgspec.to_builtins(done), ensure_ascii=False))
    elif done.before == done.after:
        echo(
            translate(
                state.lang,
                "{catalogue} : rien à migrer, le schéma est à jour (version {version})",
                catalogue=done.location,
                version=done.after,
            )
        )
    elif done.before == 0:
        echo(
            translate(
                state.lang,
                "{catalogue} : nouveau catalogue, schéma créé (version {version})",
                catalogue=done.location,
                version=done.after,
            )
        )
    else:
        echo(
            translate(
                state.lang,
                "{catalogue} : schéma mis à jour, version {before} → {after}",
                catalogue=done.location,
                before=done.before,
                after=done.after,
            )
        )


def _move(lang: Lang, source: str | Path, to: str, as_json: bool) -> None:
    """``migrate --to``: the file's catalogue copied whole into the database ``to``, then what
    was copied and how to use it."""
    from lanterne.catalogue import beside, is_server, move_catalogue
    from lanterne.errors import BadInput
    from lanterne.report import count, decimal

    if not is_server(to):
        raise BadInput("move.not_server", to=to)
    if is_server(source):
        raise BadInput("move.from_server", path=source)
    done = move_catalogue(source, to)
    if as_json:
        echo_json(json.dumps(msgspec.to_builtins(done), ensure_ascii=False))
        return
    labels = {
        "runs": translate(lang, "imports"),
        "batches": translate(lang, "lots"),
        "works": translate(lang, "œuvres"),
        "changes": translate(lang, "modifications (journal)"),
        "quarantine": translate(lang, "entrées de quarantaine"),
        "image_hashes": translate(lang, "empreintes d'images"),
        "entity_works": translate(lang, "œuvres par agent ou lieu"),
        "label_evidence": translate(lang, "preuves d'étiquette"),
    }
    works = done.rows.get("works", 0)
    echo(
        translate(
            lang,
            "Catalogue déplacé : {source} → {target}, en {seconds} s ({rate} œuvres/s)",
            source=done.source,
            target=done.target,
            seconds=decimal(done.seconds, lang),
            rate=count(round(works / done.seconds) if done.seconds > 0 else works, lang),
        )
    )
    for table, rows in done.rows.items():
        echo(f"  {labels.get(table, table):<28} {count(rows, lang):>12}")
    echo(
        translate(
            lang,
            "Journal des modifications : mêmes numéros (dernier : {seq}) ; index de recherche, "
            "jetons de reprise et dates « from » des moissonneurs restent valables.",
            seq=count(done.last_change, lang),
        )
    )
    if done.upgraded_from is not None:
        echo(
            translate(
                lang,
                "Le fichier, d'un schéma plus ancien (version {before}), a d'abord été mis à "
                "jour, comme à son ouverture par toute commande.",
                before=done.upgraded_from,
            )
        )
    echo(
        translate(
            lang,
            "{source} n'a pas été modifié par le déplacement : gardez-le comme sauvegarde.",
            source=done.source,
        )
    )
    for suffix in (".search", ".audits", ".web.json"):
        here, there = beside(source, suffix), beside(to, suffix)
        if here.exists():
            echo(
                translate(
                    lang,
                    "Fichiers locaux : copiez {here} vers {there} (cp -r) pour les garder.",
                    here=here,
                    there=there,
                )
            )
    echo(translate(lang, "Pour travailler sur le nouveau catalogue :"))
    echo(f"  export LANTERNE_CATALOGUE={done.target}")
