"""The demo site the web tests share: the bundled demo catalogue ingested, indexed, audited, with
the demo's home goals, as ``lanterne demo`` makes it; and an in-process ASGI client."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from lanterne.catalogue import open_catalogue
from lanterne.ingest import ingest, load_mapping_profile
from lanterne.recommend._service import catalogue_service
from lanterne.search._works import CatalogueIndex
from lanterne.web import Site
from lanterne.web._demo import DEMO_HOME, write_demo_audits

TOKEN = "jeton-de-test-6f1c"


def build_demo(folder: Path) -> Path:
    """The demo catalogue in ``folder``: (catalogue file); audits in ``folder/audits``."""
    path = folder / "demo.sqlite"
    build_demo_into(path, folder / "audits")
    return path


def build_demo_into(location: str | Path, audits: Path) -> None:
    """The demo catalogue ingested, indexed and audited into ``location`` (a file or a
    PostgreSQL URL), its audits in ``audits``."""
    demo = resources.files("lanterne.demo")
    with open_catalogue(location) as catalogue:
        for profile, name in (
            ("festivals-france", "festivals-demo.csv"),
            ("joconde-costumes", "joconde-demo.csv"),
        ):
            with resources.as_file(demo.joinpath(name)) as csv:
                ingest(catalogue, csv, load_mapping_profile(profile))
        CatalogueIndex(catalogue).update()
        write_demo_audits(catalogue_service(catalogue), audits, sessions=2)


def demo_site(path: Path | str, token: str | None = TOKEN, audits: Path | None = None) -> Site:
    where = audits if audits is not None else Path(path).parent / "audits"
    site = Site(path, audits=where, token=token, home=DEMO_HOME)
    return site


class Client:
    """An in-process ASGI client (no server, no socket); keeps cookies like a browser."""

    def __init__(self, app: Any) -> None:
        self.transport = httpx.ASGITransport(app=app)
        self.cookies = httpx.Cookies()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            async with httpx.AsyncClient(
                transport=self.transport, base_url="http://test", cookies=self.cookies
            ) as c:
                answer = await c.request(method, url, **kwargs)
                self.cookies.update(c.cookies)
                return answer

        return asyncio.run(call())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)
