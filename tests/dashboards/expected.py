"""Expected figures computed straight from the database, independently of the dashboards.

Sums come from SQL over the raw tables (not ``frames``), IRRs from pyxirr
(a second implementation), and KS-PME from its definition (Kaplan and
Schoar, 2005): each flow compounded with the index from its date to the
as-of date, distributions plus NAV over contributions. Page text is parsed
back to numbers, so a check compares values, not formatting code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pyxirr
from sqlalchemy import text

from portfolio_kit import Database

CONTRIBUTION_KINDS = ("capital_call", "management_fee", "expense")


@dataclass(frozen=True)
class Headline:
    fund_id: int
    name: str
    as_of: date
    commitments: float
    paid_in: float
    distributions: float
    nav: float
    tvpi: float
    dpi: float
    rvpi: float
    net_irr: float
    ks_pme: float


def fund_id(database: Database, name: str) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT id FROM funds WHERE name = :n"), {"n": name}
            ).scalar_one()
        )


def fund_headline(database: Database, name: str) -> Headline:
    with database.engine.connect() as connection:
        fund = connection.execute(
            text("SELECT id, total_commitments FROM funds WHERE name = :n"), {"n": name}
        ).one()
        as_of, nav = connection.execute(
            text("SELECT as_of, nav FROM fund_navs WHERE fund_id = :f ORDER BY as_of DESC LIMIT 1"),
            {"f": fund.id},
        ).one()
        as_of = date.fromisoformat(str(as_of)[:10])
        flows = connection.execute(
            text(
                "SELECT date, kind, amount FROM fund_cash_flows "
                "WHERE fund_id = :f AND date <= :d ORDER BY date"
            ),
            {"f": fund.id, "d": as_of},
        ).all()
        levels = connection.execute(
            text("SELECT date, level FROM index_levels ORDER BY date")
        ).all()
    dated = [
        (date.fromisoformat(str(when)[:10]), kind, float(amount)) for when, kind, amount in flows
    ]
    signed = [
        (when, -amount if kind in CONTRIBUTION_KINDS else amount) for when, kind, amount in dated
    ]
    paid_in = sum(-amount for _, amount in signed if amount < 0)
    distributed = sum(amount for _, amount in signed if amount > 0)
    nav = float(nav)
    irr = pyxirr.xirr(
        [when for when, _ in signed] + [as_of], [amount for _, amount in signed] + [nav]
    )
    index = [(date.fromisoformat(str(when)[:10]), float(level)) for when, level in levels]

    def level_on(day: date) -> float:
        return [value for when, value in index if when <= day][-1]

    final = level_on(as_of)
    grown_in = sum(-amount * final / level_on(when) for when, amount in signed if amount < 0)
    grown_out = sum(amount * final / level_on(when) for when, amount in signed if amount > 0)
    return Headline(
        fund_id=int(fund.id),
        name=name,
        as_of=as_of,
        commitments=float(fund.total_commitments),
        paid_in=paid_in,
        distributions=distributed,
        nav=nav,
        tvpi=(distributed + nav) / paid_in,
        dpi=distributed / paid_in,
        rvpi=nav / paid_in,
        net_irr=float(irr),
        ks_pme=(grown_out + nav) / grown_in,
    )


def company_names(database: Database, fund_name: str) -> set[str]:
    """Companies a fund invested in (raw SQL)."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.name FROM investments i "
                "JOIN portfolio_companies c ON c.id = i.company_id "
                "JOIN funds f ON f.id = i.fund_id WHERE f.name = :n"
            ),
            {"n": fund_name},
        ).scalars()
        return set(rows)


def written_off_names(database: Database, *, sector: str | None = None) -> set[str]:
    """Companies written off by the latest NAV date, optionally of one sector (raw SQL).

    A write-off counts once its exit date has passed, as the monitor shows
    the portfolio as of the latest reported quarter.
    """
    query = (
        "SELECT c.name FROM investments i "
        "JOIN portfolio_companies c ON c.id = i.company_id "
        "WHERE c.status = 'written_off' AND c.deleted_at IS NULL "
        "AND i.exit_date <= (SELECT MAX(as_of) FROM fund_navs)"
    )
    parameters: dict[str, str] = {}
    if sector is not None:
        query += " AND c.sector = :s"
        parameters["s"] = sector
    with database.engine.connect() as connection:
        return set(connection.execute(text(query), parameters).scalars())


def company_id(database: Database, name: str) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.execute(
                text("SELECT id FROM portfolio_companies WHERE name = :n"), {"n": name}
            ).scalar_one()
        )


_TILE = re.compile(
    r'data-tile="([a-z_]+)"><div class="pk-label">[^<]*</div><div class="pk-value">([^<]*)</div>'
)


def tiles(html: str) -> dict[str, str]:
    """Tile key -> value text, from a page's HTML."""
    return dict(_TILE.findall(html))


def parse_figure(text_value: str) -> float:
    """A displayed figure back to a number.

    ``$1,026.4m`` is 1026.4e6, ``2.14x`` is 2.14, ``15.8%`` is 0.158.
    """
    value = text_value.strip().replace(",", "")
    scale = 1.0
    if value.endswith("%"):
        return float(value[:-1]) / 100.0
    if value.endswith("x"):
        return float(value[:-1])
    if value.endswith("bn"):
        scale, value = 1e9, value[:-2]
    elif value.endswith("m"):
        scale, value = 1e6, value[:-1]
    negative = value.startswith("-")
    number = float(value.lstrip("-").lstrip("$")) * scale
    return -number if negative else number


def shown_precision(text_value: str) -> float:
    """Half a unit of the last digit shown: the largest rounding error of the text."""
    value = text_value.strip()
    digits = len(value.split(".")[1].rstrip("mxbn%")) if "." in value else 0
    unit = 10.0**-digits
    if value.endswith("%"):
        unit /= 100.0
    elif value.endswith("bn"):
        unit *= 1e9
    elif value.endswith("m"):
        unit *= 1e6
    return unit / 2 + 1e-12


def assert_headline_shown(shown: dict[str, str], expected: Headline) -> None:
    """Every headline tile equals the independent figure to the precision shown."""
    for key, value in (
        ("commitments", expected.commitments),
        ("paid_in", expected.paid_in),
        ("distributions", expected.distributions),
        ("nav", expected.nav),
        ("tvpi", expected.tvpi),
        ("dpi", expected.dpi),
        ("rvpi", expected.rvpi),
        ("net_irr", expected.net_irr),
        ("pme", expected.ks_pme),
    ):
        assert key in shown, f"tile {key} missing"
        text_value = shown[key]
        assert abs(parse_figure(text_value) - value) <= shown_precision(text_value), (
            key,
            text_value,
            value,
        )
