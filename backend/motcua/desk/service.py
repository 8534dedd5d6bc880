"""What the desk reads: the inbox of its communes and one dossier in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
from motcua.db.base import utcnow
from motcua.dossiers.lifecycle import FINISHED, OPEN, RESULT_OWED, allowed_moves, urgency
from motcua.dossiers.models import Dossier, DossierAttachment, DossierEvent
from motcua.dossiers.service import dossier_in_scope
from motcua.i18n import VIETNAM_TIME, vietnamese_sort_key
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
PAGE_SIZE = 50


@dataclass(frozen=True)
class InboxQuery:
    """What the officer looks for: a tab, a search text, filters and a page."""

    view: str = "open"  # open | done
    text: str = ""  # a tracking code, a resident's name (accents optional), or an ID number's last digits
    status: str = ""
    procedure: str = ""
    volunteer: UUID | None = None
    overdue: bool = False
    page: int = 1


@dataclass(frozen=True)
class InboxRow:
    dossier: Dossier
    resident_name: str
    resident_id_masked: str | None
    village: str
    procedure_name: str
    procedure_names: dict[str, str]  # {"vi": …, "en": …}
    volunteer_name: str
    urgency: str | None
    missing: int
    supplemented: bool  # the phone sent what the desk asked for: the desk's turn again
    waiting_days: int | None  # received and not yet accepted: for how many days


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int
    procedures: list[tuple[str, dict[str, str]]]  # the filters' choices, from the dossiers in scope
    volunteers: list[tuple[UUID, str]]


def fold(text: str) -> str:
    """A text without its marks, case and punctuation, for a search that needs none of them
    ("Đôn" ~ "don", "H’Blăk" ~ "hblak")."""
    return "".join(c for c in vietnamese_sort_key(text)[0] if c.isalnum() or c == " ")


def _matches(text: str, dossier: Dossier, resident: Resident) -> bool:
    wanted = fold(text.strip())
    if not wanted:
        return True
    if wanted in fold(dossier.tracking_code) or wanted in fold(resident.full_name):
        return True
    return wanted.isdigit() and (resident.personal_id or "").endswith(wanted)


def is_supplemented(dossier: Dossier) -> bool:
    return dossier.status == "needs_supplement" and (
        dossier.supplement_sent_at is not None or dossier.supplemented_at is not None
    )


def _waiting_days(dossier: Dossier, now: datetime) -> int | None:
    if dossier.status != "received" or dossier.received_at is None:
        return None
    return (now.astimezone(VIETNAM_TIME).date() - dossier.received_at.astimezone(VIETNAM_TIME).date()).days


async def inbox(db: AsyncSession, principal: Principal, query: InboxQuery | None = None) -> InboxPage:
    """One page of the dossiers of the caller's communes that match ``query``: supplements
    that arrived first, then complete ones, then by deadline."""
    query = query or InboxQuery()
    statuses = FINISHED if query.view == "done" else OPEN
    in_scope = Dossier.commune_code.in_(select(Commune.code).where(commune_filter(principal)))
    tab = select(Dossier).where(in_scope, Dossier.status.in_(statuses)).subquery()
    procedures: dict[str, dict[str, str]] = {}
    for code, content in await db.execute(
        select(ProcedureVersion.code, ProcedureVersion.content)
        .where(ProcedureVersion.code.in_(select(tab.c.procedure_code)))
        .order_by(ProcedureVersion.code, ProcedureVersion.version.desc())
    ):
        procedures.setdefault(code, content["name"])  # the newest version's name
    volunteers = [
        (user_id, name)
        for user_id, name in await db.execute(
            select(User.id, User.full_name)
            .where(User.id.in_(select(tab.c.volunteer_id)))
            .order_by(User.full_name)
        )
    ]
    now = utcnow()
    chosen = select(Dossier, Resident, Village, ProcedureVersion, User.full_name).where(
        in_scope, Dossier.status.in_(statuses)
    )
    if query.status in statuses:
        chosen = chosen.where(Dossier.status == query.status)
    if query.procedure:
        chosen = chosen.where(Dossier.procedure_code == query.procedure)
    if query.volunteer:
        chosen = chosen.where(Dossier.volunteer_id == query.volunteer)
    if query.overdue:
        chosen = chosen.where(Dossier.deadline_at < now, Dossier.status.not_in(RESULT_OWED))
    result = await db.execute(
        chosen.join(Resident, Resident.id == Dossier.resident_id)
        .join(Village, Village.id == Resident.village_id)
        .join(User, User.id == Dossier.volunteer_id)
        .join(
            ProcedureVersion,
            (ProcedureVersion.code == Dossier.procedure_code)
            & (ProcedureVersion.version == Dossier.procedure_version),
        )
        .order_by(
            _INBOX_ORDER,
            Dossier.deadline_at.is_(None),
            Dossier.deadline_at,
            Dossier.received_at,
            Dossier.written_at,
        )
    )
    # The name is matched here, not in SQL: neither database folds Vietnamese marks unaided.
    found = [row for row in result if _matches(query.text, row[0], row[1])]
    found.sort(key=lambda row: not is_supplemented(row[0]))  # stable: the order above stays
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(1, query.page), pages)
    rows = []
    for dossier, resident, village, version, volunteer in found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        missing = len(await missing_attachments(db, dossier.id)) if dossier.status == "incomplete" else 0
        rows.append(
            InboxRow(
                dossier=dossier,
                resident_name=resident.full_name,
                resident_id_masked=mask_personal_id(resident.personal_id) if resident.personal_id else None,
                village=village.name,
                procedure_name=version.content["name"]["vi"],
                procedure_names=version.content["name"],
                volunteer_name=volunteer,
                urgency=urgency(dossier, now),
                missing=missing,
                supplemented=is_supplemented(dossier),
                waiting_days=_waiting_days(dossier, now),
            )
        )
    return InboxPage(
        rows=rows,
        total=len(found),
        page=page,
        pages=pages,
        procedures=list(procedures.items()),
        volunteers=volunteers,
    )


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
