"""Sign-in attempt counters in the database (``server/throttle.py``), on SQLite and PostgreSQL.

A fake clock moves time; nothing sleeps and nothing asserts on timing. The
concurrency test lets 40 threads reserve at the same moment (a barrier) on
real connections; the live-server versions of these attacks are in
``test_live_throttle.py``.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from portfolio_kit import Database, connect
from portfolio_kit.audit.actor import Actor
from portfolio_kit.errors import NotFoundError, PermissionDeniedError
from portfolio_kit.models import AuditAction, AuditLog, LoginThrottle, Role
from portfolio_kit.server.throttle import (
    SignInThrottle,
    ThrottleLimits,
    lift_lock,
    normalise_login_key,
)

LIMITS = ThrottleLimits(
    max_failures=3, max_failures_per_address=10, window_seconds=900.0, lockout_seconds=600.0
)
VICTIM = "pat@example.com"
UNICODE_VARIANTS = (
    "pat@example.com",
    "PAT@EXAMPLE.COM",
    "ｐａｔ@ｅｘａｍｐｌｅ.ｃｏｍ",  # fullwidth letters (U+FF50...)
    "Pat@Example.com\u3000",  # trailing ideographic space: NFKC makes it a space, strip drops it
    "\u00a0pat@example.com",  # leading no-break space
    " Pat@example.com ",
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _throttle(database: Database, clock: Clock, limits: ThrottleLimits = LIMITS) -> SignInThrottle:
    return SignInThrottle(database.engine, limits, clock=clock)


def _rows(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(LoginThrottle)))


def test_the_key_is_nfkc_then_casefold_then_strip() -> None:
    # Expected values written out by hand from the Unicode tables:
    # U+FF50 FULLWIDTH LATIN SMALL LETTER P -> "p"; U+FB01 LATIN SMALL LIGATURE FI -> "fi";
    # U+212A KELVIN SIGN -> "K" -> "k"; U+00DF sharp s casefolds to "ss" (lower keeps it).
    assert normalise_login_key("ｐａｔ@ｅｘａｍｐｌｅ.ｃｏｍ") == "pat@example.com"
    assert normalise_login_key("\ufb01ona@example.com") == "fiona@example.com"
    assert normalise_login_key("\u212aim@example.com") == "kim@example.com"
    assert normalise_login_key("Stra\u00dfe@example.com") == "strasse@example.com"
    assert normalise_login_key("\u3000Pat@Example.COM\u00a0") == "pat@example.com"


def test_attempts_up_to_the_limit_are_checked_then_the_account_is_locked(any_db: Database) -> None:
    clock = Clock()
    throttle = _throttle(any_db, clock)
    answers = [throttle.reserve(VICTIM, f"10.0.0.{n}") for n in range(5)]
    assert [answer.allowed for answer in answers] == [True, True, True, False, False]
    assert answers[3].retry_after == 600.0
    clock.now += 599
    assert not throttle.reserve(VICTIM, "10.0.0.9").allowed
    clock.now += 2  # the lock (set at the third attempt) has ended: a fresh count
    assert [throttle.reserve(VICTIM, "10.0.0.9").allowed for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]


def test_a_success_clears_the_account_but_only_returns_its_share_of_the_address(
    any_db: Database,
) -> None:
    throttle = _throttle(any_db, Clock())
    for _ in range(2):
        assert throttle.reserve(VICTIM, "10.0.0.1").allowed
    assert throttle.reserve(VICTIM, "10.0.0.1").allowed
    throttle.succeeded(VICTIM, "10.0.0.1")
    assert [throttle.reserve(VICTIM, "10.0.0.2").allowed for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    # 10.0.0.1 made three attempts, one of them a success: two count, so the
    # address (limit 10) has eight left, spread over any accounts.
    allowed = [throttle.reserve(f"user{n}@example.com", "10.0.0.1").allowed for n in range(9)]
    assert allowed == [True] * 8 + [False]


def test_a_locked_address_does_not_use_up_other_accounts(any_db: Database) -> None:
    limits = ThrottleLimits(max_failures=3, max_failures_per_address=2)
    throttle = _throttle(any_db, Clock(), limits)
    assert throttle.reserve("a@example.com", "9.9.9.9").allowed
    assert throttle.reserve("b@example.com", "9.9.9.9").allowed
    for _ in range(5):
        assert not throttle.reserve(VICTIM, "9.9.9.9").allowed
    # VICTIM's reservations were given back: three attempts from elsewhere still pass.
    assert [throttle.reserve(VICTIM, f"1.1.1.{n}").allowed for n in range(4)] == [
        True,
        True,
        True,
        False,
    ]


def test_counts_older_than_the_window_start_over(any_db: Database) -> None:
    clock = Clock()
    throttle = _throttle(any_db, clock)
    for _ in range(2):
        assert throttle.reserve(VICTIM, "10.0.0.1").allowed
    clock.now += 901
    assert [throttle.reserve(VICTIM, "10.0.0.1").allowed for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]


def test_unicode_spellings_of_one_address_share_one_counter(any_db: Database) -> None:
    limits = ThrottleLimits(max_failures=len(UNICODE_VARIANTS), max_failures_per_address=1000)
    throttle = _throttle(any_db, Clock(), limits)
    for spelling in UNICODE_VARIANTS:
        assert throttle.reserve(spelling, "10.0.0.1").allowed, spelling
    for spelling in UNICODE_VARIANTS:
        assert not throttle.reserve(spelling, "10.0.0.1").allowed, spelling
    # The ligature and the Kelvin sign fold onto plain letters too.
    other = ThrottleLimits(max_failures=2, max_failures_per_address=1000)
    second = _throttle(any_db, Clock(), other)
    assert second.reserve("fiona@example.com", "10.0.0.2").allowed
    assert second.reserve("\ufb01ona@EXAMPLE.com", "10.0.0.2").allowed
    assert not second.reserve("ＦＩＯＮＡ@example.com", "10.0.0.2").allowed
    assert second.reserve("kim@example.com", "10.0.0.2").allowed
    assert second.reserve("\u212aIM@example.com", "10.0.0.2").allowed
    assert not second.reserve("kim@example.com", "10.0.0.2").allowed


def test_concurrent_attempts_cannot_exceed_the_limit(any_db: Database) -> None:
    throttle = _throttle(any_db, Clock())
    threads = 40
    barrier = threading.Barrier(threads)

    def attempt(n: int) -> bool:
        barrier.wait(timeout=60)
        return throttle.reserve(VICTIM, f"10.1.{n}.1").allowed

    with ThreadPoolExecutor(max_workers=threads) as pool:
        allowed = list(pool.map(attempt, range(threads)))
    assert sum(allowed) == LIMITS.max_failures


def test_the_count_survives_a_new_engine_on_the_same_database(any_db: Database) -> None:
    clock = Clock()
    first = _throttle(any_db, clock)
    for _ in range(3):
        assert first.reserve(VICTIM, "10.0.0.1").allowed
    again = connect(any_db.url.render_as_string(hide_password=False), migrate=False)
    try:
        answer = _throttle(again, clock).reserve(VICTIM, "10.0.0.2")
    finally:
        again.dispose()
    assert not answer.allowed and answer.retry_after == 600.0


def test_expired_rows_are_purged_on_the_next_success(any_db: Database) -> None:
    clock = Clock()
    throttle = _throttle(any_db, clock)
    throttle.reserve("old@example.com", "10.0.0.1")
    clock.now += 901
    throttle.reserve(VICTIM, "10.0.0.2")
    assert _rows(any_db) == 4  # two accounts, two addresses
    throttle.succeeded(VICTIM, "10.0.0.2")
    assert _rows(any_db) == 1  # only 10.0.0.2's (given back to zero, window still open)


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="ThrottleLimits"):
        ThrottleLimits(max_failures=0)
    with pytest.raises(ValueError, match="ThrottleLimits"):
        ThrottleLimits(lockout_seconds=0)


def _lock(throttle: SignInThrottle, email: str = VICTIM) -> None:
    for n in range(LIMITS.max_failures):
        assert throttle.reserve(email, f"10.1.0.{n}").allowed
    assert not throttle.reserve(email, "10.1.0.99").allowed


def test_an_administrator_lifts_a_lock_with_an_audit_row(any_db: Database) -> None:
    clock = Clock()
    throttle = _throttle(any_db, clock)
    _lock(throttle)
    with any_db.session(Actor("admin@example.com", Role.ADMIN, None)) as session:
        # Four reservations reached the counter: three checked, the fourth refused.
        assert lift_lock(session, "ｐａｔ@Example.COM ", clock=clock) == 4
    assert throttle.reserve(VICTIM, "10.1.0.50").allowed
    with any_db.engine.connect() as connection:
        audit = connection.execute(
            select(AuditLog.actor, AuditLog.action, AuditLog.summary).where(
                AuditLog.entity_type == "LoginThrottle"
            )
        ).all()
    assert [tuple(row) for row in audit] == [
        ("admin@example.com", AuditAction.DELETE, "sign-in lock lifted for pat@example.com")
    ]


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PARTNER])
def test_only_an_administrator_may_lift_a_lock(any_db: Database, role: Role) -> None:
    clock = Clock()
    throttle = _throttle(any_db, clock)
    _lock(throttle)
    before = _rows(any_db)
    with pytest.raises(PermissionDeniedError, match="only an administrator"):
        with any_db.session(Actor("someone@example.com", role, None)) as session:
            lift_lock(session, VICTIM, clock=clock)
    assert _rows(any_db) == before
    assert not throttle.reserve(VICTIM, "10.1.0.51").allowed


def test_lifting_a_lock_that_is_not_there_names_the_address(any_db: Database) -> None:
    clock = Clock()
    throttle = _throttle(any_db, clock)
    assert throttle.reserve(VICTIM, "10.1.0.1").allowed  # counted, not locked
    with pytest.raises(NotFoundError, match=r"nobody@example\.com: no sign-in lock"):
        with any_db.session() as session:
            lift_lock(session, "Nobody@example.com", clock=clock)
    _lock(_throttle(any_db, clock), "ran.out@example.com")
    clock.now += LIMITS.lockout_seconds + 1
    with pytest.raises(NotFoundError, match="not locked now"):
        with any_db.session() as session:
            lift_lock(session, "ran.out@example.com", clock=clock)
