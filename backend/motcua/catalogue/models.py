"""Published procedure versions, stored once and never changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import DateTimeUTC, Record


class ProcedureVersion(Record):
    """One version of a procedure as it was published; closing it stops new dossiers only."""

    __tablename__ = "procedure_version"
    __table_args__ = (UniqueConstraint("code", "version"),)

    code: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
