"""The HTTP URIs of published entities: one per work, agent and place, under a base URI."""

from __future__ import annotations

from urllib.parse import quote


def work_uri(base: str, work_id: str) -> str:
    """The URI of the work ``work_id`` (``BASE/id/work/ID``, the id percent-encoded whole)."""
    return base.rstrip("/") + "/id/work/" + quote(work_id, safe="")


def agent_uri(base: str, agent_id: str) -> str:
    """The URI of the agent ``agent_id`` (``BASE/id/agent/ID``)."""
    return base.rstrip("/") + "/id/agent/" + quote(agent_id, safe="")


def place_uri(base: str, place_id: str) -> str:
    """The URI of the place ``place_id`` (``BASE/id/place/ID``)."""
    return base.rstrip("/") + "/id/place/" + quote(place_id, safe="")
