"""Fixtures for the Excel tests: LibreOffice, its profile, and recalculation.

A LibreOffice start costs about 2 seconds with a warm profile and 6 with a new
one, so the session shares one profile and tests convert all the workbooks
they need in one call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from portfolio_kit import Database, connect
from portfolio_kit.analytics import wacc
from portfolio_kit.demo import load_demo
from portfolio_kit.excel.dcf import SensitivitySteps, build_dcf
from portfolio_kit.excel.lbo import build_lbo
from portfolio_kit.excel.recalc import find_soffice, recalculate
from portfolio_kit.excel.report import build_portfolio_report
from tests.excel.cases import DCF_CASES, LBO_CASES
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


@dataclass(frozen=True)
class Built:
    """A generated workbook, its recalculated copy and what it was built from."""

    source: Path
    recalculated: Path
    inputs: Any


REPORTS = [
    ("Alder Ridge Capital III", date(2025, 12, 31)),
    ("Alder Ridge Capital II", date(2016, 12, 31)),
]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo portfolio in a SQLite file shared by the session; tests only read it."""
    database = connect(f"sqlite:///{tmp_path_factory.mktemp('demo')}/demo.db")
    load_demo(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def recalculated(
    recalc: Recalculate, demo_db: Database, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Built]:
    """Every model case and report, generated and recalculated in one LibreOffice run."""
    source = tmp_path_factory.mktemp("generated")
    planned: dict[str, tuple[Path, Any]] = {}
    for case in DCF_CASES:
        assumptions = case.assumptions
        if case.wacc_inputs is not None:
            assumptions = assumptions.replace(wacc=wacc(case.wacc_inputs).wacc)
        options = dict(case.options)
        if "steps" in options:
            options["steps"] = SensitivitySteps(**options["steps"])
        workbook = build_dcf(
            assumptions,
            wacc_inputs=case.wacc_inputs,
            history=case.history,
            company=f"DCF {case.name}",
            as_of=date(2025, 12, 31),
            **options,
        )
        path = source / f"dcf_{case.name}.xlsx"
        workbook.save(path)
        planned[f"dcf:{case.name}"] = (path, (assumptions, case))
    for case in LBO_CASES:
        workbook = build_lbo(
            case.assumptions, existing_net_debt=case.existing_net_debt, company=f"LBO {case.name}"
        )
        path = source / f"lbo_{case.name}.xlsx"
        workbook.save(path)
        planned[f"lbo:{case.name}"] = (path, case)
    for fund, as_of in REPORTS:
        path = source / f"report_{fund.replace(' ', '_')}_{as_of}.xlsx"
        build_portfolio_report(demo_db, fund, as_of).save(path)
        planned[f"report:{fund}:{as_of}"] = (path, (fund, as_of))
    outputs = recalc(
        [path for path, _ in planned.values()], tmp_path_factory.mktemp("recalculated")
    )
    return {
        key: Built(path, output, inputs)
        for (key, (path, inputs)), output in zip(planned.items(), outputs, strict=True)
    }


@functools.lru_cache(maxsize=64)
def computed(path: Path) -> openpyxl.Workbook:
    """A recalculated workbook's values, loaded once per session (tests only read it)."""
    return openpyxl.load_workbook(path, data_only=True)


def named_values(path: Path, name: str) -> list[Any]:
    """The values of a defined name's cells, row by row (cached: do not modify the workbook)."""
    wb = computed(path)
    ((sheet, coordinate),) = wb.defined_names[name].destinations
    block = wb[sheet][coordinate.replace("$", "")]
    if not isinstance(block, tuple):
        return [block.value]
    return [cell.value for row in block for cell in (row if isinstance(row, tuple) else (row,))]


def named_value(path: Path, name: str) -> Any:
    (value,) = named_values(path, name)
    return value
