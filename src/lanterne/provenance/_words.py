"""A C2PA verification in plain words, French or English: what ``lanterne provenance verify``
prints and the « Vérifier une image » page shows."""

from __future__ import annotations

from lanterne.messages import Lang, translate
from lanterne.provenance._c2pa import C2paResult, source_type_label
from lanterne.provenance._labels import value_words


def result_lines(result: C2paResult, lang: Lang) -> list[str]:
    """A verification in a few lines, French or English (the command and the page)."""
    colon = " : " if lang == "fr" else ": "
    lines = [translate(lang, "État") + colon + state_words(result, lang)]
    if result.reason and result.status != "too-large":
        lines.append(translate(lang, "Raison") + colon + result.reason)
    if result.signer or result.issuer:
        who = result.signer or ""
        if result.issuer:
            who += f" ({result.issuer})"
        if result.signed_at:
            who += translate(lang, ", signé le {date}", date=result.signed_at)
        lines.append(translate(lang, "Signataire") + colon + who)
    for failure in result.failures:
        where = "" if failure.where == "activeManifest" else f" [{failure.where}]"
        lines.append(f"  ✗ {failure.code}{where} — {failure.explanation}")
    for action in result.actions:
        text = f"  {action.action}"
        if action.digital_source_type:
            code = action.digital_source_type.rsplit("/", 1)[-1]
            value = source_type_label(action.digital_source_type)
            text += f" — {code}" + (f" → {value_words(value, lang)}" if value else "")
        lines.append(text)
    if result.label is not None:
        lines.append(translate(lang, "Création") + colon + value_words(result.label, lang))
    if result.tdm_reserved is not None:
        uses = ", ".join(f"{k} = {v}" for k, v in result.training_mining.items())
        said = translate(lang, "réservée") if result.tdm_reserved else translate(lang, "autorisée")
        lines.append(
            translate(lang, "Fouille de textes et de données") + colon + f"{said} ({uses})"
        )
    return lines


def state_words(result: C2paResult, lang: Lang) -> str:
    """The state of a verification in plain words."""
    if result.status == "none":
        return translate(lang, "aucun manifeste C2PA")
    if result.status == "unsupported":
        return translate(lang, "format non pris en charge")
    if result.status == "too-large":
        return translate(
            lang, "image trop grande (plus de {limit} octets), non lue", limit=result.reason
        )
    if result.status == "remote":
        return translate(lang, "manifeste distant, non téléchargé (vérification hors ligne)")
    state = result.state.value if result.state else "Invalid"
    if state == "Trusted":
        return "Trusted — " + translate(lang, "signature valide, certificat vérifié")
    if state == "Valid":
        if not result.trusted_anchors:
            return "Valid — " + translate(
                lang, "signature valide, signataire non vérifié (aucune ancre de confiance)"
            )
        return "Valid — " + translate(lang, "signature valide, signataire non reconnu")
    return "Invalid — " + translate(lang, "manifeste ou image altérés")
