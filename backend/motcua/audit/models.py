"""Audit events, written in the same transaction as the read or export they record."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Record


class AuditEvent(Record):
    """One read or export of personal data: by whom, from which device, of which residents."""

    __tablename__ = "audit_event"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    session_id: Mapped[UUID | None] = mapped_column(default=None)
    action: Mapped[str] = mapped_column(String(40))
    resident_ids: Mapped[list[str]] = mapped_column(JSON)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
