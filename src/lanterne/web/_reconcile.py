"""``/reconcile``: the W3C Reconciliation Service API over the catalogue, versions 0.2 (what
OpenRefine speaks: ``queries`` form-encoded by POST, or ``?queries=`` by GET) and 1.0-draft
(``POST /reconcile/match`` in JSON) on one service, with suggest, preview, view and data
extension. Every answer carries CORS headers (``_app.Headers``); errors have the API's shape.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from lanterne.errors import BadInput, NotFound
from lanterne.messages import Lang
from lanterne.reconcile import (
    VERSIONS,
    Candidate,
    Query,
    Reconciler,
    Version,
    extend_02,
    extend_10,
    manifest,
    propose,
    read_batch_02,
    read_batch_10,
    read_extend,
    results_02,
    results_10,
    suggest_entities,
    suggest_properties,
    suggest_types,
    work_values,
)
from lanterne.web._site import Site

PREFIX = "/reconcile"
FORM = "application/x-www-form-urlencoded"


class Reconcilers:
    """The site's reconciler, made again when the site's search index is replaced (after an
    import): its caches describe one state of the catalogue."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._for: object = None
        self._reconciler: Reconciler | None = None

    def __call__(self) -> Reconciler:
        self.site.sync()
        index = self.site.index()
        found = self._reconciler
        if found is None or self._for is not index:
            site = self.site
            found = Reconciler(
                index.engine,
                lambda ids: site.reader().get_many(ids),
                lambda: site.reader().iter_works(),
            )
            self._reconciler, self._for = found, index
        return found


def _lang(request: Request) -> Lang:
    asked = request.query_params.get("lang") or request.headers.get("accept-language") or ""
    return "en" if asked.lower().startswith("en") else "fr"


def _root(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


def reconcile_router(site: Site) -> APIRouter:
    """The routes of ``/reconcile`` (the batch bound is the site's, ``WebLimits``)."""
    router = APIRouter()
    batch_max = site.limits.reconcile_batch_max
    reconcilers = Reconcilers(site)

    def run(queries: list[Query]) -> list[list[Candidate]]:
        reconciler = reconcilers()
        return site.reading(lambda: reconciler(queries))

    def extend_rows(ids: list[str]) -> dict[str, dict[str, list[str]]]:
        works = site.reading(lambda: site.reader().get_many(ids))
        return {i: work_values(w) for i, w in works.items()}

    def answer_02(request: Request, fields: dict[str, str]) -> Response:
        if "queries" in fields:
            keys, queries = read_batch_02(fields["queries"], batch_max)
            return JSONResponse(results_02(keys, run(queries)))
        if "extend" in fields:
            query = read_extend(fields["extend"], batch_max)
            return JSONResponse(extend_02(query, extend_rows(query.ids), _lang(request)))
        version = fields.get("version")
        if version is not None and version not in VERSIONS:
            raise BadInput(
                "reconcile.bad_query", detail=f"version « {version} » ({', '.join(VERSIONS)})"
            )
        chosen: Version | None = "0.2" if version == "0.2" else None
        chosen = "1.0-draft" if version == "1.0-draft" else chosen
        body = manifest(_root(request), site.base_uri, batch_max, chosen, _lang(request))
        return JSONResponse(body)

    @router.get(PREFIX, include_in_schema=False)
    def service(request: Request) -> Response:
        return answer_02(request, dict(request.query_params))

    @router.post(PREFIX, include_in_schema=False)
    async def service_post(request: Request) -> Response:
        raw = await request.body()
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind == "application/json":  # a 1.0-draft client posting to the root
            return await run_in_threadpool(match_body, raw)
        fields = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        if "queries" not in fields and "extend" not in fields:
            raise BadInput("reconcile.bad_query", detail="ni « queries » ni « extend »")
        return await run_in_threadpool(answer_02, request, fields)

    def match_body(raw: bytes) -> Response:
        return JSONResponse(results_10(run(read_batch_10(raw, batch_max))))

    @router.post(PREFIX + "/match", include_in_schema=False)
    async def match(request: Request) -> Response:
        raw = await request.body()
        return await run_in_threadpool(match_body, raw)

    def suggested(prefix: str, limit: int) -> list[Candidate]:
        reconciler = reconcilers()
        return site.reading(lambda: reconciler.suggest(prefix, limit))

    @router.get(PREFIX + "/suggest/entity", include_in_schema=False)
    def suggest_entity(request: Request, prefix: str = "", limit: int = 10) -> Response:
        found = suggested(prefix[:200], max(1, min(limit, 50))) if prefix.strip() else []
        return JSONResponse(suggest_entities(found))

    @router.get(PREFIX + "/suggest/type", include_in_schema=False)
    def suggest_type(prefix: str = "") -> Response:
        return JSONResponse(suggest_types(prefix[:200]))

    @router.get(PREFIX + "/suggest/property", include_in_schema=False)
    def suggest_property(request: Request, prefix: str = "") -> Response:
        return JSONResponse(suggest_properties(prefix[:200], _lang(request)))

    @router.get(PREFIX + "/extend/propose", include_in_schema=False)
    def extend_propose(request: Request, type: str = "") -> Response:
        return JSONResponse(propose(type, _lang(request)))

    @router.post(PREFIX + "/extend", include_in_schema=False)
    async def extend(request: Request) -> Response:
        raw = await request.body()

        def answer() -> Response:
            query = read_extend(raw, batch_max)
            return JSONResponse(extend_10(query, extend_rows(query.ids), _lang(request)))

        return await run_in_threadpool(answer)

    @router.get(PREFIX + "/preview", include_in_schema=False)
    def preview(request: Request, id: str = "") -> Response:
        work = site.reading(lambda: site.reader().get(id)) if id else None
        if work is None:
            raise NotFound("reconcile.unknown_entity", id=id)
        values = work_values(work)
        lines = [html.escape(" · ".join(values[k])) for k in ("creator", "date", "type")]
        body = (
            '<!DOCTYPE html><html lang="fr"><meta charset="utf-8">'
            '<div style="font-family:sans-serif;font-size:14px">'
            f'<a href="/oeuvre/{quote(work.id, safe="")}" target="_blank"><b>'
            f"{html.escape(work.title)}</b></a><br>{'<br>'.join(x for x in lines if x)}</div>"
        )
        # Shown in an iframe of the client (OpenRefine): no frame-ancestors 'none' here.
        return HTMLResponse(body, headers={"Content-Security-Policy": "default-src 'none'"})

    @router.get(PREFIX + "/view/{entity_id:path}", include_in_schema=False)
    def view(entity_id: str) -> Response:
        kind, _, rest = entity_id.partition(":")
        if kind in ("agent", "place"):
            name = rest.removeprefix("nom:").replace("-", " ")
            return RedirectResponse("/recherche?q=" + quote(name), status_code=303)
        return RedirectResponse("/oeuvre/" + quote(entity_id, safe=""), status_code=303)

    @router.options(PREFIX, include_in_schema=False)
    @router.options(PREFIX + "/{rest:path}", include_in_schema=False)
    def preflight() -> Response:
        return Response(status_code=204)

    return router


def cors(path: str) -> bool:
    """Whether an answer to ``path`` carries CORS headers (every reconciliation route)."""
    return path == PREFIX or path.startswith(PREFIX + "/")


CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
    "Access-Control-Max-Age": "600",
}

__all__ = ["CORS_HEADERS", "cors", "reconcile_router"]
