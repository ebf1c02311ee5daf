"""``serve``: the partner dashboards, behind a sign-in page, on localhost."""

from __future__ import annotations

from pathlib import Path

import click

from portfolio_kit.settings import get_settings


@click.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port (default: $PORTFOLIO_KIT_DASHBOARD_PORT, else 8866).",
)
@click.option(
    "--host",
    default="localhost",
    show_default=True,
    help="Interface to listen on; keep localhost behind a proxy.",
)
@click.option(
    "--dashboards",
    "dashboards_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of dashboard notebooks (default: dashboards/ of this checkout).",
)
@click.option(
    "--base-url", default="/", show_default=True, help="Path prefix when served under a sub-path."
)
@click.option(
    "--pool-size",
    type=click.IntRange(0, 64),
    default=None,
    help="Preheated kernels kept ready per dashboard "
    "(default: PORTFOLIO_KIT_DASHBOARD_POOL_SIZE, 2; per dashboard: "
    "PORTFOLIO_KIT_DASHBOARD_POOL_SIZES).",
)
@click.option(
    "--no-preheat", is_flag=True, help="Start a kernel per page view instead of keeping some ready."
)
@click.option(
    "--refill-delay",
    type=click.FloatRange(0, 600),
    default=5.0,
    show_default=True,
    help="Seconds after a preheated kernel is used before its replacement starts.",
)
@click.option(
    "--kernel-database-url",
    envvar="PORTFOLIO_KIT_DASHBOARD_DATABASE_URL",
    default=None,
    help="What dashboard kernels open, read-only (e.g. a read-only PostgreSQL role); "
    "default: the main database.",
)
@click.option(
    "--behind-https-proxy",
    is_flag=True,
    help="A TLS-terminating reverse proxy forwards to this server: secure cookies, "
    "client address from X-Real-IP.",
)
@click.option("--open-browser", is_flag=True, help="Open the home page in a browser once started.")
@click.pass_context
def serve(
    ctx: click.Context,
    port: int | None,
    host: str,
    dashboards_dir: Path | None,
    base_url: str,
    pool_size: int | None,
    no_preheat: bool,
    refill_delay: float,
    kernel_database_url: str | None,
    behind_https_proxy: bool,
    open_browser: bool,
) -> None:
    """Serve the partner dashboards (Voila) with sign-in; stop with Ctrl-C."""
    from portfolio_kit.cli._context import open_database
    from portfolio_kit.server.launch import (
        ServeOptions,
        default_dashboards_dir,
        run,
        shareable_database_url,
    )

    settings = get_settings()
    folder = dashboards_dir or default_dashboards_dir()
    if folder is None:
        raise click.UsageError(
            "no dashboards folder found next to the package: pass --dashboards DIR"
        )
    database = open_database(ctx)
    database_url = shareable_database_url(database.url.render_as_string(hide_password=False))
    options = ServeOptions(
        dashboards_dir=folder.resolve(),
        database_url=database_url,
        kernel_database_url=shareable_database_url(kernel_database_url)
        if kernel_database_url
        else database_url,
        data_dir=settings.data_dir.resolve(),
        host=host,
        port=port or settings.dashboard_port,
        base_url=base_url,
        preheat=not no_preheat,
        pool_size=settings.dashboard_pool_size if pool_size is None else pool_size,
        pool_sizes=settings.dashboard_pool_sizes,
        cull_idle_seconds=settings.dashboard_cull_idle_seconds,
        refill_delay=refill_delay,
        max_renders=settings.dashboard_max_renders,
        queue_length=settings.dashboard_queue_length,
        max_kernels=settings.dashboard_max_kernels,
        page_cache_seconds=settings.dashboard_page_cache_seconds,
        client_timeout_seconds=settings.dashboard_client_timeout_seconds,
        session_max_age_hours=settings.session_max_age_hours,
        behind_https_proxy=behind_https_proxy,
        open_browser=open_browser,
    )
    click.echo(f"portfolio_kit dashboards: {options.url()}")
    click.echo(
        f"  database:   {database.url.render_as_string(hide_password=True)} (kernels read-only)"
    )
    for line in _sign_in_hints(database):
        click.echo(f"  {line}")
    click.echo("  stop with Ctrl-C")
    database.dispose()
    run(options)


def _sign_in_hints(database) -> list[str]:  # type: ignore[no-untyped-def]
    """How to sign in: the demo accounts while they still have their demo
    passwords, otherwise how to create an account."""
    from sqlalchemy import func, select

    from portfolio_kit.demo import USERS
    from portfolio_kit.models import User
    from portfolio_kit.security import verify_password

    with database.session() as session:
        if not session.scalar(select(func.count()).select_from(User)):
            return [
                "no user accounts yet: create one with",
                "  portfolio-kit user add --email you@example.com --name 'Your Name' "
                "--role partner",
                "  portfolio-kit user grant --email you@example.com --fund 'Fund name'",
            ]
        hints = []
        for email, _name, role, password in USERS:
            user = session.scalar(select(User).where(User.email == email))
            if user is not None and user.active and verify_password(user.password_hash, password):
                hints.append(f"demo {role:<8} {email:<24} password {password}")
    if hints:
        return [
            "sign in with your account; on the demo database:",
            *[f"  {hint}" for hint in hints],
        ]
    return ["sign in with your portfolio_kit account (portfolio-kit user add creates one)"]
