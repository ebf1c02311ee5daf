"""initiative status 'missed'

Revision ID: 0004
Revises: 0003

Adds ``missed`` to the statuses of a value-creation initiative: its target
date has passed without the plan being delivered. Before, such an
initiative could only stay ``in_progress`` past its target, which reads as
if a 2021 programme were still running in 2025.

The status is a non-native enum (a VARCHAR with a CHECK constraint). On
SQLite the table is rebuilt (batch mode), since SQLite cannot alter a
constraint in place; on PostgreSQL the CHECK is swapped. The value lists are
copied, not imported: a migration must keep meaning what it meant when it
shipped. Downgrading refuses while a row is ``missed``, rather than rewrite
what an analyst recorded.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "value_creation_initiatives"
OLD_STATUSES = ("planned", "in_progress", "completed", "cancelled")
NEW_STATUSES = (*OLD_STATUSES, "missed")


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="initiative_status", native_enum=False, create_constraint=True)


def _swap(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(f"ck_{TABLE}_initiative_status"), TABLE, type_="check")
        op.create_check_constraint("initiative_status", TABLE, sa.column("status").in_(new))
        return
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column(
            "status", type_=_status(new), existing_type=_status(old), existing_nullable=False
        )


def upgrade() -> None:
    _swap(OLD_STATUSES, NEW_STATUSES)


def downgrade() -> None:
    missed = op.get_bind().execute(
        sa.text(f"SELECT COUNT(*) FROM {TABLE} WHERE status = 'missed'")
    ).scalar()
    if missed:
        raise RuntimeError(
            f"cannot downgrade below 0004: {TABLE} holds {missed} initiative(s) with status "
            "'missed', which the old schema cannot hold; change their status first"
        )
    _swap(NEW_STATUSES, OLD_STATUSES)
