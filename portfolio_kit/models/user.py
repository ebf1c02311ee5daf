"""Users, their roles and the funds a partner may see."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portfolio_kit.errors import ValidationError
from portfolio_kit.models.base import Base, TimestampMixin, VersionedMixin, check_text, enum_column

if TYPE_CHECKING:
    from portfolio_kit.models.fund import Fund


class Role(enum.StrEnum):
    ADMIN = "admin"
    """Sees and changes everything, manages users and grants."""
    ANALYST = "analyst"
    """Enters and edits portfolio data; sees every fund."""
    PARTNER = "partner"
    """Reads dashboards of the funds granted to them; can change nothing."""


def normalise_email(value: str) -> str:
    """Lower-cased, syntax-checked e-mail (no DNS look-up: these machines are offline)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("email", "must not be empty")
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError("email", f"{value!r} is not an e-mail address: {exc}") from None
    return checked.normalized.lower()


class User(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None]

    grants: Mapped[list[FundGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("email")
    def _validate_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    @validates("name")
    def _validate_name(self, _key: str, value: str) -> str:
        return check_text("name", value, max_length=200)

    def audit_label(self) -> str:
        return f"User {self.email!r}"

    @property
    def can_write(self) -> bool:
        return self.active and self.role in (Role.ADMIN, Role.ANALYST)

    @property
    def sees_all_funds(self) -> bool:
        return self.role in (Role.ADMIN, Role.ANALYST)


class FundGrant(TimestampMixin, Base):
    """A partner's right to see one fund's dashboards."""

    __tablename__ = "fund_grants"
    __table_args__ = (UniqueConstraint("user_id", "fund_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="grants")
    fund: Mapped[Fund] = relationship()

    def audit_label(self) -> str:
        return f"FundGrant user #{self.user_id} -> fund #{self.fund_id}"
