"""``lanterne diagnose``: one record's or a whole catalogue's discoverability diagnosis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import msgspec

from lanterne.catalogue import open_catalogue
from lanterne.cli._common import _state, _t, echo, echo_json
from lanterne.errors import NotFound, ToolMissing
from lanterne.messages import Lang, say


@click.command("diagnose")
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
    echo(_t(lang, "  score : ", "  score: ") + f"{t.score} / 100")
    m = t.europeana_metadata
    share = "—" if m.language_share is None else f"{100 * m.language_share:.0f} %"
    echo(
        _t(lang, "  Europeana, métadonnées : palier ", "  Europeana metadata: tier ")
        + f"{m.tier} ({_t(lang, 'langues', 'languages')} {m.language} [{share}], "
        + f"{_t(lang, 'éléments', 'elements')} {m.enabling}, "
        + f"{_t(lang, 'entités', 'entities')} {m.contextual})"
    )
    if t.europeana_content is not None:
        c = t.europeana_content
        echo(
            _t(lang, "  Europeana, contenu : niveau ", "  Europeana content: tier ")
            + f"{c.tier} ({c.edm_type}, {_t(lang, 'licence', 'licence')} {c.licence})"
        )
    for result in (t.rich_result, t.image_licence):
        if result is not None:
            state = (
                _t(lang, "éligible", "eligible")
                if result.eligible
                else (_t(lang, "manque : ", "missing: ") + ", ".join(result.missing))
            )
            echo(f"  {result.feature} : {state}")
    if t.artsdata is not None:
        a = t.artsdata
        blocking = "" if a.eligible else " — " + ", ".join(a.blocking + a.missing_required)
        echo(
            f"  Artsdata : {a.score} / 70, "
            + (
                _t(lang, "éligible", "eligible")
                if a.eligible
                else _t(lang, "non éligible", "not eligible")
            )
            + blocking
        )
    if t.europeana_edm is not None:
        e = t.europeana_edm
        why = "" if e.valid else " — " + ", ".join(e.problems)
        echo(
            _t(lang, "  EDM valide pour Europeana : ", "  EDM valid for Europeana: ")
            + (_t(lang, "oui", "yes") if e.valid else _t(lang, "non", "no"))
            + why
        )
    if d.failed:
        echo(_t(lang, "  règles non satisfaites : ", "  rules failed: ") + ", ".join(d.failed))
    action = d.next_action
    if action is None:
        echo(_t(lang, "  aucune correction ne la relèverait", "  no fix would raise it"))
        return
    label = action.label_en if lang == "en" else action.label_fr
    lifts = ", ".join(f"{x.target} {x.before} → {x.after}" for x in action.lifts)
    echo(
        _t(lang, "  meilleure action : ", "  next best action: ")
        + f"{label} (+{action.score_gain} points"
        + (f"; {lifts}" if lifts else "")
        + ")"
    )


def _print_report(report: Any, lang: Lang) -> None:
    echo(
        _t(lang, "Notices : ", "Records: ")
        + f"{report.records} — "
        + _t(lang, "score moyen ", "mean score ")
        + f"{report.score_mean} / 100, "
        + _t(lang, "médian ", "median ")
        + f"{report.score_median}"
    )
    tiers = ", ".join(f"{k} {v}" for k, v in report.metadata_tiers.items())
    echo(_t(lang, "Europeana, paliers de métadonnées : ", "Europeana metadata tiers: ") + tiers)
    content = ", ".join(f"{k} {v}" for k, v in report.content_tiers.items())
    echo(_t(lang, "Europeana, niveaux de contenu : ", "Europeana content tiers: ") + content)
    for feature, share in report.rich_results.items():
        echo(f"{feature} : {share.eligible} / {share.total} " + _t(lang, "éligibles", "eligible"))
    if report.artsdata.total:
        echo(
            f"Artsdata : {report.artsdata.eligible} / {report.artsdata.total} "
            + _t(lang, "éligibles, score moyen ", "eligible, mean score ")
            + f"{report.artsdata_mean_score} / 70"
        )
    edm = report.europeana_edm
    echo(
        _t(lang, "EDM valide pour Europeana : ", "EDM valid for Europeana: ")
        + f"{edm.eligible} / {edm.total}"
    )
    echo(_t(lang, "Corrections les plus utiles :", "Most useful fixes:"))
    for f in report.top_fixes:
        label = f.label_en if lang == "en" else f.label_fr
        echo(f"  {f.records:>8}  {label}")
