"""Sock-puppet personas that browse a recommender and write captures in the open format.

A persona starts from a few works, opens the home surface once per session, clicks one work
(the first that matches its taste, else the first shown) and carries it into its history, as a
viewer would. ``control`` personas click nothing: their history never changes, the baseline
against which drift is judged. Everything stays on loopback, bounded in requests and time.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import msgspec

from lanterne.audit._capture import Capture
from lanterne.errors import BadInput, NotLoopback, ToolMissing

if TYPE_CHECKING:
    from lanterne.audit._rights import PlatformRights


class Persona(msgspec.Struct, kw_only=True):
    name: str
    history: list[str]
    group: str = "treated"
    """``control``: never clicks."""
    taste: dict[str, str] = {}
    """Attribute and value it clicks first (``genre=g0``)."""


def read_personas(path: Path) -> list[Persona]:
    """The personas of a JSON file; ``BadInput`` naming the file when it cannot be read."""
    try:
        return msgspec.json.decode(path.read_bytes(), type=list[Persona])
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise BadInput("audit.bad_personas", path=path, detail=str(exc)) from None
    except RecursionError:  # an unknown field nested thousands deep, skipped by recursion
        raise BadInput("audit.bad_personas", path=path, detail="nested too deep") from None


class Shown(msgspec.Struct, kw_only=True):
    item: str
    position: int
    row: int | None = None
    column: int | None = None
    title: str | None = None
    attributes: dict[str, str | list[str]] = {}


class Platform(Protocol):
    """What the simulator needs from a platform: the home surface for a history."""

    name: str

    def home(self, history: Sequence[str]) -> list[Shown]: ...


class SimulationLimits(msgspec.Struct, frozen=True, kw_only=True):
    max_requests: int = 10_000
    max_seconds: float = 600.0
    timeout: float = 10.0


def check_loopback(url: str) -> str:
    """The first address of ``url``'s host, refusing any host that is not this machine's
    loopback (``loopback_addresses``)."""
    return loopback_addresses(url)[0]


def loopback_addresses(url: str) -> list[str]:
    """The addresses of ``url``'s host, refusing any host that is not this machine's loopback.

    The name is resolved once and every address it gives must be loopback; callers connect to
    one of these addresses, never to the name again (a second resolution could answer
    elsewhere).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
        if parts.scheme not in ("http", "https") or not host:
            raise ValueError("http://HOST:PORT expected")
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError) as exc:
        raise NotLoopback("audit.unresolvable", host=host or url, detail=str(exc)) from None
    addresses = [str(info[4][0]) for info in infos]
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_loopback:
            raise NotLoopback("audit.not_loopback", host=host, address=address)
    if not addresses:
        raise NotLoopback("audit.unresolvable", host=host, detail="no address")
    return addresses


def _listening(addresses: list[str], port: int, timeout: float) -> str:
    """The first of ``addresses`` that accepts a connection on ``port`` (``localhost`` is often
    ::1 first, and a server may listen on 127.0.0.1 only), else the first."""
    for address in addresses:
        try:
            socket.create_connection((address, port), timeout=timeout).close()
        except OSError:
            continue
        return address
    return addresses[0]


def _pinned(url: str, address: str) -> tuple[str, str]:
    """``url`` with its host replaced by ``address``, and the ``Host`` header it had."""
    parts = urlsplit(url)
    host_port = parts.netloc.rpartition("@")[2]
    literal = f"[{address}]" if ":" in address else address
    netloc = literal + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")), host_port


class _Entry(msgspec.Struct):
    item: str
    position: int
    row: int | None = None
    column: int | None = None
    title: str | None = None
    attributes: dict[str, str | list[str]] | None = None


class _Answer(msgspec.Struct):
    items: list[_Entry]


class LanterneHTTP:
    """Lanterne's own recommendation API (``GET /api/recommend``) as a platform."""

    name = "lanterne"

    def __init__(
        self,
        base_url: str,
        *,
        k: int = 10,
        surface: str = "grid",
        goals: Sequence[str] = (),
        timeout: float = 10.0,
    ) -> None:
        import httpx

        self.url = base_url
        # Connect to the address checked, naming the host in the header as the server expects.
        addresses = loopback_addresses(base_url)
        parts = urlsplit(base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _listening(addresses, port, timeout) if len(addresses) > 1 else addresses[0]
        pinned, host = _pinned(base_url, address)
        self.client = httpx.Client(
            base_url=pinned, headers={"Host": host}, timeout=timeout, trust_env=False
        )
        self.params: list[tuple[str, Any]] = [("k", k), ("surface", surface)] + [
            ("goal", g) for g in goals
        ]

    def home(self, history: Sequence[str]) -> list[Shown]:
        import httpx

        try:
            response = self.client.get(
                "/api/recommend", params=self.params + [("history", h) for h in history]
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise ToolMissing(
                "audit.platform_unreachable", url=self.url, detail=str(exc) or type(exc).__name__
            ) from None
        try:
            answer = msgspec.json.decode(response.content, type=_Answer)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ToolMissing("audit.platform_bad_answer", url=self.url, detail=str(exc)) from None
        return [
            Shown(
                item=e.item,
                position=e.position,
                row=e.row,
                column=e.column,
                title=e.title,
                attributes=e.attributes or {},
            )
            for e in answer.items
        ]

    def rights(self, items: Sequence[str], max_items: int = 50) -> PlatformRights:
        """What the platform's ``robots.txt`` and TDMRep say of ``items`` (``_rights``)."""
        import httpx

        from lanterne.audit._rights import read_rights

        try:
            return read_rights(self.client, self.name, items, max_items=max_items)
        except httpx.HTTPError as exc:
            raise ToolMissing(
                "audit.platform_unreachable", url=self.url, detail=str(exc) or type(exc).__name__
            ) from None

    def close(self) -> None:
        self.client.close()


def _choose(shown: list[Shown], taste: dict[str, str], history: set[str]) -> str | None:
    fresh = [s for s in shown if s.item not in history]
    for s in fresh:
        if all(
            (v in s.attributes.get(a, ()))
            if isinstance(s.attributes.get(a), list)
            else s.attributes.get(a) == v
            for a, v in taste.items()
        ):
            return s.item
    return fresh[0].item if fresh else None


def simulate(
    platform: Platform,
    personas: Sequence[Persona],
    sessions: int,
    *,
    limits: SimulationLimits | None = None,
    start: dt.datetime | None = None,
) -> Iterator[Capture]:
    """Captures of every list shown, persona after persona, session after session."""
    limits = limits or SimulationLimits()
    start = start or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    began = time.monotonic()
    requests = 0
    states = {p.name: list(p.history) for p in personas}
    for session in range(sessions):
        for persona in personas:
            if requests >= limits.max_requests or time.monotonic() - began > limits.max_seconds:
                return
            history = states[persona.name]
            shown = platform.home(history)
            requests += 1
            stamp = (start + dt.timedelta(hours=session, seconds=requests)).isoformat()
            for s in shown:
                yield Capture(
                    platform=platform.name,
                    surface="home",
                    persona=persona.name,
                    session=f"{persona.name}/s{session + 1}",
                    timestamp=stamp,
                    position=s.position,
                    row=s.row,
                    column=s.column,
                    item=s.item,
                    group=persona.group,
                    title=s.title,
                    attributes=s.attributes,
                )
            if persona.group != "control":
                clicked = _choose(shown, persona.taste, set(history))
                if clicked is not None:
                    history.append(clicked)


def write_jsonl(captures: Iterator[Capture], path: Path) -> int:
    """Write ``captures`` as JSON Lines to ``path``; the number of rows written."""
    count = 0
    try:
        handle = path.open("w", encoding="utf-8")
    except OSError as exc:
        raise BadInput("audit.cannot_write", path=path, reason=exc.strerror or str(exc)) from None
    with handle:
        for capture in captures:
            handle.write(json.dumps(msgspec.to_builtins(capture), ensure_ascii=False) + "\n")
            count += 1
    return count
