"""The server's own HTML pages: sign-in, home, signed-out and plain errors.

Self-contained (styles inlined from ``site.css``, no scripts, no fonts or
images from anywhere), so the sign-in page works on a closed network and
gives nothing away but a form. Every value is HTML-escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from html import escape
from importlib.resources import files

from portfolio_kit.server.catalog import DashboardPage

PRODUCT = "portfolio_kit"


@lru_cache(maxsize=1)
def _css() -> str:
    return files("portfolio_kit.server").joinpath("site.css").read_text(encoding="utf-8")


def _page(title: str, body: str, *, topbar: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)} · {PRODUCT}</title>"
        f"<style>{_css()}</style></head>"
        f"<body>{topbar}{body}</body></html>"
    )


def _topbar(base_url: str, who: str = "") -> str:
    right = ""
    if who:
        right = (
            f'<div><span class="pk-who">{escape(who)}</span>'
            f'<a class="pk-signout" href="{escape(base_url)}logout">Sign out</a></div>'
        )
    return (
        '<header class="pk-topbar">'
        f'<a class="pk-brand" href="{escape(base_url)}">'
        f"{PRODUCT}<small>Partner dashboards</small></a>"
        f"{right}</header>"
    )


def login_page(
    *,
    action: str,
    next_url: str,
    xsrf_form_html: str,
    base_url: str = "/",
    email: str = "",
    error: str = "",
    info: str = "",
    session_hours: float = 12.0,
) -> str:
    """The sign-in form.

    ``xsrf_form_html`` is tornado's hidden ``_xsrf`` input (already HTML);
    everything else is escaped.
    """
    notice = ""
    if error:
        notice = f'<div class="pk-error" role="alert">{escape(error)}</div>'
    elif info:
        notice = f'<div class="pk-info" role="status">{escape(info)}</div>'
    hours = f"{session_hours:g}"
    body = (
        '<main class="pk-main"><div class="pk-card pk-login">'
        "<h1>Sign in</h1>"
        '<p class="pk-sub">Fund and portfolio dashboards for partners and the investment team.</p>'
        f"{notice}"
        f'<form method="post" action="{escape(action)}" autocomplete="on">'
        f"{xsrf_form_html}"
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
        '<div class="pk-field"><label for="email">E-mail</label>'
        f'<input id="email" name="email" type="email" required autofocus value="{escape(email)}" '
        'autocomplete="username"></div>'
        '<div class="pk-field"><label for="password">Password</label>'
        '<input id="password" name="password" type="password" required '
        'autocomplete="current-password"></div>'
        '<button class="pk-primary" type="submit">Sign in</button>'
        "</form>"
        f'<p class="pk-footnote">You stay signed in for {escape(hours)} hours. '
        "Dashboards are read-only; every sign-in is recorded.</p>"
        "</div></main>"
    )
    return _page("Sign in", body, topbar=_topbar(base_url))


def home_page(
    *,
    base_url: str,
    name: str,
    email: str,
    fund_names: Sequence[str],
    dashboards: Sequence[DashboardPage],
    sees_all_funds: bool,
) -> str:
    """The landing page after sign-in: the dashboards and the funds this person may see."""
    if sees_all_funds:
        funds = "You can see every fund."
    elif fund_names:
        funds = "Your funds: " + ", ".join(escape(fund) for fund in fund_names) + "."
    else:
        funds = "No fund has been shared with you yet. Ask an administrator to grant you access."
    items = "".join(
        f'<li><a href="{escape(page.url(base_url))}"><strong>{escape(page.title)}</strong>'
        f"<span>{escape(page.description)}</span></a></li>"
        for page in dashboards
    )
    body = (
        '<main class="pk-main">'
        f'<h2 class="pk-greeting">Welcome, {escape(name)}</h2>'
        f'<p class="pk-funds">{funds}</p>'
        f'<ul class="pk-dashboards">{items}</ul>'
        "</main>"
    )
    return _page("Dashboards", body, topbar=_topbar(base_url, f"{name} · {email}"))


def sign_out_page(*, base_url: str, xsrf_form_html: str) -> str:
    """The confirmation a GET of ``/logout`` shows: signing out needs the POST."""
    body = (
        '<main class="pk-main"><div class="pk-card pk-login">'
        "<h1>Sign out</h1>"
        f'<form method="post" action="{escape(base_url)}logout">{xsrf_form_html}'
        '<button type="submit">Sign out</button></form>'
        "</div></main>"
    )
    return _page("Sign out", body, topbar=_topbar(base_url))


def signed_out_page(*, base_url: str) -> str:
    body = (
        '<main class="pk-main"><div class="pk-card pk-login">'
        "<h1>Signed out</h1>"
        '<div class="pk-info" role="status">You have been signed out.</div>'
        f'<p><a href="{escape(base_url)}login">Sign in again</a></p>'
        "</div></main>"
    )
    return _page("Signed out", body, topbar=_topbar(base_url))


def error_page(*, base_url: str, title: str, message: str) -> str:
    """A plain page for an error a person can hit (never a traceback)."""
    body = (
        '<main class="pk-main"><div class="pk-card">'
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
        f'<p><a href="{escape(base_url)}">Back to the dashboards</a></p>'
        "</div></main>"
    )
    return _page(title, body, topbar=_topbar(base_url))
