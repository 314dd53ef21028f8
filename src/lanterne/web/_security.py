"""Who may write, and forms that another site cannot submit for a visitor.

Write endpoints take ``Authorization: Bearer TOKEN`` (never a query parameter, which access logs
would record). Only a digest of the token is kept in memory. With no token configured, writing is
switched off rather than open.

HTML forms that change something carry a CSRF token: a random value in an HttpOnly,
SameSite=Strict cookie, and its HMAC under the site's secret in a hidden field (the signed
double-submit pattern); a POST whose field does not match its cookie is refused.
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

    def form_token(self, cookie: str) -> str:
        """The hidden field's value for the visitor holding ``cookie``."""
        return hmac.new(self._secret, cookie.encode(), hashlib.sha256).hexdigest()

    def check_form(self, cookie: str | None, field: str | None) -> None:
        if not cookie or not field or not hmac.compare_digest(self.form_token(cookie), field):
            raise Forbidden("web.csrf")
