"""Vectors computed elsewhere (``lanterne batch embed`` on Spark), used by the index instead of
encoding again: ``lanterne index --embeddings FOLDER``.

The vectors are found by the digest of the very text the index would encode (BLAKE2b-128 of its
UTF-8), never by the work's id: a work whose text changed since the batch ran has another
digest, and is encoded here as usual. Files from another model are refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lanterne.errors import BadInput, InputNotFound
from lanterne.profile import Work
from lanterne.search._encoder import DIMENSIONS, MODEL, Encoder
from lanterne.search._engine import embedding_text_of
from lanterne.search._works import work_doc

COLUMNS = ("work_id", "digest", "model", "vector")


def embedding_text(work: Work) -> str:
    """The text of a work that the search index embeds."""
    return embedding_text_of(work_doc(work))


def text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class Precomputed(Encoder):
    """An encoder that answers from precomputed vectors, and encodes only the texts it has not
    got (``reused`` and ``encoded`` count them)."""

    def __init__(self, folder: Path, threads: int = 2) -> None:
        super().__init__(threads)
        self.vectors, self.positions = _load(folder)
        self.reused = 0
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        missing: list[int] = []
        for i, text in enumerate(texts):
            at = self.positions.get(text_digest(text if text.strip() else "-"))
            if at is None:
                missing.append(i)
            else:
                out[i] = self.vectors[at]
        if missing:
            out[missing] = super().encode([texts[i] for i in missing])
        self.reused += len(texts) - len(missing)
        self.encoded += len(missing)
        return out


def _load(folder: Path) -> tuple[npt.NDArray[np.float32], dict[bytes, int]]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if not folder.exists():
        raise InputNotFound("search.no_embeddings", path=folder)
    try:
        table = pq.read_table(folder, columns=["digest", "model", "vector"])
    except (pa.ArrowException, OSError) as exc:
        raise BadInput("search.bad_embeddings", path=folder, detail=str(exc)[:200]) from None
    models = set(table.column("model").unique().to_pylist()) if table.num_rows else set()
    if models - {MODEL}:
        raise BadInput(
            "search.other_model_embeddings",
            path=folder,
            found=", ".join(sorted(str(m) for m in models - {MODEL})),
            model=MODEL,
        )
    blobs = table.column("vector").combine_chunks()
    width = DIMENSIONS * 4
    if table.num_rows and (
        blobs.null_count
        or pc.min_max(pc.binary_length(blobs)).as_py() != {"min": width, "max": width}
    ):
        raise BadInput("search.bad_embeddings", path=folder, detail=f"vectors of {width} bytes")
    # The values of a binary array lie end to end in its data buffer: one view, no copy.
    offsets = np.frombuffer(blobs.buffers()[1], dtype=np.int32)
    first, last = int(offsets[blobs.offset]), int(offsets[blobs.offset + len(blobs)])
    data = blobs.buffers()[2]
    raw = (
        np.frombuffer(data, dtype=np.uint8)[first:last]
        if data is not None
        else np.empty(0, np.uint8)
    )
    vectors = raw.view("<f4").reshape(table.num_rows, DIMENSIONS)
    positions = {d: i for i, d in enumerate(table.column("digest").to_pylist())}
    return vectors, positions
