"""Attachments that have arrived, one row per distinct content."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Record, ReferenceRow


class Attachment(Record):
    """Stored bytes, named by their SHA-256; they live in the attachment store (storage.py)."""

    __tablename__ = "attachment"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))


class AttachmentPlace(ReferenceRow):
    """A commune whose records named these bytes when someone of that commune uploaded them.

    Content addressing is not a capability: knowing a hash gives nothing. The bytes count for
    a dossier, and its desk may read them, only in a commune they were uploaded for; a dossier
    elsewhere waits for its own upload of the same bytes (stored once, placed twice).
    """

    __tablename__ = "attachment_place"

    sha256: Mapped[str] = mapped_column(ForeignKey("attachment.sha256"), primary_key=True)
    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"), primary_key=True)
