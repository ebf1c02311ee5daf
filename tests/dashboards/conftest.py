"""A demo database built once per test session and copied for each user of it.

Loading the demo takes several seconds (argon2 hashes for three accounts and
some 20,000 statement values), so it is loaded once; modules that write to
it (the live server records sign-ins) work on their own copy.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from portfolio_kit import connect
from portfolio_kit.demo import load_demo


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("demo_template")
    path = folder / "demo.db"
    database = connect(f"sqlite:///{path}")
    try:
        load_demo(database)
    finally:
        database.dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    yield path


def copy_demo(template: Path, folder: Path) -> Path:
    """A private copy of the demo database file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "demo.db"
    shutil.copyfile(template, target)
    return target
