"""The change log: one row per applied change, in commit order, read by pull with a cursor."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import ReferenceRow


class Change(ReferenceRow):
    """The change log: one row per applied change, in commit order, read by pull with a cursor."""

    __tablename__ = "change"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(100))
    commune_code: Mapped[int | None] = mapped_column(default=None, index=True)
    owner_id: Mapped[UUID | None] = mapped_column(default=None, index=True)
    # The resident a resident (or merged alias), consent or tick change belongs to: what a
    # phone's scope is judged on (sync/phone_scope.py).
    resident_id: Mapped[UUID | None] = mapped_column(default=None)
