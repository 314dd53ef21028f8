"""The HTTP URIs of published entities: one per work, agent and place, under a base URI."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote

GLOBAL_SCHEMES = ("isni", "wikidata", "ark", "artsdata", "museofile", "merimee", "uri")
"""Identifier schemes that name one agent or place whatever the source, best first; ``local``
and ``inventory`` ids only mean something inside their source, and an INSEE code names the
commune a venue is in, not the venue (two festivals' halls in one town are two places)."""


def entity_key(
    identifiers: Iterable[tuple[object, object]], schemes: Sequence[str] = GLOBAL_SCHEMES
) -> str | None:
    """``scheme:value`` of the best of ``(scheme, value)`` identifiers naming an agent or a
    place: the earliest scheme of ``schemes``, then the smallest ``scheme:value``; ``None``
    when none is of those schemes with a non-empty text value. The published graph uses
    ``GLOBAL_SCHEMES``; the EDM crosswalk its table's own list."""
    best: tuple[int, str] | None = None
    for scheme, value in identifiers:
        if scheme in schemes and isinstance(value, str) and value:
            rank = (schemes.index(str(scheme)), f"{scheme}:{value}")
            best = rank if best is None or rank < best else best
    return None if best is None else best[1]


def work_uri(base: str, work_id: str) -> str:
    """The URI of the work ``work_id`` (``BASE/id/work/ID``, the id percent-encoded whole)."""
    return base.rstrip("/") + "/id/work/" + quote(work_id, safe="")


def agent_uri(base: str, agent_id: str) -> str:
    """The URI of the agent ``agent_id`` (``BASE/id/agent/ID``)."""
    return base.rstrip("/") + "/id/agent/" + quote(agent_id, safe="")


def place_uri(base: str, place_id: str) -> str:
    """The URI of the place ``place_id`` (``BASE/id/place/ID``)."""
    return base.rstrip("/") + "/id/place/" + quote(place_id, safe="")
