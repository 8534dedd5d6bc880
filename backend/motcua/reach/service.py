"""Nobody forgotten: was each resident reached with their dossier's news, and whom to call or visit.

A dossier's newest status change reached its resident when a push to one of their browsers
was delivered, when they opened the status page after it, or when their volunteer told them
by phone or at their door. Coordinators see that per dossier (``/office/reach``); a volunteer
gets the residents still to tell, for the statuses they must act on (``/api/reach/mine``,
``/office/reach/mine``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.auth.principal import Principal
from motcua.dossiers.lifecycle import ACT_ON
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.errors import ApiError, FieldError
from motcua.places.models import Village
from motcua.push.models import CONTACT_METHODS, PushFollow, PushOutbox, ResidentContact
from motcua.residents.models import Resident
from motcua.status.models import StatusView
from motcua.words import Said

REACHED = ("push", "page", "call", "visit")
LIMIT = 200
STATE_WORDS: dict[str, Said] = {
    "push": Said("Đã nhận thông báo", "Notified"),
    "page": Said("Đã xem trang hồ sơ", "Opened the status page"),
    "call": Said("Đã gọi điện báo", "Told by phone"),
    "visit": Said("Đã đến nhà báo", "Told at home"),
    "sending": Said("Đang gửi thông báo", "Notification on its way"),
    "failed": Said("Thông báo không tới được", "Notification not delivered"),
    "no_subscription": Said("Không nhận thông báo: cần gọi hoặc đến nhà", "No notifications: call or visit"),
    "no_news": Said("Chưa có tin mới", "No news yet"),
}


@dataclass(frozen=True)
class Reach:
    """One dossier, its newest status change and whether the resident knows of it."""

    dossier: Dossier
    resident: Resident
    village: str
    volunteer: str
    event: DossierEvent | None
    state: str
    at: datetime | None
    subscribed: bool

    @property
    def reached(self) -> bool:
        return self.state in REACHED

    @property
    def to_tell(self) -> bool:
        """On the volunteer's "call or visit" list: news to act on that did not reach them."""
        return (
            self.event is not None
            and self.event.to_status in ACT_ON
            and self.dossier.status == self.event.to_status
            and self.state in ("failed", "no_subscription")
        )


async def reach_of(db: AsyncSession, *where: ColumnElement[bool], limit: int = LIMIT) -> list[Reach]:
    """The reach of the newest change of each dossier matching ``where`` (not reached first)."""
    found = (
        await db.execute(
            select(Dossier, Resident, Village.name, User.full_name)
            .join(Resident, Resident.id == Dossier.resident_id)
            .join(Village, Village.id == Resident.village_id)
            .join(User, User.id == Dossier.volunteer_id)
            .where(Dossier.status != "incomplete", *where)
            .order_by(Dossier.created_at.desc())
            .limit(limit)
        )
    ).all()
    if not found:
        return []
    ids = [dossier.id for dossier, *_ in found]
    newest: dict[UUID, DossierEvent] = {}
    for change in await db.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id.in_(ids)).order_by(DossierEvent.created_at)
    ):
        newest[change.dossier_id] = change
    event_ids = [change.id for change in newest.values()]
    pushes: dict[UUID | None, list[tuple[str, datetime | None]]] = {}
    for event_id, state, sent_at in await db.execute(
        select(PushOutbox.event_id, PushOutbox.state, PushOutbox.sent_at).where(
            PushOutbox.event_id.in_(event_ids), PushOutbox.audience == "resident"
        )
    ):
        pushes.setdefault(event_id, []).append((state, sent_at))
    told = {
        contact.event_id: contact
        for contact in await db.scalars(
            select(ResidentContact)
            .where(ResidentContact.event_id.in_(event_ids))
            .order_by(ResidentContact.created_at)
        )
    }
    viewed = {
        view.dossier_id: view.viewed_at
        for view in await db.scalars(select(StatusView).where(StatusView.dossier_id.in_(ids)))
    }
    resident_ids = {dossier.resident_id for dossier, *_ in found}
    follows = (
        await db.execute(
            select(PushFollow.dossier_id, PushFollow.resident_id).where(
                or_(PushFollow.dossier_id.in_(ids), PushFollow.resident_id.in_(resident_ids))
            )
        )
    ).all()
    followed_dossiers = {row.dossier_id for row in follows}
    followed_residents = {row.resident_id for row in follows}

    rows = []
    for dossier, resident, village, volunteer in found:
        event = newest.get(dossier.id)
        state, at = "no_news", None
        if event is not None:
            sent = [sent_at for state_, sent_at in pushes.get(event.id, []) if state_ == "sent" and sent_at]
            seen = viewed.get(dossier.id)
            contact = told.get(event.id)
            if sent:
                state, at = "push", min(sent)
            elif contact is not None:
                state, at = contact.method, contact.created_at
            elif seen is not None and seen >= event.created_at:
                state, at = "page", seen
            elif any(state_ in ("pending", "sending") for state_, _ in pushes.get(event.id, [])):
                state = "sending"
            elif pushes.get(event.id):
                state = "failed"
            else:
                state = "no_subscription"
        rows.append(
            Reach(
                dossier=dossier,
                resident=resident,
                village=village,
                volunteer=volunteer,
                event=event,
                state=state,
                at=at,
                subscribed=dossier.id in followed_dossiers or dossier.resident_id in followed_residents,
            )
        )
    rows.sort(key=lambda row: (row.reached, -(row.event.created_at.timestamp() if row.event else 0)))
    return rows


async def call_list(db: AsyncSession, volunteer_id: UUID) -> list[Reach]:
    """The volunteer's residents still to tell, by phone or at their door."""
    rows = await reach_of(db, Dossier.volunteer_id == volunteer_id, Dossier.status.in_(ACT_ON))
    return [row for row in rows if row.to_tell]


async def record_told(
    db: AsyncSession, principal: Principal, dossier: Dossier, method: str
) -> ResidentContact:
    """The volunteer (or a coordinator) told the resident the dossier's newest news; telling it
    again returns the first record of it."""
    if method not in CONTACT_METHODS:
        raise ApiError(
            400,
            "reach.method",
            "Hãy chọn gọi điện hoặc đến nhà.",
            "Choose call or visit.",
            [FieldError("method", "invalid", "Chỉ nhận: call, visit.", "One of: call, visit.")],
        )
    if principal.role == "volunteer" and dossier.volunteer_id != principal.user_id:
        raise ApiError(404, "dossier.not_found", "Không tìm thấy hồ sơ.", "No such dossier.")
    event = await db.scalar(
        select(DossierEvent)
        .where(DossierEvent.dossier_id == dossier.id)
        .order_by(DossierEvent.created_at.desc())
        .limit(1)
    )
    # Told once per news: a phone posting its mark again (an answer lost on the way) adds nothing.
    same_news = ResidentContact.event_id == event.id if event else ResidentContact.event_id.is_(None)
    told = await db.scalar(
        select(ResidentContact).where(ResidentContact.dossier_id == dossier.id, same_news).limit(1)
    )
    if told is not None:
        return told
    contact = ResidentContact(
        dossier_id=dossier.id,
        event_id=event.id if event else None,
        volunteer_id=principal.user_id,
        method=method,
    )
    db.add(contact)
    await db.flush()
    return contact


# -- the API for the PWA ---------------------------------------------------------------------
