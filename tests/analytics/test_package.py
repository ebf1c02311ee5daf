"""The analytics package keeps its contract: pure imports and the public names others rely on."""

from __future__ import annotations

import subprocess
import sys

import portfolio_kit.analytics as analytics

CONTRACT = (
    "xirr",
    "xnpv",
    "irr",
    "mirr",
    "tvpi",
    "dpi",
    "rvpi",
    "ks_pme",
    "ln_pme",
    "pme_plus",
    "direct_alpha",
    "x_ks_pme",
    "x_ln_pme",
    "x_pme_plus",
    "x_direct_alpha",
)


def test_importing_analytics_pulls_in_no_database_widget_or_file_code() -> None:
    probe = (
        "import sys, portfolio_kit.analytics; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'ipywidgets', 'openpyxl', 'pdfplumber', 'altair', 'psycopg', 'voila'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_every_exported_name_exists_and_the_contract_is_there() -> None:
    for name in analytics.__all__:
        assert callable(getattr(analytics, name)), name
    assert set(CONTRACT) <= set(analytics.__all__)
