"""Answers gzip-compressed for clients that accept it (RGESN 6.3), and the CSRF field
masked afresh on every page so that compression does not leak it (BREACH)."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import hmac
import re
from pathlib import Path

import httpx
import pytest

from lanterne.errors import Forbidden
from lanterne.web import create_app
from lanterne.web._security import Guard
from web_helpers import Client, demo_site


@pytest.fixture
def client(demo_catalogue: Path) -> Client:
    return Client(create_app(demo_site(demo_catalogue)))


def _raw(client: Client, path: str, encoding: str | None) -> httpx.Response:
    """The answer as it went on the wire: httpx decodes gzip itself unless asked not to."""
    headers = {"Accept-Encoding": encoding} if encoding else {"Accept-Encoding": "identity"}
    return client.request("GET", path, headers=headers)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/recherche?q=jazz",
        "/static/htmx.min.js",
        "/api/search?q=musique",
        "/oai?verb=Identify",
    ],
)
def test_pages_api_and_static_files_are_gzip_compressed_when_accepted(
    client: Client, path: str
) -> None:
    plain = _raw(client, path, None)
    packed = _raw(client, path, "gzip, deflate")
    assert plain.status_code == packed.status_code == 200, path
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    sent = int(packed.headers["content-length"])
    assert sent < len(plain.content) // 2, (path, sent, len(plain.content))
    if path.startswith("/static/"):
        assert packed.content == plain.content  # httpx decoded the gzip body back


def test_compressed_body_is_the_identity_body(client: Client) -> None:
    """Decompressed by gzip itself (not httpx), the htmx file is byte for byte the one served
    without compression."""
    transport = client.transport

    async def fetch(encoding: str) -> tuple[httpx.Headers, bytes]:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            request = c.build_request(
                "GET", "/static/htmx.min.js", headers={"Accept-Encoding": encoding}
            )
            answer = await c.send(request, stream=True)
            body = b"".join([part async for part in answer.aiter_raw()])
            await answer.aclose()
            return answer.headers, body

    plain_headers, plain = asyncio.run(fetch("identity"))
    packed_headers, packed = asyncio.run(fetch("gzip"))
    assert packed_headers["content-encoding"] == "gzip"
    assert int(packed_headers["content-length"]) == len(packed) < len(plain)
    assert gzip.decompress(packed) == plain
    assert int(plain_headers["content-length"]) == len(plain)


def test_short_answers_are_not_compressed(client: Client) -> None:
    # An error's JSON is a few hundred bytes: the gzip header would cost more than it saves.
    missing = client.request("GET", "/api/works/nope", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404 and "content-encoding" not in missing.headers


def test_csrf_field_differs_on_every_page_breach(client: Client) -> None:
    """The same visitor (one cookie) gets a different hidden field on every page: a constant
    secret beside echoed search text would be readable from compressed sizes (BREACH)."""
    fields = set()
    for n in range(5):
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(f"/recherche?q=a{n}").text)
        assert found
        fields.add(found.group(1))
    assert len(fields) == 5
    # Every one of them is accepted for that visitor's cookie.
    for field in fields:
        switched = client.post("/langue", data={"lang": "fr", "csrf": field, "suite": "/"})
        assert switched.status_code == 303


def test_csrf_masked_field_refused_when_tampered_or_for_another_cookie() -> None:
    guard = Guard(None)
    field = guard.form_token("cookie-a")
    guard.check_form("cookie-a", field)  # accepted
    flipped = field[:-1] + ("0" if field[-1] != "0" else "1")
    for cookie, wrong in (
        ("cookie-a", flipped),
        ("cookie-a", field[:64]),  # the pad alone
        ("cookie-a", field + "00"),
        ("cookie-a", "zz" * 64),  # not hexadecimal
        ("cookie-b", field),  # another visitor's field
        ("cookie-a", ""),
    ):
        with pytest.raises(Forbidden):
            guard.check_form(cookie, wrong)
    # The old unmasked form (the bare HMAC) is no longer a valid field either.
    bare = hmac.new(guard._secret, b"cookie-a", hashlib.sha256).hexdigest()
    with pytest.raises(Forbidden):
        guard.check_form("cookie-a", bare)


def test_versioned_static_files_are_kept_a_year_others_an_hour(client: Client) -> None:
    """No answer said how long a browser may keep it: every page load asked again for the style
    sheet, htmx and the script, though their addresses change with their versions."""
    page = client.get("/").text
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+\?v=[^"]+)"', page):
        found = client.get(asset)
        assert found.status_code == 200
        assert found.headers["cache-control"] == "public, max-age=31536000, immutable", asset
    icon = client.get("/static/favicon.svg")
    assert icon.headers["cache-control"] == "public, max-age=3600" and icon.headers["etag"]
    again = client.get("/static/favicon.svg", headers={"If-None-Match": icon.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "public, max-age=3600"
    assert "cache-control" not in client.get("/").headers  # pages: not kept
    assert client.get("/static/absent.css?v=1").status_code == 404
    assert "cache-control" not in client.get("/static/absent.css?v=1").headers
