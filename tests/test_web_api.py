"""The recommendation API in process (ASGI client): answers and the one error shape."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from lanterne.recommend._service import dataset_source
from lanterne.web import create_app
from test_audit import _dataset


class Client:
    """An in-process ASGI client (no server, no socket)."""

    def __init__(self, app: Any) -> None:
        self.transport = httpx.ASGITransport(app=app)

    def get(self, url: str, params: Any = None) -> httpx.Response:
        async def call() -> httpx.Response:
            async with httpx.AsyncClient(transport=self.transport, base_url="http://test") as c:
                return await c.get(url, params=params)

        return asyncio.run(call())


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Client:
    folder = tmp_path_factory.mktemp("api")
    return Client(create_app(dataset_source(_dataset(Path(folder)))))


def test_recommend_with_goals_on_a_grid(client: Client) -> None:
    answer = client.get(
        "/api/recommend",
        params=[
            ("history", "w1"),
            ("history", "w6"),
            ("goal", "european=true:0.6"),
            ("surface", "grid"),
        ],
    )
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["items"]) == 10
    assert body["goals"]["satisfied"] and body["goals"]["names"] == ["european=true"]
    first = body["items"][0]
    assert (first["row"], first["column"], first["position"]) == (1, 1, 1)
    assert {"because", "placed_by", "goals", "replaced"} <= set(first["explanation"])
    assert all("european" in item["attributes"] for item in body["items"])
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.get("/api/openapi.json").json()["paths"]["/api/recommend"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ([("history", "nope")], 404, "recommend.unknown_items"),
        ([("user", "nobody")], 404, "recommend.unknown_user"),
        ([("history", "w1"), ("goal", "european")], 400, "recommend.bad_goal"),
        ([("history", "w1"), ("surface", "spiral")], 422, "request.invalid"),
        ([("history", "w1"), ("curiosity", "2")], 422, "request.invalid"),
    ],
)
def test_errors_have_one_shape(
    client: Client, params: list[tuple[str, str]], status: int, code: str
) -> None:
    answer = client.get("/api/recommend", params=params)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]
