"""Vectors of past queries, kept beside the index: a query asked again (the next page of the
same search, a query a script repeats) needs no embedding model, whose loading is most of a
CLI search's time (0.9–1.4 s of ~2 s on a 5,000-work catalogue, docs/search.md)."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt

KEPT = 10_000
"""Queries kept; the least recently asked go first."""


class QueryVectors:
    """query text → its vector, for one model, in ``path`` (SQLite) or in memory."""

    def __init__(self, path: Path | None, model: str, dimensions: int) -> None:
        self.model = model
        self.dimensions = dimensions
        # One connection for the threads of a web server, behind a lock; a short busy timeout:
        # another process writing must not hold a search up (the vector is then computed).
        self.lock = threading.Lock()
        try:
            self.db = self._open(str(path) if path else ":memory:")
        except sqlite3.Error:  # a read-only folder: remember in memory only
            self.db = self._open(":memory:")

    @staticmethod
    def _open(where: str) -> sqlite3.Connection:
        db = sqlite3.connect(where, isolation_level=None, timeout=0.05, check_same_thread=False)
        db.execute(
            "CREATE TABLE IF NOT EXISTS queries (text TEXT PRIMARY KEY, model TEXT NOT NULL, "
            "vector BLOB NOT NULL, used INTEGER NOT NULL)"
        )
        return db

    def get(self, text: str) -> npt.NDArray[np.float32] | None:
        try:
            with self.lock:
                row = self.db.execute(
                    "SELECT vector FROM queries WHERE text = ? AND model = ?", (text, self.model)
                ).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        vector = np.frombuffer(row[0], dtype=np.float32)
        if vector.shape != (self.dimensions,):
            return None
        self._touch(text)
        return vector

    def put(self, text: str, vector: npt.NDArray[np.float32]) -> None:
        blob = np.asarray(vector, dtype=np.float32).tobytes()
        with contextlib.suppress(sqlite3.Error), self.lock:
            self.db.execute(
                "INSERT OR REPLACE INTO queries VALUES (?, ?, ?, "
                "(SELECT coalesce(max(used), 0) + 1 FROM queries))",
                (text, self.model, blob),
            )
            self.db.execute(
                "DELETE FROM queries WHERE used <= (SELECT max(used) FROM queries) - ?", (KEPT,)
            )
        # (a busy database: the query is answered, just not remembered)

    def _touch(self, text: str) -> None:
        with contextlib.suppress(sqlite3.Error), self.lock:
            self.db.execute(
                "UPDATE queries SET used = (SELECT max(used) FROM queries) + 1 WHERE text = ?",
                (text,),
            )

    def close(self) -> None:
        self.db.close()
