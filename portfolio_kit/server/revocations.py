"""Ended sessions, kept in the database so that a sign-out survives a restart.

The server records a session id when its holder signs out; the server and
every dashboard kernel refuse that id until the cookie would have expired
anyway (then the row is useless and is purged). Kernels read the table
through their read-only connection. Plain Core statements on the engine:
this is operational state, not audited portfolio data (``docs/security.md``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select

from portfolio_kit.models import RevokedSession
from portfolio_kit.server.sessions import SessionClaims

_TABLE = RevokedSession.__table__


def revoke_session(engine: Engine, claims: SessionClaims, *, max_age_hours: float) -> None:
    """Refuse ``claims.session_id`` from now on (idempotent); purge expired rows."""
    now = datetime.now(UTC)
    expires = datetime.fromtimestamp(claims.expires_at(max_age_hours), UTC)
    with engine.begin() as connection:
        connection.execute(delete(_TABLE).where(_TABLE.c.expires_at < now))
        exists = connection.scalar(
            select(_TABLE.c.session_id).where(_TABLE.c.session_id == claims.session_id)
        )
        if exists is None:
            connection.execute(
                insert(_TABLE).values(
                    session_id=claims.session_id,
                    user_id=claims.user_id,
                    revoked_at=now,
                    expires_at=expires,
                )
            )


def is_revoked(engine: Engine, session_id: str) -> bool:
    """True when the session was ended by a sign-out."""
    with engine.connect() as connection:
        return (
            connection.scalar(select(_TABLE.c.session_id).where(_TABLE.c.session_id == session_id))
            is not None
        )
