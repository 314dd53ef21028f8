"""``/oai``: the OAI-PMH 2.0 data provider (``lanterne.publish.respond``), by GET and by POST
(``application/x-www-form-urlencoded``), every answer XML with HTTP 200, errors included.

A harvester reads a list page by page, one request at a time, and parses each page before it
asks for the next: the server writes that next page meanwhile (``_ReadAhead``), from the token
it has just sent, so that writing a page and parsing the last one run at once rather than one
after the other. The page written ahead is served only if the catalogue logged no change since
it was written; otherwise, or when no page was written for that token, the answer is written
then, as it would have been. The resumption tokens stay stateless: what is kept is a cache.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from lanterne._location import display_name
from lanterne.catalogue import Catalogue
from lanterne.publish import OaiConfig, respond
from lanterne.web._site import Site

MEDIA_TYPE = "text/xml; charset=utf-8"
_LISTS = ("ListRecords", "ListIdentifiers")
_TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
_AHEAD_LISTS = 8
"""Lists whose next page is kept written ahead at most (the oldest is dropped first)."""


def _date(now: dt.datetime) -> bytes:
    return b"<responseDate>" + now.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + b"</responseDate>"


class _ReadAhead:
    """The next page of the lists being harvested, written in a thread of its own."""

    def __init__(self, reader: Callable[[], Catalogue], config: OaiConfig) -> None:
        self._reader = reader
        self._config = config
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oai-read-ahead")
        self._pages: OrderedDict[tuple[str, str, str], Future[tuple[int, bytes, bytes]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def take(self, pairs: list[tuple[str, str]], base_url: str) -> bytes | None:
        """The answer to ``pairs`` written ahead, if it was and still holds; else ``None``."""
        key = _resumed(pairs, base_url)
        if key is None:
            return None
        with self._lock:
            future = self._pages.pop(key, None)
        if future is None:
            return None
        try:
            seq, date, body = future.result()
        except Exception:
            return None  # written again now: the error, if it is one, is the answer's
        if self._reader().last_change() != seq:
            return None  # an import changed the catalogue since: that page may differ now
        return body.replace(date, _date(dt.datetime.now(dt.UTC)), 1)

    def after(self, pairs: list[tuple[str, str]], body: bytes, base_url: str) -> None:
        """Start writing the page that follows the answer ``body`` to ``pairs``, if any."""
        verb = next((v for k, v in pairs if k == "verb"), None)
        if verb not in _LISTS:
            return
        found = _TOKEN.search(body, max(0, len(body) - 2048))  # the token closes the list
        if found is None:
            return
        token = found.group(1).decode("ascii")
        key = (str(verb), token, base_url)
        future = self._pool.submit(self._write, key)
        with self._lock:
            self._pages[key] = future
            while len(self._pages) > _AHEAD_LISTS:
                self._pages.popitem(last=False)

    def _write(self, key: tuple[str, str, str]) -> tuple[int, bytes, bytes]:
        verb, token, base_url = key
        catalogue = self._reader()
        seq = catalogue.last_change()  # read before the page: a change meanwhile shows
        now = dt.datetime.now(dt.UTC)
        pairs = [("verb", verb), ("resumptionToken", token)]
        return seq, _date(now), respond(catalogue, pairs, self._config, base_url, now)


def _resumed(pairs: list[tuple[str, str]], base_url: str) -> tuple[str, str, str] | None:
    """``(verb, token, base_url)`` of a request that resumes a list, with nothing else."""
    if len(pairs) != 2:
        return None
    given = dict(pairs)
    verb, token = given.get("verb"), given.get("resumptionToken")
    if verb not in _LISTS or token is None:
        return None
    return str(verb), token, base_url


def oai_router(site: Site) -> APIRouter:
    """The routes of ``/oai`` over the site's catalogue (settings read once, here)."""
    from lanterne.settings import text

    router = APIRouter()
    name = Path(display_name(site.catalogue_path)).stem if site.catalogue_path is not None else ""
    config = OaiConfig.from_settings(name)
    # Under ``serve --workers N`` the next request may reach another process, which would have
    # written the page for nothing: each process then writes what it is asked for only.
    ahead = None if text("worker_secret") else _ReadAhead(site.reader, config)

    def answer(request: Request, pairs: list[tuple[str, str]]) -> Response:
        # The address the harvester called is the baseURL it must see echoed.
        base_url = str(request.url.replace(query=""))
        body = ahead.take(pairs, base_url) if ahead is not None else None
        if body is None:
            body = respond(site.reader(), pairs, config, base_url)
        # Once the answer is sent: a page written meanwhile would hold the lock of the
        # interpreter while the answer waits to go out.
        later = BackgroundTask(ahead.after, pairs, body, base_url) if ahead is not None else None
        return Response(body, media_type=MEDIA_TYPE, background=later)

    @router.get("/oai", include_in_schema=False)
    def oai_get(request: Request) -> Response:
        return answer(request, request.query_params.multi_items())

    @router.post("/oai", include_in_schema=False)
    async def oai_post(request: Request) -> Response:
        raw = await request.body()
        # Bytes that are not UTF-8 become U+FFFD: the arguments are then unknown, not a crash.
        pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        return await run_in_threadpool(answer, request, pairs)

    return router


__all__ = ["oai_router"]
