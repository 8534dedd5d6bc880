"""The working calendar page: a commune's desk hours and the days off or worked in swap."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.errors import ApiError, FieldError
from motcua.places import service as places
from motcua.worktime.calendar import WEEKDAYS
from motcua.worktime.models import CalendarOverride
from motcua.worktime.service import add_override, desk_hours_of, hours_as_text, overrides_for, set_desk_hours


class CalendarPages(Controller):
    path = "/office/calendar"
    include_in_schema = False
    guards = [roles("coordinator", "desk_officer")]

    async def _page(
        self,
        db: AsyncSession,
        principal: Principal,
        commune_code: int | None,
        error: object = None,
        status: int = 200,
    ) -> Template:
        communes = [commune for commune, _ in await places.communes_in_scope(db, principal)][:50]
        if not communes:
            raise ApiError(403, "scope.outside", "Tài khoản chưa có xã nào.", "The account has no commune.")
        code = commune_code or communes[0].code
        commune = await places.commune_in_scope(db, principal, code)
        return Template(
            "calendar.html",
            context={
                "commune": commune,
                "communes": communes,
                "weekdays": WEEKDAYS,
                "hours": hours_as_text(await desk_hours_of(db, commune.code)),
                "overrides": await overrides_for(db, commune.code),
                "principal": principal,
                "error": error,
            },
            status_code=status,
        )

    @get("/")
    async def show(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        commune: Annotated[int | None, QueryParameter(name="commune")] = None,
    ) -> Template:
        return await self._page(db_session, principal, commune)

    @post("/{code:int}/hours", status_code=303)
    async def save_hours(
        self,
        code: FromPath[int],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect | Template:
        commune = await places.commune_in_scope(db_session, principal, code)
        try:
            await set_desk_hours(db_session, commune.code, {day: data.get(day, "") for day in WEEKDAYS})
        except ApiError as error:
            return await self._page(db_session, principal, code, error.body, error.status_code)
        return Redirect(f"/office/calendar?commune={code}", status_code=303)

    @post("/{code:int}/overrides", status_code=303)
    async def add(
        self,
        code: FromPath[int],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect | Template:
        """Add a day; a nationwide one (the government's notice) only by an admin."""
        commune = await places.commune_in_scope(db_session, principal, code)
        nationwide = data.get("scope") == "nationwide" and principal.is_admin
        try:
            try:
                day = date.fromisoformat(data.get("day", ""))
            except ValueError:
                raise ApiError(
                    400,
                    "override.day",
                    "Ngày chưa hợp lệ.",
                    "The day is not valid.",
                    [FieldError("day", "invalid", "Chọn một ngày.", "Pick a day.")],
                ) from None
            async with db_session.begin_nested():
                await add_override(
                    db_session,
                    day,
                    data.get("kind", ""),
                    None if nationwide else commune.code,
                    data.get("note", ""),
                )
        except ApiError as error:
            return await self._page(db_session, principal, code, error.body, error.status_code)
        return Redirect(f"/office/calendar?commune={code}", status_code=303)

    @post("/{code:int}/overrides/{override_id:uuid}/delete", status_code=303)
    async def delete(
        self,
        code: FromPath[int],
        override_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect:
        commune = await places.commune_in_scope(db_session, principal, code)
        override = await db_session.get(CalendarOverride, override_id)
        if override is not None and (
            override.commune_code == commune.code or (override.commune_code is None and principal.is_admin)
        ):
            await db_session.delete(override)
        return Redirect(f"/office/calendar?commune={code}", status_code=303)
