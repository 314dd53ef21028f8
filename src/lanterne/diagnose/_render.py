"""A catalogue report as an HTML page (French or English) and as PDF through headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import jinja2

from lanterne._location import display_name
from lanterne.diagnose._registry import fixes, rules
from lanterne.diagnose._report import CatalogueReport
from lanterne.errors import ToolMissing
from lanterne.footprint import cost_note
from lanterne.messages import N_, translate
from lanterne.report import (
    BLUE,
    GREEN,
    ORANGE,
    SOURCES,
    WORK_TYPES,
    bars,
    number,
    official_subdivision_names,
    translations,
)
from lanterne.settings import Settings

# Key → French msgid, said in English through the one catalogue; the templates call t(key).
LABELS: dict[str, str] = {
    "title": N_("Diagnostic de découvrabilité"),
    "catalogue": N_("Catalogue"),
    "source": N_("source"),
    "generated": N_("établi le"),
    "summary": N_("En bref"),
    "records": N_("Notices"),
    "mean_score": N_("Score moyen"),
    "median_score": N_("Score médian"),
    "tier_c_or_b": N_("Palier Europeana B ou C"),
    "eligible": N_("Éligibles"),
    "eligible_rich": N_("Éligibles au résultat enrichi"),
    "artsdata_eligible": N_("Éligibles Artsdata"),
    "artsdata_mean": N_("score moyen"),
    "untagged_french": N_("Français non balisé"),
    "top_fixes": N_("Les dix corrections qui relèvent le plus de notices"),
    "top_fixes_help": N_(
        "Chaque correction est appliquée à une copie de chaque notice, qui est notée à nouveau : "
        "elle compte quand elle relève le score, un palier ou une éligibilité sans rien abaisser."
    ),
    "top_fixes_caption": N_("Notices relevées par chaque correction."),
    "fix": N_("Correction"),
    "records_lifted": N_("Notices relevées"),
    "as_next_action": N_("Meilleure action pour"),
    "score_distribution": N_("Répartition des scores"),
    "score_caption": N_("Notices par tranche de score de découvrabilité (0–100)."),
    "europeana": N_("Paliers Europeana"),
    "europeana_help": N_(
        "Palier de métadonnées 0/A/B/C (langues, éléments de recherche, entités contextuelles ; "
        "le plus bas des trois) et niveau de contenu 0–4 (taille des médias, plafonné par la "
        "licence). Europeana ne publie pas le palier 0."
    ),
    "metadata_caption": N_("Notices par palier de métadonnées."),
    "content_caption": N_("Notices par niveau de contenu."),
    "metadata_tiers": N_("Paliers de métadonnées"),
    "content_tiers": N_("Niveaux de contenu"),
    "tier": N_("Palier"),
    "not_applicable": N_("sans objet (événements)"),
    "eligibility": N_("Éligibilités"),
    "target": N_("Cible"),
    "concerned": N_("Concernées"),
    "rich_result": N_("Résultat enrichi"),
    "image_licence": N_("Badge « sous licence » des images"),
    "europeana_edm": N_("Notice EDM valide pour Europeana (XSD et Schematron)"),
    "europeana_edm_card": N_("EDM valide pour Europeana"),
    "breakdown": N_("Par source, type et territoire"),
    "sources_caption": N_("Score moyen par source."),
    "by_source": N_("Par source"),
    "by_type": N_("Par type"),
    "by_territory": N_("Par territoire (15 premiers)"),
    "no_territory": N_("Territoire non renseigné"),
    "top_fix": N_("Correction la plus utile"),
    "failed_rules": N_("Règles non satisfaites"),
    "rule": N_("Règle"),
    "weight": N_("Poids"),
    "records_failing": N_("Notices"),
    "worst": N_("Notices à reprendre en premier"),
    "record": N_("Notice"),
    "score": N_("Score"),
    "next_action": N_("Meilleure action"),
    "gain": N_("Gain"),
    "method": N_("Méthode"),
    "method_text": N_(
        "Critères publiés par Europeana (Metis, paliers de contenu et de métadonnées), Google "
        "(données structurées Event, Movie, Book, licence d'image) et Artsdata (score "
        "artsdata-score, règles de création d'identifiants). Correspondances et poids des "
        "règles : docs/diagnosis.md. Les corrections sont mesurées sur des copies ; les valeurs "
        "qu'elles ajoutent ne sont que des emplacements à remplir."
    ),
}


def _score(value: float, lang: str) -> str:
    """A score as people write it: « 35 » for 35.0, « 46,3 » in French, “46.3” in English."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",") if lang == "fr" else text


def _moment(iso: str, lang: str) -> str:
    """``2026-12-02T10:15:21Z`` → « 2 décembre 2026 à 10 h 15 (UTC) » / “December 2, 2026 at
    10:15 AM (UTC)”."""
    from datetime import datetime

    from babel.dates import format_date, format_time

    try:
        found = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    day = format_date(found, "long", locale=lang)
    if lang == "fr":
        day = "1er" + day[1:] if found.day == 1 else day
        return f"{day} à {found.hour} h {found.minute:02d} (UTC)"
    return f"{day} at {format_time(found, 'short', locale=lang)} (UTC)"


def render_html(report: CatalogueReport, lang: str = "fr") -> str:
    """The report page; every figure is also given in a table next to its chart."""
    return _render(report, lang, "report.html.j2")


def render_body(report: CatalogueReport, lang: str = "fr") -> str:
    """The report's content without the page around it (the web interface's dashboard)."""
    return _render(report, lang, "report_body.html.j2")


def group_name(kind: str, key: str, lang: str) -> str:
    """What a breakdown's row is called: « Festival », « Provence-Alpes-Côte d'Azur (FR-PAC) »,
    the source's name; the stored code when there is no name for it. The tables showed the
    codes (``CreativeWork``, ``FR-PAC``)."""
    said = translations("en" if lang == "en" else "fr").gettext
    if kind == "type":
        return said(WORK_TYPES[key]) if key in WORK_TYPES else key
    if kind == "source":
        return f"{said(SOURCES[key])} ({key})" if key in SOURCES else key
    if key == "?":
        return translate(lang, LABELS["no_territory"])
    name = official_subdivision_names().get(key.upper())
    if name is None and len(key) == 2:  # a country, when the record names no region
        from babel import Locale

        name = Locale.parse("en" if lang == "en" else "fr").territories.get(key.upper())
    return f"{name} ({key})" if name else key


def _render(report: CatalogueReport, lang: str, template: str) -> str:
    i = 1 if lang == "en" else 0

    def label(key: str) -> str:
        return translate(lang, LABELS[key])

    def num(value: float) -> str:
        return number(value, lang)

    def pct(part: int, whole: int) -> str:
        if not whole:
            return "—"
        share = 100 * part / whole
        return f"{share:.1f}\u202f%".replace(".", ",") if lang == "fr" else f"{share:.1f}%"

    fix_labels = {f.id: f.label[i] for f in fixes()}
    rule_labels = {r.id: r.label[i] for r in rules()}
    top = report.top_fixes
    bands = [f"{10 * b}–{10 * b + 9}" for b in range(9)] + ["90–100"]
    charts = {
        "fixes": bars(
            [fix_labels.get(f.fix, f.fix) for f in top],
            [f.records for f in top],
            label("top_fixes"),
            label("records_lifted"),
            horizontal=True,
            color=GREEN,
        ),
        "scores": bars(
            bands, list(report.score_histogram), label("score_distribution"), label("records")
        ),
        "metadata": bars(
            list(report.metadata_tiers),
            list(report.metadata_tiers.values()),
            label("metadata_tiers"),
            label("records"),
        ),
        "content": bars(
            [label("not_applicable") if k == "n/a" else k for k in report.content_tiers],
            list(report.content_tiers.values()),
            label("content_tiers"),
            label("records"),
            color=ORANGE,
        ),
        "sources": bars(
            [group_name("source", key, lang) for key in report.by_source],
            [g.mean_score for g in report.by_source.values()],
            label("sources_caption"),
            label("mean_score"),
            horizontal=True,
            color=BLUE,
        ),
    }
    breakdowns = [
        (label(f"by_{kind}"), [(group_name(kind, k, lang), g) for k, g in groups.items()])
        for kind, groups in (
            ("source", report.by_source),
            ("type", report.by_type),
            ("territory", dict(list(report.by_territory.items())[:15])),
        )
    ]
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lanterne.diagnose", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    context: dict[str, Any] = {
        "report": report,
        "lang": lang,
        "t": label,
        "num": num,
        "pct": pct,
        "score": lambda value: _score(value, lang),
        "moment": lambda iso: _moment(iso, lang),
        "charts": charts,
        "bands": bands,
        "breakdowns": breakdowns,
        "fix_label": lambda fix_id: fix_labels.get(fix_id, "—") if fix_id else "—",
        "rule_label": lambda rule_id: rule_labels.get(rule_id, rule_id),
    }
    # The standalone page states what it cost to make (when it is made inside a measure).
    context["cost"] = cost_note(lang) if template == "report.html.j2" else None
    # The page names the catalogue file, not where it lives on this machine.
    context["report"] = _Named(report)
    return env.get_template(template).render(context)


class _Named:
    """The report as the template sees it, with the catalogue's file name."""

    def __init__(self, report: CatalogueReport) -> None:
        self._report = report
        self.catalogue_name = display_name(report.catalogue)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._report, name)


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Headless flags that keep Chromium off the network (this machine's closed network refuses it)."""


def chromium() -> str | None:
    """Path of a Chromium (setting ``chromium``, else Debian's ``chromium``), or ``None``."""
    wanted = Settings.load().chromium
    if wanted:
        return shutil.which(wanted)  # a path or a name; None when it is not an executable
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(args: list[str], timeout: float = 120) -> None:
    """Run headless Chromium with its own empty profile; raise ``LanterneError`` on failure."""
    browser = chromium()
    if browser is None:
        raise ToolMissing("diagnose.no_chromium")
    with tempfile.TemporaryDirectory(prefix="lanterne-chromium-") as profile:
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ToolMissing("diagnose.chromium_failed", detail=str(exc)) from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise ToolMissing("diagnose.chromium_failed", detail=detail[0])


def write_pdf(html: str, pdf: Path) -> None:
    """Print the HTML page to ``pdf`` with headless Chromium (the page's own print styles)."""
    with tempfile.TemporaryDirectory(prefix="lanterne-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, "utf-8")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()])
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise ToolMissing("diagnose.chromium_failed", detail=f"{pdf} n'a pas été écrit")


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 2400) -> None:
    """A PNG of the page as Chromium draws it."""
    png.parent.mkdir(parents=True, exist_ok=True)
    run_chromium(
        [
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            "--hide-scrollbars",
            page.as_uri(),
        ]
    )
