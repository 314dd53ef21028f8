"""Helpers shared by test files (tests/ is on the import path, as pytest puts it there)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

FOOTPRINT_LINE = re.compile(r"^≈ .* Wh · ≈ .* g CO₂e, (estimation, réseau \S+|estimate, \S+ grid)$")
"""The line a long command ends with on stderr (``cli._footprint``)."""


def without_footprint(err: str) -> str:
    """``err`` without the footprint line a long command ends with (what else it said)."""
    return "".join(line for line in err.splitlines(True) if not FOOTPRINT_LINE.match(line.strip()))


def lanterne(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``lanterne`` as a user would, on the catalogue ``folder/c.sqlite``, in a clean env
    (but the source tree under test: ``PYTHONPATH``, ``LANTERNE_PURE_PYTHON`` and, so no embedding
    daemon outlives the tests, ``LANTERNE_ENCODER_IDLE`` carry over)."""
    carried = {
        k: os.environ[k]
        for k in ("PYTHONPATH", "LANTERNE_PURE_PYTHON", "LANTERNE_ENCODER_IDLE")
        if k in os.environ
    }
    return subprocess.run(
        [sys.executable, "-m", "lanterne", "--catalogue", str(folder / "c.sqlite"), *args],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "LANTERNE_LOG_DIR": str(folder / "log"),
            **carried,
            **env,
        },
        check=False,
    )


class FixedScores:
    """A recommendation model that gives every user the same scores, and the same contributions
    of their history to any work (to check by hand what a step does with them)."""

    name = "fixed"

    def __init__(self, scores: list[float], because: list[float]) -> None:
        self.scores = np.asarray(scores, dtype=np.float64)
        self.because = np.asarray(because, dtype=np.float64)

    def fit(self, train: sparse.csr_matrix) -> None:
        pass

    def score(self, history: sparse.csr_matrix) -> npt.NDArray[np.float64]:
        return np.tile(self.scores, (history.shape[0], 1))

    def neighbours(
        self, history_items: npt.NDArray[np.int64], item: int
    ) -> npt.NDArray[np.float64]:
        return self.because[: len(history_items)]

    def state(self) -> dict[str, npt.NDArray[np.generic]]:
        return {"scores": self.scores}

    def restore(self, state: dict[str, npt.NDArray[np.generic]]) -> None:
        self.scores = np.asarray(state["scores"], dtype=np.float64)


def write_works(path: Path, works: list[Any]) -> Path:
    """Store ``works`` (profile ``Work``s) in the catalogue ``path``, one ingest run per source."""
    import hashlib

    from lanterne.catalogue import StoredWork, open_catalogue
    from lanterne.profile import encode_work

    def stored(work: Any) -> StoredWork:
        doc = encode_work(work)
        return StoredWork(
            id=work.id,
            source=work.provenance.source,
            source_id=work.provenance.source_id,
            type=work.type.value,
            doc=doc,
            digest=hashlib.blake2b(doc, digest_size=16).digest(),
        )

    with open_catalogue(path) as catalogue:
        for source in sorted({w.provenance.source for w in works}):
            run = catalogue.begin_run(source, "test", ["x"])
            mine = [stored(w) for w in works if w.provenance.source == source]
            catalogue.write_batch(run.id, mine)
            catalogue.finish_run(run.id, "completed", {})
    return path
