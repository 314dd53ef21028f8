"""``POST /api/provenance/verify``: an uploaded image's C2PA manifest verified (token required).

The image registry's ``lookup`` and ``register`` endpoints join this router's routes."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from lanterne.errors import BadInput
from lanterne.web._api import Credentials, errors
from lanterne.web._footprint import WORKING, MeasuredRoute
from lanterne.web._limits import BodyTooLarge
from lanterne.web._site import Site

VERIFY_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "An image (JPEG, PNG, WebP, TIFF, GIF, AVIF, HEIC …)",
                    }
                },
            }
        }
    },
}
"""The form, declared by hand: the route parses it itself, after the token."""


def provenance_router(site: Site) -> APIRouter:
    """The provenance endpoints under /api/provenance."""
    api = APIRouter(prefix="/api", route_class=MeasuredRoute)

    @api.post(
        "/provenance/verify",
        responses=errors(400, 401, 403, 413),
        openapi_extra={"requestBody": VERIFY_BODY, **WORKING},
    )
    async def verify(request: Request, credentials: Credentials = None) -> dict[str, Any]:
        """Verify an uploaded image's C2PA manifest (token required): its state (Invalid, Valid,
        Trusted), signer, failure codes, the digital source types of its actions, its TDM
        choice, and the label evidence it gives. Remote manifests are never fetched."""
        site.guard.check_bearer(credentials)
        try:
            form = await request.form(max_files=1, max_fields=1, max_part_size=64 * 1024)
        except MultiPartException as exc:
            raise BadInput("web.upload_unreadable", detail=exc.message) from None
        except HTTPException as exc:
            if isinstance(exc, BodyTooLarge):
                raise
            raise BadInput("web.upload_unreadable", detail=exc.detail) from None
        try:
            image = form.get("file")
            if not isinstance(image, StarletteUpload):
                raise BadInput("web.image_missing")
            return await run_in_threadpool(_verify, image)
        finally:
            await form.close()

    return api


def _verify(image: StarletteUpload) -> dict[str, Any]:
    from lanterne.provenance import TrustConfig, verify_bytes
    from lanterne.settings import ProvenanceSettings

    settings = ProvenanceSettings.load()
    image.file.seek(0)
    # One byte past the bound is enough to know it is too large.
    data = image.file.read(settings.provenance_image_max + 1)
    result = verify_bytes(
        data, TrustConfig.load(settings.c2pa_trust), max_bytes=settings.provenance_image_max
    )
    out: dict[str, Any] = msgspec.to_builtins(result)
    evidence = result.evidence()
    out["evidence"] = msgspec.to_builtins(evidence) if evidence is not None else None
    return out
