"""Scanned filings: pages with no text layer are read by OCR into the same tables.

The scan is made as the corpus README says (``pdftoppm -r 200 -gray -png``,
the images joined into a PDF), from Apple's three statement pages only, so
the OCR costs seconds. The figures expected are the hand-keyed ones in
benchmarks/pdf_expected/APPLE_2019_10K.csv (typed from the printed pages,
independent of the extractor), and the text original's own extraction.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from portfolio_kit.pdf import extract_statements
from portfolio_kit.pdf.errors import NoStatementsFoundError
from tests.support.components import require
from tests.support.corpus import corpus_file, require_corpus

ROOT = Path(__file__).resolve().parents[2]
APPLE = corpus_file("10k", "APPLE_2019_10K.pdf")
EXPECTED = ROOT / "benchmarks" / "pdf_expected" / "APPLE_2019_10K.csv"
STATEMENT_PAGES = (31, 33, 35)  # 0-based: income statement, balance sheet, cash flows


def _need_ocr_tools() -> None:
    if not shutil.which("tesseract"):
        require("tesseract", "tesseract not found: apt-get install tesseract-ocr tesseract-ocr-eng")
    if not shutil.which("pdftoppm"):
        require("poppler-utils", "pdftoppm not found: apt-get install poppler-utils")
    require_corpus(APPLE)


def _images_to_pdf(images: list[Image.Image], target: Path) -> Path:
    images[0].save(target, save_all=True, append_images=images[1:], resolution=200)
    return target


@pytest.fixture(scope="module")
def scanned_apple(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_ocr_tools()
    folder = tmp_path_factory.mktemp("scan")
    images = []
    for page in STATEMENT_PAGES:
        prefix = folder / f"page{page}"
        subprocess.run(
            ["pdftoppm", "-r", "200", "-gray", "-png", "-singlefile",
             "-f", str(page + 1), "-l", str(page + 1), str(APPLE), str(prefix)],
            check=True,
            timeout=120,
        )
        images.append(Image.open(f"{prefix}.png"))
    return _images_to_pdf(images, folder / "APPLE_2019_10K_scanned.pdf")


def _keyed(frame) -> dict[tuple[str, str, str, int], float]:  # type: ignore[no-untyped-def]
    known = frame[frame["item"].notna()]
    return {
        (r.statement, r.item, r.period_end.isoformat(), int(r.period_months)): r.value
        for r in known.itertuples(index=False)
    }


def test_a_scan_gives_the_hand_keyed_figures(scanned_apple: Path) -> None:
    got = _keyed(extract_statements(scanned_apple).to_frame())
    with EXPECTED.open(encoding="utf-8") as handle:
        expected = {
            (row["statement"], row["item"], row["period_end"], int(row["period_months"])): float(
                row["value"]
            )
            for row in csv.DictReader(handle)
        }
    wrong = {key: (got.get(key), value) for key, value in expected.items() if got.get(key) != value}
    assert not wrong, f"{len(wrong)} of {len(expected)} figures differ: {sorted(wrong.items())[:10]}"


def test_a_scan_gives_the_same_figures_as_its_original_with_lower_confidence(
    scanned_apple: Path,
) -> None:
    scanned = extract_statements(scanned_apple).to_frame()
    original = extract_statements(APPLE).to_frame()
    assert _keyed(scanned) == _keyed(original)
    # OCR can misread a digit that the arithmetic happens not to catch: its
    # figures never carry the confidence of a text layer's.
    assert scanned["confidence"].max() < original["confidence"].max()
    # Provenance points into the scan: its pages 0-2, boxes inside the page.
    assert set(scanned["page"]) == {0, 1, 2}
    assert all(0 <= box[0] < box[2] and 0 <= box[1] < box[3] for box in scanned["bbox"])


def test_an_image_of_something_else_is_no_statements_not_an_empty_result(
    tmp_path: Path,
) -> None:
    _need_ocr_tools()
    page = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(page)
    for line, text in enumerate(
        ["Minutes of the advisory board", "Present: the partners", "Next meeting in March"]
    ):
        draw.text((150, 200 + 80 * line), text, fill=0)
    with pytest.raises(NoStatementsFoundError, match="minutes.pdf"):
        extract_statements(_images_to_pdf([page], tmp_path / "minutes.pdf"))


# --- a 10-Q scan against its text original --------------------------------------------------
#
# The chain of evidence: the hand-keyed values in benchmarks/pdf_expected/EBAY_2023Q2_10Q.csv
# were typed from the printed pages (page 4: "Net revenues $ 2,540", "Income (loss) from
# continuing operations before income taxes ... (727)"); the text original's extraction is
# checked against them here, and the scan is then checked against the text original.
EBAY_10Q = corpus_file("10q", "EBAY_2023Q2_10Q.pdf")
EBAY_EXPECTED = ROOT / "benchmarks" / "pdf_expected" / "EBAY_2023Q2_10Q.csv"
EBAY_PAGES = (3, 4, 7)  # 0-based: balance sheet, income statement, cash flows


@pytest.fixture(scope="module")
def ebay_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The three statement pages of eBay's Q2 2023 10-Q as text, and their 200 dpi scan."""
    _need_ocr_tools()
    require_corpus(EBAY_10Q)
    import pypdfium2 as pdfium

    folder = tmp_path_factory.mktemp("ebay")
    original = folder / "EBAY_2023Q2_10Q_statements.pdf"
    source, copy = pdfium.PdfDocument(str(EBAY_10Q)), pdfium.PdfDocument.new()
    copy.import_pages(source, list(EBAY_PAGES))
    copy.save(str(original))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", str(original), str(folder / "page")],
        check=True,
        timeout=120,
    )
    images = [Image.open(p) for p in sorted(folder.glob("page*.png"))]
    return original, _images_to_pdf(images, folder / "EBAY_2023Q2_10Q_scanned.pdf")


def test_the_text_original_gives_the_hand_keyed_income_statement(
    ebay_pair: tuple[Path, Path],
) -> None:
    got = _keyed(extract_statements(ebay_pair[0], time_budget=600).to_frame())
    with EBAY_EXPECTED.open(encoding="utf-8") as handle:
        expected = {
            (row["statement"], row["item"], row["period_end"], int(row["period_months"])): float(
                row["value"]
            )
            for row in csv.DictReader(handle)
            if row["statement"] == "income_statement"
        }
    assert {k: got.get(k) for k in expected} == expected


def test_a_10q_scan_gives_its_originals_figures_with_scale_and_signs(
    ebay_pair: tuple[Path, Path],
) -> None:
    original = _keyed(extract_statements(ebay_pair[0], time_budget=600).to_frame())
    scanned = _keyed(extract_statements(ebay_pair[1], time_budget=600).to_frame())
    different = {
        k: (v, scanned[k]) for k, v in original.items() if k in scanned and scanned[k] != v
    }
    extra = sorted(set(scanned) - set(original))
    assert not different, f"{len(different)} figures differ: {sorted(different.items())[:8]}"
    assert not extra, f"the scan has figures the original has not: {extra[:8]}"
    # The income statement whole: "(In millions" is read (values scaled, not 2540.0), the
    # rows under the header are kept, and parenthesised losses keep their sign.
    income = {k: v for k, v in original.items() if k[0] == "income_statement"}
    assert {k: scanned.get(k) for k in income} == income
    assert scanned[("income_statement", "revenue", "2023-06-30", 3)] == 2_540_000_000
    assert scanned[("income_statement", "pretax_income", "2022-06-30", 3)] == -727_000_000
    assert scanned[("income_statement", "net_income", "2022-06-30", 6)] == -1_872_000_000


def test_ocr_word_repairs_zero_dashes_and_a_glued_units_phrase() -> None:
    from portfolio_kit.pdf._ocr import repair_ocr_word
    from portfolio_kit.pdf._words import Word

    # A zero dash read as "=" or "—_—", about one em wide on a 10-point line: the zero dash.
    assert [w.text for w in repair_ocr_word(Word("=", 480.0, 488.0, 100.0, 110.0))] == ["\u2014"]
    assert [w.text for w in repair_ocr_word(Word("—_—", 357.0, 367.0, 360.0, 370.0))] == ["\u2014"]
    # A rule under a 40-point column of figures is no zero.
    assert [w.text for w in repair_ocr_word(Word("___", 440.0, 480.0, 100.0, 110.0))] == ["___"]
    # "(Inmillions," is split back into "(In" and "millions,", left to right.
    first, second = repair_ocr_word(Word("(Inmillions,", 373.0, 416.0, 118.0, 126.0))
    assert (first.text, second.text) == ("(In", "millions,")
    assert first.x0 == 373.0 and first.x1 < second.x0 and second.x1 == 416.0
    # Figures and words are left alone.
    assert [w.text for w in repair_ocr_word(Word("(727)", 421.0, 438.0, 280.0, 290.0))] == ["(727)"]
