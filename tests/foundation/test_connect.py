"""Opening the database: default location, environment settings, first-use migration."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from portfolio_kit import connect
from portfolio_kit.errors import ConfigurationError
from portfolio_kit.migrations import current_revision, head_revision
from portfolio_kit.models import Base
from portfolio_kit.settings import get_settings
from tests.support.postgres import PostgresCluster

EXPECTED_TABLES = {table.name for table in Base.metadata.sorted_tables} | {"alembic_version"}


def test_connect_creates_and_migrates_a_new_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    assert not path.exists()
    database = connect(f"sqlite:///{path}")
    try:
        assert path.is_file()
        assert set(inspect(database.engine).get_table_names()) == EXPECTED_TABLES
        assert current_revision(database.engine) == head_revision()
        assert database.is_empty()
    finally:
        database.dispose()


def test_default_database_is_portfolio_kit_db_in_the_data_dir(_isolated_settings: Path) -> None:
    database = connect()
    try:
        expected = _isolated_settings / "portfolio_kit.db"
        assert Path(database.url.database) == expected
        assert expected.is_file()
        assert set(inspect(database.engine).get_table_names()) == EXPECTED_TABLES
    finally:
        database.dispose()


def test_database_url_setting_is_honoured(
    tmp_path: Path, _isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "team.db"
    monkeypatch.setenv("PORTFOLIO_KIT_DATABASE_URL", f"sqlite:///{target}")
    get_settings.cache_clear()
    database = connect()
    try:
        assert Path(database.url.database) == target
        assert target.is_file()
        assert not (_isolated_settings / "portfolio_kit.db").exists()
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTFOLIO_KIT_DATABASE_URL", "mysql://x"),
        ("PORTFOLIO_KIT_SESSION_MAX_AGE_HOURS", "abc"),
        ("PORTFOLIO_KIT_SESSION_MAX_AGE_HOURS", "-1"),
        ("PORTFOLIO_KIT_DASHBOARD_PORT", "70000"),
    ],
)
def test_bad_setting_is_a_configuration_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match=variable):
        connect()


def test_unsupported_postgres_driver_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="psycopg2"):
        connect("postgresql+psycopg2://someone@localhost/portfolio")


def test_read_only_open_of_a_missing_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(ConfigurationError, match="nowhere.db"):
        connect(f"sqlite:///{missing}", read_only=True)
    assert not missing.exists()


def test_plain_postgresql_url_is_served_by_psycopg(postgres_server: PostgresCluster) -> None:
    url = postgres_server.create_migrated_database()
    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    database = connect(plain)
    try:
        assert database.engine.url.drivername == "postgresql+psycopg"
        assert database.is_empty()
    finally:
        database.dispose()
        postgres_server.drop_database(database.url.database)
