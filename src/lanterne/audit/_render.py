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
from lanterne.footprint import cost_note
from lanterne.messages import translate
from lanterne.report import BLUE, GREY, ORANGE, count, decimal, number, pct, pyplot, svg


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
            label += translate(lang, " (trous : attribut inconnu)")
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
        ax.plot([], [], " ", label=label + translate(lang, "\u202f: données insuffisantes"))
    _whole_ticks(ax, longest)
    ax.set_ylim(-3, 103)  # a share: 0–100 %, even when no line is drawn
    ax.set_xlim(0.5, max(longest, 1) + 0.5)
    _axis_numbers(ax, lang)
    ax.set_xlabel("Position")
    ax.set_ylabel(translate(lang, "part (%)"))
    if report.by_position:
        ax.legend(fontsize=8)
    return svg(fig, translate(lang, "Part de chaque groupe par position"))


def chart_lorenz(report: Report, lang: str = "fr") -> str:
    x, y = report.lorenz
    fig, ax = pyplot().subplots(figsize=(4, 4))
    ax.plot([0, 100], [0, 100], color=GREY, linestyle="--", label=translate(lang, "égalité"))
    ax.plot(
        [100 * v for v in x],
        [100 * v for v in y],
        color=BLUE,
        label=f"Gini {decimal(report.exposure_gini, lang)}",
    )
    _axis_numbers(ax, lang)
    ax.set_xlabel(translate(lang, "Part des œuvres (%)"))
    ax.set_ylabel(translate(lang, "Part de l'exposition (%)"))
    ax.legend(fontsize=8)
    return svg(fig, translate(lang, "Courbe de Lorenz de l'exposition"))


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
        label=translate(lang, "profils"),
    )
    if not all(v is None for v in d.control_by_session):
        ax.plot(
            sessions,
            _points(d.control_by_session, scale),
            color=ORANGE,
            linestyle="--",
            marker="s",
            label=translate(lang, "témoins"),
        )
    _whole_ticks(ax, len(sessions))
    _axis_numbers(ax, lang)
    ax.set_xlabel("Session")
    unit = "" if scale == 1.0 else " (%)"
    ax.set_ylabel(group(d.metric, lang) + unit, fontsize=8)
    ax.legend(fontsize=8)
    return svg(
        fig,
        translate(lang, "Évolution au fil des sessions, intervalle à 95\u202f%"),
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
        + _cost(lang)
        + "</main></body></html>"
    )


def _cost(lang: str) -> str:
    """What this page cost to make, when it is made inside a measure (``lanterne audit``)."""
    note = cost_note(lang)
    return "" if note is None else f'<footer><p class="cost">{html.escape(note)}</p></footer>'


def _interval(value: float, low: float, high: float, lang: str) -> str:
    return f"{pct(value, lang)} ({pct(low, lang)} – {pct(high, lang)})"


def render_body(report: Report, lang: str = "fr") -> str:
    """The audit's content without the page around it (the web interface's audit page)."""

    esc = html.escape
    parts = [
        f"<h1>{translate(lang, 'Audit d’exposition')}</h1>",
        f"<h2>{translate(lang, 'En bref', msgctxt='audit')}</h2><ul>",
    ]
    parts += [f"<li>{esc(s)}</li>" for s in report.summary["fr" if lang != "en" else "en"]]
    parts.append("</ul>")
    parts.append(
        f"<h2>{translate(lang, 'Verdicts')}</h2><table><tr><th scope='col'>{translate(lang, 'règle')}</th>"
        f"<th scope='col'>{translate(lang, 'seuil')}</th>"
        f"<th scope='col'>{translate(lang, 'valeur (IC 95 %)')}</th>"
        f"<th scope='col'>{translate(lang, 'attribut connu')}</th>"
        f"<th scope='col'>{translate(lang, 'verdict')}</th></tr>"
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
            f"<h2>{translate(lang, 'Profil par profil')} — {esc(rule(c.rule, lang))}</h2>"
            f"<table><tr><th scope='col'>{translate(lang, 'profils')}</th>"
            f"<th scope='col'>{translate(lang, 'respecté')}</th>"
            f"<th scope='col'>{translate(lang, 'non respecté')}</th>"
            f"<th scope='col'>{translate(lang, 'indéterminé')}</th>"
            f"<th scope='col'>{translate(lang, 'données insuffisantes')}</th></tr>"
            f"<tr><td>{count(c.personas, lang)}</td><td>{count(c.met, lang)}</td>"
            f"<td>{count(c.not_met, lang)}</td><td>{count(c.undetermined, lang)}</td>"
            f"<td>{count(c.no_data, lang)}</td></tr></table>"
        )
        if c.quantiles:
            heads = [
                translate(lang, "minimum"),
                translate(lang, "1er quartile"),
                translate(lang, "médiane"),
                translate(lang, "3e quartile"),
                translate(lang, "maximum"),
            ]
            parts.append(
                f"<table><caption>{translate(lang, 'Part par profil (seuil ')}"
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
            f"<table><caption>{translate(lang, 'Profils par tranche de part')}"
            f"</caption><tr><th scope='col'>{translate(lang, 'part')}</th>"
            f"<th scope='col'>{translate(lang, 'profils')}</th></tr>"
            + "".join(
                f"<tr><td>{pct(k / bins, lang, 0)} – {pct((k + 1) / bins, lang, 0)}</td>"
                f"<td>{count(n, lang)}</td></tr>"
                for k, n in enumerate(c.histogram)
            )
            + "</table>"
        )
    for name, shares in report.shares.items():
        parts.append(
            f"<h2>{translate(lang, 'Parts')} — {esc(surface(name, lang))}</h2><table><tr>"
            f"<th scope='col'>{translate(lang, 'groupe')}</th>"
            f"<th scope='col'>{translate(lang, 'exposition pondérée (IC 95 %)')}</th>"
            f"<th scope='col'>{translate(lang, 'emplacements')}</th>"
            f"<th scope='col'>{translate(lang, 'catalogue')}</th>"
            f"<th scope='col'>{translate(lang, 'attribut connu')}</th></tr>"
        )
        for s in shares:
            label = esc(group(s.group, lang))
            if s.exposure is None:
                parts.append(
                    f'<tr><td>{label}</td><td colspan="2">'
                    f"{translate(lang, 'données insuffisantes : attribut inconnu')}"
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
    parts.append(f"<h2>{translate(lang, 'Par position')}</h2>{chart_positions(report, lang)}")
    parts.append(
        f"<h2>{translate(lang, 'Concentration')}</h2>{chart_lorenz(report, lang)}"
        f"<p>Gini {decimal(report.exposure_gini, lang, 3)} · {translate(lang, 'entropie')}"
        f" {decimal(report.exposure_entropy, lang)} bits · {translate(lang, 'longue traîne')}"
        f" {pct(report.long_tail_share, lang)} · {translate(lang, 'couverture')}"
        f" {pct(report.coverage, lang)}</p>"
    )
    drift = chart_drift(report, lang)
    if drift:
        parts.append(f"<h2>{translate(lang, 'Dérive et bulles de filtre')}</h2>{drift}")
    rows = "".join(
        f"<tr><th scope='row'>{esc(k)}</th><td>{esc(v)}</td></tr>"
        for k, v in (parameter(key, value, lang) for key, value in flatten(report.parameters))
    )
    raw = json.dumps(report.parameters, ensure_ascii=False, indent=2)
    parts.append(
        f"<h2>{translate(lang, 'Paramètres')}</h2><table>{rows}</table>"
        f'<p><a download="audit-parametres.json" href="data:application/json;charset=utf-8,'
        f'{esc(_uri(raw))}">{translate(lang, "Paramètres en JSON")}</a></p>'
    )
    return "\n".join(parts)


def _uri(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
