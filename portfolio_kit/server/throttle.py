"""Counting sign-in attempts in the database, before any password is checked.

Each sign-in first *reserves* an attempt against two counters, the e-mail
address (a guesser spreading over many clients) and the client address (one
client trying many accounts), with one atomic statement each::

    INSERT ... ON CONFLICT (key) DO UPDATE SET attempts = attempts + 1 ... RETURNING

Only a reservation that comes back within the limit goes on to the password
check. So however many wrong passwords arrive at once, from however many
server processes, at most ``max_failures`` of them reach argon2: a count
kept in memory and raised after the check (the code before this one) let
some 30 concurrent guesses through, all reading a count of zero. The counter
that reaches the limit locks its key for ``lockout_seconds``; a successful
sign-in clears the account's counter and gives back its reservation on the
address. Counts older than ``window_seconds`` (and expired locks) start over.

The rows live in ``login_throttle`` (migration 0005), so a restart does not
forgive a guesser. Plain Core statements on the engine: this is operational
state, not audited portfolio data, like ``revocations.py``.
"""

from __future__ import annotations

import hashlib
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, case, delete, or_, select, update
from sqlalchemy.orm import Session

from portfolio_kit.audit.actor import actor_of
from portfolio_kit.audit.guard import caller_audited
from portfolio_kit.errors import NotFoundError, PermissionDeniedError
from portfolio_kit.models import AuditAction, Role
from portfolio_kit.models import LoginThrottle as _Row
from portfolio_kit.settings import Settings

_TABLE = _Row.__table__
_COLUMNS = _TABLE.c


def normalise_login_key(email: str) -> str:
    """The spelling of an e-mail address that its throttle counter is keyed on.

    NFKC first, so compatibility forms become the plain letters they stand
    for (fullwidth ``ｐａｒｔｎｅｒ`` -> ``partner``, the ligature ``ﬁ`` ->
    ``fi``, a no-break or ideographic space -> a space); then ``casefold``,
    which is ``lower`` plus the foldings ``lower`` misses (``ß`` -> ``ss``,
    final sigma, the Kelvin sign) and must come after NFKC to see those
    letters; then ``strip``, last, so that the spaces NFKC just made out of
    exotic ones go too. The result is at least as coarse as the account
    look-up's own matching (``email_validator``: NFC for the local part,
    UTS 46 mapping for the domain, then ``lower``), so two spellings that
    reach the same account always share one counter; spellings that reach
    no account share one too, which costs a guesser, not a user.
    """
    return unicodedata.normalize("NFKC", email).casefold().strip()


def _key(kind: str, value: str) -> str:
    """Fixed-length row key: no raw mistyped addresses stored, no length limit to break."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    """How many attempts, over what window, and how long a lock lasts (seconds)."""

    max_failures: int = 5
    max_failures_per_address: int = 50
    window_seconds: float = 900.0
    lockout_seconds: float = 900.0

    def __post_init__(self) -> None:
        if (
            self.max_failures < 1
            or self.max_failures_per_address < 1
            or self.window_seconds <= 0
            or self.lockout_seconds <= 0
        ):
            raise ValueError(
                "ThrottleLimits: need max_failures >= 1, max_failures_per_address >= 1, "
                "window_seconds > 0 and lockout_seconds > 0"
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottleLimits:
        return cls(
            max_failures=settings.login_max_failures,
            max_failures_per_address=settings.login_max_failures_per_address,
            window_seconds=settings.login_window_seconds,
            lockout_seconds=settings.login_lockout_seconds,
        )


@dataclass(frozen=True, slots=True)
class Reservation:
    """The answer to "may this attempt have its password checked?"."""

    allowed: bool
    retry_after: float = 0.0
    """Seconds until the lock ends (0 when allowed)."""


class SignInThrottle:
    """Attempt counters per e-mail and per client address, in ``login_throttle``.

    Parameters
    ----------
    engine
        The server's read-write engine (SQLite >= 3.35 or PostgreSQL: both
        have ``ON CONFLICT ... DO UPDATE ... RETURNING``).
    limits
        Attempts, window and lockout.
    clock
        Wall-clock seconds (shared by every server process; tests pass a fake).
    """

    def __init__(
        self,
        engine: Engine,
        limits: ThrottleLimits | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.limits = limits or ThrottleLimits()
        self._clock = clock
        if engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif engine.dialect.name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            raise ValueError(f"SignInThrottle: unsupported database {engine.dialect.name!r}")
        self._insert = insert

    def reserve(self, email: str, address: str) -> Reservation:
        """Count this attempt before its password is checked; allowed within the limits."""
        now = self._clock()
        account = _key("account", normalise_login_key(email))
        attempts, locked_until = self._reserve(account, self.limits.max_failures, now)
        if attempts > self.limits.max_failures:
            return Reservation(False, max(0.0, locked_until - now))
        per_address = self.limits.max_failures_per_address
        attempts, locked_until = self._reserve(_key("address", address), per_address, now)
        if attempts > per_address:
            # The account's reservation never reached a password check: give it back,
            # so a locked client cannot lock other people's accounts.
            self._give_back(account, self.limits.max_failures)
            return Reservation(False, max(0.0, locked_until - now))
        return Reservation(True)

    def succeeded(self, email: str, address: str) -> None:
        """A correct password: clear the account, return the address's reservation
        (one success must not reset a client that tried many accounts), purge old rows."""
        now = self._clock()
        account = _key("account", normalise_login_key(email))
        with self.engine.begin() as connection:
            connection.execute(delete(_TABLE).where(_COLUMNS.key == account))
            connection.execute(delete(_TABLE).where(self._stale(now)))
        self._give_back(_key("address", address), self.limits.max_failures_per_address)

    def _stale(self, now: float) -> Any:
        """A row whose lock has ended, or that has no lock and an expired window."""
        return and_(
            _COLUMNS.locked_until <= now,
            or_(
                _COLUMNS.locked_until > 0,
                _COLUMNS.window_started_at <= now - self.limits.window_seconds,
            ),
        )

    def _reserve(self, key: str, limit: int, now: float) -> tuple[int, float]:
        """One atomic upsert: ``(attempts including this one, locked_until)``."""
        lock_from_now = now + self.limits.lockout_seconds
        first_lock = lock_from_now if limit <= 1 else 0.0
        stale = self._stale(now)
        statement = self._insert(_TABLE).values(
            key=key, attempts=1, window_started_at=now, locked_until=first_lock
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_COLUMNS.key],
            set_={
                "attempts": case((stale, 1), else_=_COLUMNS.attempts + 1),
                "window_started_at": case((stale, now), else_=_COLUMNS.window_started_at),
                "locked_until": case(
                    (stale, first_lock),
                    (_COLUMNS.locked_until > now, _COLUMNS.locked_until),
                    (_COLUMNS.attempts + 1 >= limit, lock_from_now),
                    else_=0.0,
                ),
            },
        ).returning(_COLUMNS.attempts, _COLUMNS.locked_until)
        with self.engine.begin() as connection:
            attempts, locked_until = connection.execute(statement).one()
        return int(attempts), float(locked_until)

    def _give_back(self, key: str, limit: int) -> None:
        """Undo one reservation; lift the lock if it was that reservation that set it."""
        statement = (
            update(_TABLE)
            .where(_COLUMNS.key == key, _COLUMNS.attempts > 0)
            .values(
                attempts=_COLUMNS.attempts - 1,
                locked_until=case(
                    (_COLUMNS.attempts - 1 < limit, 0.0), else_=_COLUMNS.locked_until
                ),
            )
        )
        with self.engine.begin() as connection:
            connection.execute(statement)


def lift_lock(session: Session, email: str, *, clock: Callable[[], float] = time.time) -> int:
    """Lift the sign-in lock on ``email`` (an administrator's decision); returns the
    attempts that had been counted.

    For the partner who locked themselves out before a meeting: without this
    they wait ``lockout_seconds``. Only the account's counter is cleared, not
    the client address's, so lifting one lock does not reopen a guesser's
    client. Written in the session's transaction with its audit row (the
    counter itself is operational state and not audited row by row).

    Raises
    ------
    PermissionDeniedError
        When the session's actor is not an administrator.
    NotFoundError
        When ``email`` holds no lock now (nothing to lift: a mistyped address,
        or the lock has already run out).
    """
    actor = actor_of(session)
    if actor.role is not Role.ADMIN:
        raise PermissionDeniedError(
            f"{actor.email} is a {actor.role.value}; only an administrator may lift a sign-in lock"
        )
    normalised = normalise_login_key(email)
    key = _key("account", normalised)
    now = clock()
    row = session.execute(
        select(_COLUMNS.attempts, _COLUMNS.locked_until).where(
            _COLUMNS.key == key, _COLUMNS.locked_until > now
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"{normalised}: no sign-in lock to lift (not locked now)")
    with caller_audited(session, [_TABLE], ("delete",)) as batch:
        session.execute(delete(_TABLE).where(_COLUMNS.key == key))
        batch.record(
            session,
            action=AuditAction.DELETE,
            entity_type=_Row.__name__,
            summary=f"sign-in lock lifted for {normalised}",
            changes={
                "attempts": [int(row.attempts), None],
                "locked_for_seconds": [round(float(row.locked_until) - now), None],
            },
        )
    return int(row.attempts)
