"""Plain-language sentences of an audit, in French and English."""

from __future__ import annotations

from lanterne.audit._report import Compliance, Join, Report
from lanterne.audit._words import group, rule, verdict
from lanterne.report import count, decimal, pct


def _join(j: Join, lang: str) -> str | None:
    fr = lang != "en"
    n, found = count(j.items, lang), count(j.found, lang)
    if j.found == j.items:
        text = (
            f"Les {n} œuvres des captures sont toutes dans le catalogue Lanterne."
            if fr
            else f"All {n} works of the captures are in the Lanterne catalogue."
        )
    else:
        example = j.example or ""
        hint = (
            (
                f"les identifiants du catalogue s'écrivent « source:identifiant » ; si les"
                f" captures donnent les identifiants d'une source, nommez-la avec --source NOM"
                f" (« --source vod » lit « {example} » comme « vod:{example} »)"
            )
            if j.source is None
            else f"vérifiez que ces identifiants sont bien ceux de la source « {j.source} »"
        )
        hint_en = (
            (
                f"catalogue ids read “source:id”; if the captures give one source's ids, name"
                f" it with --source NAME (“--source vod” reads “{example}” as"
                f" “vod:{example}”)"
            )
            if j.source is None
            else f"check that these ids are the source “{j.source}”'s"
        )
        if fr:
            head = (
                f"Aucune des {n} œuvres des captures n'est"
                if j.found == 0
                else f"Une seule des {n} œuvres des captures est"
                if j.found == 1
                else f"Seules {found} des {n} œuvres des captures sont"
            )
            text = f"{head} dans le catalogue Lanterne (« {example} » n'y est pas) : {hint}."
        else:
            head = (
                f"None of the {n} works of the captures is"
                if j.found == 0
                else f"Only {found} of the {n} works of the captures"
                + (" is" if j.found == 1 else " are")
            )
            text = f"{head} in the Lanterne catalogue (“{example}” is not): {hint_en}."
    if j.platform_items is not None and j.platform_found is not None:
        p, pf = count(j.platform_items, lang), count(j.platform_found, lang)
        text += (
            f" Catalogue de la plateforme : {pf} de ses {p} identifiants trouvés dans le"
            " catalogue Lanterne."
            if fr
            else f" Platform catalogue: {pf} of its {p} ids found in the Lanterne catalogue."
        )
    return text


def _compliance(c: Compliance, lang: str) -> str:
    fr = lang != "en"
    parts = [
        f"{count(c.met, lang)} " + ("respectent le seuil" if fr else "meet the threshold"),
        f"{count(c.not_met, lang)} " + ("non" if fr else "do not"),
    ]
    if c.undetermined:
        parts.append(f"{count(c.undetermined, lang)} " + ("indéterminés" if fr else "undetermined"))
    if c.no_data:
        parts.append(f"{count(c.no_data, lang)} " + ("sans données" if fr else "with no data"))
    spread = ""
    if c.quantiles:
        q = [pct(v, lang) for v in c.quantiles]
        spread = (
            f" ; parts par profil : médiane {q[2]}, quartiles {q[1]} – {q[3]}, de {q[0]} à {q[4]}"
            if fr
            else f"; shares per persona: median {q[2]}, quartiles {q[1]}–{q[3]},"
            f" from {q[0]} to {q[4]}"
        )
    head = (
        f"{rule(c.rule, lang)}, profil par profil (seuil {pct(c.threshold, lang)}) :"
        f" sur {count(c.personas, lang)} profils, "
        if fr
        else f"{rule(c.rule, lang)}, persona by persona (threshold {pct(c.threshold, lang)}):"
        f" of {count(c.personas, lang)} personas, "
    )
    return head + ", ".join(parts) + spread + "."


def _sentences(report: Report, lang: str) -> list[str]:
    fr = lang != "en"
    out: list[str] = []
    c = report.counts
    out.append(
        f"{count(c['lists'], lang)} listes vues par {count(c['personas'], lang)} profils"
        f" ({count(c['rows_used'], lang)} emplacements ; {count(c['rows_rejected'], lang)}"
        " lignes écartées)."
        if fr
        else f"{count(c['lists'], lang)} lists seen by {count(c['personas'], lang)} personas"
        f" ({count(c['rows_used'], lang)} slots; {count(c['rows_rejected'], lang)} rows"
        " rejected)."
    )
    if report.join is not None:
        line = _join(report.join, lang)
        if line:
            out.append(line)
    for s in report.shares.get("all", []):
        if s.group not in ("european=true", "eof=true"):
            continue
        name = group(s.group, lang)
        name = name[0].upper() + name[1:]
        if s.exposure is None:
            out.append(
                f"{name} : données insuffisantes, attribut inconnu pour toutes les œuvres montrées."
                if fr
                else f"{name}: no data, the attribute is unknown for every work shown."
            )
            continue
        e = s.exposure
        known = (
            ""
            if s.known >= 1.0
            else (
                f" ; attribut connu pour {pct(s.known, lang)} des emplacements"
                if fr
                else f"; attribute known for {pct(s.known, lang)} of the slots"
            )
        )
        catalogue = ""
        if s.catalogue is not None:
            catalogue = (
                f", {pct(s.catalogue, lang)} du catalogue"
                if fr
                else f", {pct(s.catalogue, lang)} of the catalogue"
            )
        out.append(
            f"{name} : {pct(e.value, lang)} de l'exposition pondérée par la place (intervalle"
            f" {pct(e.low, lang)} – {pct(e.high, lang)}){catalogue}{known}."
            if fr
            else f"{name}: {pct(e.value, lang)} of position-weighted exposure (interval"
            f" {pct(e.low, lang)}–{pct(e.high, lang)}){catalogue}{known}."
        )
    for v in report.verdicts:
        head = (
            f"{rule(v.rule, lang)} (seuil {pct(v.threshold, lang)}) : {verdict(v.verdict, lang)}"
            if fr
            else f"{rule(v.rule, lang)} (threshold {pct(v.threshold, lang)}):"
            f" {verdict(v.verdict, lang)}"
        )
        if v.value is None:
            if v.known is None:
                continue  # no catalogue given: nothing to judge, nothing to say
            out.append(head + ".")
            continue
        out.append(f"{head} ({pct(v.value.value, lang)}).")
    for compliance in report.compliance:
        out.append(_compliance(compliance, lang))
    out.append(
        f"Concentration de l'exposition : Gini {decimal(report.exposure_gini, lang)}"
        " (0 égale, 1 sur une seule œuvre)."
        if fr
        else f"Exposure concentration: Gini {decimal(report.exposure_gini, lang)}"
        " (0 even, 1 all on one work)."
    )
    for d in report.drift[:1]:
        entropy = d.metric == "genre-entropy"
        name = group(d.metric, lang)
        if d.slope.high < 0:
            trend = "baisse" if fr else "falls"
        elif d.slope.low > 0:
            trend = "hausse" if fr else "rises"
        else:
            trend = "pas de tendance nette" if fr else "shows no clear trend"
        step = decimal(d.slope.value if entropy else 100 * d.slope.value, lang)
        if not step.startswith("−"):
            step = "+" + step
        unit = "bits" if entropy else "points"
        per = f"{step} {unit} par session" if fr else f"{step} {unit} per session"
        against = (
            ""
            if d.p_value is None
            else (
                f", p = {decimal(d.p_value, lang, 3)} contre les profils témoins"
                if fr
                else f", p = {decimal(d.p_value, lang, 3)} against control personas"
            )
        )
        out.append(
            f"Au fil des sessions, {('la part des ' + name) if not entropy else ('la ' + name)}"
            f" : {trend} ({per}{against})."
            if fr
            else f"Across sessions, {('the share of ' + name) if not entropy else ('the ' + name)}"
            f" {trend} ({per}{against})."
        )
    return out


def summarise(report: Report) -> dict[str, list[str]]:
    """Plain-language sentences, French and English."""
    return {"fr": _sentences(report, "fr"), "en": _sentences(report, "en")}
