"""The ASGI application: the JSON API, the pages, the static files, one way to fail."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from lanterne.errors import BadInput, LanterneError, NotFound
from lanterne.recommend._service import Source
from lanterne.search import FACETS
from lanterne.web._api import api_router
from lanterne.web._i18n import negotiate
from lanterne.web._pages import Pages, pages_router, static_files
from lanterne.web._security import CSRF_COOKIE
from lanterne.web._site import Site

log = logging.getLogger("lanterne.web")

SECURITY_HEADERS = {
    # Scripts only from this site (htmx and lanterne.js are served from /static); SVG charts
    # carry style attributes, hence 'unsafe-inline' for styles only.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def create_app(site: Site | Source, *, lang: str = "fr") -> FastAPI:
    """The application serving ``site`` (a recommendation ``Source`` alone serves the API)."""
    if isinstance(site, Source):
        site = Site(None, source=site)
    app = FastAPI(
        title="Lanterne",
        version="1",
        description=(
            "Découvrabilité des œuvres francophones : recherche, œuvres en JSON-LD schema.org, "
            "recommandations avec objectifs d'exposition, diagnostic, audits. Every error has the "
            'shape {"error": {"code", "message"}}; add ?lang=en for English messages.'
        ),
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    pages = Pages(site)

    def language(request: Request) -> str:
        if (
            request.query_params.get("lang") is None
            and request.headers.get("accept-language") is None
        ):
            return lang
        return negotiate(
            request.query_params.get("lang"), None, request.headers.get("accept-language")
        )

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        cookie = request.cookies.get(CSRF_COOKIE)
        request.state.csrf_cookie = cookie or site.guard.new_cookie()
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if cookie is None and not _is_api(request):
            response.set_cookie(
                CSRF_COOKIE, request.state.csrf_cookie, httponly=True, samesite="strict"
            )
        return response

    @app.exception_handler(LanterneError)
    async def lanterne_error(request: Request, exc: LanterneError) -> Response:
        if not _is_api(request):
            return pages.error(request, exc)
        message = exc.message("en" if language(request) == "en" else "fr")
        return _error(exc.http_status, exc.key, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        known = _known_format(exc)
        if known is not None:
            known.http_status = 422
            return await lanterne_error(request, known)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()[:5]
        )
        if not _is_api(request):
            return pages.error(request, _Invalid(problems))
        return _error(422, "request.invalid", problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return await lanterne_error(
                request, NotFound("web.page_not_found", path=request.url.path)
            )
        if not _is_api(request):
            return pages.error(request, _Http(exc.status_code, str(exc.detail)))
        return _error(exc.status_code, f"http.{exc.status_code}", str(exc.detail))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        # The detail goes to the server's log, never to the visitor.
        log.exception("internal error", extra={"path": request.url.path})
        error = LanterneError("web.internal")
        if not _is_api(request):
            return pages.error(request, error)
        return _error(500, "internal", error.message("en" if language(request) == "en" else "fr"))

    app.include_router(api_router(site))
    app.include_router(pages_router(site, pages))
    app.mount("/static", StaticFiles(directory=static_files()), name="static")
    return app


def _known_format(exc: RequestValidationError) -> LanterneError | None:
    """A goal or a facet filter that does not match its pattern: say what the format is, as the
    parser would, rather than quote a regular expression."""
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        if error.get("type") != "string_pattern_mismatch":
            continue
        value = str(error.get("input", ""))
        if "goal" in loc or "goals" in loc:
            return BadInput("recommend.bad_goal", goal=value)
        if "filter" in loc:
            return BadInput("web.bad_filter", value=value, facets=", ".join(FACETS))
    return None


class _Invalid(LanterneError):
    http_status = 422

    def __init__(self, problems: str) -> None:
        super().__init__("web.invalid_request", problems=problems)


class _Http(LanterneError):
    def __init__(self, status: int, detail: str) -> None:
        self.http_status = status
        super().__init__("web.http", status=status, detail=detail)
