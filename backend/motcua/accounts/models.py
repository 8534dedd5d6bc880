"""Users, the places they may act in, their sessions and sign-in attempts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db.base import DateTimeUTC, Record, ReferenceRow

ROLES = ("admin", "coordinator", "desk_officer", "volunteer")
SESSION_KINDS = ("device", "web")


class User(Record):
    """A person who signs in: an admin, coordinator, desk officer or volunteer."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    phone: Mapped[str] = mapped_column(String(16), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    communes: Mapped[list[UserCommune]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserCommune.commune_code"
    )
    provinces: Mapped[list[UserProvince]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserProvince.province_code"
    )


class UserCommune(ReferenceRow):
    """A commune a user may act in."""

    __tablename__ = "user_commune"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"), primary_key=True, index=True)


class UserProvince(ReferenceRow):
    """A whole province a user may act in (a province-wide coordinator)."""

    __tablename__ = "user_province"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    province_code: Mapped[int] = mapped_column(ForeignKey("province.code"), primary_key=True, index=True)


class AuthSession(Record):
    """A signed-in device (bearer token, for the PWA) or browser (cookie, for the pages).

    Only a hash of the token is kept, so a copy of the database signs nobody in.
    """

    __tablename__ = "auth_session"
    __table_args__ = (CheckConstraint(f"kind IN {SESSION_KINDS!r}", name="kind"),)

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    # Short and unique, for device sessions only: the prefix of the tracking codes the phone
    # makes offline ("K7QM-12"), so two phones can never make the same code.
    device_code: Mapped[str | None] = mapped_column(String(8), unique=True, default=None)
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class LoginAttempt(Record):
    """One sign-in attempt, kept briefly to slow down password guessing across processes."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_phone_created_at", "phone", "created_at"),
        Index("ix_login_attempt_client_created_at", "client", "created_at"),
    )

    phone: Mapped[str] = mapped_column(String(32))
    client: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)


class Invitation(Record):
    """A one-time sign-in link (or its QR) for a new volunteer's phone; only its hash is kept."""

    __tablename__ = "invitation"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
