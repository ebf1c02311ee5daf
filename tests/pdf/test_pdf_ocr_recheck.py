"""OCR figure repairs: the digit-only re-read of suspect figures, and misread dollar signs.

The rules are checked on literals (what a re-read may change), on drawn
pixels (parenthesis strokes beside a figure), and on two real statement
pages scanned as the corpus README says (``pdftoppm -r 200 -gray -png``),
where the figures expected are those printed on the page, read by eye from
the page image and matching the text original's extraction.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from portfolio_kit.pdf import extract_statements
from portfolio_kit.pdf._ocr import dollar_signs_before_figures, repair_ocr_word
from portfolio_kit.pdf._ocr_recheck import accept_reread, ink_on_both_sides, needs_recheck
from portfolio_kit.pdf._words import Word
from tests.support.components import require
from tests.support.corpus import corpus_file, require_corpus

# --- what a re-read may change -----------------------------------------------------------


def test_a_reread_may_add_parentheses_and_fix_separators() -> None:
    assert accept_reread("182", "(182)") == "(182)"  # parentheses lost against a rule
    assert accept_reread("8.211", "8,211") == "8,211"  # a comma read as a point
    assert accept_reread("323.", "323") == "323"  # a speck after the figure
    assert accept_reread("985", "9.85", row_decimals=2) == "9.85"  # per-share point lost


def test_a_reread_never_changes_digits_nor_drops_what_the_first_read_saw() -> None:
    assert accept_reread("7,707", "7,107") is None  # another digit: which one is right?
    assert accept_reread("322)", "322") is None  # the first read saw a parenthesis
    assert accept_reread("182", "-182") is None  # a minus may be a rule read as a glyph
    assert accept_reread("1.01", "101") is None  # a decimal point may not go
    assert accept_reread("985", "9.85") is None  # nor come, unless the row has decimals
    assert accept_reread("985", "98.5", row_decimals=2) is None  # and as many as the row
    assert accept_reread("182", "(18") is None  # no clean figure
    assert accept_reread("182", "") is None


def test_which_words_are_read_again() -> None:
    assert needs_recheck("323.", 57.0, False)  # digits, but no clean figure
    assert needs_recheck("8.211", 70.0, False)  # the shape a misread comma gives
    assert needs_recheck("363", 46.0, False)  # below even odds by Tesseract's estimate
    assert needs_recheck("182", 96.0, True)  # strokes beside a positive figure
    assert needs_recheck("985", 96.0, False, row_decimals=2)
    assert not needs_recheck("182", 96.0, False)
    assert not needs_recheck("(182)", 96.0, True)  # its parentheses were read
    assert not needs_recheck("29,", 96.0, False)  # "October 29,": running text
    assert not needs_recheck("10-Q", 40.0, False)  # a word with a letter
    assert not needs_recheck("2022*", 40.0, False)
    assert not needs_recheck("$", 20.0, False)


def test_parenthesis_strokes_are_seen_beside_the_digits_not_a_dollar_sign() -> None:
    ink = np.zeros((60, 200), dtype=bool)
    box = (80, 20, 40, 24)  # the digits' box: x 80-120, y 20-44
    ink[18:46, 72:74] = True  # "(" 6 px left of the digits, taller than them
    ink[18:46, 126:128] = True  # ")" 6 px right
    assert ink_on_both_sides(ink, box)
    one_side = ink.copy()
    one_side[:, 124:] = False  # only the left stroke: a "$" or a letter before a figure
    assert not ink_on_both_sides(one_side, box)
    rules = np.zeros_like(ink)
    rules[16:18, 60:140] = True  # rules above and below a total touch no middle row
    rules[46:48, 60:140] = True
    assert not ink_on_both_sides(rules, box)


def test_misread_dollar_signs_become_dollar_signs() -> None:
    for text in ("$§$", "§$", "$$"):
        assert [w.text for w in repair_ocr_word(Word(text, 405.0, 409.4, 191.2, 198.9))] == ["$"]
    line = [
        Word("Diluted", 80.6, 106.3, 375.8, 382.0),
        Word("§", 467.2, 471.3, 375.3, 382.7),
        Word("7.54", 500.5, 516.6, 375.8, 382.0),
    ]
    assert [w.text for w in dollar_signs_before_figures(line)] == ["Diluted", "$", "7.54"]
    # With no figure after it, a section sign is left as read (a footnote marker).
    note = [Word("Sales", 75.0, 96.0, 191.0, 198.0), Word("§", 97.0, 101.0, 190.0, 195.0)]
    assert [w.text for w in dollar_signs_before_figures(note)] == ["Sales", "§"]


# --- real statement pages, scanned ---------------------------------------------------------


def _scan_of_pages(source: Path, pages: list[int], folder: Path) -> tuple[Path, Path]:
    """The pages copied out as a text PDF, and their 200 dpi greyscale scan."""
    if not shutil.which("tesseract"):
        require("tesseract", "tesseract not found: apt-get install tesseract-ocr tesseract-ocr-eng")
    if not shutil.which("pdftoppm"):
        require("poppler-utils", "pdftoppm not found: apt-get install poppler-utils")
    require_corpus(source)
    import pypdfium2 as pdfium

    original = folder / f"{source.stem}_pages.pdf"
    document, copy = pdfium.PdfDocument(str(source)), pdfium.PdfDocument.new()
    copy.import_pages(document, pages)
    copy.save(str(original))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", str(original), str(folder / "page")],
        check=True,
        timeout=120,
    )
    images = [Image.open(p) for p in sorted(folder.glob("page*.png"))]
    scan = folder / f"{source.stem}_scanned.pdf"
    images[0].save(scan, save_all=True, append_images=images[1:], resolution=200)
    return original, scan


def _keyed(path: Path) -> dict[tuple[str, str, str, int], float]:
    frame = extract_statements(path, time_budget=600).to_frame()
    known = frame[frame["item"].notna()]
    return {
        (r.statement, r.item, r.period_end.isoformat(), int(r.period_months)): r.value
        for r in known.itertuples(index=False)
    }


def test_parenthesised_totals_between_rules_keep_their_sign(tmp_path: Path) -> None:
    # Foot Locker's Q3 2022 10-Q, PDF page 8 (cash flows). Printed, in millions, thirty-nine weeks
    # ended October 29, 2022 / October 30, 2021: "Net cash (used in) / provided by operating
    # activities (32) 498", "Net cash used in investing activities (182) (983)", "... financing
    # activities (237) 154"; each total sits between rules that touch its parentheses.
    original, scan = _scan_of_pages(corpus_file("10q", "FOOTLOCKER_2022Q3_10Q.pdf"), [7], tmp_path)
    got = _keyed(scan)
    printed = {
        ("operating_cash_flow", "2022-10-29"): -32e6,
        ("operating_cash_flow", "2021-10-30"): 498e6,
        ("investing_cash_flow", "2022-10-29"): -182e6,
        ("investing_cash_flow", "2021-10-30"): -983e6,
        ("financing_cash_flow", "2022-10-29"): -237e6,
        ("financing_cash_flow", "2021-10-30"): 154e6,
    }
    assert {k: got.get(("cash_flow", *k, 9)) for k in printed} == printed
    expected = _keyed(original)
    assert {k: v for k, v in got.items() if expected.get(k) != v} == {}


def test_a_per_share_row_with_a_misread_dollar_sign_and_a_lost_point(tmp_path: Path) -> None:
    # American Express's 2022 10-K, PDF page 96 (income statement): "Diluted $ 9.85 $ 10.02 $ 3.77"
    # (Tesseract reads the second "$" as "$§$" and 9.85 as "985"). The same page's other
    # figures must come out as the text original's.
    original, scan = _scan_of_pages(
        corpus_file("10k", "AMERICANEXPRESS_2022_10K.pdf"), [95], tmp_path
    )
    got = _keyed(scan)
    printed = {"2022-12-31": 9.85, "2021-12-31": 10.02, "2020-12-31": 3.77}
    assert {d: got.get(("income_statement", "eps_diluted", d, 12)) for d in printed} == printed
    expected = _keyed(original)
    assert {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v} == {}
