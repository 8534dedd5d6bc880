"""Erasing a resident on request: the person is anonymised, their documents' images deleted,
the administration's record of its own acts kept without them, the audit trail kept.

What is kept and why is in docs/privacy.md ("Export and erasure"). In one transaction; the
files go after it commits. Nothing of another resident is touched: every statement names
this person's rows by id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.audit.service import record_access
from motcua.auth.principal import Principal
from motcua.changelog.service import ChangeRow, append_changes, change
from motcua.db.base import utcnow
from motcua.desk.models import MoveSnapshot
from motcua.dossiers.lifecycle import FINISHED
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.errors import ApiError
from motcua.privacy.consents import forget_push
from motcua.privacy.service import Forgotten, forget_attachments
from motcua.push.models import PushOutbox
from motcua.records.models import HeldRecord, RecordRevision, RefusedRecord, SyncRecord
from motcua.records.schemas import RecordIn
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge
from motcua.status.models import Rating

ERASED_NAME = "Đã xoá"
ERASED_BIRTH_DATE = date(1900, 1, 1)
# Why the dossiers' rows stay (said in the audit event): the commune's record of its own acts.
LEGAL_BASIS = (
    "Hồ sơ thủ tục hành chính là văn bản của cơ quan nhà nước, lưu theo quy định về lưu trữ; "
    "chỉ giữ mã hồ sơ, thủ tục, trạng thái và thời gian, không giữ thông tin cá nhân. / "
    "A dossier is the administration's record of its own act, kept under the archives rules; "
    "only its code, procedure, status history and times are kept, no personal data."
)


class ErasureReport(msgspec.Struct, frozen=True):
    """What erasing one resident did (the answer of the API and the CLI)."""

    resident_id: UUID
    erased_at: datetime
    dossiers_kept: int
    records_scrubbed: int
    attachments_deleted: int


@dataclass
class _Person:
    """Everything that names the person: their ids and what to look for in free JSON."""

    resident: Resident
    duplicates: list[UUID]
    consents: list[UUID]
    steps: list[UUID]
    dossiers: list[Dossier]

    @property
    def record_ids(self) -> list[UUID]:
        own = [self.resident.id, *self.duplicates, *self.consents, *self.steps]
        return own + [d.id for d in self.dossiers]

    def needles(self) -> list[str]:
        found = [str(self.resident.id), *(str(i) for i in self.duplicates)]
        found += [v for v in (self.resident.personal_id, self.resident.phone, self.resident.full_name) if v]
        return found


def _open_dossiers() -> ApiError:
    return ApiError(
        409,
        "resident.open_dossiers",
        "Người dân còn hồ sơ đang giải quyết: trả kết quả, từ chối hoặc rút hồ sơ trước khi xoá.",
        "The resident has dossiers still in progress: deliver, reject or withdraw them before erasing.",
    )


def scrubbed(envelope: dict[str, Any]) -> dict[str, Any]:
    """A kept record's envelope without its body: what it was, not what it said."""
    keys = ("kind", "id", "revision", "base_revision", "written_at")
    return {**{k: envelope.get(k) for k in keys}, "body": {}, "erased": True}


def anonymised_body(resident: Resident) -> dict[str, Any]:
    """The resident as phones will hold them after the erasure (docs/sync.md, resident body)."""
    return {
        "village_id": str(resident.village_id),
        "full_name": ERASED_NAME,
        "birth_date": ERASED_BIRTH_DATE.isoformat(),
        "sex": resident.sex,
        "personal_id": None,
        "phone": None,
        "needs": [],
        "interpreter_language": None,
        "ethnicity": None,
    }


async def _person(db: AsyncSession, resident: Resident) -> _Person:
    duplicates = list(
        await db.scalars(select(ResidentMerge.duplicate_id).where(ResidentMerge.resident_id == resident.id))
    )
    consents = list(await db.scalars(select(Consent.id).where(Consent.resident_id == resident.id)))
    steps = list(await db.scalars(select(ChecklistStep.id).where(ChecklistStep.resident_id == resident.id)))
    dossiers = list(
        await db.scalars(
            select(Dossier).where(Dossier.resident_id == resident.id).with_for_update().order_by(Dossier.id)
        )
    )
    return _Person(resident, duplicates, consents, steps, dossiers)


async def _scrub_kept_records(db: AsyncSession, person: _Person) -> int:
    """Revisions (bodies dropped, the rows kept for counts), refused records (bodies dropped,
    so a phone asking is still told "rejected" and does not send them again), held records
    (deleted: they would be applied from their body)."""
    ids = person.record_ids
    mentions = or_(
        *(cast(RefusedRecord.envelope, Text).contains(n, autoescape=True) for n in person.needles())
    )
    held_mentions = or_(
        *(cast(HeldRecord.envelope, Text).contains(n, autoescape=True) for n in person.needles())
    )
    count = 0
    kept: list[RecordRevision | RefusedRecord] = list(
        await db.scalars(select(RecordRevision).where(RecordRevision.record_id.in_(ids)))
    )
    kept += await db.scalars(select(RefusedRecord).where(or_(RefusedRecord.record_id.in_(ids), mentions)))
    for row in kept:
        row.envelope = scrubbed(row.envelope)
        count += 1
    held = await db.execute(delete(HeldRecord).where(or_(HeldRecord.record_id.in_(ids), held_mentions)))
    return count + int(getattr(held, "rowcount", 0) or 0)


def _content_hash(record: RecordIn) -> str:
    """As sync computes it (docs/sync.md, "Content hash"): SHA-256 of the sorted canonical JSON."""
    canonical = msgspec.json.encode(msgspec.to_builtins(record, order="sorted"), order="sorted")
    return hashlib.sha256(canonical).hexdigest()


async def _new_revision(db: AsyncSession, principal: Principal, resident: Resident) -> None:
    """The anonymised resident as a revision the officer wrote: phones pull it and overwrite
    their copy, and an edit a phone made before it is a conflict, never applied over it."""
    current = await db.get(SyncRecord, resident.id, with_for_update=True)
    if current is None:
        return
    record = RecordIn(
        kind="resident",
        id=resident.id,
        written_at=utcnow().isoformat(),
        body=anonymised_body(resident),
        revision=current.revision + 1,
        base_revision=current.revision,
    )
    digest = _content_hash(record)
    current.revision, current.content_hash = record.revision, digest
    db.add(
        RecordRevision(
            record_id=resident.id,
            kind="resident",
            revision=record.revision,
            base_revision=record.base_revision,
            content_hash=digest,
            state="applied",
            envelope=dict(msgspec.to_builtins(record)),
            user_id=principal.user_id,
            session_id=principal.session_id,
        )
    )


async def erase_resident(
    db: AsyncSession, principal: Principal, resident: Resident, reason: str
) -> tuple[ErasureReport, Forgotten]:
    """Anonymise ``resident`` (already found in the caller's places) and everything that names
    them; refused with 409 ``resident.open_dossiers`` while a dossier is in progress. Call
    :meth:`Forgotten.delete_files` after the commit."""
    person = await _person(db, resident)
    if any(d.status not in FINISHED for d in person.dossiers):
        raise _open_dossiers()
    scrubbed_count = await _scrub_kept_records(db, person)
    dossier_ids = [d.id for d in person.dossiers]
    # Consent rows stay (the lawful basis of what was done), without the signature image.
    signatures = {
        sha
        for sha in await db.scalars(
            select(Consent.signature_sha256).where(Consent.resident_id == resident.id)
        )
        if sha
    }
    await db.execute(update(Consent).where(Consent.resident_id == resident.id).values(signature_sha256=None))
    forgotten = await forget_attachments(db, dossier_ids, signatures)
    await forget_push(db, resident.id)
    if dossier_ids:
        await db.execute(delete(PushOutbox).where(PushOutbox.dossier_id.in_(dossier_ids)))
        events = select(DossierEvent.id).where(DossierEvent.dossier_id.in_(dossier_ids))
        await db.execute(delete(MoveSnapshot).where(MoveSnapshot.event_id.in_(events)))
        await db.execute(
            update(DossierEvent).where(DossierEvent.dossier_id.in_(dossier_ids)).values(reason="")
        )
        await db.execute(update(Rating).where(Rating.dossier_id.in_(dossier_ids)).values(comment=""))
    for dossier in person.dossiers:
        dossier.form = {}
        dossier.papers = [{"paper_id": p.get("paper_id"), "photos": []} for p in dossier.papers]
        dossier.supplement_needed = None
    await db.execute(update(ChecklistStep).where(ChecklistStep.resident_id == resident.id).values(note=""))
    anonymous = anonymised_body(resident)
    await db.execute(
        update(ResidentMerge)
        .where(ResidentMerge.resident_id == resident.id)
        .values(body={**anonymous, "erased": True})
    )
    resident.full_name = ERASED_NAME
    resident.birth_date = ERASED_BIRTH_DATE
    resident.personal_id = resident.phone = resident.ethnicity = resident.interpreter_language = None
    resident.needs = []
    await _new_revision(db, principal, resident)
    now = utcnow()
    record_access(
        db,
        principal,
        "privacy.erase",
        [resident.id],
        {
            "reason": reason,
            "legal_basis": LEGAL_BASIS,
            "dossiers_kept": [d.tracking_code for d in person.dossiers],
            "attachments_deleted": len(forgotten.to_delete),
        },
    )
    await db.flush()
    place = resident.commune_code
    changes: list[ChangeRow] = [change("resident", resident.id, place, resident_id=resident.id)]
    changes += [change("checklist", step, place, resident_id=resident.id) for step in person.steps]
    changes += [change("consent", consent, place, resident_id=resident.id) for consent in person.consents]
    changes += [change("dossier", d.id, owner_id=d.volunteer_id) for d in person.dossiers]
    await append_changes(db, changes)
    report = ErasureReport(
        resident_id=resident.id,
        erased_at=now.astimezone(UTC),
        dossiers_kept=len(person.dossiers),
        records_scrubbed=scrubbed_count,
        attachments_deleted=len(forgotten.to_delete),
    )
    return report, forgotten
