"""Slowing down repeated failed sign-ins, per account and per client address.

A password guesser gets a few free tries, then waits twice as long after
each further failure (1 s, 2 s, 4 s ... up to a minute) before the server
even checks the next password: after ``n`` failures the wait is
``base_delay * 2 ** (n - free_attempts)`` once ``n`` reaches
``free_attempts`` (the very first attempt is always free). The count is kept both per e-mail (a
distributed attack on one account) and per address (one client trying many
accounts); the longer of the two delays applies. A success clears the
account's count; failures older than the window are forgotten.

The state lives in the server's memory: a restart forgets it, which is
acceptable for a delay (it is not an account lock-out).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Failures:
    count: int
    last: float


class SignInThrottle:
    """Exponential delays after repeated failed sign-ins.

    Parameters
    ----------
    free_attempts
        Failures allowed before any delay (per key).
    base_delay, max_delay
        Seconds: the first delay, and the cap on doubling.
    window
        Seconds after the last failure when a key's count is forgotten.
    clock
        Time source (tests pass a fake one).
    """

    def __init__(
        self,
        *,
        free_attempts: int = 3,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        window: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if free_attempts < 0 or base_delay < 0 or max_delay < base_delay or window <= 0:
            raise ValueError(
                "SignInThrottle: need free_attempts >= 0, 0 <= base_delay <= max_delay, window > 0"
            )
        self.free_attempts = free_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.window = window
        self._clock = clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(email: str, address: str) -> tuple[str, str]:
        return f"account:{email.strip().lower()}", f"address:{address}"

    def _count(self, key: str, now: float) -> int:
        entry = self._failures.get(key)
        if entry is None:
            return 0
        if now - entry.last > self.window:
            del self._failures[key]
            return 0
        return entry.count

    def delay(self, email: str, address: str) -> float:
        """Seconds to wait before checking this attempt's password."""
        now = self._clock()
        with self._lock:
            worst = max(self._count(key, now) for key in self._keys(email, address))
        threshold = max(1, self.free_attempts)
        if worst < threshold:
            return 0.0
        return min(self.max_delay, self.base_delay * 2.0 ** (worst - threshold))

    def record_failure(self, email: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(email, address):
                count = self._count(key, now)
                self._failures[key] = _Failures(count + 1, now)

    def record_success(self, email: str, address: str) -> None:
        """Forget the account's failures (the address keeps its own: one
        success must not reset a client that tried many accounts)."""
        with self._lock:
            self._failures.pop(self._keys(email, address)[0], None)
