"""Running one query and getting an Arrow table back, as fast as the database allows.

The fast path is ADBC, an Arrow-native driver: the database's rows arrive as
columns, with no Python object per value, which is what makes a million rows
load in well under a second where ``pandas.read_sql`` through SQLAlchemy takes
several (see ``docs/frames.md`` for the figures). The query itself is always a
SQLAlchemy Core ``Select``, compiled here for the ADBC driver's parameter style
(``?`` for SQLite, ``$1`` for PostgreSQL) with every filter value bound as a
parameter, so the same statement also runs unchanged on the fallback.

The fallback, SQLAlchemy plus ``pandas.read_sql_query`` (what ``read_sql``
calls for a query, without first asking the database whether the statement
names a table, which is a second query on PostgreSQL), is used only when

- the ADBC driver is not installed (``adbc-driver-postgresql`` comes with the
  ``postgres`` extra; ``adbc-driver-sqlite`` is a core dependency), or
- the database is an in-memory SQLite database, which lives inside the
  engine's own connection and cannot be opened a second time.

Taking the fallback is logged (logger ``portfolio_kit.frames``, once per
engine and reason): a warning when a driver is missing, since a team server
then loads frames several times slower without saying why; info for the
in-memory case, which is expected.

A read-only ``Database`` stays read-only on the fast path: SQLite files are
opened with ``mode=ro`` and PostgreSQL sessions with
``default_transaction_read_only=on``.
"""

from __future__ import annotations

import enum
import functools
import logging
import os
import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal
from urllib.parse import quote, urlencode

import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine, Select, event
from sqlalchemy.engine import URL, Dialect

from portfolio_kit.db import Database
from portfolio_kit.frames._schema import Column, to_frame

Loader = Literal["adbc", "sqlalchemy"]

logger = logging.getLogger("portfolio_kit.frames")

SQLITE_BATCH_ROWS = 1 << 30
"""The ADBC SQLite driver infers each column's type from the first batch and
fails on a later batch that disagrees (a column NULL for the first 1,024 rows
becomes int64, then meets a string). One batch for the whole result makes the
inference see every row; it costs no extra time or memory, since the whole
result is fetched anyway."""

READ_ONLY_OPTION = "-c default_transaction_read_only=on"

SQLITE_BUSY_TIMEOUT_MS = 10_000
"""As ``portfolio_kit.db`` sets for the engine's SQLite connections."""

_PYSQLITE_URL_KEYS = frozenset(
    {
        "uri",
        "timeout",
        "check_same_thread",
        "isolation_level",
        "detect_types",
        "cached_statements",
        "factory",
    }
)
"""Query keys of a SQLAlchemy SQLite URL that configure pysqlite, not SQLite;
the rest of a ``file:`` URI's query (``mode=ro``) is SQLite's own."""


@dataclass(frozen=True, slots=True)
class _AdbcTarget:
    driver: Literal["sqlite", "postgresql"]
    uri: str
    dialect: Dialect


def load_frame(db: Database, statement: Select[Any], columns: list[Column]) -> pd.DataFrame:
    """One query, one Arrow table, one conversion to pandas with the contract's dtypes."""
    return to_frame(read_arrow(db, statement), columns)


def loader_for(db: Database) -> Loader:
    """Which path :func:`read_arrow` takes for ``db``: ``"adbc"`` or ``"sqlalchemy"``."""
    return "adbc" if _adbc_target(db) is not None else "sqlalchemy"


def read_arrow(db: Database, statement: Select[Any]) -> pa.Table:
    """Run ``statement`` once and return its rows as an Arrow table.

    One round trip: one statement, on a pooled ADBC connection (see
    ``_ConnectionPool``) or on one of the engine's connections.
    Column names are the statement's labels; types are whatever the driver
    gives (``portfolio_kit.frames._schema.to_frame`` normalises them).
    """
    target = _adbc_target(db)
    if target is None:
        return _read_with_sqlalchemy(db, statement)
    return _read_with_adbc(db, target, statement)


def _read_with_sqlalchemy(db: Database, statement: Select[Any]) -> pa.Table:
    with db.engine.connect() as connection:
        frame = pd.read_sql_query(statement, connection)
    return pa.Table.from_pandas(frame, preserve_index=False)


def _read_with_adbc(db: Database, target: _AdbcTarget, statement: Select[Any]) -> pa.Table:
    compiled = statement.compile(
        dialect=target.dialect, compile_kwargs={"render_postcompile": True}
    )
    sql = str(compiled)
    parameters = [
        _adbc_parameter(compiled.params[name], target.driver) for name in compiled.positiontup or ()
    ]
    pool = _pool_for(db, target)
    connection, reused = pool.take()
    try:
        table = _fetch(target, connection, sql, parameters)
    except BaseException as exc:
        _close_quietly(connection)
        import adbc_driver_manager

        # The server may have closed an idle pooled connection (a restart, an idle
        # timeout); a SELECT is safe to send again on a fresh one.
        if not (reused and isinstance(exc, adbc_driver_manager.OperationalError)):
            raise
        connection = pool.open()
        try:
            table = _fetch(target, connection, sql, parameters)
        except BaseException:
            _close_quietly(connection)
            raise
    pool.give_back(connection)
    return table


def _fetch(target: _AdbcTarget, connection: Any, sql: str, parameters: list[Any]) -> pa.Table:
    with connection.cursor() as cursor:
        if target.driver == "sqlite":
            cursor.adbc_statement.set_options(
                **{"adbc.sqlite.query.batch_rows": str(SQLITE_BATCH_ROWS)}
            )
        cursor.execute(sql, parameters or None)
        return cursor.fetch_arrow_table()


class _ConnectionPool:
    """Idle ADBC connections to one database, reused from one frame to the next.

    Opening an ADBC PostgreSQL connection costs about 100 ms (the driver reads
    the server's type catalogue), twenty times a query for a small frame; a
    dashboard loading ten frames would spend a second connecting. Connections
    are in autocommit mode, so an idle one holds no transaction, lock or old
    snapshot. Each is used by one thread at a time: ``take`` removes it from
    the pool, ``give_back`` returns it.
    """

    def __init__(self, target: _AdbcTarget) -> None:
        self.target = target
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def open(self) -> Any:
        if self.target.driver == "sqlite":
            import adbc_driver_sqlite.dbapi as adbc_sqlite

            connection = adbc_sqlite.connect(self.target.uri, autocommit=True)
            # Wait for a writer's lock as the engine's own connections do, instead of failing.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            return connection
        import adbc_driver_postgresql.dbapi as adbc_postgresql

        return adbc_postgresql.connect(self.target.uri, autocommit=True)

    def take(self) -> tuple[Any, bool]:
        """A connection, and whether it was used before."""
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self.open(), False

    def give_back(self, connection: Any) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        _close_quietly(connection)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            _close_quietly(connection)

    def retarget(self, target: _AdbcTarget) -> None:
        """Serve another address from now on (the engine's URL or mode changed)."""
        self.close()
        self.target = target


MAX_IDLE_CONNECTIONS = 4

_pools: weakref.WeakKeyDictionary[Engine, _ConnectionPool] = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()
_inherited: list[_ConnectionPool] = []
"""Pools a forked child inherited: never used or closed there (closing would
hang up the parent's sessions), only kept from the garbage collector."""


def _pool_for(db: Database, target: _AdbcTarget) -> _ConnectionPool:
    engine = db.engine
    with _pools_lock:
        pool = _pools.get(engine)
        if pool is None:
            pool = _pools[engine] = _ConnectionPool(target)
            weakref.finalize(engine, pool.close)
            if not event.contains(engine, "engine_disposed", _close_pool):
                event.listen(engine, "engine_disposed", _close_pool)
        elif pool.target != target:
            pool.retarget(target)
        return pool


def _close_pool(engine: Engine) -> None:
    """``Database.dispose()`` closes the ADBC connections along with the engine's own."""
    with _pools_lock:
        pool = _pools.pop(engine, None)
    if pool is not None:
        pool.close()


def _forget_pools_in_child() -> None:
    _inherited.extend(_pools.values())
    _pools.clear()


os.register_at_fork(after_in_child=_forget_pools_in_child)


def _close_quietly(connection: Any) -> None:
    """Close a connection being discarded; one that is already broken may refuse."""
    try:
        connection.close()
    except Exception:
        return


def _adbc_parameter(value: Any, driver: str) -> Any:
    """A bound value as the ADBC driver must see it to compare like SQLAlchemy does.

    SQLAlchemy stores dates on SQLite as ISO text and timestamps as naive UTC
    text with microseconds; comparisons there are textual, so the parameter
    must be text in exactly that form.
    """
    if isinstance(value, enum.Enum):
        value = value.value
    if driver != "sqlite":
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _adbc_target(db: Database) -> _AdbcTarget | None:
    url = db.engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        uri = _sqlite_uri(url, db.read_only)
        if uri is None:
            _log_fallback(db, logging.INFO, "an in-memory SQLite database cannot be opened twice")
            return None
        if not _driver_installed("adbc_driver_sqlite"):
            _log_fallback(db, logging.WARNING, _missing_driver("adbc_driver_sqlite"))
            return None
        return _AdbcTarget("sqlite", uri, db.engine.dialect)
    if backend == "postgresql":
        if not _driver_installed("adbc_driver_postgresql"):
            _log_fallback(db, logging.WARNING, _missing_driver("adbc_driver_postgresql"))
            return None
        return _AdbcTarget(
            "postgresql",
            libpq_uri(url, read_only=db.read_only),
            _numeric_dollar_dialect(type(db.engine.dialect)),
        )
    _log_fallback(db, logging.INFO, f"ADBC has no driver for {backend}")
    return None


_logged_fallbacks: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()
_logged_lock = threading.Lock()


def _log_fallback(db: Database, level: int, reason: str) -> None:
    """Say once per engine and reason why frames take the slow path: every frame
    asks, and a dashboard loads ten of them."""
    with _logged_lock:
        seen = _logged_fallbacks.setdefault(db.engine, set())
        if reason in seen:
            return
        seen.add(reason)
    logger.log(
        level,
        "frames for %s load through SQLAlchemy, not ADBC: %s",
        db.engine.url.render_as_string(hide_password=True),
        reason,
    )


def _missing_driver(module: str) -> str:
    package = module.replace("_", "-")
    error = _driver_import_error(module)
    detail = f" ({error})" if error else ""
    return f"{package} cannot be imported{detail}; install it for loads several times faster"


def _driver_installed(module: str) -> bool:
    return _driver_import_error(module) is None


@functools.cache
def _driver_import_error(module: str) -> str | None:
    """Why ``module.dbapi`` cannot be imported, or None when it can."""
    try:
        __import__(f"{module}.dbapi")
    except ImportError as error:
        return str(error) or type(error).__name__
    return None


@functools.cache
def _numeric_dollar_dialect(dialect_class: type[Dialect]) -> Dialect:
    """The engine's PostgreSQL dialect, rendering parameters as libpq's ``$1, $2``."""
    return dialect_class(paramstyle="numeric_dollar")


def _sqlite_uri(url: URL, read_only: bool) -> str | None:
    """The file (or ``file:`` URI) ADBC should open, or None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or ":memory:" in database or url.query.get("mode") == "memory":
        return None
    if database.startswith("file:"):
        query = {key: value for key, value in url.query.items() if key not in _PYSQLITE_URL_KEYS}
        if read_only:
            query["mode"] = "ro"
        return f"{database}?{urlencode(query, doseq=True)}" if query else database
    if read_only:
        return f"file:{quote(database)}?mode=ro"
    return database


def libpq_uri(url: URL, *, read_only: bool = False) -> str:
    """A ``postgresql://`` URI that libpq (and so ADBC) accepts, for a SQLAlchemy URL.

    User, password and database are percent-encoded; query arguments
    (``sslmode``, ``host`` for a socket directory, ...) are kept, since psycopg
    hands them to libpq as they are. ``read_only`` adds
    ``-c default_transaction_read_only=on`` to the session options.
    """
    netloc = ""
    if url.username:
        netloc = quote(url.username, safe="")
        if url.password is not None:
            netloc += ":" + quote(str(url.password), safe="")
        netloc += "@"
    if url.host:
        netloc += f"[{url.host}]" if ":" in url.host else url.host
    if url.port:
        netloc += f":{url.port}"
    query: dict[str, Any] = dict(url.query)
    if read_only:
        existing = query.get("options")
        query["options"] = f"{existing} {READ_ONLY_OPTION}" if existing else READ_ONLY_OPTION
    uri = f"postgresql://{netloc}/{quote(url.database or '', safe='')}"
    return f"{uri}?{urlencode(query, doseq=True, quote_via=quote)}" if query else uri
