"""nbval runs each analyst notebook against its own fresh database.

Notebooks that write (data entry, PDF ingest) must not change what the
others show, so every notebook gets a private copy of a database built once
per test session: the demo portfolio (as of 2025-12-31), or an empty one
for the notebooks in ``EMPTY_DATABASE``, which load the demo themselves.
nbval starts a notebook's kernel when the notebook's first cell is set up,
and the kernel inherits this process's environment; so just before that,
``PORTFOLIO_KIT_DATABASE_URL``, ``PORTFOLIO_KIT_DATA_DIR`` and
``PORTFOLIO_KIT_USER`` (the demo analyst, whom the forms act as) are pointed
at the copy, and ``PORTFOLIO_KIT_SAMPLE_PDF`` at a 10-K of the shared corpus.
After the notebook's last cell the environment is put back.

``tests/notebooks/refresh_outputs.py`` executes the notebooks with the same
environment and stores their outputs after a deliberate change.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.corpus import corpus_file

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
ENV_PREFIX = "PORTFOLIO_KIT_"

NOTEBOOK_USER = "analyst@example.com"
"""The demo analyst: saves in the notebooks are attributed to this account."""

SAMPLE_PDF = corpus_file("10k", "APPLE_2019_10K.pdf")
"""A 10-K of the shared corpus (``tests.support.corpus`` says where that is)."""

EMPTY_DATABASE = frozenset({"01_getting_started.ipynb"})
"""Notebooks that start from an empty database and load the demo themselves."""


@dataclass
class _Templates:
    """The session's template databases, built on first use."""

    folder: Path
    built: dict[str, Path] = field(default_factory=dict)

    def path(self, kind: str) -> Path:
        if kind not in self.built:
            self.built[kind] = build_template(self.folder / f"{kind}.db", with_demo=kind == "demo")
        return self.built[kind]


def build_template(path: Path, *, with_demo: bool) -> Path:
    from portfolio_kit import connect
    from portfolio_kit.demo import load_demo

    database = connect(f"sqlite:///{path}")
    try:
        if with_demo:
            load_demo(database)
    finally:
        # Closing the last connection folds SQLite's write-ahead log into the
        # file, so a plain copy of it is complete.
        database.dispose()
    return path


def notebook_environment(notebook: Path, folder: Path, template: Path) -> dict[str, str]:
    """Copy ``template`` into ``folder`` for ``notebook``; the variables that point at it."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "portfolio_kit.db"
    shutil.copyfile(template, database)
    data_dir = folder / "data"
    data_dir.mkdir(exist_ok=True)
    return {
        f"{ENV_PREFIX}DATABASE_URL": f"sqlite:///{database}",
        f"{ENV_PREFIX}DATA_DIR": str(data_dir),
        f"{ENV_PREFIX}USER": NOTEBOOK_USER,
        f"{ENV_PREFIX}SAMPLE_PDF": str(SAMPLE_PDF),
    }


def template_kind(notebook: Path) -> str:
    return "empty" if notebook.name in EMPTY_DATABASE else "demo"


@contextmanager
def applied(variables: dict[str, str]) -> Iterator[None]:
    """Set ``variables`` (dropping every other ``PORTFOLIO_KIT_*``), then restore."""
    saved = {name: value for name, value in os.environ.items() if name.startswith(ENV_PREFIX)}
    for name in saved:
        del os.environ[name]
    os.environ.update(variables)
    try:
        yield
    finally:
        for name in [name for name in os.environ if name.startswith(ENV_PREFIX)]:
            del os.environ[name]
        os.environ.update(saved)


def _notebook_of(item: pytest.Item | None) -> Path | None:
    """The notebook an nbval cell belongs to, when it is one of this folder's."""
    if item is None or item.parent is None:
        return None
    path = Path(str(item.parent.fspath)).resolve()
    return path if path.suffix == ".ipynb" and path.parent == HERE else None


_STATE = pytest.StashKey[dict]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    notebook = _notebook_of(item)
    if notebook is None:
        return
    state = item.config.stash.setdefault(_STATE, {})
    if state.get("notebook") == notebook:
        return
    if "templates" not in state:
        root = Path(tempfile.mkdtemp(prefix="pk_notebooks_"))
        item.config.add_cleanup(lambda: shutil.rmtree(root, ignore_errors=True))
        state["templates"] = _Templates(root / "templates")
        state["templates"].folder.mkdir(parents=True)
        state["root"] = root
    template = state["templates"].path(template_kind(notebook))
    variables = notebook_environment(notebook, state["root"] / notebook.stem, template)
    context = applied(variables)
    context.__enter__()
    state["notebook"], state["context"] = notebook, context


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    notebook = _notebook_of(item)
    if notebook is None:
        return
    state = item.config.stash.get(_STATE, {})
    if _notebook_of(nextitem) == notebook or state.get("notebook") != notebook:
        return
    state.pop("context").__exit__(None, None, None)
    state["notebook"] = None
