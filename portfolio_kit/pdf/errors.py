"""Why a PDF could not be read, in words the person who supplied it can act on.

Every error names the file. The CLI prints ``str(err)`` as one sentence and a
notebook shows it as is, so messages say what is wrong and, where it helps,
what to do next ("ask for an unlocked copy", "run OCR first").
"""

from __future__ import annotations

from pathlib import Path

from portfolio_kit.errors import PortfolioKitError


class PdfError(PortfolioKitError):
    """Base class for every failure to extract statements from a PDF file.

    ``path`` is the file as the caller named it.
    """

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = Path(path)
        self.reason = message
        super().__init__(f"{self.path}: {message}")


class PdfNotFoundError(PdfError, FileNotFoundError):
    """The path does not exist or is not a regular file."""


class NotAPdfError(PdfError):
    """The file exists but is not a PDF (no ``%PDF-`` header)."""


class EncryptedPdfError(PdfError):
    """The PDF needs a password to open."""


class CorruptPdfError(PdfError):
    """The PDF is damaged or truncated and cannot be parsed reliably."""


class ScannedPdfError(PdfError):
    """The PDF has no text layer (a scan or images only): it needs OCR first."""


class NoStatementsFoundError(PdfError):
    """The text is readable but no primary financial statement was recognised."""


class PdfTooLargeError(PdfError):
    """The file exceeds the configured page or byte limit."""


class ContentTooLargeError(PdfTooLargeError):
    """A page's content inflates past the configured limit (a decompression bomb)."""


class OcrUnavailableError(PdfError):
    """The PDF has image-only pages and Tesseract OCR, needed to read them, is not installed."""


class ExtractionTimeoutError(PdfError):
    """Extraction did not finish within the configured time budget."""


__all__ = [
    "ContentTooLargeError",
    "CorruptPdfError",
    "EncryptedPdfError",
    "ExtractionTimeoutError",
    "NoStatementsFoundError",
    "NotAPdfError",
    "OcrUnavailableError",
    "PdfError",
    "PdfNotFoundError",
    "PdfTooLargeError",
    "ScannedPdfError",
]
