"""``user add|grant|revoke|list|deactivate|unlock``: accounts, fund grants, sign-in locks."""

from __future__ import annotations

import click
from sqlalchemy import select

from portfolio_kit.cli._context import open_database
from portfolio_kit.models import Role, User


@click.group()
def user() -> None:
    """User accounts and fund grants."""


@user.command("add")
@click.option("--email", required=True, help="Sign-in e-mail.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 10 characters; prompted for when omitted.",
)
@click.pass_context
def add(ctx: click.Context, email: str, name: str, role: str, password: str) -> None:
    """Create an account."""
    from portfolio_kit.security import add_user

    with open_database(ctx).session() as session:
        created = add_user(session, email=email, name=name, password=password, role=role)
        click.echo(f"added {created.role.value} {created.email}")


@user.command("grant")
@click.option("--email", required=True, help="The partner's e-mail.")
@click.option("--fund", "funds", multiple=True, required=True, help="Fund name; repeat for several.")
@click.pass_context
def grant(ctx: click.Context, email: str, funds: tuple[str, ...]) -> None:
    """Let a partner see one or more funds."""
    from portfolio_kit.security import find_fund, find_user, grant_fund

    with open_database(ctx).session() as session:
        account = find_user(session, email)
        for name in funds:
            grant_fund(session, account, find_fund(session, name))
            click.echo(f"{account.email} may now see {name!r}")


@user.command("revoke")
@click.option("--email", required=True)
@click.option("--fund", "funds", multiple=True, required=True)
@click.pass_context
def revoke(ctx: click.Context, email: str, funds: tuple[str, ...]) -> None:
    """Withdraw a partner's access to funds."""
    from portfolio_kit.security import find_fund, find_user, revoke_fund

    with open_database(ctx).session() as session:
        account = find_user(session, email)
        for name in funds:
            removed = revoke_fund(session, account, find_fund(session, name))
            click.echo(f"{account.email}: {'revoked' if removed else 'had no grant for'} {name!r}")


@user.command("deactivate")
@click.option("--email", required=True)
@click.pass_context
def deactivate(ctx: click.Context, email: str) -> None:
    """Block an account from signing in (its history stays)."""
    from portfolio_kit.security import find_user

    with open_database(ctx).session() as session:
        account = find_user(session, email)
        account.active = False
        click.echo(f"{account.email} can no longer sign in")


@user.command("unlock")
@click.option("--email", required=True, help="The address whose sign-in lock to lift.")
@click.pass_context
def unlock(ctx: click.Context, email: str) -> None:
    """Lift a sign-in lock after too many wrong passwords (recorded in the audit log)."""
    from portfolio_kit.server.throttle import lift_lock

    with open_database(ctx).session() as session:
        attempts = lift_lock(session, email)
        click.echo(f"{email.strip()}: sign-in lock lifted ({attempts} attempts counted)")


@user.command("list")
@click.pass_context
def list_users(ctx: click.Context) -> None:
    """Accounts, roles and granted funds."""
    with open_database(ctx).session() as session:
        for account in session.scalars(select(User).order_by(User.email)):
            funds = ", ".join(sorted(g.fund.name for g in account.grants))
            if account.role is not Role.PARTNER:
                funds = "all funds"
            state = "" if account.active else " (inactive)"
            click.echo(f"{account.email:<32}{account.role.value:<9}{funds}{state}")
