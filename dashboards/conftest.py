"""nbval runs the dashboard notebooks against a fresh demo database.

The notebooks are committed with their outputs, executed against the demo
portfolio as the demo partner (``partner@example.com``, who sees "Alder
Ridge Capital III"). Before nbval starts a kernel, this builds that database
once in a temporary folder and points ``PORTFOLIO_KIT_DATABASE_URL``,
``PORTFOLIO_KIT_DATA_DIR`` and ``PORTFOLIO_KIT_USER`` at it; kernels inherit
the environment. It happens after collection and only when a dashboard
notebook was collected, so a run of the unit tests alone pays nothing.

Run: ``python -m pytest --nbval --nbval-current-env dashboards``.
Refresh the stored outputs after a deliberate change:
``python -m tests.dashboards.refresh_outputs``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DASHBOARD_USER = "partner@example.com"
"""Whose view the stored outputs show (``tests/dashboards/refresh_outputs.py`` uses it too)."""

_SERVED_MARKERS = (
    "PORTFOLIO_KIT_DASHBOARD_SERVER",
    "PORTFOLIO_KIT_SESSION_SECRET_FILE",
    "VOILA_PREHEAT",
    "VOILA_BASE_URL",
    "VOILA_SERVER_URL",
    "VOILA_KERNEL_ID",
    "VOILA_REQUEST_URL",
    "VOILA_APP_IP",
)


def demo_environment(folder: Path) -> dict[str, str]:
    """Build the demo database in ``folder``; the environment that points at it."""
    from portfolio_kit import connect
    from portfolio_kit.demo import load_demo
    from portfolio_kit.settings import get_settings

    data_dir = folder / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'demo.db'}"
    get_settings.cache_clear()
    database = connect(url)
    try:
        load_demo(database)
    finally:
        database.dispose()
    return {
        "PORTFOLIO_KIT_DATA_DIR": str(data_dir),
        "PORTFOLIO_KIT_DATABASE_URL": url,
        "PORTFOLIO_KIT_USER": DASHBOARD_USER,
    }


def _collected_here(items: list[pytest.Item]) -> bool:
    return any(
        Path(str(item.fspath)).resolve().parent == HERE and str(item.fspath).endswith(".ipynb")
        for item in items
    )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not _collected_here(items) or getattr(config, "_pk_dashboard_env", None):
        return
    folder = Path(tempfile.mkdtemp(prefix="pk_dashboards_nbval_"))
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    for name in _SERVED_MARKERS:
        os.environ.pop(name, None)
    os.environ.update(demo_environment(folder))
    config._pk_dashboard_env = folder  # type: ignore[attr-defined]
