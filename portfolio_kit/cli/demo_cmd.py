"""``demo``: load the demo portfolio and summarise it."""

from __future__ import annotations

import click

from portfolio_kit.cli._context import open_database


@click.command()
@click.option("--replace", is_flag=True, help="Empty a non-empty database first (destroys its data).")
@click.option("--if-empty", is_flag=True, help="Load only into an empty database; otherwise leave it as it is.")
@click.pass_context
def demo(ctx: click.Context, replace: bool, if_empty: bool) -> None:
    """Fill the database with the deterministic demo portfolio."""
    from portfolio_kit.demo import USERS, load_demo
    from portfolio_kit.services.summary import portfolio_summary

    if replace and if_empty:
        raise click.UsageError("--replace and --if-empty contradict each other")
    database = open_database(ctx)
    if if_empty and not database.is_empty():
        click.echo("the database already holds data; leaving it as it is")
    else:
        loaded = load_demo(database, replace=replace)
        click.echo(
            f"loaded the demo portfolio: {loaded.funds} funds, {loaded.companies} companies, "
            f"{loaded.metrics:,} statement values, {loaded.kpis:,} KPI values, {loaded.valuations} valuations"
        )
        click.echo("demo users (e-mail / password):")
        for email, _name, role, password in USERS:
            click.echo(f"  {role:<8} {email:<24} {password}")
    click.echo()
    click.echo(portfolio_summary(database))
