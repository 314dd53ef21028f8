"""The creation label of a work from its evidence: which piece wins, and the conflicts shown.

Part of the profile (the standard every module reads), not of ``provenance``: the catalogue
merges the evidence Lanterne verified back into a work it stores again from its source, and the
catalogue may not import ``provenance`` (which reads it). ``lanterne.provenance`` re-exports these
with the label's plain words.

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

from collections.abc import Iterable

from lanterne.profile._model import CreationLabel, LabelEvidence
from lanterne.profile._vocab import C2paState, CreationLabelValue, LabelMethod

STRENGTH_ORDER: tuple[str, ...] = (
    "c2pa-trusted",
    "declaration",
    "c2pa-valid",
    "registry",
    "detector",
)
"""The kinds of evidence, strongest first (``c2pa-invalid`` never decides)."""

_CAUTION = {
    CreationLabelValue.SYNTHETIC: 0,
    CreationLabelValue.AI_ASSISTED: 1,
    CreationLabelValue.HUMAN: 2,
    CreationLabelValue.UNKNOWN: 3,
}


def strength_kind(evidence: LabelEvidence) -> str:
    """The kind of ``evidence`` in ``STRENGTH_ORDER`` (or ``c2pa-invalid``)."""
    if evidence.method == LabelMethod.C2PA:
        if evidence.c2pa_state == C2paState.TRUSTED:
            return "c2pa-trusted"
        if evidence.c2pa_state == C2paState.VALID:
            return "c2pa-valid"
        return "c2pa-invalid"
    return str(evidence.method)


def strength(evidence: LabelEvidence) -> int:
    """Higher is stronger; 0 for evidence that never decides (an Invalid or unread manifest)."""
    kind = strength_kind(evidence)
    if kind not in STRENGTH_ORDER:
        return 0
    return len(STRENGTH_ORDER) - STRENGTH_ORDER.index(kind)


def _counts(evidence: LabelEvidence) -> bool:
    return strength(evidence) > 0 and evidence.value != CreationLabelValue.UNKNOWN


def decide(evidence: Iterable[LabelEvidence]) -> CreationLabel | None:
    """The label the evidence gives, with every piece kept; ``None`` when there is none."""
    pieces = list(evidence)
    if not pieces:
        return None
    counting = [e for e in pieces if _counts(e)]
    if counting:
        winner = min(counting, key=lambda e: (-strength(e), _CAUTION[e.value]))
        conflict = any(e.value != winner.value for e in counting)
    else:
        # Nothing that counts: the label is unknown, said by the strongest piece there is.
        winner = max(pieces, key=strength)
        winner = LabelEvidence(
            value=CreationLabelValue.UNKNOWN,
            method=winner.method,
            declared_by=winner.declared_by,
            date=winner.date,
            identifier=winner.identifier,
            c2pa_state=winner.c2pa_state,
        )
        conflict = False
    return CreationLabel(
        value=winner.value,
        declared_by=winner.declared_by,
        method=winner.method,
        date=winner.date,
        identifier=winner.identifier,
        evidence=pieces,
        conflict=conflict,
    )


def label_evidence(label: CreationLabel) -> list[LabelEvidence]:
    """Every piece of evidence of ``label``; a label written without its evidence (before it
    was kept) reads as one piece made of its own fields."""
    if label.evidence:
        return list(label.evidence)
    return [
        LabelEvidence(
            value=label.value,
            method=label.method or LabelMethod.DECLARATION,
            declared_by=label.declared_by,
            date=label.date,
            identifier=label.identifier,
        )
    ]


def add_evidence(label: CreationLabel | None, *more: LabelEvidence) -> CreationLabel | None:
    """``label`` with ``more`` evidence, decided again; a piece with the same method and
    identifier as one already there replaces it (a manifest verified twice counts once)."""
    pieces = label_evidence(label) if label is not None else []
    for new in more:
        pieces = [
            e
            for e in pieces
            if not (
                e.method == new.method
                and e.identifier is not None
                and e.identifier == new.identifier
            )
        ]
        pieces.append(new)
    return decide(pieces)
