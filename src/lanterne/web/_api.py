"""The JSON API under /api: search, works as schema.org JSON-LD, recommendations, diagnosis,
audits, and two writes (import, home settings) behind a token. One error shape for every error:
``{"error": {"code": …, "message": …}}`` (French, or English with ``?lang=en``)."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from lanterne import __version__
from lanterne._location import display_name
from lanterne.errors import BadInput, LanterneError, NotFound
from lanterne.recommend import Options, Surface, diversifiers, parse_goal, parse_only
from lanterne.search import FACETS, Mode, Results
from lanterne.settings import setting
from lanterne.web._footprint import WORKING, MeasuredRoute
from lanterne.web._limits import BodyTooLarge, upload_name
from lanterne.web._site import HomeSettings, Site

log = logging.getLogger("lanterne.web")

Credentials = Annotated[
    HTTPAuthorizationCredentials | None,
    Depends(HTTPBearer(auto_error=False, description="LANTERNE_TOKEN, as Bearer")),
]
"""The write token (``Authorization: Bearer …``), declared in the OpenAPI document."""

FILTER = "^(" + "|".join(FACETS) + "):.+$"
"""A facet filter, ``type:Festival``."""
_TERM = r"\w([^=:&]*[\w)])?"
GOAL = (
    rf"^{_TERM}={_TERM}(&{_TERM}={_TERM})*"
    r":((0(\.[0-9]+)?|1(\.0+)?)|((100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)%)|#[0-9]{1,3})$"
)
"""An exposure goal, ``ATTRIBUTE=VALUE[&…]:SHARE`` with a share in [0, 1], a percentage or
``#N`` works (what ``parse_goal`` reads)."""
ONLY = rf"^{_TERM}={_TERM}(&{_TERM}={_TERM})*$"
"""A hard filter of a list, ``creation=human`` (what ``parse_only`` reads)."""


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable identifier, e.g. work.not_found")
    message: str = Field(description="What happened and what to do, in the request's language")


class ErrorBody(BaseModel):
    error: ErrorDetail


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


class FootprintUsage(BaseModel):
    cpu_seconds: float = Field(description="CPU time of the server process during the request")
    children_cpu_seconds: float
    wall_seconds: float
    peak_memory_bytes: int = Field(description="The server process's peak resident memory")
    read_bytes: int | None
    written_bytes: int | None


class FootprintGrid(BaseModel):
    code: str = Field(description="ISO 3166 code of the grid (LANTERNE_FOOTPRINT_GRID)")
    name_fr: str
    name_en: str
    g_co2e_per_kwh: float
    year: int
    source: str


class EnergyModel(BaseModel):
    cpu_watts_per_core: float
    memory_watts_per_gib: float


class Footprint(BaseModel):
    """What the request cost, estimated from its CPU time and memory (docs/footprint.md)."""

    estimate: bool = Field(description="Always true: modelled, no power counter is read")
    method: str
    energy_wh: float
    co2e_g: float
    usage: FootprintUsage
    grid: FootprintGrid
    model: EnergyModel


FOOTPRINT = Field(None, description="What this answer cost: an estimate, with its method")


class Health(BaseModel):
    status: str
    version: str
    works: int | None = Field(description="Works in the catalogue (None without one)")
    items: int | None = Field(description="Items the recommender knows")
    writes: bool = Field(description="Whether write endpoints are switched on (a token is set)")


class SearchHit(BaseModel):
    id: str
    title: str
    score: float
    snippet: str = Field(description="HTML: matched words in <b>, everything else escaped")
    lexical_rank: int | None = None
    semantic_rank: int | None = None


class SearchResponse(BaseModel):
    query: str
    mode: str
    total: int
    offset: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = Field(description="Facet → value → works")
    filters: dict[str, list[str]]
    semantic_skipped: bool = Field(
        False,
        description="A hybrid search on the frugal path (LANTERNE_SEARCH_FRUGAL=1) that the "
        "lexical side settled without the embedding model",
    )
    footprint: Footprint | None = FOOTPRINT


class Because(BaseModel):
    item: str
    weight: float


class Explanation(BaseModel):
    because: list[Because] = Field(description="The history works this pick is closest to")
    placed_by: str | None = Field(description="curiosity or goal, when the diversity step did")
    goals: list[str] = Field(description="Goals this pick counts towards")
    replaced: str | None = Field(description="The work it took the place of")


class Pick(BaseModel):
    item: str
    title: str
    position: int
    score: float
    attributes: dict[str, list[str]]
    explanation: Explanation | None
    row: int | None = None
    column: int | None = None


class GoalReport(BaseModel):
    names: list[str]
    achieved: list[float]
    feasible: bool
    satisfied: bool


class RecommendResponse(BaseModel):
    items: list[Pick]
    goals: GoalReport | None
    footprint: Footprint | None = FOOTPRINT


class AuditEntry(BaseModel):
    name: str
    url: str


class MatchResponse(BaseModel):
    work_id: str | None
    label: str | None
    file: str
    distance: int = Field(description="PDQ Hamming distance (of the query under transform)")
    transform: str = Field(description="original, rotate-90, …, flip-minus-1")
    phash_distance: int = Field(description="pHash Hamming distance, out of 64")
    quality: int
    registered: int


class LookupResponse(BaseModel):
    file: str
    decision: str = Field(description="match, no_match, or undecided (PDQ quality too low)")
    pdq: str
    quality: int
    phash: str
    max_distance: int
    min_quality: int
    matches: list[MatchResponse] = []
    footprint: Footprint | None = FOOTPRINT


class RegisteredResponse(BaseModel):
    file: str
    pdq: str
    quality: int
    added: bool = Field(description="False: these bytes were already registered for this work")
    usable: bool = Field(description="False: quality too low, it will never match")


class IngestResult(BaseModel):
    run_id: str
    source: str
    profile: str
    read: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    quarantined: int
    by_reason: dict[str, int]
    status: str
    indexed: int
    removed: int
    footprint: Footprint | None = FOOTPRINT


def _one_of(names: Sequence[str]) -> str:
    """A pattern that matches exactly one of ``names`` (read from where they are declared: the
    registry's diversifiers, plug-ins' too; the weightings of ``Surface``)."""
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goals: list[Annotated[str, StringConstraints(pattern=GOAL)]] = Field(
        default=[], description="ATTRIBUTE=VALUE:SHARE, e.g. type=Festival:0.4", max_length=10
    )
    surface: Annotated[str, Field(pattern=_one_of(Surface.KINDS))] = "grid"
    k: int = Field(default=12, ge=1, le=50)
    diversifier: Annotated[str, Field(pattern=_one_of(diversifiers()))] = "mmr"


SETTINGS_SCHEMA = "#/components/schemas/Settings"
"""The home settings' schema (the answer's model, so always among the components)."""


def parse_filters(values: list[str]) -> dict[str, list[str]]:
    """``type:Festival`` → {"type": ["Festival"]}; an unknown facet is a clear 400."""
    out: dict[str, list[str]] = {}
    for value in values:
        name, sep, wanted = value.partition(":")
        if not sep or name not in FACETS or not wanted:
            raise BadInput("web.bad_filter", value=value, facets=", ".join(FACETS))
        out.setdefault(name, []).append(wanted)
    return out


def run_search(
    site: Site, q: str, mode: Mode, filters: dict[str, list[str]], limit: int, offset: int
) -> Results:
    """One search, as the API and the search page run it. A query the engine cannot read is
    the visitor's bad input (400), never an internal error."""
    site.sync()
    index = site.index()
    try:
        return site.reading(lambda: index.engine.search(q, mode, filters, limit, offset))
    except ValueError as exc:  # tantivy's query parser; the engine should not let one through
        log.warning("query refused by the engine", extra={"error": str(exc)})
        raise BadInput("web.bad_query", query=q[:100]) from None


def recommend(
    site: Site, history: list[str], options: Options, user: str | None = None
) -> RecommendResponse:
    """Recommendations with explanations, as the API and the home page show them."""
    service = site.recommender_service()
    rec = service.with_options(options)
    items = service.history_of(user) if user is not None else service.indices(history)
    result = site.reading(lambda: rec.recommend(items))
    cells = options.surface.grid_positions(options.k) if options.surface.kind == "grid" else None
    picks = []
    for pick in result.items:
        index = service.dataset.item_index[pick.item]
        entry = Pick(
            item=pick.item,
            title=service.title(pick.item),
            position=pick.rank,
            score=pick.score,
            attributes=service.attributes(index),
            explanation=None,
        )
        if cells is not None:
            row, column = cells[pick.rank - 1]
            entry.row, entry.column = row + 1, column + 1
        if pick.explanation is not None:
            e = pick.explanation
            entry.explanation = Explanation(
                because=[Because(item=b.item, weight=b.weight) for b in e.because],
                placed_by=e.placed_by,
                goals=list(e.goals),
                replaced=e.replaced,
            )
        picks.append(entry)
    goals = None
    if result.goals is not None:
        goals = GoalReport(
            names=list(result.goal_names),
            achieved=list(result.goals.achieved),
            feasible=result.goals.feasible,
            satisfied=result.goals.satisfied,
        )
    return RecommendResponse(items=picks, goals=goals)


def api_router(site: Site) -> APIRouter:
    """The JSON API: what it reads (search, works, recommendations), the reports it publishes,
    and the two writes behind a token."""
    api = APIRouter(prefix="/api", route_class=MeasuredRoute)
    _reading_routes(api, site)
    _report_routes(api, site)
    _writing_routes(api, site)
    _provenance_routes(api, site)
    return api


def _reading_routes(api: APIRouter, site: Site) -> None:
    @api.get("/health", response_model=Health)
    def health() -> Health:
        """Liveness, and what this server holds."""
        works = site.reader().count() if site.has_catalogue else None
        items = site.recommender_service().dataset.n_items if not site.has_catalogue else None
        return Health(
            status="ok",
            version=__version__,
            works=works,
            items=items,
            writes=site.guard.writes_enabled,
        )

    @api.get(
        "/search",
        response_class=Response,
        responses={200: {"model": SearchResponse}, **errors(400, 404, 422)},
        openapi_extra=WORKING,
    )
    def search(
        q: Annotated[str, Query(max_length=500, description="Words, in French or any language")],
        mode: Annotated[Mode, Query()] = "hybrid",
        filter: Annotated[
            list[Annotated[str, StringConstraints(pattern=FILTER)]],
            Query(description="FACET:VALUE, repeatable; facets: " + ", ".join(FACETS)),
        ] = [],  # noqa: B006
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    ) -> Response:
        """Hybrid search (French-aware words + multilingual meaning) with facet counts."""
        results = run_search(site, q, mode, parse_filters(filter), limit, offset)
        # Encoded by msgspec straight from the engine's structs: the busiest endpoint skips
        # pydantic's validation of its own answer (schemathesis checks it against the schema).
        return Response(msgspec.json.encode(results), media_type="application/json")

    @api.get(
        "/works/{work_id:path}",
        responses={
            200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}},
            **errors(404, 410),
        },
    )
    def work(work_id: str) -> JSONResponse:
        """One work as schema.org JSON-LD (the document its page embeds); 410 once the
        catalogue has deleted it, as its linked-data URI answers."""
        from lanterne.profile.schemaorg import work_to_jsonld
        from lanterne.web._publish import missing, tdm_headers

        found = site.reading(lambda: site.reader().get(work_id))
        if found is None:
            raise missing(site, work_id)
        return JSONResponse(
            work_to_jsonld(found), media_type="application/ld+json", headers=tdm_headers(found)
        )

    @api.get(
        "/recommend",
        response_model=RecommendResponse,
        responses=errors(400, 404, 422),
        openapi_extra=WORKING,
    )
    def recommendations(
        history: Annotated[list[str], Query(description="Works already liked")] = [],  # noqa: B006
        user: Annotated[str | None, Query(max_length=200)] = None,
        goal: Annotated[
            list[Annotated[str, StringConstraints(pattern=GOAL)]],
            Query(description="ATTRIBUTE=VALUE:SHARE, repeatable"),
        ] = [],  # noqa: B006
        only: Annotated[
            list[Annotated[str, StringConstraints(pattern=ONLY)]],
            Query(
                description="ATTRIBUTE=VALUE[&…], repeatable: every work of the list has it "
                "(creation=human: only works declared or shown to be human creations)"
            ),
        ] = [],  # noqa: B006
        surface: Annotated[str, Query(pattern=_one_of(Surface.KINDS))] = "uniform",
        curiosity: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
        diversifier: Annotated[str, Query(pattern=_one_of(diversifiers()))] = "mmr",
        k: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> Any:
        """Recommendations with explanations; goals guaranteed in the list when feasible."""
        options = Options(
            goals=tuple(parse_goal(g) for g in goal),
            only=tuple(c for spec in only for c in parse_only(spec)),
            surface=Surface(kind=surface),
            curiosity=curiosity,
            diversifier=diversifier,
            k=k,
        )
        return recommend(site, history, options, user)


def _report_routes(api: APIRouter, site: Site) -> None:
    @api.get("/diagnosis", responses=errors(404), openapi_extra=WORKING)
    def diagnosis() -> dict[str, Any]:
        """The catalogue's discoverability diagnosis (scores, tiers, the fixes that lift most)."""
        report = site.diagnosis()
        out: dict[str, Any] = msgspec.to_builtins(report)
        out["catalogue"] = display_name(report.catalogue)
        return out

    @api.get("/audits", response_model=list[AuditEntry])
    def audits() -> list[AuditEntry]:
        """The exposure audits this server publishes."""
        return [AuditEntry(name=n, url=f"/api/audits/{n}") for n in site.audit_names()]

    @api.get("/audits/{name}", responses=errors(400, 404), openapi_extra=WORKING)
    def audit(name: str) -> dict[str, Any]:
        """One audit report: shares with intervals, verdicts, concentration, drift."""
        out: dict[str, Any] = msgspec.to_builtins(site.audit(name))
        return out


def _writing_routes(api: APIRouter, site: Site) -> None:
    @api.get("/settings", response_model=Settings)
    def get_settings() -> Settings:
        """What the public home page asks of its lists."""
        return Settings(**msgspec.to_builtins(site.home))

    @api.put(
        "/settings",
        response_model=Settings,
        responses=errors(400, 401, 403, 413, 422),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": SETTINGS_SCHEMA}}},
            }
        },
    )
    async def put_settings(request: Request, credentials: Credentials = None) -> Settings:
        """Change the home page's goals, surface and length (token required)."""
        # The token before the body is read (FastAPI reads a declared body first).
        site.guard.check_bearer(credentials)
        try:
            body = Settings.model_validate_json(await request.body())
        except ValidationError as exc:
            problems = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
            raise RequestValidationError(problems) from None
        await run_in_threadpool(site.set_home, HomeSettings(**body.model_dump()))
        return body

    @api.post(
        "/ingest",
        response_model=IngestResult,
        responses=errors(400, 401, 403, 404, 413),
        openapi_extra={"requestBody": UPLOAD_BODY, **WORKING},
    )
    async def ingest_file(request: Request, credentials: Credentials = None) -> IngestResult:
        """Import a file with a bundled mapping profile (token required), then index it. Files
        the profile reads beside it (a JSON-LD source's context files) go in ``companion``."""
        # The token before a byte of the body is read: the form is parsed here, not by FastAPI
        # (which reads a declared form before it checks anything).
        site.guard.check_bearer(credentials)
        if not site.has_catalogue:
            raise NotFound("web.no_catalogue")
        limits = site.limits
        try:
            form = await request.form(
                max_files=limits.upload_files_max, max_fields=10, max_part_size=64 * 1024
            )
        except MultiPartException as exc:
            raise BadInput("web.upload_unreadable", detail=exc.message) from None
        except HTTPException as exc:  # Starlette's own word for a MultiPartException
            if isinstance(exc, BodyTooLarge):
                raise
            raise BadInput("web.upload_unreadable", detail=exc.detail) from None
        try:
            profile = form.get("profile")
            main = form.get("file")
            if not isinstance(profile, str) or not profile:
                raise BadInput("web.upload_unreadable", detail="profile")
            if not isinstance(main, StarletteUpload):
                raise BadInput("web.upload_missing")
            companions = [f for f in form.getlist("companion") if isinstance(f, StarletteUpload)]
            return await run_in_threadpool(_import, site, profile, main, companions)
        finally:
            await form.close()


def _image_form(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["image"],
                    "properties": {
                        "image": {
                            "type": "string",
                            "format": "binary",
                            "description": "An image file (JPEG, PNG, WebP, GIF, TIFF)",
                        },
                        **extra,
                    },
                }
            }
        },
    }


async def _image_upload(request: Request, site: Site) -> tuple[StarletteUpload, dict[str, str]]:
    """The form's ``image`` and its text fields, read after the caller's checks."""
    limits = site.limits
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=64 * 1024)
    except MultiPartException as exc:
        raise BadInput("web.upload_unreadable", detail=exc.message) from None
    except HTTPException as exc:
        if isinstance(exc, BodyTooLarge):
            raise
        raise BadInput("web.upload_unreadable", detail=exc.detail) from None
    image = form.get("image")
    if not isinstance(image, StarletteUpload):
        await form.close()
        raise BadInput("web.upload_missing")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    upload_name(image.filename, limits.upload_name_max)
    return image, fields


def _provenance_routes(api: APIRouter, site: Site) -> None:
    @api.post(
        "/provenance/lookup",
        responses={200: {"model": LookupResponse}, **errors(400, 404, 413)},
        openapi_extra={"requestBody": _image_form({}), **WORKING},
    )
    async def lookup(request: Request) -> Any:
        """Is this image a registered work's? Matches within PDQ distance 31 under any
        rotation or flip; ``undecided`` when its PDQ quality is too low to say."""
        if not site.has_catalogue:
            raise NotFound("web.no_catalogue")
        image, _ = await _image_upload(request, site)
        try:
            data = await image.read()
        finally:
            await image.close()
        name = image.filename or "image"
        found = await run_in_threadpool(
            lambda: site.reading(lambda: site.registry().lookup(data, name))
        )
        return msgspec.to_builtins(found)

    @api.post(
        "/provenance/register",
        responses={200: {"model": list[RegisteredResponse]}, **errors(400, 401, 403, 404, 413)},
        openapi_extra={
            "requestBody": _image_form(
                {
                    "work": {"type": "string", "description": "The work the image shows"},
                    "label": {
                        "type": "string",
                        "enum": ["human", "ai-assisted", "synthetic", "unknown"],
                        "description": "Creation label (default: the work's)",
                    },
                }
            ),
            **WORKING,
        },
    )
    async def register(request: Request, credentials: Credentials = None) -> Any:
        """Register an image of a work in the image registry (token required)."""
        site.guard.check_bearer(credentials)  # before a byte of the body is read
        if not site.has_catalogue:
            raise NotFound("web.no_catalogue")
        image, fields = await _image_upload(request, site)
        try:
            data = await image.read()
        finally:
            await image.close()
        name = image.filename or "image"

        def write() -> list[Any]:
            with site.writer() as catalogue:
                done = site.registry(catalogue).register(
                    [(name, data)],
                    work_id=fields.get("work") or None,
                    # Present but empty is a wrong label, not « the work's »: refused.
                    label=fields.get("label"),
                )
            return list(msgspec.to_builtins(done))

        return await run_in_threadpool(write)


UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "profile"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A catalogue export (CSV, JSON, JSON-LD)",
                    },
                    "profile": {
                        "type": "string",
                        "minLength": 1,
                        "description": "A bundled mapping profile's name",
                    },
                    "companion": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        # The main file and its companions: LANTERNE_UPLOAD_FILES_MAX files in
                        # all (the declared default; a server given more accepts more).
                        "maxItems": int(setting("upload_files_max").default) - 1,
                        "description": "Files the profile reads beside the file, by their names "
                        "(e.g. a JSON-LD source's context files)",
                    },
                },
            }
        }
    },
}
"""The import's form, declared by hand: the route parses it itself, after the token."""


def _import(
    site: Site, profile: str, main: StarletteUpload, companions: list[StarletteUpload]
) -> IngestResult:
    """Save the uploads under their own names in a folder of their own, import, index."""
    from lanterne.ingest import (
        IngestOptions,
        bundled_mapping_profiles,
        ingest,
        load_mapping_profile,
    )

    if profile not in bundled_mapping_profiles():
        raise NotFound(
            "profile.not_found", name=profile, known=", ".join(bundled_mapping_profiles())
        )
    limit = site.limits.upload_name_max
    names = [upload_name(f.filename, limit) for f in (main, *companions)]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise BadInput("web.upload_duplicate_name", name=name)
    with tempfile.TemporaryDirectory(prefix="lanterne-upload-") as tmp:
        folder = Path(tmp)
        for upload, name in zip((main, *companions), names, strict=True):
            upload.file.seek(0)
            with (folder / name).open("wb") as out:
                shutil.copyfileobj(upload.file, out, 1 << 20)
        options = IngestOptions(display_root=str(folder))
        try:
            with site.writer() as catalogue:
                summary = ingest(
                    catalogue, folder / names[0], load_mapping_profile(profile), options
                )
        except LanterneError as exc:
            # Name the files as the client sent them, never where this server saved them.
            exc.params = {k: _shown(v, folder) for k, v in exc.params.items()}
            exc.args = (exc.message("en"),)
            raise
    indexed, removed = site.refresh()
    data = msgspec.to_builtins(summary)
    return IngestResult(
        **{k: data[k] for k in IngestResult.model_fields if k in data},
        indexed=indexed,
        removed=removed,
    )


def _shown(value: object, folder: Path) -> object:
    text = str(value)
    if str(folder) not in text:
        return value
    return text.replace(f"{folder}{os.sep}", "").replace(str(folder), ".")
