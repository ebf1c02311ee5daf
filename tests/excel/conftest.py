"""Fixtures for the Excel tests: LibreOffice, its profile, and recalculation.

A LibreOffice start costs about 2 seconds with a warm profile and 6 with a new
one, so the session shares one profile and tests convert all the workbooks
they need in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from portfolio_kit.excel.recalc import find_soffice, recalculate
from tests.support.components import require

Recalculate = Callable[[Sequence[Path], Path], list[Path]]


@pytest.fixture(scope="session")
def soffice() -> str:
    """The soffice executable; skips the test (fails it under CI) when missing."""
    found = find_soffice()
    if found is None:
        require("libreoffice", "no soffice on PATH: apt-get install libreoffice-calc-nogui")
    return found


@pytest.fixture(scope="session")
def libreoffice_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("libreoffice-profile")


@pytest.fixture(scope="session")
def recalc(soffice: str, libreoffice_profile: Path) -> Recalculate:
    """``recalc(paths, out_dir)``: recalculated copies of ``paths`` in ``out_dir``."""

    def run(paths: Sequence[Path], out_dir: Path) -> list[Path]:
        return recalculate(list(paths), out_dir, profile_dir=libreoffice_profile, soffice=soffice)

    return run
