"""Attachments that have arrived, one row per distinct content."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Record


class Attachment(Record):
    """Stored bytes, named by their SHA-256; the file lives under the data directory."""

    __tablename__ = "attachment"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
