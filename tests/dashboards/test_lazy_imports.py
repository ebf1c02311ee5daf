"""Importing a dashboard module, and its warm-up, load nothing heavy.

A preheated kernel holds what its first cell imported for as long as it waits
in the pool; pandas (with pyarrow), Altair and the chart engine are most of a
kernel's memory (docs/dashboards.md, "Kernel memory"). Each check runs in a
fresh interpreter, since this test process has long imported all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "pyarrow", "altair", "vl_convert", "vegafusion", "numpy")
DASHBOARDS = ("fund_overview", "portfolio_monitor", "company_tear_sheet")


def _loaded_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    report = f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    probe = f"{code}\nimport json, sys\n{report}"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("key", DASHBOARDS)
def test_importing_a_dashboard_module_loads_no_heavy_library(key: str) -> None:
    assert _loaded_after(f"from portfolio_kit.dashboards import {key}") == []


@pytest.mark.parametrize("key", DASHBOARDS)
def test_light_warm_up_loads_no_heavy_library(key: str, tmp_path, demo_template) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTFOLIO_KIT_")}
    env["PORTFOLIO_KIT_DATABASE_URL"] = f"sqlite:///{demo_template}"
    env["PORTFOLIO_KIT_DATA_DIR"] = str(tmp_path)
    env["PORTFOLIO_KIT_DASHBOARD_WARM_UP"] = "light"
    code = (
        f"from portfolio_kit.dashboards import {key}\n"
        f"{key}.warm_up()\n"
        "from portfolio_kit.dashboards.access import _databases\n"
        "assert _databases, 'the warm-up did not open the database'"
    )
    assert _loaded_after(code, env) == []


def test_page_names_stay_reachable_through_the_light_module() -> None:
    from portfolio_kit.dashboards import fund_overview, portfolio_monitor

    assert callable(fund_overview.load_fund)
    assert callable(portfolio_monitor.flags_for)
    with pytest.raises(AttributeError):
        fund_overview.no_such_name  # noqa: B018
