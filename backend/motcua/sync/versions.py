"""Every version the server keeps of one record: the applied one and any refused as a conflict.

Rule 2 promises "both versions kept for review"; this is where a phone, a coordinator or the
desk reads them, within the same places as pull.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.auth.principal import Principal
from motcua.errors import ApiError
from motcua.places.models import Commune
from motcua.records.models import RecordRevision, SyncRecord
from motcua.records.schemas import Sender, Version, VersionsOut


async def versions_of(db: AsyncSession, principal: Principal, record_id: UUID) -> VersionsOut:
    """The versions of a record in the user's places, oldest first; 404 elsewhere, as if unknown."""
    record = await db.get(SyncRecord, record_id)
    commune = await db.get(Commune, record.commune_code) if record else None
    if (
        record is None
        or commune is None
        or not (principal.may_act_in(commune) or record.owner_id == principal.user_id)
    ):
        raise ApiError(
            404, "record.unknown", "Máy chủ không có bản ghi này.", "The server does not hold this record."
        )
    rows = await db.execute(
        select(RecordRevision, User.full_name)
        .join(User, User.id == RecordRevision.user_id)
        .where(RecordRevision.record_id == record_id)
        .order_by(RecordRevision.created_at, RecordRevision.id)
    )
    versions = [
        Version(
            revision=kept.revision,
            base_revision=kept.base_revision,
            state="conflict" if kept.state == "conflict" else "applied",
            content_hash=kept.content_hash,
            written_at=str(kept.envelope.get("written_at", "")),
            received_at=kept.created_at,
            sent_by=Sender(kept.user_id, full_name),
            body=dict(kept.envelope.get("body") or {}),
        )
        for kept, full_name in rows
    ]
    return VersionsOut(record.id, record.kind, record.revision, versions)
