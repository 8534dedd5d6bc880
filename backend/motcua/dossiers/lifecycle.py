"""A dossier's life on the server: its states, the moves between them, what each move triggers.

incomplete (an attachment has not arrived) ⇄ received → accepted (the deadline clock starts)
→ in_progress → needs_supplement ⇄ in_progress → ready (result available) → delivered; or
rejected / withdrawn on the way. ``draft`` and ``queued`` live only on the phone.

A desk move records an event with who, when and why, sets the deadline (working time, the
commune's calendar), appends the change log (the volunteer's phone pulls the new status) and
is announced to whoever registered for it in the same transaction: the push outbox
(``push.outbox.notify_status``, registered by the app), which sits above this package.
Arriving attachments move incomplete ⇄ received with none of that (:func:`mark_completeness`).

A supplement the desk asked for (``needs_supplement``, once, in writing) may come from the
volunteer's phone: a new revision of the dossier (``supplement_sent_at``), complete once every
photo it names has arrived too (``supplemented_at``, :func:`note_supplement`). The time runs
again from then when the desk takes the dossier back; from the move itself when the resident
brought the papers to the office.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.principal import Principal
from motcua.catalogue.service import get_version
from motcua.changelog.service import append_changes, change
from motcua.db.base import utcnow
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.errors import ApiError, FieldError
from motcua.i18n import VIETNAM_TIME
from motcua.words import STATUS
from motcua.worktime.calendar import deadline
from motcua.worktime.service import commune_calendar

STATUSES = (
    "incomplete",
    "received",
    "accepted",
    "in_progress",
    "needs_supplement",
    "ready",
    "delivered",
    "rejected",
    "withdrawn",
)
# A phone may send a new revision while the desk has not taken the dossier, or asked for more.
EDITABLE = ("incomplete", "received", "needs_supplement")
# The desk still owes something: its inbox.
OPEN = ("received", "incomplete", "accepted", "in_progress", "needs_supplement", "ready")
FINISHED = ("delivered", "rejected", "withdrawn")
# The deadline runs until the result is ready.
RESULT_OWED = ("ready", "delivered", "rejected", "withdrawn")

MOVES: dict[str, tuple[str, ...]] = {
    "received": ("accepted", "rejected", "withdrawn"),
    "incomplete": ("rejected", "withdrawn"),
    "accepted": ("in_progress", "needs_supplement", "ready", "rejected", "withdrawn"),
    "in_progress": ("needs_supplement", "ready", "rejected", "withdrawn"),
    "needs_supplement": ("in_progress", "rejected", "withdrawn"),
    "ready": ("delivered",),
    "delivered": (),
    "rejected": (),
    "withdrawn": (),
}
NEEDS_REASON = ("needs_supplement", "rejected", "withdrawn")
# Moves the resident must act on (bring papers, fetch the result, hear why not): their push is
# urgent, and a resident who could not be reached is called or visited (reach/).
ACT_ON = ("needs_supplement", "ready", "rejected")
DUE_SOON = timedelta(hours=4)

# Each status's name (Vietnamese, English) from the shared catalogue, schemas/words.json.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    status: (STATUS[status].vi, STATUS[status].en) for status in STATUSES
}


@dataclass(frozen=True)
class Move:
    to: str
    reason: str = ""
    portal_code: str | None = None


def allowed_moves(status: str) -> tuple[str, ...]:
    return MOVES.get(status, ())


def _refuse(dossier: Dossier, to: str) -> ApiError:
    here_vi, here_en = STATUS_WORDS.get(dossier.status, (dossier.status, dossier.status))
    there_vi, there_en = STATUS_WORDS.get(to, (to, to))
    return ApiError(
        409,
        "workflow.illegal",
        f"Không thể chuyển hồ sơ từ “{here_vi}” sang “{there_vi}”.",
        f"A dossier cannot go from “{here_en}” to “{there_en}”.",
    )


Announce = Callable[[AsyncSession, Dossier, DossierEvent], Awaitable[object]]
_ANNOUNCERS: dict[str, Announce] = {}
AnnounceSupplement = Callable[[AsyncSession, Dossier], Awaitable[object]]
_SUPPLEMENT_ANNOUNCERS: dict[str, AnnounceSupplement] = {}


def announce_moves_with(name: str, announcer: Announce) -> None:
    """Have ``announcer`` hear every move, in the move's transaction. Registered by the app
    (``app.py``), once per name, so this package need not import what sits above it."""
    _ANNOUNCERS[name] = announcer


def announce_supplements_with(name: str, announcer: AnnounceSupplement) -> None:
    """Have ``announcer`` hear of every supplement that became complete, in its transaction."""
    _SUPPLEMENT_ANNOUNCERS[name] = announcer


def mark_completeness(dossier: Dossier, missing: list[str]) -> None:
    """Move a dossier between incomplete and received as its attachments arrive."""
    if not missing and dossier.status == "incomplete":
        dossier.status = "received"
        dossier.received_at = utcnow()
    elif missing and dossier.status == "received":
        dossier.status, dossier.received_at = "incomplete", None


async def note_supplement(db: AsyncSession, dossier: Dossier, missing: list[str], *, sent: bool) -> bool:
    """Record the supplement of a dossier the desk asked more of.

    ``sent``: the phone's new revision was applied now; otherwise an attachment arrived.
    Complete once the revision and every hash it names are in (``missing`` is empty); the
    moment it became complete is announced. Returns whether it became complete now.
    """
    if dossier.status != "needs_supplement" or not (sent or dossier.supplement_sent_at is not None):
        return False
    was_complete = dossier.supplemented_at is not None
    if not sent and was_complete:
        return False
    now = utcnow()
    if sent:
        dossier.supplement_sent_at = now
    dossier.supplemented_at = None if missing else now
    if missing or was_complete:
        return False
    for announce in _SUPPLEMENT_ANNOUNCERS.values():
        await announce(db, dossier)  # "the papers are in", to the resident's browsers
    return True


async def _deadline_from(db: AsyncSession, dossier: Dossier, start: datetime) -> datetime:
    version = await get_version(db, dossier.procedure_code, dossier.procedure_version)
    target: dict[str, Any] = (
        version.content["fast_track_target"] if version else {"amount": 1, "unit": "working_days"}
    )
    local = start.astimezone(VIETNAM_TIME)
    calendar = await commune_calendar(db, dossier.commune_code, since=local.date() - timedelta(days=1))
    cutoff = time.fromisoformat(target["same_day_cutoff"]) if target.get("same_day_cutoff") else None
    due = deadline(calendar, local.replace(tzinfo=None), target["amount"], target["unit"], cutoff)
    return due.replace(tzinfo=VIETNAM_TIME)


async def move(db: AsyncSession, principal: Principal, dossier: Dossier, step: Move) -> DossierEvent:
    """Apply one move, or refuse it with a message the desk officer can act on."""
    # The dossier as it stands, locked: a phone's edit locks it too (records/facts.py), so a
    # move and an edit never interleave, and two officers' moves take turns.
    await db.refresh(dossier, with_for_update=True)
    if step.to not in allowed_moves(dossier.status):
        raise _refuse(dossier, step.to)
    reason = step.reason.strip()
    if step.to in NEEDS_REASON and not reason:
        raise ApiError(
            400,
            "workflow.reason_required",
            "Cần ghi rõ lý do (hoặc giấy tờ cần bổ sung).",
            "Say why (or which papers must be added).",
            [FieldError("reason", "required", "Chưa ghi lý do.", "The reason is missing.")],
        )
    now = utcnow()
    event = DossierEvent(
        dossier_id=dossier.id,
        from_status=dossier.status,
        to_status=step.to,
        actor_id=principal.user_id,
        reason=reason,
    )
    if step.portal_code is not None and step.portal_code.strip():
        dossier.portal_code = step.portal_code.strip()[:40]
    if step.to == "accepted":
        dossier.accepted_at = now  # the clock starts at acceptance …
        dossier.deadline_at = await _deadline_from(db, dossier, now)
    elif dossier.status == "needs_supplement" and step.to == "in_progress":
        # … and starts again when the supplement is complete: when the phone's revision and
        # its photos were all in, or now (the resident brought the papers to the office).
        dossier.deadline_at = await _deadline_from(db, dossier, dossier.supplemented_at or now)
    if step.to == "needs_supplement":
        dossier.supplement_needed = reason
        dossier.supplement_sent_at = dossier.supplemented_at = None  # a new ask, a new supplement
    if step.to in ("ready", "rejected", "withdrawn"):
        dossier.result_at = now
    dossier.status = step.to
    db.add(event)
    await db.flush()
    for announce in _ANNOUNCERS.values():
        await announce(db, dossier, event)  # the push outbox, committed with the move
    await append_changes(db, [change("dossier", dossier.id, dossier.commune_code, dossier.volunteer_id)])
    return event


def urgency(dossier: Dossier, now: datetime | None = None) -> str | None:
    """``overdue`` or ``due_soon`` while the desk still owes a result; None otherwise."""
    if dossier.deadline_at is None or dossier.status in RESULT_OWED:
        return None
    now = now or utcnow()
    if dossier.deadline_at < now:
        return "overdue"
    return "due_soon" if dossier.deadline_at - now < DUE_SOON else None
