"""Engines for the package's databases: SQLite pragmas, PostgreSQL read-only, the default URL.

The bottom of the persistence stack: ``portfolio_kit.db`` builds a
``Database`` (sessions, audit listeners, first-use migration) on these
engines, and the Alembic environment (``portfolio_kit.migrations``) opens
one here when run from the command line. Keeping them apart from ``db``
lets migrations sit below ``db`` instead of importing it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url

from portfolio_kit.errors import ConfigurationError
from portfolio_kit.settings import get_settings


def _sqlite_url(path: Path, read_only: bool) -> str:
    if read_only:
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    return f"sqlite:///{path}"


def _install_sqlite_pragmas(engine: Engine, read_only: bool) -> None:
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        if not read_only and not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


def create_database_engine(url: str | URL, *, read_only: bool = False, echo: bool = False) -> Engine:
    """An engine configured for the package: SQLite pragmas, PostgreSQL read-only."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database
        if read_only and database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database)
            if not path.exists():
                raise ConfigurationError(f"cannot open {path} read-only: the file does not exist")
            parsed = make_url(_sqlite_url(path, read_only=True))
        engine = create_engine(parsed, echo=echo)
        _install_sqlite_pragmas(engine, read_only)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() in ("psycopg2", "pg8000", "asyncpg"):
            raise ConfigurationError(
                f"PostgreSQL driver {parsed.get_driver_name()!r} is not supported: "
                "use postgresql+psycopg://"
            )
        parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args = {"options": "-c default_transaction_read_only=on"} if read_only else {}
        return create_engine(parsed, echo=echo, connect_args=connect_args, pool_pre_ping=True)
    raise ConfigurationError(f"unsupported database {backend!r}: use sqlite:// or postgresql+psycopg://")


def default_url() -> str:
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    path = settings.default_database_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return _sqlite_url(path, read_only=False)


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
