"""The audit report as HTML (charts inline, tables beside them) and PDF (Chromium)."""

from __future__ import annotations

import html
import json
import math

import matplotlib.pyplot as plt

from lanterne.audit._audit import Report
from lanterne.diagnose._charts import BLUE, GREY, ORANGE, _svg


def _pct(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f} %"


def chart_positions(report: Report) -> str:
    fig, ax = plt.subplots(figsize=(6, 3))
    for (group, values), colour in zip(
        report.by_position.items(), (BLUE, ORANGE, GREY), strict=False
    ):
        ax.plot(
            range(1, len(values) + 1),
            [100 * v for v in values],
            marker="o",
            color=colour,
            label=group,
        )
    ax.set_xlabel("Position")
    ax.set_ylabel("%")
    ax.legend(fontsize=8)
    return _svg(fig, "Part de chaque groupe par position / share of each group by position")


def chart_lorenz(report: Report) -> str:
    x, y = report.lorenz
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", label="égalité / equality")
    ax.plot(x, y, color=BLUE, label=f"Gini {report.exposure_gini:.2f}")
    ax.set_xlabel("Part des œuvres / share of works")
    ax.set_ylabel("Part de l'exposition / share of exposure")
    ax.legend(fontsize=8)
    return _svg(fig, "Courbe de Lorenz de l'exposition / Lorenz curve of exposure")


def chart_drift(report: Report) -> str | None:
    if not report.drift:
        return None
    d = report.drift[0]
    sessions = list(range(1, len(d.by_session) + 1))
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.fill_between(
        sessions,
        [100 * v for v in d.by_session_low],
        [100 * v for v in d.by_session_high],
        color=BLUE,
        alpha=0.2,
    )
    ax.plot(
        sessions,
        [100 * v for v in d.by_session],
        color=BLUE,
        marker="o",
        label="profils / personas",
    )
    if not all(math.isnan(v) for v in d.control_by_session):
        ax.plot(
            sessions,
            [100 * v for v in d.control_by_session],
            color=ORANGE,
            linestyle="--",
            marker="s",
            label="témoins / controls",
        )
    ax.set_xlabel("Session")
    ax.set_ylabel(f"{d.metric} (%)")
    ax.legend(fontsize=8)
    return _svg(
        fig, "Évolution au fil des sessions, intervalle à 95 % / drift across sessions, 95 % band"
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


def render_body(report: Report, lang: str = "fr") -> str:
    """The audit's content without the page around it (the web interface's audit page)."""
    fr = lang != "en"

    def t(a: str, b: str) -> str:
        return a if fr else b

    esc = html.escape
    parts = [
        f"<h1>{t('Audit d’exposition', 'Exposure audit')}</h1>",
        f"<h2>{t('En bref', 'Summary')}</h2><ul>",
    ]
    parts += [f"<li>{esc(s)}</li>" for s in report.summary["fr" if fr else "en"]]
    parts.append("</ul>")
    parts.append(
        f"<h2>{t('Verdicts', 'Verdicts')}</h2><table><tr><th scope='col'>{t('règle', 'rule')}</th><th scope='col'>{t('seuil', 'threshold')}</th><th scope='col'>{t('valeur (IC 95 %)', 'value (95 % CI)')}</th><th scope='col'>verdict</th></tr>"
    )
    for v in report.verdicts:
        value = (
            "—"
            if v.value is None
            else f"{_pct(v.value.value)} ({_pct(v.value.low)} – {_pct(v.value.high)})"
        )
        cls = "met" if v.verdict == "met" else "not" if v.verdict == "not met" else ""
        parts.append(
            f'<tr><td>{esc(v.rule)}</td><td>{_pct(v.threshold)}</td><td>{value}</td><td class="{cls}">{esc(v.verdict)}</td></tr>'
        )
    parts.append("</table>")
    for surface, shares in report.shares.items():
        parts.append(
            f"<h2>{t('Parts', 'Shares')} — {esc(surface)}</h2><table><tr><th scope='col'>{t('groupe', 'group')}</th><th scope='col'>{t('exposition pondérée (IC 95 %)', 'weighted exposure (95 % CI)')}</th><th scope='col'>{t('emplacements', 'slots')}</th><th scope='col'>catalogue</th><th scope='col'>{t('attribut connu', 'attribute known')}</th></tr>"
        )
        for s in shares:
            if not s.known:
                parts.append(
                    f'<tr><td>{esc(s.group)}</td><td colspan="3">{t("attribut inconnu", "attribute unknown")}</td><td>{_pct(s.known)}</td></tr>'
                )
                continue
            parts.append(
                f"<tr><td>{esc(s.group)}</td><td>{_pct(s.exposure.value)} ({_pct(s.exposure.low)} – {_pct(s.exposure.high)})</td>"
                f"<td>{_pct(s.slots)}</td><td>{_pct(s.catalogue)}</td><td>{_pct(s.known)}</td></tr>"
            )
        parts.append("</table>")
    parts.append(f"<h2>{t('Par position', 'By position')}</h2>{chart_positions(report)}")
    parts.append(
        f"<h2>{t('Concentration', 'Concentration')}</h2>{chart_lorenz(report)}<p>Gini {report.exposure_gini:.3f} · {t('entropie', 'entropy')} {report.exposure_entropy:.2f} bits · {t('longue traîne', 'long tail')} {_pct(report.long_tail_share)} · {t('couverture', 'coverage')} {_pct(report.coverage)}</p>"
    )
    drift = chart_drift(report)
    if drift:
        parts.append(
            f"<h2>{t('Dérive et bulles de filtre', 'Drift and filter bubbles')}</h2>{drift}"
        )
    parameters = json.dumps(report.parameters, ensure_ascii=False)
    parts.append(
        f'<h2>{t("Paramètres", "Parameters")}</h2><pre style="white-space:pre-wrap">{esc(parameters)}</pre>'
    )
    return "\n".join(parts)
