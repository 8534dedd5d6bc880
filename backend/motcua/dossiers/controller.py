"""Dossier lookups for phones: what a dossier still lacks."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.guards import signed_in
from motcua.accounts.principal import Principal
from motcua.dossiers.models import Dossier
from motcua.dossiers.records import missing_attachments
from motcua.errors import ApiError
from motcua.places.models import Commune


class DossierState(msgspec.Struct, frozen=True):
    id: UUID
    tracking_code: str
    status: str
    missing_attachments: list[str]


class DossierController(Controller):
    path = "/api/dossiers"
    tags = ["sync"]

    @get("/{dossier_id:uuid}/state", guards=[signed_in])
    async def state(
        self,
        dossier_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> DossierState:
        """The server's status of a dossier and the attachments it still lacks."""
        dossier = await db_session.get(Dossier, dossier_id)
        commune = await db_session.get(Commune, dossier.commune_code) if dossier else None
        if dossier is None or commune is None or not principal.may_act_in(commune):
            raise ApiError(404, "dossier.not_found", "Không tìm thấy hồ sơ.", "No such dossier.")
        missing = await missing_attachments(db_session, dossier.id)
        return DossierState(dossier.id, dossier.tracking_code, dossier.status, missing)
