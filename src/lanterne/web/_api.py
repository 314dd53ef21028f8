"""The JSON API: one error shape, OpenAPI at /api/openapi.json."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from lanterne.errors import LanterneError
from lanterne.recommend import Surface, parse_goal
from lanterne.recommend._service import Options, Source


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def create_app(source: Source, *, lang: str = "fr") -> FastAPI:
    """An application serving ``source``'s recommendations."""
    app = FastAPI(
        title="Lanterne",
        description="Découvrabilité des œuvres francophones / discoverability of francophone works",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )

    @app.exception_handler(LanterneError)
    async def lanterne_error(request: Request, exc: LanterneError) -> JSONResponse:
        status = 404 if exc.exit_code == 3 else 400
        return _error(status, exc.key, exc.message("en" if lang == "en" else "fr"))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "request.invalid", str(exc.errors()[:3]))

    @app.get("/api/recommend")
    def recommend(
        history: Annotated[list[str], Query(description="Works already liked")] = [],  # noqa: B006
        user: str | None = None,
        goal: Annotated[list[str], Query(description="ATTRIBUTE=VALUE:SHARE")] = [],  # noqa: B006
        surface: str = "uniform",
        curiosity: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
        diversifier: str = "mmr",
        k: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> dict[str, Any]:
        """Recommendations with explanations; goals guaranteed in the list when feasible."""
        if surface not in ("uniform", "log", "rbp", "grid"):
            return _error(422, "request.invalid", f"surface « {surface} »")  # type: ignore[return-value]
        if diversifier not in ("mmr", "calibrated", "longtail"):
            return _error(422, "request.invalid", f"diversifier « {diversifier} »")  # type: ignore[return-value]
        goals = tuple(parse_goal(g) for g in goal)
        surf = Surface(kind=surface)
        rec = source.with_options(
            Options(goals=goals, surface=surf, curiosity=curiosity, diversifier=diversifier, k=k)
        )
        items = source.history_of(user) if user is not None else source.indices(history)
        result = rec.recommend(items)
        cells = surf.grid_positions(k) if surface == "grid" else None
        out = []
        for pick in result.items:
            index = source.dataset.item_index[pick.item]
            entry: dict[str, Any] = {
                "item": pick.item,
                "title": source.title(pick.item),
                "position": pick.rank,
                "score": pick.score,
                "attributes": source.attributes(index),
                "explanation": None,
            }
            if cells is not None:
                row, column = cells[pick.rank - 1]
                entry["row"], entry["column"] = row + 1, column + 1
            if pick.explanation is not None:
                e = pick.explanation
                entry["explanation"] = {
                    "because": [{"item": b.item, "weight": b.weight} for b in e.because],
                    "placed_by": e.placed_by,
                    "goals": e.goals,
                    "replaced": e.replaced,
                }
            out.append(entry)
        goals_out = None
        if result.goals is not None:
            goals_out = {
                "names": result.goal_names,
                "achieved": result.goals.achieved,
                "feasible": result.goals.feasible,
                "satisfied": result.goals.satisfied,
            }
        return {"items": out, "goals": goals_out}

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "items": source.dataset.n_items}

    return app
