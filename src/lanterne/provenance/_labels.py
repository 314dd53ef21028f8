"""The creation label in plain words; its rules live in ``lanterne.profile`` (re-exported here).

Rules (docs/provenance.md, « Quelle preuve l'emporte »), strongest first:

1. a C2PA manifest whose signer is **Trusted** (its certificate chains to a configured anchor);
2. the **declaration** of the source (the organisation that catalogues the work);
3. a C2PA manifest that is **Valid** but whose signer is not trusted;
4. a **registry** match (a near-identical registered image);
5. a **detector**.

An **Invalid** manifest is kept as evidence, shown, and never decides. A piece saying « unknown »
decides only when nothing else does. Between two pieces of the same strength that disagree, the
one that claims less human work wins (synthetic before AI-assisted before human): equally strong
evidence of AI is not outweighed by a claim of human work. Every other piece that counts and says
otherwise makes the label a ``conflict``, shown with its evidence.
"""

from __future__ import annotations

from lanterne.messages import translate
from lanterne.profile import (
    STRENGTH_ORDER,
    CreationLabel,
    CreationLabelValue,
    LabelEvidence,
    add_evidence,
    decide,
    label_evidence,
    strength,
    strength_kind,
)

__all__ = [
    "STRENGTH_ORDER",
    "add_evidence",
    "decide",
    "evidence_words",
    "label_evidence",
    "label_sentence",
    "label_words",
    "strength",
    "strength_kind",
    "value_words",
]


# Plain words ----------------------------------------------------------------------------------


def value_words(value: CreationLabelValue, lang: str) -> str:
    """« création humaine » / “human creation” …"""
    if value == CreationLabelValue.HUMAN:
        return translate(lang, "création humaine")
    if value == CreationLabelValue.AI_ASSISTED:
        return translate(lang, "création assistée par IA")
    if value == CreationLabelValue.SYNTHETIC:
        return translate(lang, "contenu généré par IA")
    return translate(lang, "création d'origine inconnue")


def evidence_words(
    evidence: LabelEvidence, lang: str, label: CreationLabelValue | None = None
) -> str:
    """One piece of evidence in plain words: « déclarée création humaine par le musée »,
    « image signée, certificat vérifié (Musée X) »; what a signature, a registry or a detector
    says is added when it is not ``label`` (the label shown beside it)."""
    what = value_words(evidence.value, lang)
    who = evidence.declared_by
    kind = strength_kind(evidence)
    if kind == "declaration":
        if who:
            return translate(lang, "déclarée {what} par {who}", what=what, who=who)
        return translate(lang, "déclarée {what} par la source", what=what)
    if kind == "c2pa-trusted":
        text = translate(lang, "image signée, certificat vérifié")
    elif kind == "c2pa-valid":
        text = translate(lang, "image signée, signataire non reconnu")
    elif kind == "c2pa-invalid":
        return translate(lang, "signature de l'image invalide (non prise en compte)")
    elif kind == "registry":
        text = translate(lang, "image reconnue dans le registre")
    else:
        text = translate(lang, "estimation d'un détecteur")
    if who:
        text += f" ({who})"
    if evidence.value == label:
        return text
    return text + ("\u00a0: " if lang == "fr" else ": ") + what


def label_words(label: CreationLabel, lang: str) -> list[str]:
    """The label's evidence in plain words, strongest first; a conflict is said, never hidden."""
    ordered = sorted(label_evidence(label), key=lambda e: -strength(e))
    lines = [evidence_words(e, lang, label.value) for e in ordered]
    if label.conflict:
        lines.append(translate(lang, "les preuves ne concordent pas : la plus forte l'emporte"))
    return lines


def label_sentence(label: CreationLabel, lang: str) -> str:
    """« Déclarée création humaine par le musée ; image signée, certificat vérifié »."""
    # French typography: no line break before « ; » or « : » (a no-break space).
    text = ("\u00a0; " if lang == "fr" else "; ").join(label_words(label, lang))
    return text[:1].upper() + text[1:]
