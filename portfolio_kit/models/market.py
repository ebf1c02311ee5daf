"""Public-market index levels, the benchmark for PME comparisons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portfolio_kit.models.base import Base, TimestampMixin, check_currency, check_date, check_positive, check_text


class MarketIndex(TimestampMixin, Base):
    __tablename__ = "market_indices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(Text)

    levels: Mapped[list[IndexLevel]] = relationship(
        back_populates="index", cascade="all, delete-orphan", passive_deletes=True, order_by="IndexLevel.date"
    )

    @validates("name")
    def _name(self, _key: str, value: str) -> str:
        return check_text("name", value, max_length=200)

    @validates("currency")
    def _currency(self, _key: str, value: str) -> str:
        return check_currency("currency", value)


class IndexLevel(Base):
    """A total-return index level on a date (levels must be positive)."""

    __tablename__ = "index_levels"
    __table_args__ = (
        UniqueConstraint("index_id", "date"),
        CheckConstraint("level > 0", name="level_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    index_id: Mapped[int] = mapped_column(ForeignKey("market_indices.id", ondelete="CASCADE"))
    date: Mapped[date]
    level: Mapped[Decimal] = mapped_column(Numeric(20, 6))

    index: Mapped[MarketIndex] = relationship(back_populates="levels")

    @validates("date")
    def _date(self, _key: str, value: date) -> date:
        return check_date("date", value)

    @validates("level")
    def _level(self, _key: str, value: Decimal) -> Decimal:
        return check_positive("level", value)

    def audit_label(self) -> str:
        return f"IndexLevel {self.date} index #{self.index_id}"
