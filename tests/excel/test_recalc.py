"""The LibreOffice harness: formulas come back computed, errors are sentences."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from portfolio_kit.excel.recalc import RecalculationError, recalculate


def _workbook(path: Path, a1: float) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = a1
    ws["A2"] = "=A1*2+1"
    ws["B1"] = "=SUM(A1:A2)"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


@pytest.mark.libreoffice
def test_several_workbooks_are_recalculated_in_one_call(recalc, tmp_path):
    first = _workbook(tmp_path / "in" / "first.xlsx", 10)
    second = _workbook(tmp_path / "in" / "second.xlsx", -3.5)
    out = recalc([first, second], tmp_path / "out")
    values = [openpyxl.load_workbook(path, data_only=True).active for path in out]
    # A2 = 2 * A1 + 1 and B1 = A1 + A2, by hand: 10 -> 21, 31; -3.5 -> -6, -9.5.
    assert [(ws["A2"].value, ws["B1"].value) for ws in values] == [(21, 31), (-6, -9.5)]


@pytest.mark.libreoffice
def test_stale_cached_results_are_recomputed(recalc, tmp_path):
    """A file saved by a spreadsheet program carries cached results; editing an
    input with openpyxl and recalculating must not return the stale cache."""
    (saved,) = recalc([_workbook(tmp_path / "in" / "model.xlsx", 1)], tmp_path / "first")
    wb = openpyxl.load_workbook(saved)
    wb.active["A1"] = 100
    edited = tmp_path / "edited" / "model.xlsx"
    edited.parent.mkdir()
    wb.save(edited)
    (again,) = recalc([edited], tmp_path / "second")
    assert openpyxl.load_workbook(again, data_only=True).active["A2"].value == 201


def test_a_missing_executable_is_a_sentence(tmp_path):
    book = _workbook(tmp_path / "in" / "book.xlsx", 1)
    with pytest.raises(RecalculationError, match="cannot run"):
        recalculate(book, tmp_path / "out", soffice=str(tmp_path / "no-such-soffice"))


def test_output_next_to_the_input_is_refused(tmp_path):
    book = _workbook(tmp_path / "book.xlsx", 1)
    with pytest.raises(RecalculationError, match="not overwritten"):
        recalculate(book, tmp_path, soffice="/bin/false")
    assert openpyxl.load_workbook(book).active["A2"].value == "=A1*2+1"


def test_two_inputs_with_the_same_name_are_refused(tmp_path):
    first = _workbook(tmp_path / "a" / "book.xlsx", 1)
    second = _workbook(tmp_path / "b" / "book.xlsx", 2)
    with pytest.raises(RecalculationError, match="distinct"):
        recalculate([first, second], tmp_path / "out", soffice="/bin/false")
