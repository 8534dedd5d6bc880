"""The reach API: the residents a volunteer still has to tell, and telling them."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.audit.service import record_access
from motcua.auth.guards import signed_in
from motcua.auth.principal import Principal
from motcua.dossiers.service import dossier_in_scope
from motcua.reach.schemas import TellIn, Told, ToTell
from motcua.reach.service import Reach, call_list, record_told
from motcua.words import STATUS, Said


def _to_tell(row: Reach) -> ToTell:
    assert row.event is not None
    step = STATUS.get(row.event.to_status, Said(row.event.to_status, row.event.to_status))
    return ToTell(
        dossier_id=row.dossier.id,
        tracking_code=row.dossier.tracking_code,
        status=row.dossier.status,
        news_vi=step.vi,
        news_en=step.en,
        reason=row.event.reason,
        changed_at=row.event.created_at,
        resident_id=row.resident.id,
        resident_name=row.resident.full_name,
        resident_phone=row.resident.phone,
        village=row.village,
        subscribed=row.subscribed,
        state=row.state,
    )


class ReachController(Controller):
    path = "/api/reach"
    tags = ["push"]
    guards = [signed_in]

    @get("/mine")
    async def mine(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[ToTell]:
        """Residents the volunteer must call or visit: their news did not reach them by push."""
        rows = await call_list(db_session, principal.user_id)
        record_access(db_session, principal, "reach.call_list", [row.resident.id for row in rows])
        return [_to_tell(row) for row in rows]

    @post("/{dossier_id:uuid}/told", status_code=201)
    async def told(
        self,
        dossier_id: FromPath[UUID],
        data: JSONBody[TellIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Told:
        """The resident was told by phone (``call``) or at their door (``visit``)."""
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        contact = await record_told(db_session, principal, dossier, data.method)
        return Told(dossier.id, contact.method, contact.created_at)


# -- the pages -------------------------------------------------------------------------------
