"""``init``, ``db upgrade`` and ``info``: the database itself."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from portfolio_kit.cli._context import open_database
from portfolio_kit.migrations import current_revision, head_revision


@click.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the database (if needed) and bring its schema up to date."""
    database = open_database(ctx)
    click.echo(f"database ready: {database.url.render_as_string(hide_password=True)} (schema {head_revision()})")


@click.group()
def db() -> None:
    """Schema migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target migration.")
@click.pass_context
def upgrade(ctx: click.Context, revision: str) -> None:
    """Apply migrations up to REVISION."""
    from portfolio_kit.db import connect
    from portfolio_kit.migrations import upgrade as run_upgrade

    url = (ctx.find_root().obj or {}).get("database_url")
    database = connect(url, migrate=False)
    before = current_revision(database.engine)
    run_upgrade(database.engine, revision)
    after = current_revision(database.engine)
    click.echo(f"schema {before or 'empty'} -> {after}")


@db.command("current")
@click.pass_context
def current(ctx: click.Context) -> None:
    """Show the schema revision."""
    from portfolio_kit.db import connect

    url = (ctx.find_root().obj or {}).get("database_url")
    database = connect(url, migrate=False)
    revision = current_revision(database.engine)
    status = "up to date" if revision == head_revision() else f"behind (newest is {head_revision()})"
    click.echo(f"{revision or 'no schema'}: {status}")


def row_counts(database) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from portfolio_kit.models import Base

    counts = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = connection.execute(select(func.count()).select_from(table)).scalar_one()
    return counts


@click.command()
@click.pass_context
def info(ctx: click.Context) -> None:
    """Which database, and how many rows of each kind."""
    database = open_database(ctx)
    click.echo(f"database: {database.url.render_as_string(hide_password=True)}")
    click.echo(f"schema:   {current_revision(database.engine)}")
    for table, count in row_counts(database).items():
        click.echo(f"  {table:<28}{count:>10,}")
