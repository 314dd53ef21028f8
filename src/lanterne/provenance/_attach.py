"""Evidence Lanterne verified, attached to a work of the catalogue (docs/provenance.md, « Où sont
gardées les preuves vérifiées »): a C2PA manifest read by ``lanterne provenance verify --work``
or ``POST /api/provenance/verify`` with ``work``, a detector's result."""

from __future__ import annotations

from collections.abc import Sequence

from lanterne.catalogue import Catalogue
from lanterne.errors import NotFound
from lanterne.profile import LabelEvidence, Work


def attach_evidence(catalogue: Catalogue, work_id: str, pieces: Sequence[LabelEvidence]) -> Work:
    """Keep ``pieces`` for the work ``work_id``, apart from its source record (a re-import
    keeps them), and return the work with its creation label decided again; ``NotFound`` when
    the catalogue has no live work of that id (nothing is written)."""
    work = catalogue.add_label_evidence(work_id, pieces)
    if work is None:
        raise NotFound("work.not_found", id=work_id)
    return work
