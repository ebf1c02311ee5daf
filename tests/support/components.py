"""What a test does when a component it needs (PostgreSQL, LibreOffice, Chromium) is missing.

On a developer's machine a missing component skips the test with the reason,
so the rest of the suite still runs. Under CI (``CI`` set to a true value) the
same call fails the test: a CI run that silently skipped the PostgreSQL tests
would report green for code it never exercised.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

_TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def running_in_ci() -> bool:
    """True when the ``CI`` environment variable holds a true value ("true", "1", "yes")."""
    return os.environ.get("CI", "").strip().lower() in _TRUE_VALUES


def require(component: str, reason: str) -> NoReturn:
    """Skip the current test because ``component`` is unavailable; fail instead under CI.

    Parameters
    ----------
    component
        Short name of what is missing ("postgresql", "libreoffice").
    reason
        What was looked for and how to install it, shown in the test report.

    Raises
    ------
    pytest.skip.Exception
        Outside CI.
    pytest.fail.Exception
        Under CI, where nothing may be skipped for a missing component.
    """
    if running_in_ci():
        pytest.fail(f"{component} is required under CI but unavailable: {reason}", pytrace=False)
    pytest.skip(f"{component} unavailable: {reason}")
