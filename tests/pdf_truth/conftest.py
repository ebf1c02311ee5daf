"""Fixtures for the ground-truth tests of the PDF statement extractor."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

_REPO_ROOT = Path(__file__).resolve().parents[2]
_CORPUS_DIR = _REPO_ROOT.parent / "shared" / "corpus" / "10k"


@pytest.fixture(scope="session")
def scorer() -> ModuleType:
    """``benchmarks/pdf_accuracy.py``, imported from its path (it is a script, not a package)."""
    name = "pdf_accuracy"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, _REPO_ROOT / "benchmarks" / "pdf_accuracy.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up in sys.modules while the class body executes.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The 10-K corpus; skipped when absent, except on CI where its absence is a failure."""
    if not _CORPUS_DIR.is_dir():
        reason = f"10-K corpus not found at {_CORPUS_DIR}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so the corpus is required)")
        pytest.skip(reason)
    return _CORPUS_DIR
