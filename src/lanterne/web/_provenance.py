"""``POST /api/provenance/verify``: an uploaded image's C2PA manifest verified (token required);
and the page that does the same from a form, « Vérifier une image » (``/provenance/verifier``).

The image registry's ``lookup`` and ``register`` endpoints join this router's routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from lanterne.errors import BadInput, LanterneError, NotFound
from lanterne.web._api import Credentials, errors
from lanterne.web._footprint import WORKING, MeasuredRoute
from lanterne.web._limits import BodyTooLarge
from lanterne.web._pages import Pages
from lanterne.web._security import CSRF_COOKIE
from lanterne.web._site import Site

if TYPE_CHECKING:
    from lanterne.provenance import C2paResult

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
                    },
                    "work": {
                        "type": "string",
                        "description": "A work of the catalogue to keep the manifest's evidence "
                        "on (an Invalid one too); none: nothing is stored",
                    },
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
        responses=errors(400, 401, 403, 404, 413),
        openapi_extra={"requestBody": VERIFY_BODY, **WORKING},
    )
    async def verify(request: Request, credentials: Credentials = None) -> dict[str, Any]:
        """Verify an uploaded image's C2PA manifest (token required): its state (Invalid, Valid,
        Trusted), signer, failure codes, the digital source types of its actions, its TDM
        choice, and the label evidence it gives. Remote manifests are never fetched. With
        ``work``, the evidence is kept on that work of the catalogue (apart from its source
        record: a re-import keeps it) and ``work`` in the answer gives its new label."""
        site.guard.check_bearer(credentials)
        try:
            form = await request.form(max_files=1, max_fields=2, max_part_size=64 * 1024)
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
            work = form.get("work")
            work_id = work.strip() if isinstance(work, str) else ""
            if work_id and not site.has_catalogue:
                raise NotFound("web.no_catalogue")
            result = await run_in_threadpool(_verify, image)
        finally:
            await form.close()
        answer = _as_json(result)
        if work_id:
            answer["work"] = await run_in_threadpool(_keep, site, work_id, result)
        return answer

    return api


VERIFY_PAGE = "/provenance/verifier"


def verify_page_router(site: Site, pages: Pages) -> APIRouter:
    """« Vérifier une image »: the verify endpoint as a form (works without JavaScript). The
    image goes with the write token (a form cannot send an ``Authorization`` header) and the
    visitor's CSRF field; the answer is the page, the result in plain words."""
    router = APIRouter(route_class=MeasuredRoute)

    # Pages, not API operations: out of the OpenAPI document, as the other pages are.
    @router.get(VERIFY_PAGE, include_in_schema=False)
    def verify_form(request: Request) -> HTMLResponse:
        return pages.render(request, "verify.html.j2", _page(site))

    @router.post(VERIFY_PAGE, include_in_schema=False)
    async def verify_upload(request: Request) -> HTMLResponse:
        lang = pages.lang(request)
        try:
            form = await request.form(max_files=1, max_fields=3, max_part_size=64 * 1024)
        except MultiPartException as exc:
            return _refused(request, pages, BadInput("web.upload_unreadable", detail=exc.message))
        except HTTPException as exc:
            if isinstance(exc, BodyTooLarge):
                raise
            return _refused(request, pages, BadInput("web.upload_unreadable", detail=exc.detail))
        try:
            csrf, token = form.get("csrf"), form.get("token")
            site.guard.check_form(
                request.cookies.get(CSRF_COOKIE), csrf if isinstance(csrf, str) else None
            )
            given = token.strip() if isinstance(token, str) else ""
            site.guard.check_bearer(
                HTTPAuthorizationCredentials(scheme="Bearer", credentials=given) if given else None
            )
            image = form.get("file")
            if not isinstance(image, StarletteUpload) or not image.filename:
                raise BadInput("web.image_missing")
            result = await run_in_threadpool(_verify, image)
            name = image.filename
        except LanterneError as exc:
            return _refused(request, pages, exc)
        finally:
            await form.close()
        from lanterne.provenance import result_lines

        context = _page(site) | {
            "file": name,
            "result": result,
            "lines": result_lines(result, lang),
        }
        return pages.render(request, "verify.html.j2", context)

    return router


def _page(site: Site) -> dict[str, Any]:
    from lanterne.settings import ProvenanceSettings

    return {
        "writes": site.guard.writes_enabled,
        "image_max": ProvenanceSettings.load().provenance_image_max,
        "result": None,
        "error": None,
    }


def _refused(request: Request, pages: Pages, exc: LanterneError) -> HTMLResponse:
    """The form again, with what went wrong said above it (the status the API would give)."""
    lang = pages.lang(request)
    context = _page(pages.site) | {"error": exc.message(lang)}
    return pages.render(request, "verify.html.j2", context, status=exc.http_status)


def _verify(image: StarletteUpload) -> C2paResult:
    from lanterne.provenance import TrustConfig, verify_bytes
    from lanterne.settings import ProvenanceSettings

    settings = ProvenanceSettings.load()
    image.file.seek(0)
    # One byte past the bound is enough to know it is too large.
    data = image.file.read(settings.provenance_image_max + 1)
    return verify_bytes(
        data, TrustConfig.load(settings.c2pa_trust), max_bytes=settings.provenance_image_max
    )


def _keep(site: Site, work_id: str, result: C2paResult) -> dict[str, Any]:
    """The result's evidence kept on the work (none without a manifest read), then indexed:
    ``id``, ``stored`` and the work's ``creation_label`` as it stands."""
    from lanterne.provenance import attach_evidence

    evidence = result.evidence()
    with site.writer() as catalogue:
        if evidence is None:
            work = catalogue.get(work_id)
            if work is None:
                raise NotFound("work.not_found", id=work_id)
        else:
            work = attach_evidence(catalogue, work_id, [evidence])
    if evidence is not None:
        site.refresh()
    label = work.creation_label
    return {
        "id": work_id,
        "stored": evidence is not None,
        "creation_label": msgspec.to_builtins(label) if label is not None else None,
    }


def _as_json(result: C2paResult) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.to_builtins(result)
    evidence = result.evidence()
    out["evidence"] = msgspec.to_builtins(evidence) if evidence is not None else None
    return out
