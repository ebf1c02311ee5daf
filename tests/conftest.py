"""Fixtures shared by every test module.

- Every test runs with its own data directory and no inherited
  ``PORTFOLIO_KIT_*`` settings (``_isolated_settings``, autouse).
- ``sqlite_db``: a migrated SQLite file in the test's tmp dir.
- ``postgres_server``: one throwaway PostgreSQL cluster per session.
- ``postgres_db``: a fresh migrated PostgreSQL database per test, copied from a
  template migrated once.
- ``any_db``: parametrized over both, so a database test is written once.

Tests that touch PostgreSQL carry the ``postgres`` marker automatically, so
``pytest -m "not postgres"`` runs everything else. A missing PostgreSQL skips
them, or fails them when ``CI`` is set (see ``tests.support.components``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from portfolio_kit import Database, connect
from portfolio_kit.settings import ENV_PREFIX, get_settings
from tests.support.components import require
from tests.support.postgres import PostgresCluster, PostgresUnavailable

_POSTGRES_FIXTURES = frozenset({"postgres_server", "postgres_db"})


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private data dir and none of the developer's own ``PORTFOLIO_KIT_*``
    variables, so no test reads or writes the real portfolio database."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    data_dir = tmp_path / "portfolio_kit_data"
    data_dir.mkdir()
    monkeypatch.setenv(f"{ENV_PREFIX}DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; copying it costs milliseconds
    where running the migrations costs about a second per test."""
    path = tmp_path_factory.mktemp("sqlite_template") / "template.db"
    database = connect(f"sqlite:///{path}")
    database.dispose()
    return path


@pytest.fixture
def sqlite_db(tmp_path: Path, _sqlite_template: Path) -> Iterator[Database]:
    """A migrated SQLite database file private to this test (``tmp_path/test.db``).

    The file is a copy of the session's migrated template, made with SQLite's
    backup API so that no write-ahead log is left behind; ``connect()`` still
    checks that it is at the newest migration.
    """
    path = tmp_path / "test.db"
    with closing(sqlite3.connect(_sqlite_template)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    database = connect(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster started for this test session and removed after it.

    ``.url`` is the base URL (``postgresql+psycopg://pkit@localhost:PORT/postgres``);
    ``.create_database()`` makes an empty database and ``.create_migrated_database()``
    a migrated one, both returning the new database's URL.
    """
    try:
        import psycopg  # noqa: F401
    except ImportError:
        require("postgresql", "the psycopg driver is not installed: pip install 'portfolio_kit[postgres]'")
    try:
        cluster = PostgresCluster.start()
    except PostgresUnavailable as exc:
        require("postgresql", str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_db(postgres_server: PostgresCluster) -> Iterator[Database]:
    """A fresh, migrated PostgreSQL database private to this test, dropped after it."""
    url = postgres_server.create_migrated_database()
    database = connect(url, migrate=False)
    yield database
    database.dispose()
    postgres_server.drop_database(database.url.database)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def any_db(request: pytest.FixtureRequest) -> Database:
    """The same test on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_db")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the PostgreSQL server, before ``-m`` selects."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("any_db") == "postgres"
        if fixtures & _POSTGRES_FIXTURES or on_postgres:
            item.add_marker(pytest.mark.postgres)
