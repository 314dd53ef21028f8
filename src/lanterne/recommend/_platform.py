"""Lanterne's recommender as a platform the audit's personas browse (``lanterne.audit.simulate``).

The recommender produces the captures the audit reads, so the adapter lives here: the audit
knows platforms only by what they show (``Platform``), never by how they choose it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lanterne.audit import Shown
from lanterne.recommend._goals import Surface, parse_goal

if TYPE_CHECKING:
    from lanterne.recommend._service import RecommenderService


class LanterneLocal:
    """Lanterne's recommender called in process (no server): the same lists as the API gives."""

    name = "lanterne"

    def __init__(
        self,
        service: RecommenderService,
        *,
        k: int = 10,
        surface: str = "grid",
        goals: Sequence[str] = (),
    ) -> None:
        # The service (catalogue, SQLite) loads when a simulation runs, not with the package.
        from lanterne.recommend._service import Options

        self.service = service
        self.surface = Surface(kind=surface)
        self.recommender = service.with_options(
            Options(goals=tuple(parse_goal(g) for g in goals), surface=self.surface, k=k)
        )
        self.cells = self.surface.grid_positions(k) if surface == "grid" else None

    def home(self, history: Sequence[str]) -> list[Shown]:
        result = self.recommender.recommend(self.service.indices(history))
        shown = []
        for pick in result.items:
            row = column = None
            if self.cells is not None:
                r, c = self.cells[pick.rank - 1]
                row, column = r + 1, c + 1
            index = self.service.dataset.item_index[pick.item]
            attributes: dict[str, str | list[str]] = dict(self.service.attributes(index).items())
            shown.append(
                Shown(
                    item=pick.item,
                    position=pick.rank,
                    row=row,
                    column=column,
                    title=self.service.title(pick.item),
                    attributes=attributes,
                )
            )
        return shown
