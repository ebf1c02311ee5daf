"""What every dashboard page shares: opening the context, the page shell,
plain-sentence errors and the ready marker.

A partner must never see code, a traceback or a Python repr. Errors a person
can cause (no grant, a link to a fund they may not see, an expired session)
become a sentence; anything unexpected in a served page becomes a sentence
too, and the details go to ``<data_dir>/logs/dashboards.log`` for the
administrator. In a notebook (an analyst, nbval) unexpected errors are
raised as usual, so they are seen and fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from portfolio_kit.dashboards import _shared
from portfolio_kit.dashboards._components import (
    message_html,
    ready_marker_html,
    style_html,
    toolbar_html,
)
from portfolio_kit.dashboards.access import (
    AccessDenied,
    DashboardContext,
    NotAvailable,
    is_served,
    kernel_database,
    open_context,
)
from portfolio_kit.dashboards.catalog import dashboard

UNEXPECTED = (
    "This page could not be drawn because of an unexpected problem. "
    "It has been recorded for the administrator; please try again later."
)

LOGGER_NAME = "portfolio_kit.dashboards"


def _record(exc: BaseException) -> None:
    """Write an unexpected error to ``<data_dir>/logs/dashboards.log``, never to the page.

    The logger does not propagate: in a kernel, anything reaching the root
    logger's default handler is printed to stderr, which Voila shows.
    """
    from portfolio_kit.settings import get_settings

    try:
        path = (Path(get_settings().data_dir) / "logs" / "dashboards.log").resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        logger = logging.getLogger(LOGGER_NAME)
        logger.propagate = False
        logger.disabled = False
        if not any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
            handler = logging.FileHandler(path, encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            logger.addHandler(handler)
        logger.error("dashboard error", exc_info=(type(exc), exc, exc.__traceback__))
    except OSError:
        pass


class Page:
    """A drawn dashboard: ``widget`` is what Voila shows; ``summary`` is the
    one line a notebook prints as its plain-text output (what nbval compares).

    ``shared_body`` is the same page as static HTML below the navigation bar,
    its controls as a GET form: what viewers who would see the same page are
    handed without a kernel (``_shared.py``). None for a page not to be
    shared (a sentence instead of figures).
    """

    def __init__(
        self, key: str, widget: widgets.Widget, summary: str, shared_body: str | None = None
    ) -> None:
        self.key = key
        self.widget = widget
        self.summary = summary
        self.shared_body = shared_body

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = self.summary
        return bundle

    def __repr__(self) -> str:
        return self.summary


def shell(
    key: str, context: DashboardContext | None, body: list[widgets.Widget], *, state: str = "ok"
) -> widgets.VBox:
    """The page frame: styles, navigation bar, the body, and the ready marker last."""
    head = style_html()
    if context is not None:
        head += toolbar_html(
            current=key,
            viewer_name=context.viewer.name,
            served=context.served,
            base_url=context.base_url,
        )
    page = widgets.VBox(
        [widgets.HTML(head), *body, widgets.HTML(ready_marker_html(key, state=state))],
        layout=widgets.Layout(width="100%"),
    )
    page.add_class("pk-page")
    return page


def message_page(
    key: str, text: str, context: DashboardContext | None = None, *, state: str = "message"
) -> Page:
    """A page that is only a sentence (no access, nothing to show, an error)."""
    title = dashboard(key).title
    body = [widgets.HTML(message_html(text, kind="warning" if state != "empty" else "info"))]
    return Page(key, shell(key, context, body, state=state), f"{title}: {text}")


def guarded(
    key: str,
    context: DashboardContext | None,
    action: Callable[[], Any],
    on_error: Callable[[str], None],
) -> Any:
    """Run ``action``; turn what a person can cause into a sentence for
    ``on_error``, and in a served page anything else too (logged)."""
    try:
        return action()
    except (AccessDenied, NotAvailable) as exc:
        on_error(str(exc))
    except Exception as exc:
        if context is not None and not context.served:
            raise
        _record(exc)
        on_error(UNEXPECTED)
    return None


def prepare() -> None:
    """Everything a page needs that does not depend on who asks for it, done
    while a preheated kernel waits for its request: the imports, the read-only
    database connection and the Arrow loader behind ``frames``.

    Not the chart engine: vl-convert's JavaScript runtime costs 67 MiB per
    kernel (an idle kernel measured 313 MiB with it), and a page whose charts
    were drawn before (same data, same grants) reads them from the drawing
    cache without starting it. Only the first view after a data change pays
    its start, about 0.7 s.

    Failures are ignored here: the page itself reports them as a sentence.
    """
    from portfolio_kit import charts, frames  # noqa: F401 - imported now, used after the request
    from portfolio_kit.server import keys, sessions  # noqa: F401 - imported now, used after the request
    from portfolio_kit.settings import get_settings

    try:
        frames.funds(kernel_database(get_settings().database_url))
    except Exception:  # a warm-up must never stop the notebook
        return


def _share(key: str, context: DashboardContext, version: int, body: str) -> None:
    """File the page for other viewers; a failure costs them a live render, never this page."""
    try:
        _shared.share(key, context, version, body)
    except Exception as exc:
        _record(exc)


def render(
    key: str, build: Callable[[DashboardContext], Page], context: DashboardContext | None = None
) -> Page:
    """Open the context (unless given) and build the page, never letting an
    error reach a served page as a traceback."""
    served = is_served() if context is None else context.served
    try:
        context = context or open_context()
    except AccessDenied as exc:
        return message_page(key, str(exc), state="denied")
    except Exception as exc:
        if not served:
            raise
        _record(exc)
        return message_page(key, UNEXPECTED, state="error")
    try:
        version = _shared.data_version(context)
        page = build(context)
        if version is not None and page.shared_body is not None:
            _share(key, context, version, page.shared_body)
        return page
    except NotAvailable as exc:
        return message_page(key, str(exc), context, state="not-available")
    except AccessDenied as exc:
        return message_page(key, str(exc), context, state="denied")
    except Exception as exc:
        if not context.served:
            raise
        _record(exc)
        return message_page(key, UNEXPECTED, context, state="error")
