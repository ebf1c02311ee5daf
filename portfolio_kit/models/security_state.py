"""Server security state that must outlive a restart: ended sign-in sessions.

Written by the dashboard server (a sign-out), read by the server and by every
dashboard kernel (read-only), so a session ended in one process is refused in
all of them. It is operational state, not portfolio data: rows are written
with plain Core statements outside the audited sessions and are not audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
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
