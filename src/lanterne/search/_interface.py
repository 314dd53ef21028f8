"""What a search index offers, whatever holds it (tantivy + usearch now; PostgreSQL + pgvector
could satisfy the same contract without changing callers)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from lanterne.search._engine import Doc, Mode, Results


class SearchIndex(Protocol):
    def __len__(self) -> int: ...

    def upsert(self, docs: Sequence[Doc]) -> None:
        """Add documents, replacing those with the same id."""
        ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def expect(self, query: str, mode: Mode = "hybrid") -> None:
        """A hint: ``query`` comes next; work it will need may start in the background."""
        ...

    def settle(self) -> None:
        """Return when no background work started by ``expect`` still runs."""
        ...

    def search(
        self,
        query: str,
        mode: Mode = "hybrid",
        filters: dict[str, list[str]] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> Results: ...

    def candidates(
        self,
        fields: dict[str, str],
        limit: int,
        filters: dict[str, list[str]] | None = None,
        fuzzy: tuple[str, ...] = (),
        prefix: bool = False,
        common: float | None = None,
    ) -> list[tuple[str, float]]:
        """(id, lexical score) of the documents whose ``fields`` hold the given words
        (``common``: leave out words in more than this share of the documents, when a rarer
        one remains)."""
        ...

    def embeddings(self) -> tuple[list[str], npt.NDArray[np.float32]]:
        """Live document ids and their text vectors, row for row."""
        ...

    def save(self) -> None:
        """Make what was written durable."""
        ...
