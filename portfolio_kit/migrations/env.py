"""Alembic environment: runs against the engine handed over by ``portfolio_kit``.

When invoked from the ``alembic`` command line instead, the URL comes from
``PORTFOLIO_KIT_DATABASE_URL`` (or the default SQLite file), like ``connect()``.
"""

from __future__ import annotations

from alembic import context

from portfolio_kit.models import Base

config = context.config
target_metadata = Base.metadata


def _engine():
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from portfolio_kit.engine import create_database_engine, default_url

    return create_database_engine(default_url())


def run_migrations_online() -> None:
    engine = _engine()
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
