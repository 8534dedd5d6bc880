"""Writing notifications to the outbox, in the transaction of the change they tell.

Call :func:`notify_status` after a dossier's status moved, :func:`notify_supplemented` when
a supplement sent from the phone is complete, and :func:`queue_assignment` after a volunteer
joined a route; all only add rows to the session, so the notification
exists if and only if the change is committed. The worker (``motcua.push.worker``) sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue.service import get_version
from motcua.db.base import utcnow
from motcua.dossiers.lifecycle import ACT_ON
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.places.models import Commune
from motcua.push.message import payload_bytes
from motcua.push.models import PushFollow, PushOutbox, PushSubscription
from motcua.residents.models import Resident
from motcua.words import STATUS, Said, honorific, status_sentence

# Villages are offline for hours: a notification waits a day on the push service.
TTL_SECONDS = 24 * 3600
# Well under the 3,993 bytes a push message can carry, whatever the reason text holds.
PAYLOAD_BUDGET = 3000
_REASON_CHARS = 300


def status_page_path(tracking_code: str) -> str:
    """The status page without its secret: the browser that subscribed holds a cookie for it."""
    return f"/ho-so/{tracking_code}"


def fit(payload: dict[str, Any], budget: int = PAYLOAD_BUDGET) -> dict[str, Any]:
    """Shorten the texts until the payload fits ``budget`` bytes."""
    payload = dict(payload)
    for key in ("body_en", "body", "title_en", "title"):
        text = str(payload.get(key, ""))
        while text and len(payload_bytes(payload)) > budget:
            text = text[: len(text) * 3 // 4]
            payload[key] = f"{text.rstrip()}…" if text else ""
    return payload


def _clip(text: str, limit: int = _REASON_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def _resident_subscriptions(db: AsyncSession, dossier: Dossier) -> list[UUID]:
    followed = or_(PushFollow.dossier_id == dossier.id, PushFollow.resident_id == dossier.resident_id)
    ids = await db.scalars(select(PushFollow.subscription_id).where(followed).distinct())
    return sorted(set(ids))


async def _volunteer_subscriptions(db: AsyncSession, user_id: UUID) -> list[UUID]:
    ids = await db.scalars(select(PushSubscription.id).where(PushSubscription.user_id == user_id))
    return sorted(set(ids))


def _row(
    subscription_id: UUID,
    audience: str,
    kind: str,
    topic: str,
    urgency: str,
    payload: dict[str, Any],
    now: datetime,
    **links: Any,
) -> PushOutbox:
    return PushOutbox(
        created_at=now,
        subscription_id=subscription_id,
        audience=audience,
        kind=kind,
        topic=topic,
        urgency=urgency,
        payload=fit(payload),
        state="pending",
        attempts=0,
        next_attempt_at=now,
        last_error="",
        **links,
    )


async def notify_status(db: AsyncSession, dossier: Dossier, event: DossierEvent) -> int:
    """Queue the news of ``event`` for the resident's browsers and the volunteer's phones.

    One row per subscription, all with the dossier's Topic, so a phone that comes back
    online is shown only the newest status. Returns how many rows were written.
    """
    resident = await db.get(Resident, dossier.resident_id)
    commune = await db.get(Commune, dossier.commune_code)
    version = await get_version(db, dossier.procedure_code, dossier.procedure_version)
    procedure = (
        version.content["name"] if version else {"vi": dossier.procedure_code, "en": dossier.procedure_code}
    )
    sex = resident.sex if resident else None
    said = status_sentence(
        event.to_status,
        sex=sex,
        commune_name=commune.name if commune else "",
        deadline_at=dossier.deadline_at,
    )
    body, body_en = said.vi, said.en
    if event.to_status in ("needs_supplement", "rejected") and event.reason:
        body, body_en = f"{body} {_clip(event.reason)}", f"{body_en} {_clip(event.reason)}"
    if event.to_status == "delivered":
        body, body_en = (
            f"{body} Mời {honorific(sex)} đánh giá dịch vụ.",
            f"{body_en} Please rate the service.",
        )
    now = utcnow()
    topic = dossier.id.hex
    urgency = "high" if event.to_status in ACT_ON else "normal"
    links = {"dossier_id": dossier.id, "event_id": event.id}
    resident_subscriptions = await _resident_subscriptions(db, dossier)
    rows = [
        _row(
            subscription,
            "resident",
            "status",
            topic,
            urgency,
            {
                "title": f"Hồ sơ {dossier.tracking_code} · {procedure['vi']}",
                "title_en": f"Dossier {dossier.tracking_code} · {procedure['en']}",
                "body": body,
                "body_en": body_en,
                "url": status_page_path(dossier.tracking_code),
                "tag": topic,
                "status": event.to_status,
            },
            now,
            **links,
        )
        for subscription in resident_subscriptions
    ]
    step = STATUS.get(event.to_status, Said(event.to_status, event.to_status))
    volunteer_body, volunteer_body_en = step.vi, step.en
    if event.reason:
        volunteer_body += f": {_clip(event.reason)}"
        volunteer_body_en += f": {_clip(event.reason)}"
    if not resident_subscriptions and event.to_status in ACT_ON:
        # Nobody forgotten: the resident has no browser to tell, so the volunteer must.
        volunteer_body += f". Người dân chưa nhận thông báo: hãy gọi hoặc đến báo cho {honorific(sex)}."
        volunteer_body_en += ". The resident gets no notifications: call or visit them."
    rows += [
        _row(
            subscription,
            "volunteer",
            "status",
            topic,
            "normal",
            {
                "title": f"{dossier.tracking_code} · {resident.full_name if resident else ''}",
                "title_en": f"{dossier.tracking_code} · {resident.full_name if resident else ''}",
                "body": volunteer_body,
                "body_en": volunteer_body_en,
                "url": "/",
                "tag": topic,
                "status": event.to_status,
                "dossier_id": str(dossier.id),
            },
            now,
            **links,
        )
        for subscription in await _volunteer_subscriptions(db, dossier.volunteer_id)
    ]
    db.add_all(rows)
    await db.flush()
    return len(rows)


async def notify_supplemented(db: AsyncSession, dossier: Dossier) -> int:
    """Queue "the added papers are all in" for the resident's browsers, when a supplement the
    volunteer sent from the phone is complete (``dossiers.lifecycle.note_supplement``).

    No status moved: the dossier's Topic, normal Urgency (nothing for the resident to do).
    Returns how many rows were written.
    """
    version = await get_version(db, dossier.procedure_code, dossier.procedure_version)
    procedure = (
        version.content["name"] if version else {"vi": dossier.procedure_code, "en": dossier.procedure_code}
    )
    now = utcnow()
    topic = dossier.id.hex
    rows = [
        _row(
            subscription,
            "resident",
            "supplement",
            topic,
            "normal",
            {
                "title": f"Hồ sơ {dossier.tracking_code} · {procedure['vi']}",
                "title_en": f"Dossier {dossier.tracking_code} · {procedure['en']}",
                "body": "Đã nhận đủ giấy tờ bổ sung. Ngày hẹn trả kết quả sẽ được tính lại từ hôm nay.",
                "body_en": "The added papers are all in. The result date will be set again from today.",
                "url": status_page_path(dossier.tracking_code),
                "tag": topic,
                "status": dossier.status,
            },
            now,
            dossier_id=dossier.id,
        )
        for subscription in await _resident_subscriptions(db, dossier)
    ]
    db.add_all(rows)
    await db.flush()
    return len(rows)


@dataclass(frozen=True)
class Stop:
    """One stop of a round as the volunteer's notification names it."""

    village: str
    meeting_point: str
    starts_at: time | None


async def queue_assignment(
    db: AsyncSession, route_id: UUID, day: date, stops: list[Stop], volunteer_id: UUID
) -> int:
    """Queue "you are on a new route" for the volunteer's phones. Returns the rows written.

    Call it in the transaction that assigns the volunteer; assigning again later sends the
    route's newest state.
    """
    parts = []
    for stop in stops:
        detail = ", ".join(
            filter(
                None,
                [stop.starts_at.strftime("%H:%M") if stop.starts_at else "", _clip(stop.meeting_point, 80)],
            )
        )
        parts.append(f"{stop.village} ({detail})" if detail else stop.village)
    itinerary = " → ".join(parts)
    now = utcnow()
    rows = [
        _row(
            subscription,
            "volunteer",
            "assignment",
            route_id.hex,
            "normal",
            {
                "title": f"Lộ trình mới ngày {day.strftime('%d/%m/%Y')}",
                "title_en": f"New route on {day.isoformat()}",
                "body": itinerary or "Mở ứng dụng để xem lộ trình.",
                "body_en": itinerary or "Open the app to see the route.",
                "url": "/",
                "tag": route_id.hex,
                "route_id": str(route_id),
            },
            now,
            route_id=route_id,
        )
        for subscription in await _volunteer_subscriptions(db, volunteer_id)
    ]
    db.add_all(rows)
    await db.flush()
    return len(rows)
