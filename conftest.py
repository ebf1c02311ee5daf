"""Settings shared by every notebook nbval runs (``notebooks/`` and ``dashboards/``).

``pyproject.toml`` turns nbval on (``--nbval --nbval-current-env``), so the
committed notebooks are executed in a kernel of this very environment and
their outputs compared with the stored ones. The sanitiser that blanks
timestamps, ids and temporary paths before comparing lives in
``tests/nbval_sanitize.cfg``; it is named here by absolute path, so the
suite behaves the same from whichever folder pytest is started. Each
folder's own ``conftest.py`` prepares the database its kernels see.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SANITIZER = Path(__file__).resolve().parent / "tests" / "nbval_sanitize.cfg"


def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    if hasattr(option, "nbval_sanitize_with") and option.nbval_sanitize_with is None:
        option.nbval_sanitize_with = str(SANITIZER)
