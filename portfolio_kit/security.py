"""Users, password hashing (argon2id), sign-in and fund grants.

Dashboards, forms and the CLI ask this module two questions: "is this the
person they claim to be?" (``authenticate``) and "which funds may they see?"
(``visible_fund_ids``). Everything that filters data by user goes through the
second, so a partner's view is decided in one place.
"""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio_kit.audit import Actor
from portfolio_kit.errors import NotFoundError, PermissionDeniedError, ValidationError
from portfolio_kit.models import Fund, FundGrant, Investment, PortfolioCompany, Role, User
from portfolio_kit.models.base import utcnow
from portfolio_kit.models.user import normalise_email

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters long")


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash("timing-equaliser-password")


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    An unknown e-mail still costs one argon2 verification, so response time
    does not reveal which accounts exist. A successful sign-in records
    ``last_login_at`` and rehashes the password if argon2's parameters have
    been raised since it was stored.
    """
    try:
        normalised = normalise_email(email)
    except ValidationError:
        verify_password(_DUMMY_HASH, password or "")
        return None
    user = session.scalar(select(User).where(User.email == normalised))
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password or "")
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def actor_for(user: User) -> Actor:
    """The audit/permission identity of a signed-in user."""
    role = user.role if user.active else Role.PARTNER
    return Actor(email=user.email, role=role, user_id=user.id)


def add_user(session: Session, *, email: str, name: str, password: str, role: Role | str) -> User:
    normalised = normalise_email(email)
    if session.scalar(select(User.id).where(User.email == normalised)) is not None:
        raise ValidationError("email", f"a user with e-mail {normalised} already exists")
    user = User(email=normalised, name=name, password_hash=hash_password(password), role=role, active=True)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User:
    normalised = normalise_email(email)
    user = session.scalar(select(User).where(User.email == normalised))
    if user is None:
        raise NotFoundError(f"no user with e-mail {normalised}")
    return user


def find_fund(session: Session, name: str) -> Fund:
    fund = session.scalar(select(Fund).where(Fund.name == name))
    if fund is None:
        known = ", ".join(session.scalars(select(Fund.name).order_by(Fund.name))) or "none yet"
        raise NotFoundError(f"no fund named {name!r} (funds: {known})")
    return fund


def grant_fund(session: Session, user: User, fund: Fund) -> FundGrant:
    """Let a partner see a fund; granting twice is harmless."""
    if user.role is not Role.PARTNER:
        raise ValidationError(
            "role", f"{user.email} is a {user.role.value}, who already sees every fund; grants are for partners"
        )
    existing = session.scalar(
        select(FundGrant).where(FundGrant.user_id == user.id, FundGrant.fund_id == fund.id)
    )
    if existing is not None:
        return existing
    grant = FundGrant(user_id=user.id, fund_id=fund.id)
    session.add(grant)
    session.flush()
    return grant


def revoke_fund(session: Session, user: User, fund: Fund) -> bool:
    grant = session.scalar(
        select(FundGrant).where(FundGrant.user_id == user.id, FundGrant.fund_id == fund.id)
    )
    if grant is None:
        return False
    session.delete(grant)
    session.flush()
    return True


def visible_fund_ids(session: Session, user: User) -> list[int]:
    """The funds this user may see: all for admins and analysts, the granted
    ones for partners, none for a deactivated account."""
    if not user.active:
        return []
    if user.sees_all_funds:
        return list(session.scalars(select(Fund.id).order_by(Fund.id)))
    return list(
        session.scalars(select(FundGrant.fund_id).where(FundGrant.user_id == user.id).order_by(FundGrant.fund_id))
    )


def require_fund_access(session: Session, user: User, fund_ids: Iterable[int]) -> None:
    allowed = set(visible_fund_ids(session, user))
    denied = sorted(set(fund_ids) - allowed)
    if denied:
        raise PermissionDeniedError(f"{user.email} has no access to fund(s) {denied}")


def require_company_write(session: Session, actor: Actor, company: PortfolioCompany) -> None:
    """Refuse unless ``actor`` may write figures of ``company`` now.

    The actor a session was opened with can be stale (a widget kept open
    while an administrator deactivated the account or made it a partner), so
    the stored user is read again: it must exist, be active, have a writing
    role, and see every fund that holds the company. System actors (no user
    id: migrations, the demo loader) pass.

    Raises
    ------
    PermissionDeniedError
        Naming the user and the company.
    """
    if not actor.can_write:
        raise PermissionDeniedError(
            f"{actor.email} is a {actor.role.value} and cannot write figures of {company.name}"
        )
    if actor.user_id is None:
        return
    user = session.get(User, actor.user_id)
    if user is None or not user.can_write:
        state = "no longer exists" if user is None else (
            "is deactivated" if not user.active else f"is a {user.role.value}"
        )
        raise PermissionDeniedError(
            f"{actor.email} {state} and cannot write figures of {company.name}"
        )
    fund_ids = session.scalars(
        select(Investment.fund_id).where(Investment.company_id == company.id).distinct()
    )
    allowed = set(visible_fund_ids(session, user))
    if any(fund_id not in allowed for fund_id in fund_ids):
        raise PermissionDeniedError(
            f"{user.email} has no access to a fund holding {company.name}"
        )
