"""``lanterne audit``, ``lanterne simulate`` and ``lanterne gaps``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import msgspec

from lanterne.cli._common import Registered, _state, echo, echo_json, weighting_names
from lanterne.cli._footprint import Measured
from lanterne.errors import BadInput
from lanterne.messages import translate

if TYPE_CHECKING:
    from lanterne.audit import AuditConfig, Capture


def audit_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of an audit's figures, shared by ``lanterne audit`` and ``lanterne batch
    audit``: the platform's catalogue, the weighting, the quota thresholds, the bootstrap."""
    for option in reversed(
        [
            click.option(
                "--platform-catalogue",
                type=click.Path(path_type=Path),
                help="Œuvres offertes par la plateforme / the platform's works.",
            ),
            click.option(
                "--weighting", type=Registered(weighting_names), default="log", show_default=True
            ),
            click.option(
                "--home-threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True
            ),
            click.option(
                "--european-threshold", type=click.FloatRange(0, 1), default=0.6, show_default=True
            ),
            click.option(
                "--eof-threshold", type=click.FloatRange(0, 1), default=0.4, show_default=True
            ),
            click.option(
                "--resamples", type=click.IntRange(0, 100_000), default=1000, show_default=True
            ),
            click.option("--seed", type=int, default=0, show_default=True),
        ]
    ):
        command = option(command)
    return command


def audit_inputs(
    platform_catalogue: Path | None,
    weighting: str,
    home_threshold: float,
    european_threshold: float,
    eof_threshold: float,
    resamples: int,
    seed: int,
    personas: Path | None,
) -> tuple[AuditConfig, Any, dict[str, Any] | None]:
    """What ``audit_options`` and ``--personas`` name: the audit's configuration, the
    platform's catalogue (or ``None``) and the personas' histories (or ``None``)."""
    from lanterne.audit import AuditConfig, Quotas, Weighting
    from lanterne.audit import platform_catalogue as read_platform

    config = AuditConfig(
        weighting=Weighting(kind=weighting),
        quotas=Quotas(
            catalogue_european=european_threshold, catalogue_eof=eof_threshold, home=home_threshold
        ),
        resamples=resamples,
        seed=seed,
    )
    items = read_platform(platform_catalogue) if platform_catalogue else None
    histories = None
    if personas is not None:
        from lanterne.audit import read_personas

        histories = {p.name: p.history for p in read_personas(personas)}
    return config, items, histories


@click.command("audit", cls=Measured)
@click.argument("captures", nargs=-1, type=click.Path(path_type=Path))
@audit_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html", "pdf"]),
    default="text",
    show_default=True,
)
@click.option("--output", "-o", type=click.Path(path_type=Path))
@click.option(
    "--personas",
    type=click.Path(path_type=Path),
    help="Profils (JSON) : historiques pour la miscalibration.",
)
@click.option(
    "--source",
    metavar="NOM",
    help="Source du catalogue à laquelle appartiennent les identifiants bruts"
    " (« --source vod » : « 194 » est « vod:194 »).",
)
@click.option("--schema", is_flag=True, help="Afficher le schéma JSON d'une ligne de capture.")
@click.pass_context
def audit_command(
    ctx: click.Context,
    captures: tuple[Path, ...],
    platform_catalogue: Path | None,
    weighting: str,
    home_threshold: float,
    european_threshold: float,
    eof_threshold: float,
    resamples: int,
    seed: int,
    fmt: str,
    output: Path | None,
    personas: Path | None,
    source: str | None,
    schema: bool,
) -> None:
    """Auditer l'exposition des œuvres / audit the exposure of works."""
    from lanterne.audit import (
        capture_schema,
        read_captures,
        render_html,
        run_audit,
    )

    state = _state(ctx)
    lang = state.lang
    if schema:
        echo_json(json.dumps(capture_schema(), ensure_ascii=False, indent=2))
        return
    if not captures:
        raise click.UsageError(translate(lang, "donnez au moins un fichier de captures"))
    caps = read_captures(captures)
    lookup = _catalogue_lookup(state.settings.catalogue)
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
    report = run_audit(
        caps, config, lookup=lookup, source=source, catalogue_items=items, histories=histories
    )
    for rejected in caps.rejected[:10]:
        echo(f"{rejected.file}:{rejected.line} [{rejected.field}] {rejected.reason}", err=True)
    if fmt == "json":
        text = json.dumps(msgspec.to_builtins(report), ensure_ascii=False, indent=2)
        if output:
            output.write_text(text, "utf-8")
        else:
            echo_json(text)
        return
    if fmt in ("html", "pdf"):
        page = render_html(report, lang)
        target = output or Path(f"audit.{fmt}")
        if fmt == "html":
            target.write_text(page, "utf-8")
        else:
            from lanterne.diagnose import write_pdf

            write_pdf(page, target)
        echo(str(target))
        return
    for line in report.summary["en" if lang == "en" else "fr"]:
        echo("• " + line)


def _catalogue_lookup(
    location: str | Path,
) -> Callable[[str], dict[str, set[str]] | None] | None:
    from lanterne.catalogue import is_server, open_catalogue

    if not is_server(location) and not Path(location).is_file():
        return None
    from lanterne.recommend import work_attributes

    catalogue = open_catalogue(location)

    def lookup(item: str) -> dict[str, set[str]] | None:
        work = catalogue.get(item)
        if work is None:
            return None
        out: dict[str, set[str]] = {}
        for name, value in work_attributes(work):
            out.setdefault(name, set()).add(value)
        return out

    return lookup


@click.command("simulate", cls=Measured)
@click.option("--url", required=True, help="Adresse locale de l'API (http://127.0.0.1:8000).")
@click.option(
    "--personas", type=click.Path(path_type=Path), required=True, help="JSON : liste de profils."
)
@click.option("--sessions", type=click.IntRange(1, 1000), default=5, show_default=True)
@click.option("--goal", "goals", multiple=True)
@click.option(
    "--max-requests", type=click.IntRange(1, 1_000_000), default=10_000, show_default=True
)
@click.option("--max-seconds", type=click.FloatRange(1, 86_400), default=600, show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True)
@click.option(
    "--rights",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON : ce que robots.txt et TDMRep disent des œuvres montrées / what robots.txt and "
    "TDMRep say of the works shown.",
)
@click.pass_context
def simulate_command(
    ctx: click.Context,
    url: str,
    personas: Path,
    sessions: int,
    goals: tuple[str, ...],
    max_requests: int,
    max_seconds: float,
    output: Path,
    rights: Path | None,
) -> None:
    """Profils fictifs qui parcourent une plateforme locale / sock-puppet personas on loopback."""
    from lanterne.audit import LanterneHTTP, SimulationLimits, read_personas, simulate, write_jsonl

    state = _state(ctx)
    people = read_personas(personas)
    if rights is not None and not rights.parent.is_dir():  # said before any request
        raise BadInput("audit.cannot_write", path=rights, reason="no such folder")
    platform = LanterneHTTP(url, goals=goals)
    limits = SimulationLimits(max_requests=max_requests, max_seconds=max_seconds)
    shown: list[str] = []

    def noted() -> Iterator[Capture]:
        for capture in simulate(platform, people, sessions, limits=limits):
            shown.append(capture.item)
            yield capture

    rows = write_jsonl(noted(), output)
    echo(f"{output}: {rows} " + translate(state.lang, "lignes de capture"))
    if rights is None:
        return
    found = platform.rights(shown)
    try:
        rights.write_bytes(msgspec.json.format(msgspec.json.encode(found)))
    except OSError as exc:
        raise BadInput("audit.cannot_write", path=rights, reason=exc.strerror or str(exc)) from None
    echo(
        translate(
            state.lang,
            "{path} : TDMRep : {reserved} réservées, {free} non réservées, {unset} sans "
            "déclaration ; robots.txt : {refused} refusées sur {total}",
            path=rights,
            reserved=found.reserved,
            free=found.not_reserved,
            unset=found.unset,
            refused=found.robots_refused,
            total=len(found.items),
        )
    )


@click.command("gaps", cls=Measured)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    metavar="NOM=FICHIER",
    help="Catalogue d'une plateforme (répétable).",
)
@click.option(
    "--source",
    metavar="NOM",
    help="Source du catalogue : ses œuvres seulement, et celle des identifiants bruts des"
    " plateformes (sinon déduite des identifiants, et dite).",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def gaps_command(
    ctx: click.Context, platforms: tuple[str, ...], source: str | None, as_json: bool
) -> None:
    """Œuvres sans offre en ligne / works with no online offer."""
    from lanterne.audit import find_gaps, infer_source, platform_items
    from lanterne.catalogue import open_catalogue
    from lanterne.report import count, pct

    state = _state(ctx)
    lang = state.lang
    files: dict[str, set[str]] = {}
    for spec in platforms:
        name, sep, path = spec.partition("=")
        if not sep:
            name, path = Path(spec).stem, spec
        files[name] = platform_items(Path(path))
    with open_catalogue(state.settings.catalogue) as catalogue:
        known = {} if not files and source is None else catalogue.stats().by_source
        sources = {s: catalogue.source_ids(s) for s in known} if files or source else {}
        if source is not None and source not in sources:
            from lanterne.errors import BadInput

            raise BadInput("gaps.unknown_source", source=source, known=", ".join(sorted(known)))
        listing = [infer_source(name, ids, sources, source) for name, ids in files.items()]
        gaps = find_gaps(catalogue.iter_works(source), listing)
    if as_json:
        echo_json(json.dumps(msgspec.to_builtins(gaps), ensure_ascii=False, indent=2))
        return
    share = gaps.missing / gaps.works if gaps.works else None
    echo(
        translate(lang, "Œuvres sans offre en ligne : ")
        + f"{count(gaps.missing, lang)} / {count(gaps.works, lang)} ({pct(share, lang)})"
    )
    for p in listing:
        offered = gaps.by_platform.get(p.name, 0)
        where = (
            translate(lang, "identifiants complets seulement")
            if p.source is None
            else translate(lang, "source « ")
            + p.source
            + " »"
            + (translate(lang, ", déduite des identifiants") if p.inferred else "")
        )
        n, ids = count(offered, lang), count(len(p.ids), lang)
        echo(
            translate(
                lang,
                "  {name} : {n} œuvres sur {ids} identifiants ({where})",
                name=p.name,
                n=n,
                ids=ids,
                where=where,
            )
        )
    for title, table in (
        (translate(lang, "par type"), gaps.missing_by_type),
        (translate(lang, "par langue"), gaps.missing_by_language),
        (translate(lang, "par territoire"), gaps.missing_by_territory),
    ):
        if table:
            sep = " : " if lang != "en" else ": "
            echo(
                f"  {title}{sep}"
                + ", ".join(f"{k} {count(v, lang)}" for k, v in list(table.items())[:8])
            )
