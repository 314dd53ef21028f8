"""``/oai``: the OAI-PMH 2.0 data provider (``lanterne.publish.respond``), by GET and by POST
(``application/x-www-form-urlencoded``), every answer XML with HTTP 200, errors included."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from lanterne._location import display_name
from lanterne.publish import OaiConfig, respond
from lanterne.web._site import Site

MEDIA_TYPE = "text/xml; charset=utf-8"


def oai_router(site: Site) -> APIRouter:
    """The routes of ``/oai`` over the site's catalogue (settings read once, here)."""
    router = APIRouter()
    name = Path(display_name(site.catalogue_path)).stem if site.catalogue_path is not None else ""
    config = OaiConfig.from_settings(name)

    def answer(request: Request, pairs: list[tuple[str, str]]) -> Response:
        # The address the harvester called is the baseURL it must see echoed.
        base_url = str(request.url.replace(query=""))
        body = respond(site.reader(), pairs, config, base_url)
        return Response(body, media_type=MEDIA_TYPE)

    @router.get("/oai", include_in_schema=False)
    def oai_get(request: Request) -> Response:
        return answer(request, request.query_params.multi_items())

    @router.post("/oai", include_in_schema=False)
    async def oai_post(request: Request) -> Response:
        raw = await request.body()
        # Bytes that are not UTF-8 become U+FFFD: the arguments are then unknown, not a crash.
        pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        return await run_in_threadpool(answer, request, pairs)

    return router


__all__ = ["oai_router"]
