"""The ``portfolio-kit`` command line.

Each command group lives in its own module; heavy imports (pandas, the PDF
and Excel stacks) happen inside the commands so ``--help`` stays instant.
A user mistake (``PortfolioKitError``) prints one sentence to stderr and
exits with status 1; only a bug shows a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from portfolio_kit.errors import PortfolioKitError

_COMMANDS = {
    "init": ("portfolio_kit.cli.database", "init"),
    "db": ("portfolio_kit.cli.database", "db"),
    "info": ("portfolio_kit.cli.database", "info"),
    "demo": ("portfolio_kit.cli.demo_cmd", "demo"),
    "user": ("portfolio_kit.cli.users", "user"),
    "extract": ("portfolio_kit.cli.extract_cmd", "extract"),
    "model": ("portfolio_kit.cli.excel_cmd", "model"),
    "report": ("portfolio_kit.cli.excel_cmd", "report"),
    "template": ("portfolio_kit.cli.excel_cmd", "template"),
    "serve": ("portfolio_kit.cli.serve_cmd", "serve"),
}


class _LazyGroup(click.Group):
    """Loads a command's module only when that command runs (or is listed)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in _COMMANDS if self.get_command(ctx, name) is not None)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = _COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attribute)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url",
    envvar="PORTFOLIO_KIT_DATABASE_URL",
    default=None,
    help="SQLAlchemy URL (default: $PORTFOLIO_KIT_DATABASE_URL, else the embedded SQLite file).",
)
@click.version_option(package_name="portfolio_kit")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None) -> None:
    """portfolio_kit: private-equity portfolio monitoring."""
    ctx.ensure_object(dict)
    ctx.obj["database_url"] = database_url


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="portfolio-kit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except PortfolioKitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
