"""Opening the database: sessions, read-only mode and first-use migration.

``connect()`` is the one entry point. The embedded SQLite file is created and
migrated on first use; PostgreSQL is reached through psycopg 3 with the same
code. A read-only ``Database`` cannot write at the database level (SQLite
``mode=ro``; PostgreSQL ``default_transaction_read_only``), which is what the
partner dashboards open. Engines themselves come from ``portfolio_kit.engine``
(below this module and the migrations, which both use it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm import Session, sessionmaker

from portfolio_kit import audit
from portfolio_kit.audit import SYSTEM, Actor
from portfolio_kit.engine import (  # noqa: F401 - re-exported: their long-standing home
    create_database_engine,
    default_url,
    table_names,
)
from portfolio_kit.errors import ConflictError, ValidationError
from portfolio_kit.settings import get_settings


class Database:
    """An engine plus a session factory with the package's listeners installed."""

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False, class_=audit.AuditedSession)
        audit.install(self._sessions)

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __repr__(self) -> str:
        mode = ", read-only" if self.read_only else ""
        return f"Database({self.url.render_as_string(hide_password=True)!r}{mode})"

    @contextmanager
    def session(self, actor: Actor | None = None) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error.

        ``actor`` is who the audit trail names and whose role is checked before
        every flush; without one, the session acts as the system (used by the
        CLI's administrative commands). A stale optimistic-lock update
        surfaces as ``ConflictError`` and a constraint violation as
        ``ValidationError``, both with the database left unchanged.
        """
        session = self._sessions(info={"actor": actor or SYSTEM})
        try:
            yield session
            session.commit()
        except StaleDataError as exc:
            session.rollback()
            raise ConflictError(
                "somebody else changed this record after you loaded it; "
                "nothing was saved: reload it and apply your change again"
            ) from exc
        except IntegrityError as exc:
            session.rollback()
            raise integrity_error_to_validation(exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        from portfolio_kit.migrations import upgrade

        upgrade(self.engine)

    def is_empty(self) -> bool:
        """True when no fund, company or user exists yet."""
        with self.engine.connect() as conn:
            for table in ("funds", "portfolio_companies", "users"):
                if conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first():
                    return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()


def integrity_error_to_validation(exc: IntegrityError) -> ValidationError:
    """Name the constraint a database rejected, in words a form can show."""
    message = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
    lowered = message.lower()
    if "unique" in lowered or "duplicate key" in lowered:
        return ValidationError("record", f"a record with the same key already exists ({message})")
    if "foreign key" in lowered:
        return ValidationError("record", f"it refers to a record that does not exist or is still in use ({message})")
    if "check constraint" in lowered or "violates check" in lowered:
        return ValidationError("record", f"a value is out of its allowed range ({message})")
    if "not null" in lowered:
        return ValidationError("record", f"a required value is missing ({message})")
    return ValidationError("record", message)


def connect(url: str | None = None, *, read_only: bool = False, migrate: bool = True) -> Database:
    """Open the portfolio database.

    Parameters
    ----------
    url
        SQLAlchemy URL. Default: ``PORTFOLIO_KIT_DATABASE_URL``, else the
        embedded SQLite file ``<data_dir>/portfolio_kit.db``.
    read_only
        Open a connection that physically cannot write (dashboards).
    migrate
        Bring the schema up to date first (creating the SQLite file on first
        use). Skipped for read-only connections, which need an existing,
        migrated database.
    """
    settings = get_settings()
    target = url or default_url()
    engine = create_database_engine(target, read_only=read_only, echo=settings.echo_sql)
    database = Database(engine, read_only=read_only)
    if migrate and not read_only:
        from portfolio_kit.migrations import is_current

        if not is_current(engine):
            database.upgrade()
    return database
