"""The audit report as HTML (charts inline, tables beside them) and PDF (Chromium).

Every label is in the report's language and every figure written as that language writes it
(``_words``, ``lanterne.report``); a share with no data is drawn as a gap and says so, never as 0 %.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from lanterne.audit._report import Report
from lanterne.audit._words import flatten, group, parameter, rule, surface, verdict
from lanterne.report import BLUE, GREY, NNBSP, ORANGE, count, decimal, number, pct, pyplot, svg


def _t(lang: str, fr: str, en: str) -> str:
    return fr if lang != "en" else en


def _points(values: Sequence[float | None], scale: float = 100.0) -> list[float]:
    return [math.nan if v is None else scale * v for v in values]


def _axis_numbers(ax: Axes, lang: str) -> None:
    """Ticks in the report's language (« 0,5 »), whole numbers without decimals."""

    def fmt(x: float, _pos: object) -> str:
        digits = 0 if abs(x - round(x)) < 1e-9 else 1 if abs(x * 10 - round(x * 10)) < 1e-6 else 2
        return number(x, lang, digits)

    ax.xaxis.set_major_formatter(FuncFormatter(fmt))
    ax.yaxis.set_major_formatter(FuncFormatter(fmt))


def _whole_ticks(ax: Axes, n: int) -> None:
    """Positions and sessions are whole: ticks at 1, 2, 3 …, never at 1.5."""
    if n <= 20:
        ax.set_xticks(range(1, n + 1))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def chart_positions(report: Report, lang: str = "fr") -> str:
    fig, ax = pyplot().subplots(figsize=(6, 3))
    longest = 0
    missing: list[str] = []
    for (name, values), colour, style in zip(
        report.by_position.items(), (BLUE, ORANGE, GREY), ("-", "--", ":"), strict=False
    ):
        longest = max(longest, len(values))
        label = group(name, lang)
        if all(v is None for v in values):
            missing.append(label)
            continue
        if any(v is None for v in values):
            label += _t(lang, " (trous : attribut inconnu)", " (gaps: attribute unknown)")
        # Dashes tell apart two groups whose shares coincide (European = European or EOF).
        ax.plot(
            range(1, len(values) + 1),
            _points(values),
            marker="o",
            linestyle=style,
            color=colour,
            label=label,
        )
    for label in missing:
        # In the legend, without a line: a group never known is said, not drawn at 0 %.
        ax.plot([], [], " ", label=label + _t(lang, f"{NNBSP}: données insuffisantes", ": no data"))
    _whole_ticks(ax, longest)
    ax.set_ylim(-3, 103)  # a share: 0–100 %, even when no line is drawn
    ax.set_xlim(0.5, max(longest, 1) + 0.5)
    _axis_numbers(ax, lang)
    ax.set_xlabel("Position")
    ax.set_ylabel(_t(lang, "part (%)", "share (%)"))
    if report.by_position:
        ax.legend(fontsize=8)
    return svg(
        fig, _t(lang, "Part de chaque groupe par position", "Share of each group by position")
    )


def chart_lorenz(report: Report, lang: str = "fr") -> str:
    x, y = report.lorenz
    fig, ax = pyplot().subplots(figsize=(4, 4))
    ax.plot([0, 100], [0, 100], color=GREY, linestyle="--", label=_t(lang, "égalité", "equality"))
    ax.plot(
        [100 * v for v in x],
        [100 * v for v in y],
        color=BLUE,
        label=f"Gini {decimal(report.exposure_gini, lang)}",
    )
    _axis_numbers(ax, lang)
    ax.set_xlabel(_t(lang, "Part des œuvres (%)", "Share of works (%)"))
    ax.set_ylabel(_t(lang, "Part de l'exposition (%)", "Share of exposure (%)"))
    ax.legend(fontsize=8)
    return svg(fig, _t(lang, "Courbe de Lorenz de l'exposition", "Lorenz curve of exposure"))


def chart_drift(report: Report, lang: str = "fr") -> str | None:
    if not report.drift:
        return None
    d = report.drift[0]
    scale = 1.0 if d.metric == "genre-entropy" else 100.0
    sessions = list(range(1, len(d.by_session) + 1))
    fig, ax = pyplot().subplots(figsize=(6, 3))
    ax.fill_between(
        sessions,
        _points(d.by_session_low, scale),
        _points(d.by_session_high, scale),
        color=BLUE,
        alpha=0.2,
    )
    ax.plot(
        sessions,
        _points(d.by_session, scale),
        color=BLUE,
        marker="o",
        label=_t(lang, "profils", "personas"),
    )
    if not all(v is None for v in d.control_by_session):
        ax.plot(
            sessions,
            _points(d.control_by_session, scale),
            color=ORANGE,
            linestyle="--",
            marker="s",
            label=_t(lang, "témoins", "controls"),
        )
    _whole_ticks(ax, len(sessions))
    _axis_numbers(ax, lang)
    ax.set_xlabel("Session")
    unit = "" if scale == 1.0 else " (%)"
    ax.set_ylabel(group(d.metric, lang) + unit, fontsize=8)
    ax.legend(fontsize=8)
    return svg(
        fig,
        _t(
            lang,
            "Évolution au fil des sessions, intervalle à 95\u202f%",
            "Drift across sessions, 95% band",
        ),
    )


def render_html(report: Report, lang: str = "fr") -> str:
    """The audit as a standalone page."""
    fr = lang != "en"
    title = "Audit d’exposition" if fr else "Exposure audit"
    return (
        f'<!doctype html><html lang="{"fr" if fr else "en"}"><head><meta charset="utf-8">'
        f"<title>{title} — Lanterne</title>"
        "<style>body{font-family:DejaVu Sans,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}"
        "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #767676;padding:.3rem .6rem;text-align:left}"
        ".met{color:#006b3c}.not{color:#b00020}</style></head><body><main>"
        + render_body(report, lang)
        + "</main></body></html>"
    )


def _interval(value: float, low: float, high: float, lang: str) -> str:
    return f"{pct(value, lang)} ({pct(low, lang)} – {pct(high, lang)})"


def render_body(report: Report, lang: str = "fr") -> str:
    """The audit's content without the page around it (the web interface's audit page)."""

    def t(a: str, b: str) -> str:
        return _t(lang, a, b)

    esc = html.escape
    parts = [
        f"<h1>{t('Audit d’exposition', 'Exposure audit')}</h1>",
        f"<h2>{t('En bref', 'Summary')}</h2><ul>",
    ]
    parts += [f"<li>{esc(s)}</li>" for s in report.summary["fr" if lang != "en" else "en"]]
    parts.append("</ul>")
    parts.append(
        f"<h2>{t('Verdicts', 'Verdicts')}</h2><table><tr><th scope='col'>{t('règle', 'rule')}</th>"
        f"<th scope='col'>{t('seuil', 'threshold')}</th>"
        f"<th scope='col'>{t(f'valeur (IC 95{NNBSP}%)', 'value (95% CI)')}</th>"
        f"<th scope='col'>{t('attribut connu', 'attribute known')}</th>"
        f"<th scope='col'>{t('verdict', 'verdict')}</th></tr>"
    )
    for v in report.verdicts:
        value = (
            "—" if v.value is None else _interval(v.value.value, v.value.low, v.value.high, lang)
        )
        cls = "met" if v.verdict == "met" else "not" if v.verdict == "not met" else ""
        parts.append(
            f"<tr><td>{esc(rule(v.rule, lang))}</td><td>{pct(v.threshold, lang)}</td>"
            f"<td>{value}</td><td>{pct(v.known, lang)}</td>"
            f'<td class="{cls}">{esc(verdict(v.verdict, lang))}</td></tr>'
        )
    parts.append("</table>")
    for c in report.compliance:
        parts.append(
            f"<h2>{t('Profil par profil', 'Persona by persona')} — {esc(rule(c.rule, lang))}</h2>"
            f"<table><tr><th scope='col'>{t('profils', 'personas')}</th>"
            f"<th scope='col'>{t('respecté', 'met')}</th>"
            f"<th scope='col'>{t('non respecté', 'not met')}</th>"
            f"<th scope='col'>{t('indéterminé', 'undetermined')}</th>"
            f"<th scope='col'>{t('données insuffisantes', 'no data')}</th></tr>"
            f"<tr><td>{count(c.personas, lang)}</td><td>{count(c.met, lang)}</td>"
            f"<td>{count(c.not_met, lang)}</td><td>{count(c.undetermined, lang)}</td>"
            f"<td>{count(c.no_data, lang)}</td></tr></table>"
        )
        if c.quantiles:
            heads = [
                t("minimum", "minimum"),
                t("1er quartile", "1st quartile"),
                t("médiane", "median"),
                t("3e quartile", "3rd quartile"),
                t("maximum", "maximum"),
            ]
            parts.append(
                f"<table><caption>{t('Part par profil (seuil ', 'Share per persona (threshold ')}"
                f"{pct(c.threshold, lang)})</caption><tr>"
                + "".join(f"<th scope='col'>{h}</th>" for h in heads)
                + "</tr><tr>"
                + "".join(f"<td>{pct(q, lang)}</td>" for q in c.quantiles)
                + "</tr></table>"
            )
        bins = len(c.histogram)
        if not c.quantiles:
            continue  # no persona with data: an empty histogram says nothing
        parts.append(
            f"<table><caption>{t('Profils par tranche de part', 'Personas per band of share')}"
            f"</caption><tr><th scope='col'>{t('part', 'share')}</th>"
            f"<th scope='col'>{t('profils', 'personas')}</th></tr>"
            + "".join(
                f"<tr><td>{pct(k / bins, lang, 0)} – {pct((k + 1) / bins, lang, 0)}</td>"
                f"<td>{count(n, lang)}</td></tr>"
                for k, n in enumerate(c.histogram)
            )
            + "</table>"
        )
    for name, shares in report.shares.items():
        parts.append(
            f"<h2>{t('Parts', 'Shares')} — {esc(surface(name, lang))}</h2><table><tr>"
            f"<th scope='col'>{t('groupe', 'group')}</th>"
            f"<th scope='col'>{t(f'exposition pondérée (IC 95{NNBSP}%)', 'weighted exposure (95% CI)')}</th>"
            f"<th scope='col'>{t('emplacements', 'slots')}</th>"
            f"<th scope='col'>{t('catalogue', 'catalogue')}</th>"
            f"<th scope='col'>{t('attribut connu', 'attribute known')}</th></tr>"
        )
        for s in shares:
            label = esc(group(s.group, lang))
            if s.exposure is None:
                parts.append(
                    f'<tr><td>{label}</td><td colspan="2">'
                    f"{t('données insuffisantes : attribut inconnu', 'no data: attribute unknown')}"
                    f"</td><td>{pct(s.catalogue, lang)}</td><td>{pct(s.known, lang)}</td></tr>"
                )
                continue
            e = s.exposure
            parts.append(
                f"<tr><td>{label}</td><td>{_interval(e.value, e.low, e.high, lang)}</td>"
                f"<td>{pct(s.slots, lang)}</td><td>{pct(s.catalogue, lang)}</td>"
                f"<td>{pct(s.known, lang)}</td></tr>"
            )
        parts.append("</table>")
    parts.append(f"<h2>{t('Par position', 'By position')}</h2>{chart_positions(report, lang)}")
    parts.append(
        f"<h2>{t('Concentration', 'Concentration')}</h2>{chart_lorenz(report, lang)}"
        f"<p>Gini {decimal(report.exposure_gini, lang, 3)} · {t('entropie', 'entropy')}"
        f" {decimal(report.exposure_entropy, lang)} bits · {t('longue traîne', 'long tail')}"
        f" {pct(report.long_tail_share, lang)} · {t('couverture', 'coverage')}"
        f" {pct(report.coverage, lang)}</p>"
    )
    drift = chart_drift(report, lang)
    if drift:
        parts.append(
            f"<h2>{t('Dérive et bulles de filtre', 'Drift and filter bubbles')}</h2>{drift}"
        )
    rows = "".join(
        f"<tr><th scope='row'>{esc(k)}</th><td>{esc(v)}</td></tr>"
        for k, v in (parameter(key, value, lang) for key, value in flatten(report.parameters))
    )
    raw = json.dumps(report.parameters, ensure_ascii=False, indent=2)
    parts.append(
        f"<h2>{t('Paramètres', 'Parameters')}</h2><table>{rows}</table>"
        f'<p><a download="audit-parametres.json" href="data:application/json;charset=utf-8,'
        f'{esc(_uri(raw))}">{t("Paramètres en JSON", "Parameters as JSON")}</a></p>'
    )
    return "\n".join(parts)


def _uri(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
