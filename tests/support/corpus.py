"""Where the corpus of public filings lives, for tests, benchmarks and notebooks.

The filings are not part of the repository (they are large and not ours to
relicense): they are cloned beside it as ``<parent>/shared/corpus``. A clone
kept elsewhere points ``PORTFOLIO_KIT_CORPUS_DIR`` at its corpus folder (the
one holding ``10k/``, ``10q/`` and ``releases/``). This module is the only
place that knows that rule, so a test, a benchmark and the notebooks' nbval
set-up never disagree on where the corpus is.

It imports nothing from pytest at module level: benchmarks, which are plain
scripts, use :func:`corpus_root` too.
"""

from __future__ import annotations

import os
from pathlib import Path

CORPUS_ENV = "PORTFOLIO_KIT_CORPUS_DIR"
"""Environment variable naming the corpus folder, overriding the default."""

REPO_ROOT = Path(__file__).resolve().parents[2]


def corpus_root() -> Path:
    """The corpus folder: ``$PORTFOLIO_KIT_CORPUS_DIR``, else ``<repo>/../shared/corpus``.

    The path is returned whether or not it exists; :func:`require_corpus`
    turns a missing one into a skip (or a failure under CI).
    """
    override = os.environ.get(CORPUS_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return REPO_ROOT.parent / "shared" / "corpus"


def corpus_file(*parts: str) -> Path:
    """A path inside the corpus, e.g. ``corpus_file("10k", "APPLE_2019_10K.pdf")``."""
    return corpus_root().joinpath(*parts)


def require_corpus(path: Path) -> Path:
    """``path`` if it exists; otherwise skip the test, or fail it under CI.

    The reason names the path looked at and the variable that moves it, so a
    reader of a skipped or failed run knows what to fix.
    """
    if path.exists():
        return path
    from tests.support.components import require

    require(
        "corpus",
        f"{path} is missing: clone the shared corpus beside the repository "
        f"(../shared/corpus) or set {CORPUS_ENV} to its folder",
    )
