"""Routes API: coordinators plan a day's stops and team; volunteers read the routes they are on."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.places.schemas import CommuneQuery
from motcua.rounds.service import (
    RouteIn,
    RouteOut,
    create_route,
    delete_route,
    describe,
    replace_route,
    routes_of_commune,
    routes_of_volunteer,
)


class RouteController(Controller):
    path = "/api/routes"
    tags = ["routes"]

    @get("/mine", guards=[roles("volunteer")])
    async def mine(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[RouteOut]:
        """The routes the caller is on, from today onwards, soonest first."""
        return await describe(db_session, await routes_of_volunteer(db_session, principal.user_id))

    @get("/", guards=[roles("coordinator", "desk_officer")])
    async def of_commune(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        commune: CommuneQuery,
        day: Annotated[date | None, QueryParameter()] = None,
    ) -> list[RouteOut]:
        """A commune's routes, newest day first; only one day's with ``day``."""
        return await describe(db_session, await routes_of_commune(db_session, principal, commune, day))

    @post("/", guards=[roles("coordinator")])
    async def create(
        self,
        data: JSONBody[RouteIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> RouteOut:
        """Plan a route; each volunteer of the team finds it in their next pull."""
        route = await create_route(db_session, principal, data)
        return (await describe(db_session, [route]))[0]

    @put("/{route_id:uuid}", guards=[roles("coordinator")])
    async def replace(
        self,
        route_id: FromPath[UUID],
        data: JSONBody[RouteIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> RouteOut:
        """Replace the whole route; volunteers taken off the team are told it is gone for them."""
        route = await replace_route(db_session, principal, route_id, data)
        return (await describe(db_session, [route]))[0]

    @delete("/{route_id:uuid}", guards=[roles("coordinator")])
    async def remove(
        self,
        route_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> None:
        """Delete the route; its volunteers are told in their next pull."""
        await delete_route(db_session, principal, route_id)
