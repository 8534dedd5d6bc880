"""Province → commune → village, as after the 1 July 2025 reform (no districts)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Record, ReferenceRow


class Province(ReferenceRow):
    """A province or centrally-run city; ``code`` is the official two-digit code."""

    __tablename__ = "province"

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(40))
    codename: Mapped[str] = mapped_column(String(100))


class Commune(ReferenceRow):
    """A commune, ward or special zone (xã / phường / đặc khu); ``code`` is the official code."""

    __tablename__ = "commune"

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    province_code: Mapped[int] = mapped_column(ForeignKey("province.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    division_type: Mapped[str] = mapped_column(String(40))
    codename: Mapped[str] = mapped_column(String(100))


class Village(Record):
    """A village (thôn, buôn, bản, ấp, tổ dân phố), created by a coordinator of its commune."""

    __tablename__ = "village"
    __table_args__ = (UniqueConstraint("commune_code", "name"),)

    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"), default=None)
