"""Every version the server keeps of one record: the applied one and any refused as a conflict.

Rule 2 promises "both versions kept for review"; this is where a phone reads them, within
what its pull may send it (docs/privacy.md): its user's own records and revisions, and the
residents (with their consents and ticks) of its work, without the task-only fields when
they are not its user's task.
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
from motcua.residents.models import ChecklistStep, Consent, ResidentMerge
from motcua.sync.phone_scope import TASK_ONLY_FIELDS, Window, reach

_CHILDREN: dict[str, type[Consent] | type[ChecklistStep]] = {"consent": Consent, "checklist": ChecklistStep}


async def _resident_of(db: AsyncSession, kind: str, record_id: UUID) -> UUID | None:
    """The resident a resident, consent or tick record belongs to (a merged one's survivor)."""
    if kind == "resident":
        return (
            await db.scalar(select(ResidentMerge.resident_id).where(ResidentMerge.duplicate_id == record_id))
            or record_id
        )
    if kind in _CHILDREN:
        model = _CHILDREN[kind]
        return await db.scalar(select(model.resident_id).where(model.id == record_id))
    return None


async def versions_of(
    db: AsyncSession, principal: Principal, record_id: UUID, window: Window | None = None
) -> VersionsOut:
    """The versions of a record within the phone's reach, oldest first; 404 elsewhere, as if unknown."""
    record = await db.get(SyncRecord, record_id)
    commune = await db.get(Commune, record.commune_code) if record else None
    own = record is not None and (
        record.owner_id == principal.user_id
        or await db.scalar(
            select(RecordRevision.id)
            .where(RecordRevision.record_id == record_id, RecordRevision.user_id == principal.user_id)
            .limit(1)
        )
        is not None
    )
    held, tasked = False, False
    if record is not None and commune is not None and principal.may_act_in(commune):
        resident = await _resident_of(db, record.kind, record_id)
        if resident is not None:
            held, tasked = await reach(db, principal, resident, window or Window())
    if record is None or not (own or held):
        raise ApiError(
            404, "record.unknown", "Máy chủ không có bản ghi này.", "The server does not hold this record."
        )
    hidden = dict.fromkeys(TASK_ONLY_FIELDS.get(record.kind, ()) if not tasked else ())
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
            content_hash=None if hidden else kept.content_hash,
            written_at=str(kept.envelope.get("written_at", "")),
            received_at=kept.created_at,
            sent_by=Sender(kept.user_id, full_name),
            body={**(kept.envelope.get("body") or {}), **hidden},
        )
        for kept, full_name in rows
    ]
    return VersionsOut(record.id, record.kind, record.revision, versions)
