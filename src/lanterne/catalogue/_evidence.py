"""Evidence Lanterne verified about how a work was made, kept apart from the source record.

A C2PA manifest verified by ``lanterne provenance verify --work``, a detector's result: the
source never sent them, so storing the work again from its source would lose them if they lived
only in its document. The store keeps each piece in its own row (table ``label_evidence``) and
merges the rows back into the creation label of every new version of the work it writes
(``with_evidence``), in the same transaction. The work's ``digest`` stays the digest of the
document as the source gave it: an unchanged source record is still found unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import msgspec.structs

from lanterne.profile import LabelEvidence, add_evidence, decode_work, encode_work

_encode = msgspec.json.Encoder(order="deterministic").encode
_decode = msgspec.json.Decoder(LabelEvidence).decode


def encode_evidence(piece: LabelEvidence) -> str:
    """A piece's row, as JSON text."""
    return _encode(piece).decode()


def decode_evidence(row: str | bytes) -> LabelEvidence:
    return _decode(row)


def with_evidence(doc: bytes | str, pieces: Sequence[LabelEvidence]) -> bytes:
    """``doc`` (a work's canonical JSON) with ``pieces`` added to its creation label and the
    label decided again (``add_evidence``: a piece with the same method and identifier as one
    there replaces it)."""
    work = decode_work(doc)
    label = add_evidence(work.creation_label, *pieces)
    return encode_work(msgspec.structs.replace(work, creation_label=label))


def replaced(piece: LabelEvidence) -> tuple[str, str] | None:
    """The (method, identifier) of the rows ``piece`` replaces; ``None`` for a piece without an
    identifier, which replaces nothing (as in ``add_evidence``)."""
    if piece.identifier is None:
        return None
    return str(piece.method), piece.identifier
