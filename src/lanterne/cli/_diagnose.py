"""``lanterne diagnose``: one record's or a whole catalogue's discoverability diagnosis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import msgspec

from lanterne.catalogue import open_catalogue
from lanterne.cli._common import _state, echo, echo_json
from lanterne.cli._footprint import Measured
from lanterne.errors import NotFound, ToolMissing
from lanterne.messages import Lang, say, translate


@click.command("diagnose", cls=Measured)
@click.option("--source", help="Seulement cette source / only this source.")
@click.option("--work", "work_id", help="Une seule œuvre, en détail / one work, in detail.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html", "json", "pdf"]),
    default="text",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Fichier à écrire (html, pdf ; json : sinon la sortie standard).",
)
@click.pass_context
def diagnose_command(
    ctx: click.Context, source: str | None, work_id: str | None, fmt: str, output: Path | None
) -> None:
    """Diagnostic de découvrabilité / discoverability diagnosis."""
    from lanterne.diagnose import build_report, chromium, diagnose, render_html, write_pdf

    state = _state(ctx)
    lang = state.lang
    if fmt == "pdf" and work_id is None and chromium() is None:
        # Said before the work, not after it: a whole-catalogue report takes a while.
        raise ToolMissing("diagnose.no_chromium")
    with open_catalogue(state.settings.catalogue) as catalogue:
        if work_id is not None:
            work = catalogue.get(work_id)
            if work is None:
                raise NotFound("work.not_found", id=work_id)
            one = diagnose(work)
            if fmt == "json":
                echo_json(json.dumps(msgspec.to_builtins(one), ensure_ascii=False, indent=2))
            else:
                _print_diagnosis(one, lang)
            return
        if catalogue.count(source) == 0:
            where = f" ({source})" if source else ""
            raise NotFound("diagnose.empty", where=where)
        report = build_report(catalogue.iter_works(source), catalogue.location, source)
    if fmt == "json":
        text = json.dumps(msgspec.to_builtins(report), ensure_ascii=False, indent=2)
        if output is None:
            echo_json(text)
            return
        output.write_text(text + "\n", "utf-8")
    elif fmt == "text":
        _print_report(report, lang)
        return
    else:
        html = render_html(report, lang)
        name = f"diagnostic-{source or 'catalogue'}.{fmt}"
        output = output or Path(name)
        if fmt == "html":
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(html, "utf-8")
        else:
            write_pdf(html, output)
    echo(say("diagnose.written", lang, path=output))


def _print_diagnosis(d: Any, lang: Lang) -> None:
    t = d.targets
    echo(f"{d.work_id} ({d.type})")
    echo(translate(lang, "  score : ") + f"{t.score} / 100")
    m = t.europeana_metadata
    share = "—" if m.language_share is None else f"{100 * m.language_share:.0f} %"
    echo(
        translate(lang, "  Europeana, métadonnées : palier ")
        + f"{m.tier} ({translate(lang, 'langues')} {m.language} [{share}], "
        + f"{translate(lang, 'éléments')} {m.enabling}, "
        + f"{translate(lang, 'entités')} {m.contextual})"
    )
    if t.europeana_content is not None:
        c = t.europeana_content
        echo(
            translate(lang, "  Europeana, contenu : niveau ")
            + f"{c.tier} ({c.edm_type}, {translate(lang, 'licence')} {c.licence})"
        )
    for result in (t.rich_result, t.image_licence):
        if result is not None:
            state = (
                translate(lang, "éligible")
                if result.eligible
                else (translate(lang, "manque : ") + ", ".join(result.missing))
            )
            echo(f"  {result.feature} : {state}")
    if t.artsdata is not None:
        a = t.artsdata
        blocking = "" if a.eligible else " — " + ", ".join(a.blocking + a.missing_required)
        echo(
            f"  Artsdata : {a.score} / 70, "
            + (translate(lang, "éligible") if a.eligible else translate(lang, "non éligible"))
            + blocking
        )
    if t.europeana_edm is not None:
        e = t.europeana_edm
        why = "" if e.valid else " — " + ", ".join(e.problems)
        echo(
            translate(lang, "  EDM valide pour Europeana : ")
            + (translate(lang, "oui") if e.valid else translate(lang, "non"))
            + why
        )
    if d.failed:
        echo(translate(lang, "  règles non satisfaites : ") + ", ".join(d.failed))
    action = d.next_action
    if action is None:
        echo(translate(lang, "  aucune correction ne la relèverait"))
        return
    label = action.label_en if lang == "en" else action.label_fr
    lifts = ", ".join(f"{x.target} {x.before} → {x.after}" for x in action.lifts)
    echo(
        translate(lang, "  meilleure action : ")
        + f"{label} (+{action.score_gain} points"
        + (f"; {lifts}" if lifts else "")
        + ")"
    )


def _print_report(report: Any, lang: Lang) -> None:
    echo(
        translate(lang, "Notices : ")
        + f"{report.records} — "
        + translate(lang, "score moyen ")
        + f"{report.score_mean} / 100, "
        + translate(lang, "médian ")
        + f"{report.score_median}"
    )
    tiers = ", ".join(f"{k} {v}" for k, v in report.metadata_tiers.items())
    echo(translate(lang, "Europeana, paliers de métadonnées : ") + tiers)
    content = ", ".join(f"{k} {v}" for k, v in report.content_tiers.items())
    echo(translate(lang, "Europeana, niveaux de contenu : ") + content)
    for feature, share in report.rich_results.items():
        echo(f"{feature} : {share.eligible} / {share.total} " + translate(lang, "éligibles"))
    if report.artsdata.total:
        echo(
            f"Artsdata : {report.artsdata.eligible} / {report.artsdata.total} "
            + translate(lang, "éligibles, score moyen ")
            + f"{report.artsdata_mean_score} / 70"
        )
    edm = report.europeana_edm
    echo(translate(lang, "EDM valide pour Europeana : ") + f"{edm.eligible} / {edm.total}")
    echo(translate(lang, "Corrections les plus utiles :"))
    for f in report.top_fixes:
        label = f.label_en if lang == "en" else f.label_fr
        echo(f"  {f.records:>8}  {label}")
