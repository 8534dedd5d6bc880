"""Taking a mistaken desk move back, within minutes, and confirming the moves that end a dossier.

A desk move goes through :func:`move_undoably`: it refuses an unconfirmed irreversible move
(``delivered``, ``rejected``, ``withdrawn``), and keeps what the move changed
(:class:`~motcua.desk.models.MoveSnapshot`). The officer who made a dossier's latest move may
undo it for :data:`UNDO_WINDOW` if nothing happened since: no later move, no new revision from
the phone, nothing else in the change log. The undo restores the status and the fields the move
set, records its own event (reason ``undo``) and appends the change log so the volunteer's phone
pulls it. A push the move queued for the resident is left as it is: the page says the resident
may have heard of the move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.principal import Principal
from motcua.changelog.models import Change
from motcua.changelog.service import append_changes, change
from motcua.db.base import utcnow
from motcua.desk.models import MoveSnapshot
from motcua.dossiers.lifecycle import FINISHED, NEEDS_REASON, Move, allowed_moves, move
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.errors import ApiError, FieldError
from motcua.push.models import PushOutbox
from motcua.words import STATUS

# How long the officer who made a move may take it back.
UNDO_WINDOW = timedelta(minutes=10)
# Moves that end a dossier: the officer confirms them first.
IRREVERSIBLE: tuple[str, ...] = FINISHED
UNDO_REASON = "undo"
# What a move may set, besides the status; an undo puts each back.
_TIMES = ("accepted_at", "deadline_at", "result_at", "supplement_sent_at", "supplemented_at")
_TEXTS = ("supplement_needed", "portal_code")


def _state(dossier: Dossier) -> dict[str, Any]:
    state: dict[str, Any] = {"status": dossier.status}
    state |= {name: _iso(getattr(dossier, name)) for name in _TIMES}
    state |= {name: getattr(dossier, name) for name in _TEXTS}
    return state


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _restore(dossier: Dossier, state: dict[str, Any]) -> None:
    dossier.status = state["status"]
    for name in _TIMES:
        setattr(dossier, name, datetime.fromisoformat(state[name]) if state[name] else None)
    for name in _TEXTS:
        setattr(dossier, name, state[name])


async def _change_seq(db: AsyncSession, dossier: Dossier) -> int:
    newest = await db.scalar(
        select(func.max(Change.seq)).where(Change.kind == "dossier", Change.record_id == str(dossier.id))
    )
    return int(newest or 0)


def confirm_required(step: Move) -> ApiError:
    """The refusal of an unconfirmed move that ends a dossier; a missing reason is named with it,
    so the officer mends both at once."""
    said = STATUS[step.to]
    fields = [FieldError("confirm", "required", "Chưa xác nhận.", "Not confirmed.")]
    if step.to in NEEDS_REASON and not step.reason.strip():
        fields.insert(0, FieldError("reason", "required", "Chưa ghi lý do.", "The reason is missing."))
    return ApiError(
        400,
        "workflow.confirm_required",
        f"Chuyển sang “{said.vi}” là bước cuối, không làm lại được: hãy xác nhận.",
        f"“{said.en}” ends the dossier: confirm it first.",
        fields,
    )


async def move_undoably(
    db: AsyncSession, principal: Principal, dossier: Dossier, step: Move, confirmed: bool
) -> DossierEvent:
    """A desk move (see ``dossiers.lifecycle.move``), confirmed when it ends the dossier, and
    kept so its officer can take it back."""
    await db.refresh(dossier, with_for_update=True)  # the lock ``move`` takes, taken first
    if step.to in IRREVERSIBLE and step.to in allowed_moves(dossier.status) and not confirmed:
        raise confirm_required(step)
    before = _state(dossier)
    event = await move(db, principal, dossier, step)
    db.add(
        MoveSnapshot(
            event_id=event.id, before=before, after=_state(dossier), change_seq=await _change_seq(db, dossier)
        )
    )
    await db.flush()
    return event


@dataclass(frozen=True)
class Undoable:
    """The latest move, which its officer may still take back."""

    event: DossierEvent
    snapshot: MoveSnapshot
    until: datetime
    resident_notified: bool  # the move queued a push to the resident, which stays

    def minutes_left(self, now: datetime | None = None) -> int:
        left = self.until - (now or utcnow())
        return max(1, -(-int(left.total_seconds()) // 60))


def _refusal(code: str, vi: str, en: str) -> ApiError:
    return ApiError(409, code, vi, en)


async def _check(db: AsyncSession, principal: Principal, dossier: Dossier) -> Undoable:
    latest = await db.scalar(
        select(DossierEvent)
        .where(DossierEvent.dossier_id == dossier.id)
        .order_by(DossierEvent.created_at.desc(), DossierEvent.id.desc())
        .limit(1)
    )
    snapshot = await db.get(MoveSnapshot, latest.id) if latest is not None else None
    if latest is None or snapshot is None:
        raise _refusal("undo.nothing", "Không có bước nào để hoàn tác.", "There is no move to undo.")
    if latest.actor_id != principal.user_id:
        raise _refusal(
            "undo.not_yours",
            "Chỉ cán bộ đã thực hiện bước này mới hoàn tác được.",
            "Only the officer who made this move can undo it.",
        )
    until = latest.created_at + UNDO_WINDOW
    if utcnow() >= until:
        raise _refusal(
            "undo.expired",
            f"Đã quá {UNDO_WINDOW.seconds // 60} phút nên không hoàn tác được.",
            f"More than {UNDO_WINDOW.seconds // 60} minutes have passed: the move cannot be undone.",
        )
    if _state(dossier) != snapshot.after or await _change_seq(db, dossier) != snapshot.change_seq:
        raise _refusal(
            "undo.changed",
            "Hồ sơ đã thay đổi sau bước này (điện thoại gửi bản mới hoặc có bước khác) nên không hoàn tác được.",
            "The dossier changed after this move (a new revision from the phone, or another move).",
        )
    notified = await db.scalar(
        select(func.count())
        .select_from(PushOutbox)
        .where(PushOutbox.event_id == latest.id, PushOutbox.audience == "resident")
    )
    return Undoable(latest, snapshot, until, bool(notified))


async def undoable(db: AsyncSession, principal: Principal, dossier: Dossier) -> Undoable | None:
    """The move the page offers to undo, or None."""
    try:
        return await _check(db, principal, dossier)
    except ApiError:
        return None


async def undo(db: AsyncSession, principal: Principal, dossier: Dossier) -> Undoable:
    """Take the latest move back, or refuse with 409 and why."""
    await db.refresh(dossier, with_for_update=True)  # as ``move`` does: one move at a time
    taken = await _check(db, principal, dossier)
    db.add(
        DossierEvent(
            dossier_id=dossier.id,
            from_status=dossier.status,
            to_status=taken.snapshot.before["status"],
            actor_id=principal.user_id,
            reason=UNDO_REASON,
        )
    )
    _restore(dossier, taken.snapshot.before)
    await db.flush()
    await append_changes(db, [change("dossier", dossier.id, dossier.commune_code, dossier.volunteer_id)])
    return taken
