"""period length in the key of statement values and KPIs

Revision ID: 0002
Revises: 0001

Adds ``period_months`` to ``financial_metrics`` and ``company_kpis`` (and,
nullable, to the staged ``extracted_lines``), puts it in their unique keys,
adds the ``ytd`` period type, and backfills existing rows with the length
their period type implies: 0 for a balance (a value at the period end),
1 for a month, 3 for a quarter, 12 for a year or LTM. See
``portfolio_kit.period_length`` for the rule.

The item lists below are the vocabulary as of this revision, copied rather
than imported: a migration must keep meaning what it meant when it shipped,
whatever the vocabulary becomes later. Items outside them (none could be
stored under 0001's validation, except KPIs outside the vocabulary) are
treated as flows, which is also the model's default for unknown KPIs.

On SQLite the tables are rebuilt (batch mode), since SQLite cannot alter a
constraint in place; on PostgreSQL the constraints are altered directly.
Downgrading refuses when rows exist that the old key cannot hold (a
year-to-date figure, or two lengths ending on one day), rather than delete
figures an analyst entered.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BALANCE_LINE_ITEMS = (
    "cash_and_equivalents", "accounts_receivable", "inventory", "total_current_assets", "ppe_net",
    "goodwill", "total_assets", "accounts_payable", "short_term_debt", "total_current_liabilities",
    "long_term_debt", "total_liabilities", "total_equity", "total_liabilities_and_equity",
)
STOCK_KPIS = (
    "arr", "mrr", "customers", "logo_churn", "net_revenue_retention", "gross_revenue_retention",
    "cac", "headcount", "stores",
)
OLD_TYPES = ("month", "quarter", "year", "ltm")
NEW_TYPES = (*OLD_TYPES, "ytd")
MONTHS_CHECK = (
    "period_months = 0 OR (period_type = 'month' AND period_months = 1)"
    " OR (period_type = 'quarter' AND period_months = 3)"
    " OR (period_type = 'year' AND period_months = 12)"
    " OR (period_type = 'ltm' AND period_months = 12)"
    " OR (period_type = 'ytd' AND period_months IN (2, 4, 5, 6, 7, 8, 9, 10, 11))"
)
TABLES = (
    ("financial_metrics", "line_item", BALANCE_LINE_ITEMS),
    ("company_kpis", "kpi", STOCK_KPIS),
)


def _period_type(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="period_type", native_enum=False, create_constraint=True)


def _backfill(table: str, item_column: str, balances: tuple[str, ...]) -> None:
    rows = sa.table(
        table,
        sa.column("period_type", sa.String),
        sa.column(item_column, sa.String),
        sa.column("period_months", sa.Integer),
    )
    op.execute(
        rows.update().values(
            period_months=sa.case(
                (rows.c[item_column].in_(balances), 0),
                (rows.c.period_type == "month", 1),
                (rows.c.period_type == "quarter", 3),
                else_=12,
            )
        )
    )


def _old_key(table: str, item_column: str) -> list[str]:
    return ["company_id", "period_end", "period_type", "scenario", item_column]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, item_column, balances in TABLES:
        op.add_column(table, sa.Column("period_months", sa.Integer(), nullable=True))
        _backfill(table, item_column, balances)
        old_key = _old_key(table, item_column)
        old_name = "uq_" + table + "_" + "_".join(old_key)
        if postgres:
            # PostgreSQL cannot widen a non-native enum in place: swap its CHECK.
            op.drop_constraint(op.f(f"ck_{table}_period_type"), table, type_="check")
            op.create_check_constraint(
                "period_type", table, sa.column("period_type").in_(NEW_TYPES)
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("period_months", existing_type=sa.Integer(), nullable=False)
            if not postgres:
                batch.alter_column(
                    "period_type", type_=_period_type(NEW_TYPES), existing_type=_period_type(OLD_TYPES),
                    existing_nullable=False,
                )
            batch.drop_constraint(op.f(old_name), type_="unique")
            batch.create_unique_constraint(
                op.f(f"uq_{table}_period_key"),
                ["company_id", "period_end", "period_type", "period_months", "scenario", item_column],
            )
            batch.create_check_constraint("period_months_fit_type", sa.text(MONTHS_CHECK))
    op.add_column("extracted_lines", sa.Column("period_months", sa.Integer(), nullable=True))


def _refuse_lossy_downgrade(table: str, item_column: str) -> None:
    bind = op.get_bind()
    ytd = bind.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE period_type = 'ytd'")).scalar()
    key = ", ".join(_old_key(table, item_column))
    clashes = bind.execute(
        sa.text(f"SELECT COUNT(*) FROM (SELECT {key} FROM {table} GROUP BY {key} HAVING COUNT(*) > 1) AS c")
    ).scalar()
    if ytd or clashes:
        raise RuntimeError(
            f"cannot downgrade below 0002: {table} holds {ytd} year-to-date row(s) and {clashes} "
            "figure(s) stored for two period lengths ending on one day, which the old key cannot "
            "hold; delete them first if you mean to lose them"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, item_column, _balances in TABLES:
        _refuse_lossy_downgrade(table, item_column)
    op.drop_column("extracted_lines", "period_months")
    for table, item_column, _balances in TABLES:
        if postgres:
            op.drop_constraint(op.f(f"ck_{table}_period_type"), table, type_="check")
            op.create_check_constraint(
                "period_type", table, sa.column("period_type").in_(OLD_TYPES)
            )
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_period_months_fit_type"), type_="check")
            batch.drop_constraint(op.f(f"uq_{table}_period_key"), type_="unique")
            if not postgres:
                batch.alter_column(
                    "period_type", type_=_period_type(OLD_TYPES), existing_type=_period_type(NEW_TYPES),
                    existing_nullable=False,
                )
            batch.create_unique_constraint(None, _old_key(table, item_column))
            batch.drop_column("period_months")
