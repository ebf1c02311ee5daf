"""Fixtures for the PDF extractor's tests: the 10-K corpus and synthetic filings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pdf.synthetic import write_synthetic_filing
from tests.support.corpus import corpus_file, require_corpus


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The 10-K corpus; skipped when absent, except on CI where its absence is a failure."""
    return require_corpus(corpus_file("10k"))


@pytest.fixture(scope="session")
def synthetic_filing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seven-page filing whose statements are in ``tests.pdf.synthetic`` (hand-footed)."""
    return write_synthetic_filing(tmp_path_factory.mktemp("synthetic") / "acme_10k.pdf")
