"""Fixtures for the ground-truth tests of the PDF statement extractor."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.corpus import corpus_file, corpus_root, require_corpus

_REPO_ROOT = Path(__file__).resolve().parents[2]


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
    for sub in ("10k", "10q", "releases"):
        require_corpus(corpus_file(sub))
    return corpus_root()
