"""Catalogue statistics: what a diversity audit of the catalogue itself starts from."""

from __future__ import annotations

import msgspec


class CatalogueStats(msgspec.Struct, kw_only=True):
    """Counts over live works; shares are over the works whose attribute is known (base given)."""

    works: int
    by_source: dict[str, int]
    by_type: dict[str, int]
    by_language: dict[str, int]
    """Original language when known, else the language of the texts; ``?`` when neither."""
    by_country: dict[str, int]
    by_territory: dict[str, int]
    european_known: int
    european_yes: int
    eof_known: int
    eof_yes: int
    quarantined: int
    deleted: int
    by_creation: dict[str, int] = {}
    """Creation label (``human``, ``ai-assisted``, ``synthetic``, ``unknown``; no label counts
    as ``unknown``)."""
    creation_by_source: dict[str, dict[str, int]] = {}
    """Source → creation label → works."""

    @property
    def european_share(self) -> float | None:
        return self.european_yes / self.european_known if self.european_known else None

    @property
    def eof_share(self) -> float | None:
        return self.eof_yes / self.eof_known if self.eof_known else None
