"""Plain-language sentences of an audit, in French and English."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lanterne.audit._audit import Report


def _pct(x: float) -> str:
    return "—" if x is None or math.isnan(x) else f"{100 * x:.1f} %"


def summarise(report: Report) -> dict[str, list[str]]:
    """Plain-language sentences, French and English."""
    fr: list[str] = []
    en: list[str] = []
    c = report.counts
    fr.append(
        f"{c['lists']} listes vues par {c['personas']} profils ({c['rows_used']} emplacements ; "
        f"{c['rows_rejected']} lignes écartées)."
    )
    en.append(
        f"{c['lists']} lists seen by {c['personas']} personas ({c['rows_used']} slots; "
        f"{c['rows_rejected']} rows rejected)."
    )
    for s in report.shares.get("all", []):
        if s.group in ("european=true", "eof=true"):
            name_fr = (
                "européennes"
                if s.group.startswith("european")
                else "d'expression originale française"
            )
            name_en = "European" if s.group.startswith("european") else "original French-language"
            if not s.known:
                fr.append(f"Œuvres {name_fr} : attribut inconnu pour toutes les œuvres montrées.")
                en.append(f"{name_en} works: attribute unknown for every work shown.")
                continue
            fr.append(
                f"Œuvres {name_fr} : {_pct(s.exposure.value)} de l'exposition pondérée "
                "par la place "
                f"(intervalle {_pct(s.exposure.low)} – {_pct(s.exposure.high)})"
                + (f", {_pct(s.catalogue)} du catalogue." if s.catalogue is not None else ".")
            )
            en.append(
                f"{name_en} works: {_pct(s.exposure.value)} of position-weighted exposure "
                f"(interval {_pct(s.exposure.low)}–{_pct(s.exposure.high)})"
                + (f", {_pct(s.catalogue)} of the catalogue." if s.catalogue is not None else ".")
            )
    words_fr = {
        "met": "respecté",
        "not met": "non respecté",
        "uncertain": "incertain",
        "no data": "pas de données",
    }
    for v in report.verdicts:
        if v.verdict == "no data":
            continue
        assert v.value is not None
        fr.append(
            f"Règle {v.rule} (seuil {_pct(v.threshold)}) : {words_fr[v.verdict]}"
            f" ({_pct(v.value.value)})."
        )
        en.append(
            f"Rule {v.rule} (threshold {_pct(v.threshold)}): {v.verdict} ({_pct(v.value.value)})."
        )
    fr.append(
        f"Concentration de l'exposition : Gini {report.exposure_gini:.2f}"
        " (0 égale, 1 sur une seule œuvre)."
    )
    en.append(
        f"Exposure concentration: Gini {report.exposure_gini:.2f} (0 even, 1 all on one work)."
    )
    for d in report.drift[:1]:
        direction_fr = (
            "baisse"
            if d.slope.high < 0
            else "hausse"
            if d.slope.low > 0
            else "pas de tendance nette"
        )
        direction_en = (
            "falls" if d.slope.high < 0 else "rises" if d.slope.low > 0 else "no clear trend"
        )
        fr.append(
            f"Au fil des sessions, la part {d.metric} : {direction_fr}"
            f" ({100 * d.slope.value:+.2f} points par session"
            + (
                f", p = {d.p_value:.3f} contre les profils témoins)."
                if d.p_value is not None
                else ")."
            )
        )
        en.append(
            f"Across sessions, the {d.metric} share {direction_en}"
            f" ({100 * d.slope.value:+.2f} points per session"
            + (
                f", p = {d.p_value:.3f} against control personas)."
                if d.p_value is not None
                else ")."
            )
        )
    return {"fr": fr, "en": en}
