"""The reach pages: coordinators see who was reached; a volunteer their call list."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.audit.service import record_access
from motcua.auth.guards import roles, signed_in
from motcua.auth.principal import Principal
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import dossier_in_scope
from motcua.places import service as places
from motcua.reach.service import STATE_WORDS, call_list, reach_of, record_told
from motcua.words import STATUS


def _back(target: str | None, fallback: str) -> str:
    return target if target and target.startswith("/office/reach") else fallback


class ReachPages(Controller):
    path = "/office/reach"
    include_in_schema = False

    @get("/", guards=[roles("coordinator", "desk_officer")])
    async def commune(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        commune_code: Annotated[int | None, QueryParameter(name="commune")] = None,
        only_unreached: Annotated[bool, QueryParameter(name="unreached")] = False,
    ) -> Template:
        """Per dossier of a commune: did the resident hear of its newest status?"""
        communes = [commune for commune, _ in (await places.communes_in_scope(db_session, principal))[:200]]
        if commune_code is None and communes:
            commune_code = communes[0].code
        commune = await places.commune_in_scope(db_session, principal, commune_code) if commune_code else None
        rows = await reach_of(db_session, Dossier.commune_code == commune.code) if commune else []
        record_access(
            db_session,
            principal,
            "reach.commune",
            [row.resident.id for row in rows],
            {"commune": commune_code},
        )
        shown = [row for row in rows if not row.reached] if only_unreached else rows
        return Template(
            "reach/commune.html",
            context={
                "commune": commune,
                "communes": communes,
                "rows": shown,
                "reached": sum(row.reached for row in rows),
                "total": len(rows),
                "only_unreached": only_unreached,
                "words": STATE_WORDS,
                "timeline": STATUS,
            },
        )

    @get("/mine", guards=[signed_in])
    async def mine(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> Template:
        """The volunteer's "call or visit" list, as a page."""
        rows = await call_list(db_session, principal.user_id)
        record_access(db_session, principal, "reach.call_list", [row.resident.id for row in rows])
        return Template("reach/mine.html", context={"rows": rows, "words": STATE_WORDS, "timeline": STATUS})

    @post("/{dossier_id:uuid}/told", status_code=303, guards=[signed_in])
    async def told(
        self,
        dossier_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect:
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        await record_told(db_session, principal, dossier, data.get("method", ""))
        return Redirect(_back(data.get("next"), "/office/reach/mine"), status_code=303)
