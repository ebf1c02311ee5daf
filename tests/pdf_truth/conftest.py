"""Fixtures for the ground-truth tests of the PDF statement extractor."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

_REPO_ROOT = Path(__file__).resolve().parents[2]
_CORPUS_ROOT = _REPO_ROOT.parent / "shared" / "corpus"


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
    """The corpus root (10k/, 10q/, releases/); skipped when absent, a failure on CI."""
    folders = [_CORPUS_ROOT / sub for sub in ("10k", "10q", "releases")]
    absent = [str(f) for f in folders if not f.is_dir()]
    if absent:
        reason = f"PDF corpus folder(s) not found: {', '.join(absent)}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so the corpus is required)")
        pytest.skip(reason)
    return _CORPUS_ROOT
