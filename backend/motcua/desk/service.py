"""What the desk reads: the inbox of its communes and one dossier in full."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.attachments.service import missing_attachments
from motcua.audit.service import record_access
from motcua.auth.principal import Principal
from motcua.catalogue.addressee import addressee
from motcua.catalogue.models import ProcedureVersion
from motcua.catalogue.service import get_version
from motcua.dossiers.lifecycle import OPEN, allowed_moves, urgency
from motcua.dossiers.models import Dossier, DossierAttachment, DossierEvent
from motcua.dossiers.service import dossier_in_scope
from motcua.identity.service import mask_personal_id
from motcua.places.models import Commune, Province, Village
from motcua.places.names import in_sentence, short_name
from motcua.places.service import commune_filter
from motcua.residents.models import Resident

# Complete dossiers the desk can act on first, then those under way, finished ones last.
_INBOX_ORDER = case(
    {"received": 0, "needs_supplement": 1, "accepted": 2, "in_progress": 3, "incomplete": 4, "ready": 5},
    value=Dossier.status,
    else_=9,
)


@dataclass(frozen=True)
class InboxRow:
    dossier: Dossier
    resident_name: str
    resident_id_masked: str | None
    village: str
    procedure_name: str
    urgency: str | None
    missing: int


async def inbox(
    db: AsyncSession, principal: Principal, statuses: tuple[str, ...] = OPEN, limit: int = 200
) -> list[InboxRow]:
    in_scope = select(Commune.code).where(commune_filter(principal))
    result = await db.execute(
        select(Dossier, Resident, Village, ProcedureVersion)
        .join(Resident, Resident.id == Dossier.resident_id)
        .join(Village, Village.id == Resident.village_id)
        .join(
            ProcedureVersion,
            (ProcedureVersion.code == Dossier.procedure_code)
            & (ProcedureVersion.version == Dossier.procedure_version),
        )
        .where(Dossier.commune_code.in_(in_scope), Dossier.status.in_(statuses))
        .order_by(
            _INBOX_ORDER,
            Dossier.deadline_at.is_(None),
            Dossier.deadline_at,
            Dossier.received_at,
            Dossier.written_at,
        )
        .limit(limit)
    )
    rows = []
    for dossier, resident, village, version in result:
        missing = len(await missing_attachments(db, dossier.id)) if dossier.status == "incomplete" else 0
        rows.append(
            InboxRow(
                dossier=dossier,
                resident_name=resident.full_name,
                resident_id_masked=mask_personal_id(resident.personal_id) if resident.personal_id else None,
                village=village.name,
                procedure_name=version.content["name"]["vi"],
                urgency=urgency(dossier),
                missing=missing,
            )
        )
    return rows


@dataclass(frozen=True)
class DossierView:
    dossier: Dossier
    resident: Resident
    village: Village
    procedure: dict[str, Any]
    volunteer: User
    events: list[tuple[DossierEvent, str | None]]
    attachments: list[DossierAttachment]
    missing: list[str]
    moves: tuple[str, ...]
    urgency: str | None


async def dossier_view(db: AsyncSession, principal: Principal, dossier_id: UUID) -> DossierView:
    """Everything the desk needs to decide; reading it is written to the audit log."""
    dossier = await dossier_in_scope(db, principal, dossier_id)
    resident = await db.get_one(Resident, dossier.resident_id)
    version = await get_version(db, dossier.procedure_code, dossier.procedure_version)
    events: list[tuple[DossierEvent, str | None]] = [
        (event, name)
        for event, name in await db.execute(
            select(DossierEvent, User.full_name)
            .outerjoin(User, User.id == DossierEvent.actor_id)
            .where(DossierEvent.dossier_id == dossier.id)
            .order_by(DossierEvent.created_at)
        )
    ]
    attachments = list(
        await db.scalars(
            select(DossierAttachment)
            .where(DossierAttachment.dossier_id == dossier.id)
            .order_by(DossierAttachment.role)
        )
    )
    record_access(db, principal, "desk.read_dossier", [resident.id], {"dossier_id": str(dossier.id)})
    return DossierView(
        dossier=dossier,
        resident=resident,
        village=await db.get_one(Village, resident.village_id),
        procedure=version.content
        if version
        else {"name": {"vi": dossier.procedure_code, "en": ""}, "form": {}},
        volunteer=await db.get_one(User, dossier.volunteer_id),
        events=events,
        attachments=attachments,
        missing=await missing_attachments(db, dossier.id),
        moves=allowed_moves(dossier.status),
        urgency=urgency(dossier),
    )


@dataclass(frozen=True)
class Letterhead:
    """What the printed declaration says around the answers."""

    addressee: str  # "Kính gửi: Ủy ban nhân dân xã Buôn Đôn"
    place: str  # "Buôn Đôn, ngày 01 tháng 12 năm 2026"


async def letterhead(db: AsyncSession, view: DossierView) -> Letterhead:
    """The office the procedure's authority names for the dossier's commune, and the place name."""
    commune = await db.get_one(Commune, view.dossier.commune_code)
    province = await db.get_one(Province, commune.province_code)
    authority = view.procedure.get("authority") or {}
    return Letterhead(
        addressee=addressee(
            authority.get("vi"),
            in_sentence(commune.name, commune.division_type),
            in_sentence(province.name, province.division_type),
        ),
        place=short_name(commune.name, commune.division_type),
    )
