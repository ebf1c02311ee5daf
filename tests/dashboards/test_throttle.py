"""Sign-in throttling, with a fake clock (no sleeping, no timing assertions)."""

from __future__ import annotations

import pytest

from portfolio_kit.server.throttle import SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_first_attempt_is_always_free() -> None:
    assert SignInThrottle(free_attempts=0, clock=Clock()).delay("a@example.com", "1.1.1.1") == 0.0


def test_delays_double_after_the_free_attempts() -> None:
    clock = Clock()
    throttle = SignInThrottle(free_attempts=3, base_delay=1.0, max_delay=60.0, clock=clock)
    delays = []
    for _ in range(6):
        delays.append(throttle.delay("pat@example.com", "10.0.0.1"))
        throttle.record_failure("pat@example.com", "10.0.0.1")
    # failures before each attempt: 0,1,2,3,4,5 -> free, free, free, 1s, 2s, 4s
    assert delays == [0.0, 0.0, 0.0, 1.0, 2.0, 4.0]


def test_delay_is_capped() -> None:
    throttle = SignInThrottle(free_attempts=0, base_delay=1.0, max_delay=5.0, clock=Clock())
    for _ in range(20):
        throttle.record_failure("a@example.com", "1.1.1.1")
    assert throttle.delay("a@example.com", "1.1.1.1") == 5.0


def test_failures_on_one_account_slow_every_address_and_vice_versa() -> None:
    throttle = SignInThrottle(free_attempts=2, base_delay=1.0, clock=Clock())
    throttle.record_failure("victim@example.com", "1.1.1.1")
    throttle.record_failure("victim@example.com", "2.2.2.2")
    # two failures on the account, whatever the address: 1 s for the next try
    assert throttle.delay("victim@example.com", "3.3.3.3") == 1.0
    for account in ("a@example.com", "b@example.com"):
        throttle.record_failure(account, "9.9.9.9")
    # two failures from the address, whatever the account
    assert throttle.delay("c@example.com", "9.9.9.9") == 1.0
    assert throttle.delay("c@example.com", "8.8.8.8") == 0.0


def test_success_clears_the_account_but_not_the_address() -> None:
    throttle = SignInThrottle(free_attempts=0, base_delay=1.0, clock=Clock())
    throttle.record_failure("pat@example.com", "1.1.1.1")
    throttle.record_success("pat@example.com", "1.1.1.1")
    assert throttle.delay("pat@example.com", "2.2.2.2") == 0.0
    assert throttle.delay("someone@example.com", "1.1.1.1") == 1.0


def test_old_failures_are_forgotten_after_the_window() -> None:
    clock = Clock()
    throttle = SignInThrottle(free_attempts=0, base_delay=1.0, window=900.0, clock=clock)
    throttle.record_failure("pat@example.com", "1.1.1.1")
    clock.now += 901
    assert throttle.delay("pat@example.com", "1.1.1.1") == 0.0


def test_account_keys_ignore_case_and_spaces() -> None:
    throttle = SignInThrottle(free_attempts=0, base_delay=1.0, clock=Clock())
    throttle.record_failure(" Pat@Example.com ", "1.1.1.1")
    assert throttle.delay("pat@example.com", "2.2.2.2") == 1.0


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="SignInThrottle"):
        SignInThrottle(base_delay=10.0, max_delay=1.0)
