"""Finding a dossier within a user's places."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.principal import Principal
from motcua.dossiers.models import Dossier
from motcua.errors import ApiError
from motcua.places.models import Commune


async def dossier_in_scope(db: AsyncSession, principal: Principal, dossier_id: UUID) -> Dossier:
    """The dossier, if it is in the user's places; 404 otherwise, as if it did not exist."""
    dossier = await db.get(Dossier, dossier_id)
    commune = await db.get(Commune, dossier.commune_code) if dossier else None
    if dossier is None or commune is None or not principal.may_act_in(commune):
        raise ApiError(404, "dossier.not_found", "Không tìm thấy hồ sơ.", "No such dossier.")
    return dossier
