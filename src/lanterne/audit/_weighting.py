"""How much each slot of a list counts: one family of position weights.

The audit weighs the slots it captured; the recommender weighs the slots it fills to meet its
exposure goals (``lanterne.recommend.Surface``). Both read the same formulas and the same
defaults from here, so that a goal the recommender meets is the share the audit measures.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec
import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

WEIGHTINGS = ("uniform", "log", "rbp", "grid")


class Weighting(msgspec.Struct, frozen=True, kw_only=True):
    """How much a slot counts: ``uniform``; ``log`` 1/log2(position + 1), as in DCG; ``rbp``
    patience^(position − 1) (rank-biased precision); ``grid`` row_decay^(row − 1) ×
    column_decay^(column − 1) (a home screen; rows and columns from the capture, position when
    absent)."""

    KINDS: ClassVar[tuple[str, ...]] = WEIGHTINGS

    kind: str = "log"
    patience: float = 0.85
    row_decay: float = 0.7
    column_decay: float = 0.9

    def weights(self, position: Ints, row: Ints, column: Ints) -> Floats:
        """The weight of each slot; positions, rows and columns count from 1 (0: unknown)."""
        p = position.astype(np.float64)
        if self.kind == "uniform":
            return np.ones(len(p))
        if self.kind == "log":
            return np.asarray(1.0 / np.log2(p + 1.0), dtype=np.float64)
        if self.kind == "rbp":
            return np.asarray(self.patience ** (p - 1.0), dtype=np.float64)
        if self.kind == "grid":
            r = np.where(row > 0, row, 1).astype(np.float64)
            c = np.where(column > 0, column, p).astype(np.float64)
            return np.asarray(
                self.row_decay ** (r - 1.0) * self.column_decay ** (c - 1.0), dtype=np.float64
            )
        raise ValueError(f"unknown weighting « {self.kind} »: {', '.join(WEIGHTINGS)}")

    def _layout(self, k: int, columns: int) -> Floats:
        """Slots 0…k − 1 laid out ``columns`` to a row, weighed in that reading order."""
        rows, cols = np.divmod(np.arange(k, dtype=np.int64), columns)
        return self.weights(np.arange(1, k + 1, dtype=np.int64), rows + 1, cols + 1)

    def slot_weights(self, k: int, columns: int) -> Floats:
        """The weights of a list of ``k`` slots, most prominent first: the grid's cells
        (``columns`` to a row) sorted by weight, the other kinds' positions in order."""
        w = self._layout(k, columns)
        return np.sort(w)[::-1] if self.kind == "grid" else w

    def grid_cells(self, k: int, columns: int) -> list[tuple[int, int]]:
        """The (row, column) of each of ``k`` grid slots (``columns`` to a row) in prominence
        order, counted from 0; among cells of equal weight, the first in reading order."""
        cells = [divmod(i, columns) for i in range(k)]
        # Python's float powers, not numpy's: cells of equal weight in theory (0.99¹ × 0.99² and
        # 0.99³) differ in the last bit, and the order of the lists already served stays put.
        weight = [self.row_decay**r * self.column_decay**c for r, c in cells]
        return [cells[i] for i in sorted(range(k), key=lambda i: (-weight[i], i))]
