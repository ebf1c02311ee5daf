"""What a preheated dashboard kernel does while it waits for its request.

Every preheated kernel sits idle until a partner asks for its page, so its
memory is paid for the whole time the pool is full: pandas with pyarrow holds
about 67 MiB, Altair 30 MiB, and the chart engine (vl-convert's V8) 75 MiB
once started, against about 90 MiB for the kernel, SQLAlchemy, the models and
an open connection. ``PORTFOLIO_KIT_DASHBOARD_WARM_UP=light`` therefore
prepares only what is cheap in memory: the read-only database connection
(with the ORM mappers configured by a first query) and the modules that check
the signed session; pandas, Altair and the chart engine load when the page is
drawn, while the partner waits. That is the default: only a page's first
view after a change to the data is drawn live (every later one is a shared
page, ``server/page_cache.py``), so the pool's memory is paid all the time
and the slower import once per page. ``full`` also imports them
(``_page.prepare``; the chart engine itself starts only for a chart that is
not in the drawing cache): the faster first view, for a machine with memory
to spare. docs/dashboards.md, "Kernel memory", has the measured figures.
"""

from __future__ import annotations


def warm_up() -> None:
    """Prepare this kernel for its request; never raises (the page itself
    reports a broken database as a sentence)."""
    from portfolio_kit.settings import get_settings

    try:
        settings = get_settings()
        if settings.dashboard_warm_up == "full":
            from portfolio_kit.dashboards._page import prepare

            prepare()
            return
        _light(settings.database_url)
    except Exception:  # a warm-up must never stop the notebook
        return


def _light(database_url: str | None) -> None:
    from sqlalchemy import select
    from websockets.sync import client  # noqa: F401 - the preheated kernel's request channel

    from portfolio_kit.dashboards.access import kernel_database
    from portfolio_kit.models import Fund, User
    from portfolio_kit.server import keys, revocations, sessions  # noqa: F401 - used after the request

    database = kernel_database(database_url)
    with database.session() as session:
        session.scalar(select(User.id).limit(1))
        session.scalar(select(Fund.id).limit(1))
