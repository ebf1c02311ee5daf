"""The LibreOffice harness: formulas computed, stale caches ignored, errors as sentences."""

from __future__ import annotations

import re
import zipfile
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


def _with_stale_cache(path: Path) -> Path:
    """The workbook as a spreadsheet program would have saved it, but with A2's cached
    result wrong (999): what a file looks like after its inputs were edited by a tool
    that does not calculate."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet, count = re.subn(
        r"(<c r=\"A2\"[^>]*>\s*<f>A1\*2\+1</f>)\s*(<v\s*/>|<v></v>)?", r"\1<v>999</v>", sheet
    )
    assert count == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    stale = path.with_name("stale.xlsx")
    with zipfile.ZipFile(stale, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return stale


@pytest.mark.libreoffice
def test_several_workbooks_in_one_call_and_stale_caches_recomputed(recalc, tmp_path):
    first = _workbook(tmp_path / "in" / "first.xlsx", 10)
    second = _workbook(tmp_path / "in" / "second.xlsx", -3.5)
    stale = _with_stale_cache(_workbook(tmp_path / "in" / "model.xlsx", 100))
    assert openpyxl.load_workbook(stale, data_only=True).active["A2"].value == 999
    out = recalc([first, second, stale], tmp_path / "out")
    values = [openpyxl.load_workbook(path, data_only=True).active for path in out]
    # A2 = 2 * A1 + 1 and B1 = A1 + A2, by hand: 10 -> 21, 31; -3.5 -> -6, -9.5; 100 -> 201, 301.
    assert [(ws["A2"].value, ws["B1"].value) for ws in values] == [(21, 31), (-6, -9.5), (201, 301)]


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


def test_a_failing_converter_is_reported(tmp_path):
    book = _workbook(tmp_path / "in" / "book.xlsx", 1)
    with pytest.raises(
        RecalculationError, match=r"exit code 1\) wrote no recalculated copy of book.xlsx"
    ):
        recalculate(book, tmp_path / "out", soffice="/bin/false")
