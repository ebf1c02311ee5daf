"""The signed session cookie shared by the dashboard server and its kernels.

The server issues the cookie after a successful sign-in; every later request
carries it. Two parties check it with the same secret:

- the server's identity provider, before it serves a page, a widget
  websocket or any API call;
- the dashboard kernel, which receives the request's ``Cookie`` header from
  Voila (``http_header_envs``) and must not trust anything a browser sent
  unless the server signed it.

The value is a tornado signed value (HMAC-SHA256 over name, timestamp and
payload) of a small JSON document. It holds no password and no fund list:
the kernel re-reads the user and their grants from the database, so a grant
revoked a minute ago is already in force on the next page.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from tornado.web import create_signed_value, decode_signed_value

COOKIE_NAME = "portfolio_kit_session"

_CLOCK_SKEW_SECONDS = 60
"""How far in the future an issue time may lie before a cookie is refused."""


@dataclass(frozen=True, slots=True)
class SessionClaims:
    """What a session cookie says about its holder.

    ``password_fingerprint`` changes whenever the user's password hash does,
    so changing a password (or an admin resetting it) ends every session
    issued before.
    """

    user_id: int
    email: str
    session_id: str
    issued_at: float
    password_fingerprint: str

    def expires_at(self, max_age_hours: float) -> float:
        return self.issued_at + max_age_hours * 3600.0


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored password hash (never the hash itself)."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def new_claims(
    user_id: int, email: str, password_hash: str, *, now: float | None = None
) -> SessionClaims:
    """Claims for a fresh session with a random session id."""
    return SessionClaims(
        user_id=user_id,
        email=email,
        session_id=secrets.token_urlsafe(18),
        issued_at=time.time() if now is None else now,
        password_fingerprint=password_fingerprint(password_hash),
    )


def encode_session(secret: bytes, claims: SessionClaims) -> str:
    """The cookie value for ``claims``, signed with ``secret``."""
    payload = json.dumps(
        {
            "uid": claims.user_id,
            "email": claims.email,
            "sid": claims.session_id,
            "iat": claims.issued_at,
            "pwd": claims.password_fingerprint,
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    return create_signed_value(secret, COOKIE_NAME, payload).decode("ascii")


def decode_session(
    secret: bytes, value: str | None, *, max_age_hours: float, now: float | None = None
) -> SessionClaims | None:
    """The claims of a genuine, unexpired cookie value, or None.

    None covers every way a value can be unacceptable (absent, forged,
    tampered with, signed with another secret, expired, issued in the
    future, malformed), because the caller's answer is the same: sign in.
    """
    if not value or max_age_hours <= 0:
        return None
    # tornado's own age check works in whole days; the exact check is below.
    raw = decode_signed_value(secret, COOKIE_NAME, value, max_age_days=max_age_hours / 24.0 + 1.0)
    if raw is None:
        return None
    try:
        payload = json.loads(raw)
        claims = SessionClaims(
            user_id=int(payload["uid"]),
            email=str(payload["email"]),
            session_id=str(payload["sid"]),
            issued_at=float(payload["iat"]),
            password_fingerprint=str(payload["pwd"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    current = time.time() if now is None else now
    if claims.issued_at > current + _CLOCK_SKEW_SECONDS:
        return None
    if current >= claims.expires_at(max_age_hours):
        return None
    return claims


def session_cookie_from_header(cookie_header: str | None) -> str | None:
    """The session cookie's value in a raw ``Cookie`` request header, or None."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return _scan_cookie_header(cookie_header)
    morsel = jar.get(COOKIE_NAME)
    if morsel is None:
        return _scan_cookie_header(cookie_header)
    return morsel.value


def _scan_cookie_header(cookie_header: str) -> str | None:
    # SimpleCookie gives up on a whole header when another site's cookie is
    # malformed; reading pairs one by one keeps ours readable regardless.
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE_NAME:
            return value.strip().strip('"') or None
    return None
