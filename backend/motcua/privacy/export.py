"""A resident's data as one readable document: the person, their consents, checklist ticks,
dossiers with their status history, and who read their data (PDPL 91/2025: the right of
access). Exporting is itself audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.audit.models import AuditEvent
from motcua.audit.service import record_access
from motcua.auth.principal import Principal
from motcua.db.base import utcnow
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.places.models import Commune, Village
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge

# What each audited action means, for the person reading their export.
ACTIONS = {
    "sync.pull": (
        "Điện thoại của tình nguyện viên nhận hồ sơ người dân",
        "A volunteer's phone received the record",
    ),
    "sync.lookup": (
        "Tình nguyện viên tìm người dân trên máy chủ bằng số định danh hoặc số điện thoại",
        "A volunteer looked the resident up on the server by ID number or phone",
    ),
    "desk.read_dossier": ("Cán bộ một cửa mở hồ sơ", "A desk officer opened a dossier"),
    "reach.call_list": ("Có trong danh sách cần gọi hoặc đến nhà", "Listed to be called or visited"),
    "privacy.export": ("Xuất dữ liệu cá nhân", "Personal data exported"),
    "privacy.erase": ("Xoá dữ liệu cá nhân", "Personal data erased"),
}


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def _names(db: AsyncSession, ids: set[UUID]) -> dict[UUID, tuple[str, str]]:
    rows = await db.execute(select(User.id, User.full_name, User.role).where(User.id.in_(ids)))
    return {row.id: (row.full_name, row.role) for row in rows}


async def _accesses(db: AsyncSession, resident_id: UUID) -> list[AuditEvent]:
    """Every audit event naming the resident. The list is JSON on both databases: its text
    holds the id in quotes (a scan, fine for a request a person makes)."""
    needle = f'"{resident_id}"'
    return list(
        await db.scalars(
            select(AuditEvent)
            .where(cast(AuditEvent.resident_ids, Text).contains(needle, autoescape=True))
            .order_by(AuditEvent.created_at)
        )
    )


async def export_resident(db: AsyncSession, principal: Principal, resident: Resident) -> dict[str, Any]:
    """The whole document, as JSON-ready values (resident already found in the caller's places)."""
    village = await db.get(Village, resident.village_id)
    commune = await db.get(Commune, resident.commune_code)
    consents = list(
        await db.scalars(
            select(Consent).where(Consent.resident_id == resident.id).order_by(Consent.written_at)
        )
    )
    steps = list(
        await db.scalars(
            select(ChecklistStep)
            .where(ChecklistStep.resident_id == resident.id)
            .order_by(ChecklistStep.written_at)
        )
    )
    dossiers = list(
        await db.scalars(
            select(Dossier).where(Dossier.resident_id == resident.id).order_by(Dossier.written_at)
        )
    )
    events = list(
        await db.scalars(
            select(DossierEvent)
            .where(DossierEvent.dossier_id.in_([d.id for d in dossiers]))
            .order_by(DossierEvent.created_at, DossierEvent.id)
        )
    )
    merges = list(await db.scalars(select(ResidentMerge).where(ResidentMerge.resident_id == resident.id)))
    accesses = await _accesses(db, resident.id)
    people = {resident.registered_by, principal.user_id}
    people |= {c.volunteer_id for c in consents} | {s.volunteer_id for s in steps}
    people |= {d.volunteer_id for d in dossiers} | {e.actor_id for e in events if e.actor_id}
    people |= {a.user_id for a in accesses}
    names = await _names(db, people)

    def who(user_id: UUID | None) -> dict[str, str] | None:
        if user_id is None:
            return None
        name, role = names.get(user_id, ("", ""))
        return {"id": str(user_id), "full_name": name, "role": role}

    now = utcnow()
    document: dict[str, Any] = {
        "title_vi": "Dữ liệu cá nhân của người dân",
        "title_en": "A resident's personal data",
        "exported_at": now.isoformat(),
        "exported_by": who(principal.user_id),
        "resident": {
            "id": str(resident.id),
            "full_name": resident.full_name,
            "birth_date": _iso(resident.birth_date),
            "sex": resident.sex,
            "personal_id": resident.personal_id,
            "phone": resident.phone,
            "needs": resident.needs,
            "interpreter_language": resident.interpreter_language,
            "ethnicity": resident.ethnicity,
            "village": village.name if village else None,
            "commune": commune.name if commune else None,
            "commune_code": resident.commune_code,
            "registered_by": who(resident.registered_by),
            "registered_at": _iso(resident.written_at),
        },
        "consents": [
            {
                "purpose": c.purpose,
                "given": c.given,
                "method": c.method,
                "wording_vi": c.wording_vi,
                "signature_sha256": c.signature_sha256,
                "written_at": _iso(c.written_at),
                "volunteer": who(c.volunteer_id),
            }
            for c in consents
        ],
        "checklist": [
            {
                "step": s.step,
                "state": s.state,
                "note": s.note,
                "appointment_on": _iso(s.appointment_on),
                "written_at": _iso(s.written_at),
                "volunteer": who(s.volunteer_id),
            }
            for s in steps
        ],
        "dossiers": [
            {
                "tracking_code": d.tracking_code,
                "procedure_code": d.procedure_code,
                "procedure_version": d.procedure_version,
                "status": d.status,
                "portal_code": d.portal_code,
                "form": d.form,
                "papers": d.papers,
                "written_at": _iso(d.written_at),
                "received_at": _iso(d.received_at),
                "accepted_at": _iso(d.accepted_at),
                "deadline_at": _iso(d.deadline_at),
                "result_at": _iso(d.result_at),
                "volunteer": who(d.volunteer_id),
                "history": [
                    {
                        "from": e.from_status,
                        "to": e.to_status,
                        "at": _iso(e.created_at),
                        "by": who(e.actor_id),
                        "reason": e.reason,
                    }
                    for e in events
                    if e.dossier_id == d.id
                ],
            }
            for d in dossiers
        ],
        "merged_registrations": [
            {"id": str(m.duplicate_id), "body": m.body, "registered_by": who(m.registered_by)} for m in merges
        ],
        "accesses": [
            {
                "at": _iso(a.created_at),
                "action": a.action,
                "action_vi": ACTIONS.get(a.action, (a.action, a.action))[0],
                "action_en": ACTIONS.get(a.action, (a.action, a.action))[1],
                "by": who(a.user_id),
            }
            for a in accesses
        ],
    }
    record_access(db, principal, "privacy.export", [resident.id])
    return document
