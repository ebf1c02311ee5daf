"""Each way a file can fail is a specific error naming the file: never a traceback or a hang."""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from portfolio_kit.errors import PortfolioKitError
from portfolio_kit.pdf import (
    CorruptPdfError,
    EncryptedPdfError,
    ExtractionTimeoutError,
    NoStatementsFoundError,
    NotAPdfError,
    PdfError,
    PdfNotFoundError,
    PdfTooLargeError,
    ScannedPdfError,
    extract_statements,
)
from portfolio_kit.pdf._ocr import tesseract_version
from portfolio_kit.pdf.errors import OcrUnavailableError
from tests.pdf.pdf_files import prose_page, write_pdf
from tests.pdf.synthetic import synthetic_pages
from tests.support.components import require


def expect(error: type[PdfError], path: Path, fragment: str, **limits: float) -> PdfError:
    started = time.perf_counter()
    with pytest.raises(error) as caught:
        extract_statements(path, **limits)
    assert time.perf_counter() - started < 30, "failure took too long to report"
    err = caught.value
    assert isinstance(err, PortfolioKitError)
    assert str(err).startswith(f"{path}: "), str(err)
    assert fragment in str(err)
    assert err.path == path
    return err


def test_missing_file(tmp_path: Path) -> None:
    err = expect(PdfNotFoundError, tmp_path / "nope.pdf", "no such file")
    assert isinstance(err, FileNotFoundError)


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    expect(PdfNotFoundError, tmp_path, "not a regular file")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04" + b"\x00" * 100, "ZIP archive"),
        (b"<!DOCTYPE html><html><body>Access denied</body></html>", "HTML page"),
        (
            b"statement,item,value\nincome_statement,revenue,1\n",
            "does not start with a %PDF- header",
        ),
    ],
)
def test_not_a_pdf(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "statements.pdf"
    path.write_bytes(content)
    expect(NotAPdfError, path, fragment)


def test_an_image_saved_with_a_pdf_extension(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    expect(NotAPdfError, path, "PNG image")


def test_encrypted_with_a_user_password(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "locked.pdf", synthetic_pages(), user_password="secret")
    expect(EncryptedPdfError, path, "encrypted with a password")


def test_owner_password_only_is_readable(tmp_path: Path) -> None:
    # Many filings are "encrypted" only against editing: the user password is empty.
    path = write_pdf(tmp_path / "owner_only.pdf", synthetic_pages(), user_password="")
    found = extract_statements(path)
    # Net revenues 2023 as printed in tests.pdf.synthetic: $ 10,000 thousand.
    assert found.value("revenue") == 10_000_000.0


def test_truncated_file(tmp_path: Path, synthetic_filing: Path) -> None:
    data = synthetic_filing.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) * 2 // 3])
    expect(CorruptPdfError, path, "truncated")


def test_truncated_corpus_filing(tmp_path: Path, corpus_dir: Path) -> None:
    data = (corpus_dir / "APPLE_2019_10K.pdf").read_bytes()
    path = tmp_path / "APPLE_2019_10K_partial.pdf"
    path.write_bytes(data[: int(len(data) * 0.99)])
    expect(CorruptPdfError, path, "truncated")


def test_damaged_body(tmp_path: Path) -> None:
    path = tmp_path / "damaged.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    expect(CorruptPdfError, path, "damaged")


def _bar_scan(tmp_path: Path) -> Path:
    """Three image-only pages of black bars: a scan with no words on it."""
    pages = []
    for number in range(3):
        image = Image.new("L", (850, 1100), 255)
        draw = ImageDraw.Draw(image)
        for row in range(40):
            draw.rectangle((100, 100 + 22 * row, 700 - 5 * number, 112 + 22 * row), fill=0)
        pages.append(image)
    path = tmp_path / "scan.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=100.0)
    return path


def test_scan_without_statements_says_it_was_read_by_ocr(tmp_path: Path) -> None:
    # Image-only pages go through OCR (tests/pdf/test_pdf_scanned.py); when OCR
    # finds no statement either, the answer says the pages were scans.
    if tesseract_version() is None:
        require("tesseract", "tesseract not found: apt-get install tesseract-ocr tesseract-ocr-eng")
    expect(NoStatementsFoundError, _bar_scan(tmp_path), "3 of them are images without a text layer")


def test_scan_without_tesseract_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The machine without Tesseract: pytesseract looks for the binary on PATH.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    tesseract_version.cache_clear()
    try:
        expect(OcrUnavailableError, _bar_scan(tmp_path), "tesseract-ocr")
    finally:
        tesseract_version.cache_clear()


def test_huge_document_is_refused_before_reading(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "huge.pdf", [[] for _ in range(2000)])
    started = time.perf_counter()
    expect(PdfTooLargeError, path, "2,000 pages, above the limit of 1,000")
    assert time.perf_counter() - started < 5
    # The limit is a parameter: past it, the empty pages are reported for what they are.
    expect(ScannedPdfError, path, "no text layer", max_pages=2500)


def test_byte_limit(tmp_path: Path, synthetic_filing: Path) -> None:
    path = tmp_path / "big.pdf"
    shutil.copy(synthetic_filing, path)
    expect(PdfTooLargeError, path, "above the limit", max_bytes=1000)


def test_no_statements(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "letter.pdf",
        [prose_page(["Dear shareholders,", "2023 was a year of progress.", "Revenue grew 25%."])]
        * 3,
    )
    expect(
        NoStatementsFoundError, path, "no income statement, balance sheet or cash-flow statement"
    )


def test_time_budget(synthetic_filing: Path) -> None:
    expect(ExtractionTimeoutError, synthetic_filing, "time budget", time_budget=1e-6)


@pytest.mark.parametrize(
    ("limits", "argument"),
    [
        ({"max_pages": 0}, "max_pages"),
        ({"max_bytes": -1}, "max_bytes"),
        ({"time_budget": 0}, "time_budget"),
        ({"engine": "ocr"}, "engine"),
    ],
)
def test_bad_limits_name_the_argument(synthetic_filing: Path, limits: dict, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        extract_statements(synthetic_filing, **limits)
