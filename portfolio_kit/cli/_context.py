"""Shared pieces for commands: opening the database named on the command line."""

from __future__ import annotations

import click

from portfolio_kit.db import Database, connect


def open_database(ctx: click.Context, *, read_only: bool = False) -> Database:
    url = (ctx.find_root().obj or {}).get("database_url")
    return connect(url, read_only=read_only)
