"""IIIF manifests and the profile's SHACL shape, served under the base URI.

``GET /iiif/{id}/manifest``: the work's IIIF Presentation 3 manifest (``publish.iiif_manifest``),
open to every origin (IIIF viewers run on other sites); 404 for a work without an image of known
size or unknown to the catalogue, 410 for a work the catalogue deleted. ``GET /shapes/work``: the
SHACL shape (Turtle) whose URI the shape's own IRIs use.
"""

from __future__ import annotations

import json

from fastapi import APIRouter
from fastapi.responses import Response

from lanterne.errors import Gone, LanterneError, NotFound
from lanterne.publish import (
    MANIFEST_MEDIA_TYPE,
    SHAPES_MEDIA_TYPE,
    SHAPES_PATH,
    iiif_manifest,
    manifest_images,
    shapes_turtle,
)
from lanterne.web._site import Site

_OPEN = {"Access-Control-Allow-Origin": "*"}


def _base() -> str:
    from lanterne.settings import text

    return text("base_uri")


def _missing(site: Site, work_id: str) -> LanterneError:
    """410 for a work the catalogue deleted, 404 for one it never had."""
    state = site.reading(lambda: site.reader().work_state(work_id))
    if state is not None and state.deleted:
        return Gone("iiif.gone", id=work_id)
    return NotFound("work.not_found", id=work_id)


def iiif_router(site: Site) -> APIRouter:
    """The manifest of each work with images, and the SHACL shape."""
    router = APIRouter(include_in_schema=False)

    @router.get("/iiif/{work_id:path}/manifest")
    def manifest(work_id: str) -> Response:
        if not site.has_catalogue:
            raise NotFound("web.no_catalogue")
        found = site.reading(lambda: site.reader().get(work_id))
        if found is None:
            raise _missing(site, work_id)
        if not manifest_images(found):
            raise NotFound("iiif.no_manifest", id=work_id)
        body = json.dumps(iiif_manifest(found, _base()), ensure_ascii=False)
        return Response(body, media_type=MANIFEST_MEDIA_TYPE, headers=_OPEN)

    @router.get(SHAPES_PATH)
    def shapes() -> Response:
        return Response(shapes_turtle(), media_type=SHAPES_MEDIA_TYPE, headers=_OPEN)

    return router
