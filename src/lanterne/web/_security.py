"""Who may write, and forms that another site cannot submit for a visitor.

Write endpoints take ``Authorization: Bearer TOKEN`` (never a query parameter, which access logs
would record). Only a digest of the token is kept in memory. With no token configured, writing is
switched off rather than open.

HTML forms that change something carry a CSRF token: a random value in an HttpOnly,
SameSite=Strict cookie, and its HMAC under the site's secret in a hidden field (the signed
double-submit pattern); a POST whose field does not match its cookie is refused.

Pages are gzip-compressed and some echo what the visitor typed (a search), so the hidden field
is masked afresh on every page (a random pad, then the HMAC XOR the pad, as Django does): a
constant secret in a compressed page beside attacker-chosen text can be read back a character
at a time from the compressed sizes (BREACH); a value that changes on every answer cannot.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi.security import HTTPAuthorizationCredentials

from lanterne.errors import Forbidden, Unauthorised

CSRF_COOKIE = "lanterne_csrf"


class Guard:
    """The write token's digest and the secret that signs CSRF tokens."""

    def __init__(self, token: str | None, secret: bytes | None = None) -> None:
        self._token = hashlib.sha256(token.encode()).digest() if token else None
        self._secret = secret or secrets.token_bytes(32)

    @property
    def writes_enabled(self) -> bool:
        return self._token is not None

    def check_bearer(self, credentials: HTTPAuthorizationCredentials | None) -> None:
        """Raise unless the request carried ``Authorization: Bearer <the token>``."""
        if self._token is None:
            raise Forbidden("web.writes_disabled")
        if credentials is None or not credentials.credentials.strip():
            raise Unauthorised("web.token_missing")
        given = hashlib.sha256(credentials.credentials.strip().encode()).digest()
        if not hmac.compare_digest(given, self._token):
            raise Forbidden("web.token_invalid")

    def new_cookie(self) -> str:
        return secrets.token_urlsafe(24)

    def _mac(self, cookie: str) -> bytes:
        return hmac.new(self._secret, cookie.encode(), hashlib.sha256).digest()

    def form_token(self, cookie: str) -> str:
        """The hidden field's value for the visitor holding ``cookie``: the pad and the masked
        HMAC, in hexadecimal; different on every call (see the module's docstring)."""
        mac = self._mac(cookie)
        pad = secrets.token_bytes(len(mac))
        return (pad + bytes(a ^ b for a, b in zip(pad, mac, strict=True))).hex()

    def check_form(self, cookie: str | None, field: str | None) -> None:
        if not cookie or not field or not _unmasks_to(field, self._mac(cookie)):
            raise Forbidden("web.csrf")


def _unmasks_to(field: str, mac: bytes) -> bool:
    """Whether ``field`` is a pad followed by ``mac`` XOR that pad (in hexadecimal)."""
    try:
        raw = bytes.fromhex(field)
    except ValueError:
        return False
    if len(raw) != 2 * len(mac):
        return False
    pad, masked = raw[: len(mac)], raw[len(mac) :]
    return hmac.compare_digest(bytes(a ^ b for a, b in zip(pad, masked, strict=True)), mac)
