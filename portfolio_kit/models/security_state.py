"""Server security state that must outlive a restart: ended sign-in sessions
and the sign-in attempt counters.

Written by the dashboard server (a sign-out, a sign-in attempt); ended
sessions are also read by every dashboard kernel (read-only), so a session
ended in one process is refused in all of them. It is operational state,
not portfolio data: rows are written with plain Core statements outside the
audited sessions and are not audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portfolio_kit.models.base import Base, UTCDateTime


class RevokedSession(Base):
    """A session id refused from ``revoked_at`` until the cookie would have expired anyway."""

    __tablename__ = "revoked_sessions"
    audited = False

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), index=True)

    def audit_label(self) -> str:
        return f"revoked session of user {self.user_id}"


class LoginThrottle(Base):
    """Sign-in attempts counted against one key (an account or a client address).

    ``key`` is a SHA-256 of ``"account:" + normalised e-mail`` or ``"address:" +
    client address``: a fixed length whatever a visitor types, and no list of
    the e-mail addresses people mistyped. Times are epoch seconds (floats) so
    that the one statement that reserves an attempt can do its arithmetic the
    same way on SQLite and PostgreSQL (``server/throttle.py``).
    """

    __tablename__ = "login_throttle"
    audited = False

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[float] = mapped_column(Float)
    locked_until: Mapped[float] = mapped_column(Float, index=True)

    def audit_label(self) -> str:
        return f"sign-in throttle {self.key[:12]}"
