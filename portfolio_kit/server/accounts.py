"""The server's view of user accounts: sign-in, session re-checks and fund names.

The server process is the one place that writes during a dashboard session:
a successful sign-in records ``last_login_at`` (and an audit row), through
``portfolio_kit.security.authenticate``. Kernels never write; they open the
database read-only.

Account look-ups for session checks are cached for a few seconds, because
the identity provider is asked about every request (pages, websockets, API
calls); a deactivation or password change still takes effect within
``cache_seconds``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy import select

from portfolio_kit.db import Database
from portfolio_kit.models import Fund, Role, User
from portfolio_kit.security import authenticate, visible_fund_ids
from portfolio_kit.server.sessions import password_fingerprint


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the server needs it: no password hash, only its fingerprint."""

    user_id: int
    email: str
    name: str
    role: Role
    active: bool
    password_fingerprint: str
    password_hash: str = ""

    @property
    def sees_all_funds(self) -> bool:
        return self.role in (Role.ADMIN, Role.ANALYST)


def _account(user: User, *, with_hash: bool = False) -> Account:
    return Account(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        active=bool(user.active),
        password_fingerprint=password_fingerprint(user.password_hash),
        password_hash=user.password_hash if with_hash else "",
    )


class AccountDirectory:
    """Sign-in and account look-ups against the users table."""

    def __init__(self, database: Database, *, cache_seconds: float = 15.0) -> None:
        self.database = database
        self.cache_seconds = cache_seconds
        self._cache: dict[int, tuple[float, Account | None]] = {}
        self._lock = threading.Lock()

    def sign_in(self, email: str, password: str) -> Account | None:
        """The active account with this e-mail and password, or None.

        Costs one argon2 verification whether or not the account exists
        (``security.authenticate``); run it off the server's event loop.
        """
        if not email or not password:
            return None
        with self.database.session() as session:
            user = authenticate(session, email, password)
            if user is None:
                return None
            account = _account(user, with_hash=True)
        with self._lock:
            self._cache.pop(account.user_id, None)
        return account

    def lookup(self, user_id: int) -> Account | None:
        """The account with this id (cached briefly), or None if it no longer exists."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
            if cached is not None and now - cached[0] < self.cache_seconds:
                return cached[1]
        with self.database.session() as session:
            user = session.get(User, user_id)
            account = None if user is None else _account(user)
        with self._lock:
            self._cache[user_id] = (now, account)
        return account

    def fund_names(self, user_id: int) -> list[str]:
        """Names of the funds this user may see, in name order."""
        with self.database.session() as session:
            user = session.get(User, user_id)
            if user is None:
                return []
            ids = visible_fund_ids(session, user)
            if not ids:
                return []
            return list(
                session.scalars(select(Fund.name).where(Fund.id.in_(ids)).order_by(Fund.name))
            )
