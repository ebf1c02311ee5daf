"""The server's own pages: escaped, self-contained, no scripts."""

from __future__ import annotations

from portfolio_kit.dashboards.catalog import DASHBOARDS
from portfolio_kit.server.pages import error_page, home_page, login_page


def test_login_page_escapes_what_the_visitor_typed() -> None:
    html = login_page(
        action="/login",
        next_url='/voila/render/x.ipynb"><script>alert(1)</script>',
        xsrf_form_html='<input type="hidden" name="_xsrf" value="token">',
        email="<script>alert(2)</script>",
        error="That e-mail and password do not match an active account.",
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert 'name="_xsrf" value="token"' in html
    assert "do not match an active account" in html
    assert "http://" not in html and "https://" not in html


def test_home_page_lists_the_dashboards_and_the_partners_funds() -> None:
    html = home_page(
        base_url="/",
        name="Pat Partner",
        email="pat@example.com",
        fund_names=["Fund <III>"],
        dashboards=DASHBOARDS,
        sees_all_funds=False,
    )
    for page in DASHBOARDS:
        assert f'href="/voila/render/{page.notebook}"' in html
    assert "Fund &lt;III&gt;" in html


def test_a_partner_without_grants_is_told_so() -> None:
    html = home_page(
        base_url="/",
        name="P",
        email="p@example.com",
        fund_names=[],
        dashboards=DASHBOARDS,
        sees_all_funds=False,
    )
    assert "No fund has been shared with you yet" in html


def test_error_page_is_a_sentence() -> None:
    html = error_page(base_url="/", title="Not available", message="That page does not exist.")
    assert "That page does not exist." in html and "Traceback" not in html
