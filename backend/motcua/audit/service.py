"""Recording reads and exports of personal data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.audit.models import AuditEvent
from motcua.auth.principal import Principal


def record_access(
    db: AsyncSession,
    principal: Principal,
    action: str,
    resident_ids: Iterable[UUID | str],
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit event to the current transaction (nothing is written for no residents)."""
    ids = sorted({str(i) for i in resident_ids})
    if ids:
        db.add(
            AuditEvent(
                user_id=principal.user_id,
                session_id=principal.session_id,
                action=action,
                resident_ids=ids,
                detail=detail or {},
            )
        )
