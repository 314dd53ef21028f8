"""Bounds on what one request may send: the body's size, counted while it streams in, and the
names of uploaded files.

A pure ASGI middleware rather than Starlette's ``RequestBodyLimitMiddleware``: that one answers a
declared oversize in plain text, and in place of whatever the application answered (a 401 for a
request without its token became a 413 without the API's error shape).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lanterne.errors import BadInput, TooLarge
from lanterne.settings import WebLimits

UPLOAD_PATHS = frozenset(
    (
        "/api/ingest",
        "/api/provenance/register",
        "/api/provenance/lookup",
        "/api/provenance/verify",
        "/provenance/verifier",  # the verify page's form
    )
)
"""The routes whose body may be as large as ``upload_max`` (catalogue files and images)."""


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the body passes its bound. An ``HTTPException`` so that
    FastAPI's body parsing hands it on as it is (it turns other errors into a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413)
        self.error = TooLarge("web.body_too_large", limit=limit)


class BodyLimit:
    """Refuse a body over its bound while it streams in: at once when its declared length is over,
    else as soon as the bytes received pass it; nothing over the bound is ever read. Nothing is
    read either before the application asks for the body (a write checks its token first)."""

    def __init__(self, app: ASGIApp, limits: WebLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.upload_max if scope["path"] in UPLOAD_PATHS else self.limits.body_max
        declared = Headers(scope=scope).get("content-length")
        over = declared is not None and (not declared.isdigit() or int(declared) > limit)
        received = 0

        async def bounded() -> Message:
            nonlocal received
            if over:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, bounded, send)


def upload_name(given: str | None, limit: int) -> str:
    """The uploaded file's own name, checked: a plain file name (no folder, not ``.`` or ``..``,
    no control character, at most ``limit`` characters and 255 bytes); ``upload`` when none."""
    if given is None or given == "":
        return "upload"

    def refuse(reason: str) -> BadInput:
        shown = given.encode("unicode_escape").decode("ascii")
        if len(shown) > 80:
            shown = shown[:80] + "…"
        return BadInput("web.bad_upload_name", name=shown, reason=reason, limit=limit)

    if len(given) > limit:
        raise refuse(f"{len(given)} caractères / characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in given):
        raise refuse("caractère de contrôle / control character")
    if "/" in given or "\\" in given:
        raise refuse("dossier / folder")
    if given.strip(". ") == "":
        raise refuse("nom réservé / reserved name")
    try:
        encoded = given.encode("utf-8")
    except UnicodeEncodeError:
        raise refuse("UTF-8") from None
    if len(encoded) > 255:
        raise refuse(f"{len(encoded)} octets / bytes")
    return given
