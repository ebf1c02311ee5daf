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
