"""Who is acting in a session: the identity the audit trail names and the
permission checks read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portfolio_kit.errors import PermissionDeniedError
from portfolio_kit.models import Role

SYSTEM_ACTOR = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting in a session: what the audit trail records and the
    permission check reads. ``user_id`` is None for system jobs (migrations,
    the demo loader)."""

    email: str
    role: Role
    user_id: int | None = None

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.ANALYST)


SYSTEM = Actor(email=SYSTEM_ACTOR, role=Role.ADMIN)


def actor_of(session: Session) -> Actor:
    return session.info.get("actor", SYSTEM)


def require_writer(session: Session, what: str) -> Actor:
    """The session's actor, or ``PermissionDeniedError`` naming ``what`` they tried."""
    actor = actor_of(session)
    if not actor.can_write:
        raise PermissionDeniedError(f"{actor.email} is a {actor.role.value} and cannot change data (tried to {what})")
    return actor
