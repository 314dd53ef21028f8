"""An OAI-PMH 2.0 client for the harvester: requests with retries and bounds, responses parsed
safely into headers, payloads and resumption tokens.

Every response is read with a parser that loads no DTD, expands no entity and opens no network
connection (an XML bomb's entities stay unexpanded references, which the harvester refuses
record by record). A network error or a 503 (429, 500, 502, 504) is retried after the server's
``Retry-After`` or a doubling back-off; the harvest's requests and duration are bounded
(``HarvestLimits``). OAI errors come back as ``OaiAnswer.error`` whatever the HTTP status
(Zenodo answers them with 422).
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import msgspec
from lxml import etree

from lanterne import __version__
from lanterne.errors import HarvestFailed
from lanterne.settings import HarvestLimits

OAI = "http://www.openarchives.org/OAI/2.0/"
_O = f"{{{OAI}}}"
RETRIED = frozenset({429, 500, 502, 503, 504})
_TOKEN = re.compile(rb"<(?:\w+:)?resumptionToken\b[^>]*>([^<]*)</(?:\w+:)?resumptionToken>")


def safe_parser() -> etree.XMLParser:
    """A parser that reads no DTD, expands no entity and opens no network connection."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class OaiRecord(msgspec.Struct, kw_only=True):
    """One record of a ListRecords page: its header and, unless deleted, its payload."""

    identifier: str
    datestamp: str
    sets: list[str]
    deleted: bool
    payload: Any = None
    """The ``metadata`` element's child (an ``lxml`` element), ``None`` when deleted."""
    problem: str = ""
    """Why the record cannot be read (no identifier, no payload, an unexpanded entity)."""
    raw: str = ""


class OaiAnswer(msgspec.Struct, kw_only=True):
    """A parsed response: its date, its error if any, and for a list its records and token."""

    response_date: str
    error: str = ""
    """The OAI error code (``noRecordsMatch``, ``badResumptionToken``…)."""
    message: str = ""
    root: Any = None
    records: list[OaiRecord] = []
    token: str | None = None
    """The resumption token of the next page; ``None`` when this page ends the list."""


class Unreadable(Exception):
    """A response that is not well-formed OAI-PMH XML; ``token`` is what could be found of its
    resumption token (so the list goes on past it)."""

    def __init__(self, detail: str, body: bytes) -> None:
        super().__init__(detail)
        self.detail = detail
        self.body = body
        found = _TOKEN.search(body)
        self.token = found.group(1).decode("utf-8", "replace").strip() if found else None


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _entities(element: etree._Element) -> list[str]:
    return [str(e.text) for e in element.iter() if isinstance(e, etree._Entity)]


def parse_answer(body: bytes) -> OaiAnswer:
    """The OAI-PMH response ``body``; ``Unreadable`` when it is not one."""
    try:
        root = etree.fromstring(body, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise Unreadable(str(exc), body) from None
    if root.tag != f"{_O}OAI-PMH":
        raise Unreadable(f"élément racine {root.tag}, pas OAI-PMH", body)
    answer = OaiAnswer(response_date=_text(root.find(f"{_O}responseDate")), root=root)
    error = root.find(f"{_O}error")
    if error is not None:
        answer.error = error.get("code", "")
        answer.message = _text(error)
        return answer
    listing = root.find(f"{_O}ListRecords")
    if listing is None:
        listing = root.find(f"{_O}GetRecord")
    if listing is None:
        return answer
    for element in listing.findall(f"{_O}record"):
        answer.records.append(_record(element))
    token = listing.find(f"{_O}resumptionToken")
    answer.token = _text(token) or None
    return answer


def _record(element: etree._Element) -> OaiRecord:
    header = element.find(f"{_O}header")
    raw = etree.tostring(element, encoding="unicode")
    if header is None:
        return OaiRecord(
            identifier="", datestamp="", sets=[], deleted=False, problem="sans en-tête", raw=raw
        )
    record = OaiRecord(
        identifier=_text(header.find(f"{_O}identifier")),
        datestamp=_text(header.find(f"{_O}datestamp")),
        sets=[_text(s) for s in header.findall(f"{_O}setSpec")],
        deleted=header.get("status") == "deleted",
        raw=raw,
    )
    if not record.identifier:
        record.problem = "en-tête sans identifiant"
    if record.deleted:
        return record
    metadata = element.find(f"{_O}metadata")
    children = [c for c in metadata if isinstance(c.tag, str)] if metadata is not None else []
    if len(children) != 1:
        record.problem = record.problem or f"{len(children)} éléments dans <metadata> au lieu d'un"
        return record
    record.payload = children[0]
    found = _entities(element)
    if found:
        shown = ", ".join(sorted(set(found))[:3])
        record.problem = record.problem or f"entité XML non développée ({shown})"
    return record


class OaiClient:
    """Requests to one OAI-PMH base URL, counted and bounded by ``limits``."""

    def __init__(
        self,
        url: str,
        limits: HarvestLimits,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.url = url
        self.limits = limits
        self.requests = 0
        self.retries = 0
        self._sleep = sleep
        self._max_bytes = max_bytes
        self._deadline = time.monotonic() + limits.seconds_max
        timeout = httpx.Timeout(float(limits.timeout_max))
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
            headers={"User-Agent": f"Lanterne/{__version__} (OAI-PMH harvester)"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OaiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exhausted(self) -> str:
        """The setting whose bound is reached, or ``""``."""
        if self.requests >= self.limits.requests_max:
            return "LANTERNE_HARVEST_REQUESTS_MAX"
        if time.monotonic() >= self._deadline:
            return "LANTERNE_HARVEST_SECONDS_MAX"
        return ""

    def get(self, **params: str) -> bytes:
        """The body of one request, after retries; ``HarvestFailed`` when they run out."""
        attempt = 0
        while True:
            bound = self.exhausted()
            if bound:
                raise HarvestFailed("harvest.bounded", url=self.url, bound=bound)
            self.requests += 1
            try:
                status, headers, body = self._fetch(params)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                wait = None
            else:
                if status not in RETRIED:
                    return body
                problem = f"HTTP {status}"
                wait = _retry_after(headers.get("retry-after"))
            if attempt >= self.limits.retries_max:
                raise HarvestFailed(
                    "harvest.unreachable", url=self.url, detail=problem, tries=str(attempt + 1)
                )
            delay = wait if wait is not None else self.limits.backoff_ms / 1000 * 2**attempt
            remaining = self._deadline - time.monotonic()
            self._sleep(max(0.0, min(delay, remaining)))
            attempt += 1
            self.retries += 1

    def _fetch(self, params: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        with self._http.stream("GET", self.url, params=params) as response:
            body = bytearray()
            for piece in response.iter_bytes():
                body += piece
                if len(body) > self._max_bytes:
                    raise HarvestFailed(
                        "harvest.too_large", url=self.url, limit=str(self._max_bytes)
                    )
            return response.status_code, response.headers, bytes(body)

    def answer(self, **params: str) -> tuple[OaiAnswer | None, Unreadable | None]:
        """One request parsed: the answer, or why it could not be read (with its body)."""
        body = self.get(**params)
        try:
            return parse_answer(body), None
        except Unreadable as bad:
            return None, bad


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
