"""Desk API: the inbox, one dossier, and moving it through the workflow."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.desk.service import inbox
from motcua.dossiers.lifecycle import Move, allowed_moves, move, urgency
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


class MoveIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    to: str
    reason: str = ""
    portal_code: str | None = None


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


def desk_dossier(dossier: Dossier) -> DeskDossier:
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
    )


class DeskController(Controller):
    path = "/api/desk"
    tags = ["desk"]

    @get("/dossiers", guards=[roles("desk_officer", "coordinator")])
    async def inbox(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[InboxItem]:
        """Open dossiers of the caller's communes: complete ones first, then by deadline (ID numbers masked)."""
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
            )
            for row in await inbox(db_session, principal)
        ]

    @post("/dossiers/{dossier_id:uuid}/moves", guards=[roles("desk_officer")], status_code=200)
    async def move(
        self,
        dossier_id: FromPath[UUID],
        data: JSONBody[MoveIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> DeskDossier:
        """Move a dossier on (409 for a move the workflow does not allow)."""
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        await move(db_session, principal, dossier, Move(data.to, data.reason, data.portal_code))
        return desk_dossier(dossier)
