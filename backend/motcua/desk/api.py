"""Desk API: the inbox, one dossier, and moving it through the workflow."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.desk.service import InboxQuery, inbox
from motcua.desk.undo import Undoable, move_undoably, undo, undoable
from motcua.dossiers.lifecycle import Move, allowed_moves, urgency
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import dossier_in_scope


class InboxItem(msgspec.Struct, frozen=True):
    id: UUID
    tracking_code: str
    status: str
    procedure: str
    resident: str
    resident_personal_id: str | None
    village: str
    received_at: datetime | None
    deadline_at: datetime | None
    urgency: str | None
    missing_attachments: int
    volunteer: str
    supplemented: bool
    supplement_sent_at: datetime | None
    supplemented_at: datetime | None


class MoveIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    to: str
    reason: str = ""
    portal_code: str | None = None
    # Required true for a move that ends the dossier (delivered, rejected, withdrawn): without it
    # the answer is 400 ``workflow.confirm_required``.
    confirm: bool = False


class DeskDossier(msgspec.Struct, frozen=True):
    id: UUID
    tracking_code: str
    status: str
    portal_code: str | None
    accepted_at: datetime | None
    deadline_at: datetime | None
    result_at: datetime | None
    urgency: str | None
    moves: list[str]
    # Until when the caller may undo the latest move (POST …/undo), or null.
    undo_until: datetime | None = None
    # The move queued a notification to the resident, which an undo does not call back.
    resident_notified: bool = False


async def desk_dossier(db: AsyncSession, principal: Principal, dossier: Dossier) -> DeskDossier:
    offer = await undoable(db, principal, dossier)
    return _desk_dossier(dossier, offer)


def _desk_dossier(dossier: Dossier, offer: Undoable | None) -> DeskDossier:
    return DeskDossier(
        id=dossier.id,
        tracking_code=dossier.tracking_code,
        status=dossier.status,
        portal_code=dossier.portal_code,
        accepted_at=dossier.accepted_at,
        deadline_at=dossier.deadline_at,
        result_at=dossier.result_at,
        urgency=urgency(dossier),
        moves=list(allowed_moves(dossier.status)),
        undo_until=offer.until if offer else None,
        resident_notified=offer.resident_notified if offer else False,
    )


class DeskController(Controller):
    path = "/api/desk"
    tags = ["desk"]

    @get("/dossiers", guards=[roles("desk_officer", "coordinator")])
    async def inbox(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        view: FromQuery[Literal["open", "done"]] = "open",
        q: Annotated[str, QueryParameter(max_length=100)] = "",
        status: Annotated[str, QueryParameter(max_length=20)] = "",
        procedure: Annotated[str, QueryParameter(max_length=80)] = "",
        volunteer: FromQuery[UUID | None] = None,
        overdue: FromQuery[bool] = False,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
    ) -> list[InboxItem]:
        """The caller's communes' dossiers, as the desk's inbox lists them: supplements that
        arrived first, then complete ones, then by deadline (ID numbers masked). ``q`` finds a
        tracking code, a resident's name (with or without accents) or an ID number's last
        digits; 50 a page."""
        query = InboxQuery(view, q, status, procedure, volunteer, overdue, page)
        return [
            InboxItem(
                id=row.dossier.id,
                tracking_code=row.dossier.tracking_code,
                status=row.dossier.status,
                procedure=row.procedure_name,
                resident=row.resident_name,
                resident_personal_id=row.resident_id_masked,
                village=row.village,
                received_at=row.dossier.received_at,
                deadline_at=row.dossier.deadline_at,
                urgency=row.urgency,
                missing_attachments=row.missing,
                volunteer=row.volunteer_name,
                supplemented=row.supplemented,
                supplement_sent_at=row.dossier.supplement_sent_at,
                supplemented_at=row.dossier.supplemented_at,
            )
            for row in (await inbox(db_session, principal, query)).rows
        ]

    @post("/dossiers/{dossier_id:uuid}/moves", guards=[roles("desk_officer")], status_code=200)
    async def move(
        self,
        dossier_id: FromPath[UUID],
        data: JSONBody[MoveIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> DeskDossier:
        """Move a dossier on (409 for a move the workflow does not allow; 400
        ``workflow.confirm_required`` for a move that ends the dossier without ``confirm: true``)."""
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        step = Move(data.to, data.reason, data.portal_code)
        await move_undoably(db_session, principal, dossier, step, data.confirm)
        return await desk_dossier(db_session, principal, dossier)

    @post("/dossiers/{dossier_id:uuid}/undo", guards=[roles("desk_officer")], status_code=200)
    async def undo(
        self,
        dossier_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> DeskDossier:
        """Take back the caller's latest move of this dossier within 10 minutes, if nothing
        happened since (409 ``undo.expired``, ``undo.not_yours``, ``undo.changed`` or
        ``undo.nothing`` otherwise). A notification the move queued for the resident is not
        called back: ``resident_notified`` says whether there was one."""
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        taken = await undo(db_session, principal, dossier)
        return msgspec.structs.replace(
            _desk_dossier(dossier, None), resident_notified=taken.resident_notified
        )
