"""The ASGI application: the JSON API, the pages, the static files, one way to fail."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lanterne.errors import HttpRefused, InvalidRequest, LanterneError, NotFound
from lanterne.recommend import RecommenderService
from lanterne.search import FACETS
from lanterne.web._api import api_router
from lanterne.web._i18n import negotiate
from lanterne.web._iiif import iiif_router
from lanterne.web._limits import BodyLimit, BodyTooLarge
from lanterne.web._oai import oai_router
from lanterne.web._pages import Pages, pages_router, static_files
from lanterne.web._provenance import provenance_router, verify_page_router
from lanterne.web._publish import publish_router
from lanterne.web._reconcile import CORS_HEADERS, cors, reconcile_router
from lanterne.web._security import CSRF_COOKIE
from lanterne.web._site import Site

log = logging.getLogger("lanterne.web")

SECURITY_HEADERS = {
    # Scripts only from this site (htmx and lanterne.js are served from /static); SVG charts
    # carry style attributes, hence 'unsafe-inline' for styles only. Works' images are the
    # sources' own (museum and publisher servers): https images may load, with no referrer
    # (Referrer-Policy below), as an aggregator's thumbnails do; plain http ones may not.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: https:; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class Headers:
    """Security headers on every answer, errors included, and the visitor's CSRF cookie on pages
    (plain ASGI: Starlette's ``BaseHTTPMiddleware`` costs a task and a stream per request).

    It wraps the whole stack, outside Starlette's ``ServerErrorMiddleware``: the answer to an
    unhandled exception is sent from there, and went out without these headers."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        self.cors = [(k.lower().encode(), v.encode()) for k, v in CORS_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = {}
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookies.update(cookie_parser(value.decode("latin-1")))
        cookie = cookies.get(CSRF_COOKIE)
        state = scope.setdefault("state", {})
        state["csrf_cookie"] = cookie or self.site.guard.new_cookie()
        page = not scope["path"].startswith(("/api", "/oai", "/reconcile"))  # no form: no cookie
        # Reconciliation is read by browser clients of other sites (the spec requires CORS),
        # errors included.
        shared = cors(scope["path"])
        kept = _static_cache(scope)
        status = 0
        answered = False

        async def send_with_headers(message: Message) -> None:
            nonlocal answered, status
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered = True
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in self.headers + (self.cors if shared else []):
                    if name.decode() not in headers:
                        headers.raw.append((name, value))
                if kept is not None and status in (200, 304) and "cache-control" not in headers:
                    headers["cache-control"] = kept
                if cookie is None and page:
                    headers.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={state['csrf_cookie']}; HttpOnly; Path=/; SameSite=strict",
                    )
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # ServerErrorMiddleware answered with our handler (which logged it) before raising
            # again for the server's sake; the server would only log it a second time.
            if not (answered and status == 500):
                raise


STATIC_VERSIONED = "public, max-age=31536000, immutable"
"""A static file asked with its version (``/static/lanterne.css?v=0.1.0``): its address changes
with its content, so a browser keeps it a year without asking again (RGESN 6.2)."""
STATIC_PLAIN = "public, max-age=3600"
"""A static file asked without a version (the icon): kept an hour, then revalidated (ETag)."""


def _static_cache(scope: Scope) -> str | None:
    if not scope["path"].startswith("/static/"):
        return None
    query = scope.get("query_string", b"")
    versioned = any(part.startswith(b"v=") for part in query.split(b"&"))
    return STATIC_VERSIONED if versioned else STATIC_PLAIN


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def _is_api(request: Request) -> bool:
    """Whether errors are answered in JSON (the API's shape) rather than as a page."""
    return request.url.path.startswith("/api") or cors(request.url.path)


def create_app(site: Site | RecommenderService, *, lang: str = "fr") -> FastAPI:
    """The application serving ``site`` (a ``RecommenderService`` alone serves the API)."""
    if isinstance(site, RecommenderService):
        site = Site(None, service=site)
    app = _App(
        site,
        title="Lanterne",
        version="1",
        description=(
            "Découvrabilité des œuvres francophones : recherche, œuvres en JSON-LD schema.org, "
            "recommandations avec objectifs d'exposition, diagnostic, audits. Every error has the "
            'shape {"error": {"code", "message"}}; add ?lang=en for English messages.'
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN: neither offline nor under our CSP
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

    @app.exception_handler(LanterneError)
    async def lanterne_error(request: Request, exc: LanterneError) -> Response:
        if exc.http_status >= 500:
            # The server's own trouble (a damaged catalogue…): its message names the server's
            # files, for the operator's log; the visitor learns what kind, and to try again.
            log.error(
                "server error", extra={"path": request.url.path, "code": exc.key, "error": str(exc)}
            )
            shown = LanterneError("web.internal")
            shown.http_status = exc.http_status
            if not _is_api(request):
                return pages.error(request, shown)
            message = shown.message("en" if language(request) == "en" else "fr")
            return _error(exc.http_status, exc.key, message)
        if not _is_api(request):
            return pages.error(request, exc)
        message = exc.message("en" if language(request) == "en" else "fr")
        return _error(exc.http_status, exc.key, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        known = _known_format(exc)
        if known is not None:
            return await lanterne_error(request, known)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()[:5]
        )
        if not _is_api(request):
            return pages.error(request, InvalidRequest("web.invalid_request", problems=problems))
        return _error(422, "request.invalid", problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if isinstance(exc, BodyTooLarge):
            return await lanterne_error(request, exc.error)
        if exc.status_code == 404:
            return await lanterne_error(
                request, NotFound("web.page_not_found", path=request.url.path)
            )
        if not _is_api(request):
            return pages.error(request, HttpRefused(exc.status_code, str(exc.detail)))
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
    app.include_router(provenance_router(site))
    app.include_router(verify_page_router(site, pages))
    # Before the pages: ``/oeuvre/ID.ttl`` is a variant, not the page of a work « ID.ttl ».
    app.include_router(publish_router(site))
    app.include_router(oai_router(site))
    app.include_router(reconcile_router(site))
    app.include_router(iiif_router(site))
    app.include_router(pages_router(site, pages))
    app.mount("/static", StaticFiles(directory=static_files()), name="static")
    return app


GZIP_LEVEL = 6
"""zlib's default. Measured on the demo's home, search and diagnosis pages, htmx and the style
sheet (153,608 bytes): level 6 sends 34,820 bytes in 2.4 ms of CPU, level 9 (Starlette's
default) 34,523 bytes (0.9 % fewer) in 3.2 ms (a third more), level 1 40,688 bytes in 1.0 ms."""
GZIP_MINIMUM = 1024
"""Answers shorter than this go as they are: below about a kilobyte the gzip header and the
CPU cost more than the bytes saved (a 304, an error's JSON, a short OAI-PMH error)."""


class _App(FastAPI):
    """FastAPI with the security headers outside everything else and the body bounded."""

    def __init__(self, site: Site, **kwargs: Any) -> None:
        self.site = site
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        packed = GZipMiddleware(stack, minimum_size=GZIP_MINIMUM, compresslevel=GZIP_LEVEL)
        return Headers(BodyLimit(packed, self.site.limits), self.site)


def _known_format(exc: RequestValidationError) -> InvalidRequest | None:
    """A goal or a facet filter that does not match its pattern: say what the format is, as the
    parser would, rather than quote a regular expression."""
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        if error.get("type") != "string_pattern_mismatch":
            continue
        value = str(error.get("input", ""))
        if "goal" in loc or "goals" in loc:
            return InvalidRequest("recommend.bad_goal", goal=value)
        if "filter" in loc:
            return InvalidRequest("web.bad_filter", value=value, facets=", ".join(FACETS))
    return None


def serve_worker(host: str, port: int) -> None:
    """One server process of ``lanterne serve --workers N``. Each listens on the same port
    (SO_REUSEPORT: the kernel spreads connections) with a socket made here: uvicorn's own
    multi-process mode hands its workers a socket rebuilt from a descriptor, on which asyncio
    does not set TCP_NODELAY, and every kept-alive request then waited ~40 ms for a delayed
    acknowledgement (measured: p50 52 ms against 6.5 ms for one process)."""
    import socket

    import uvicorn

    app = app_from_environment()  # ready before it takes connections
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def app_from_environment() -> FastAPI:
    """The application one worker process builds (``lanterne serve --workers N``): the
    catalogue, audits and token from the settings, the CSRF secret its parent shared, one
    encoder thread (the workers share the cores)."""
    from lanterne.errors import BadSetting
    from lanterne.settings import Settings, setting, text

    settings = Settings.load()
    secret = text("worker_secret")
    if not secret:
        raise BadSetting("setting.set_by_serve", name=setting("worker_secret").env)
    site = Site(
        settings.catalogue,
        audits=settings.audits_folder,
        token=settings.token or None,
        secret=bytes.fromhex(secret),
        encoder_threads=1,
        concurrency=1,
    )
    site.index()
    lang = "en" if text("worker_lang") == "en" else "fr"
    return create_app(site, lang=lang)
