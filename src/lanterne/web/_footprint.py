"""Every request measures itself; the answers of those that do real work say their footprint.

``MeasuredRoute`` is the route class of the API and the pages: each answer gets a
``Server-Timing`` header (CPU and wall time in milliseconds, the estimated energy and CO₂e as
descriptions). A route declared with ``openapi_extra=WORKING`` (search, recommend, diagnosis,
an audit, an import) also gets a ``footprint`` member in its JSON object, the one the command
line prints (docs/footprint.md); its OpenAPI operation says so (``x-lanterne-footprint``).

The CPU time is the process's during the request (the encoder's threads included): on a server
answering several requests at once, each counts the others' work done meanwhile, so the figures
are an upper bound there; summed over a busy period they overcount.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import msgspec
from fastapi import Request, Response
from fastapi.routing import APIRoute

from lanterne.footprint import Meter, configured_grid, estimate, server_timing

FLAG = "x-lanterne-footprint"
WORKING: dict[str, Any] = {FLAG: True}
"""``openapi_extra`` of a route whose JSON answer carries its footprint."""


class MeasuredRoute(APIRoute):
    """A route whose answer says what it cost (``Server-Timing``; the ``footprint`` member of
    its JSON object when declared ``WORKING``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        working = bool((self.openapi_extra or {}).get(FLAG))

        async def measured(request: Request) -> Response:
            meter = Meter()
            response = await handler(request)
            footprint = estimate(meter.usage(), configured_grid())
            if working:
                _add_to_body(response, msgspec.to_builtins(footprint))
            response.headers["server-timing"] = server_timing(footprint)
            return response

        return measured


def _add_to_body(response: Response, footprint: dict[str, Any]) -> None:
    """Put ``footprint`` in a JSON object answer (any other answer is left as it is)."""
    body = getattr(response, "body", None)
    kind = response.headers.get("content-type", "")
    if not isinstance(body, bytes) or not kind.startswith("application/json"):
        return
    if not body.lstrip().startswith(b"{"):
        return
    data = json.loads(body)
    data["footprint"] = footprint
    response.body = msgspec.json.encode(data)
    response.headers["content-length"] = str(len(response.body))
