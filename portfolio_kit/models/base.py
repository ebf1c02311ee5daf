"""Declarative base, shared column types and mixins for every model.

Constraint names follow a fixed convention so that Alembic migrations are
identical on SQLite and PostgreSQL and can drop or alter a constraint by name.
"""

from __future__ import annotations

import enum
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Enum, Integer, MetaData, Numeric, String, Text, TypeDecorator, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, validates, object_session

from portfolio_kit.errors import ValidationError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Numeric(20, 2)
"""Fund-level amounts: commitments, cash flows, NAVs (cents are exact)."""

AMOUNT = Numeric(24, 6)
"""Statement values and KPIs: large totals and per-share figures alike."""

RATIO = Numeric(12, 8)
"""Ownership and other fractions (0.25 is 25%)."""

JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")

CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases.

    SQLite stores naive text, so values are normalised to UTC on the way in
    and tagged as UTC on the way out; comparisons then behave the same
    everywhere.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must carry a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum: a VARCHAR with a CHECK constraint holding the enum's values.

    Native PostgreSQL enums need a migration for every new member; a check
    constraint is as strict and far easier to extend.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_cls),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        Decimal: AMOUNT,
        str: String(255),
    }

    audited: ClassVar[bool] = True
    """Whether the audit listeners record changes to this model."""

    def audit_label(self) -> str:
        """A short human description for audit views ("Fund 'Summit III'")."""
        name = getattr(self, "name", None) or getattr(self, "title", None)
        kind = type(self).__name__
        return f"{kind} {name!r}" if name else f"{kind} #{getattr(self, 'id', '?')}"

    def validate_record(self) -> None:
        """Cross-field checks run before every flush; raise ``ValidationError``.

        Single-field rules live in ``@validates`` methods; rules that need two
        fields (an exit after the entry) or a related row live here, because
        related objects may be attached in any order before the flush.
        """


def related_record(record: Base, relationship: str) -> Any:
    """The parent a ``validate_record`` check compares against, however it was attached.

    A form may set only the foreign key (``FundCashFlow(fund_id=3, ...)``);
    the relationship attribute of a pending object is then None, and a check
    that read only the relationship would be skipped. This falls back to
    loading the parent by its key through the record's session.
    """
    parent = getattr(record, relationship)
    if parent is not None:
        return parent
    prop = sa_inspect(type(record)).relationships[relationship]
    keys = [getattr(record, column.key) for column in prop.local_columns]
    session = object_session(record)
    if session is None or any(key is None for key in keys):
        return None
    return session.get(prop.mapper.class_, keys[0] if len(keys) == 1 else tuple(keys))


def _coerce_enum(field: str, enum_cls: type[enum.Enum]) -> Any:
    allowed = ", ".join(str(member.value) for member in enum_cls)

    def coerce(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
        if value is None or isinstance(value, enum_cls):
            return value
        try:
            return enum_cls(value)
        except ValueError:
            raise ValidationError(field, f"must be one of {allowed} (got {value!r})") from None

    return coerce


@event.listens_for(Base, "mapper_configured", propagate=True)
def _install_enum_coercion(mapper: Any, cls: type) -> None:
    """Strings assigned to enum columns become enum members at once, so that
    code (and validation messages) can rely on ``.value``; unknown strings
    are refused with the field's allowed values."""
    for attr in mapper.column_attrs:
        column_type = attr.columns[0].type
        enum_cls = getattr(column_type, "enum_class", None)
        if enum_cls is not None:
            event.listen(
                getattr(cls, attr.key), "set", _coerce_enum(attr.key, enum_cls), retval=True
            )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps ``version``.

    SQLAlchemy adds ``WHERE version = <loaded>`` to the UPDATE; a row changed
    by somebody else in between matches nothing and the flush raises, which
    ``Database.session`` turns into ``ConflictError``.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


def check_currency(field: str, value: str) -> str:
    if value is None or not CURRENCY_PATTERN.match(value):
        raise ValidationError(field, f"must be a three-letter ISO 4217 code such as USD (got {value!r})")
    return value


def check_not_negative(field: str, value: Decimal | float | int | None) -> Any:
    if value is not None and value < 0:
        raise ValidationError(field, f"must not be negative (got {value})")
    return value


def check_positive(field: str, value: Decimal | float | int | None) -> Any:
    if value is not None and value <= 0:
        raise ValidationError(field, f"must be greater than zero (got {value})")
    return value


def check_text(field: str, value: str | None, *, max_length: int = 255) -> str:
    if value is None or not str(value).strip():
        raise ValidationError(field, "must not be empty")
    value = str(value).strip()
    if len(value) > max_length:
        raise ValidationError(field, f"must be at most {max_length} characters (got {len(value)})")
    return value


def check_date(field: str, value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(field, f"must be a date (got {value!r})")
    return value


class CashFlowFields:
    """Columns and checks shared by LP and deal cash flows.

    Amounts are stored as positive magnitudes; each table's ``kind`` decides
    the direction, so a sign typo cannot turn a call into a distribution.
    """

    date: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    notes: Mapped[str | None] = mapped_column(Text)

    @validates("date")
    def _date(self, _key: str, value: date) -> date:
        return check_date("date", value)

    @validates("amount")
    def _amount(self, _key: str, value: Decimal) -> Decimal:
        if value is None:
            raise ValidationError("amount", "is required")
        return check_positive("amount", value)

    @validates("currency")
    def _currency(self, _key: str, value: str) -> str:
        return check_currency("currency", value)
