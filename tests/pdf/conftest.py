"""Fixtures for the PDF extractor's tests: the 10-K corpus and synthetic filings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.pdf.synthetic import write_synthetic_filing

_CORPUS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "10k"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The 10-K corpus; skipped when absent, except on CI where its absence is a failure."""
    if not _CORPUS_DIR.is_dir():
        reason = f"10-K corpus not found at {_CORPUS_DIR}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so the corpus is required)")
        pytest.skip(reason)
    return _CORPUS_DIR


@pytest.fixture(scope="session")
def synthetic_filing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seven-page filing whose statements are in ``tests.pdf.synthetic`` (hand-footed)."""
    return write_synthetic_filing(tmp_path_factory.mktemp("synthetic") / "acme_10k.pdf")
