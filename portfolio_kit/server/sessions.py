"""The signed session cookie shared by the dashboard server and its kernels.

The server issues the cookie after a successful sign-in; every later request
carries it. Two parties check it with the same secret:

- the server's identity provider, before it serves a page, a widget
  websocket or any API call;
- the dashboard kernel, which receives from Voila (``http_header_envs``)
  only ``SESSION_HEADER``, the one cookie value the server authenticated,
  and still verifies it, since it must not trust anything a browser sent
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

from tornado.web import create_signed_value, decode_signed_value

COOKIE_NAME = "portfolio_kit_session"

SESSION_HEADER = "X-Portfolio-Kit-Session"
"""The request header in which the server hands a kernel the session it authenticated.

The identity provider sets it on every request it authenticates, replacing
whatever a browser sent under that name, to exactly the cookie value it
accepted; Voila passes it to the kernel (``http_header_envs``) as
``SESSION_ENV``. A kernel never reads the ``Cookie`` header itself: with
duplicate cookies it could pick a different one from the server's.
"""

SESSION_ENV = "HTTP_" + SESSION_HEADER.upper().replace("-", "_")
"""The kernel environment variable Voila fills from ``SESSION_HEADER``."""

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


def session_cookie_values(cookie_header: str | None) -> list[str]:
    """Every value of the session cookie in a raw ``Cookie`` header, in order.

    A browser sends one pair per stored cookie, so the same name can appear
    more than once (a cookie set for ``/`` and another, stale one for
    ``/voila/``); the order says nothing about which is genuine. Callers must
    therefore consider every value, never "the first" or "the last". Pairs
    are read one by one, so another site's malformed cookie (which makes
    ``http.cookies.SimpleCookie`` reject the whole header) hides nothing.
    """
    if not cookie_header:
        return []
    values = []
    for part in cookie_header.split(";"):
        name, separator, value = part.strip().partition("=")
        if not separator or name.strip() != COOKIE_NAME:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if value:
            values.append(value)
    return values
