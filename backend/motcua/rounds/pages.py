"""Coordinator pages for routes: a commune's routes by day, a form to plan one, deleting one."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.campaigns.models import Campaign
from motcua.errors import ApiError, ErrorBody, FieldError
from motcua.places import service as places
from motcua.places.schemas import CommuneQuery, OptionalCommuneQuery
from motcua.rounds.service import (
    RouteIn,
    StopIn,
    campaigns_of,
    create_route,
    delete_route,
    describe,
    routes_of_commune,
    today,
    volunteers_of,
)

STOP_ROWS = 8
FormBody = URLEncodedBody[dict[str, str | list[str]]]


def _one(data: dict[str, str | list[str]], name: str) -> str:
    value = data.get(name, "")
    return (value[-1] if value else "") if isinstance(value, list) else value.strip()


def _many(data: dict[str, str | list[str]], name: str) -> list[str]:
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


def _blank_rows(count: int) -> list[dict[str, str]]:
    return [{"village": "", "meeting": "", "start": "", "end": ""} for _ in range(count)]


def _unreadable(field: str, vi: str, en: str) -> FieldError:
    return FieldError(field, "invalid", vi, en)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _read_form(data: dict[str, str | list[str]]) -> tuple[dict[str, Any], list[FieldError]]:
    """The form as typed (to show it again) and what could not be read; stops are the filled rows."""
    form: dict[str, Any] = {
        "day": _one(data, "day"),
        "note": _one(data, "note"),
        "campaign_id": _one(data, "campaign_id"),
        "team": _many(data, "team"),
        "rows": [
            {key: _one(data, f"{key}_{index}") for key in ("village", "meeting", "start", "end")}
            for index in range(STOP_ROWS)
        ],
    }
    problems: list[FieldError] = []
    try:
        date.fromisoformat(form["day"])
    except ValueError:
        problems.append(_unreadable("day", "Cần chọn ngày đi.", "Choose the day."))
    if form["campaign_id"] and not _is_uuid(form["campaign_id"]):
        problems.append(_unreadable("campaign_id", "Chiến dịch không hợp lệ.", "The campaign is not valid."))
    if not all(_is_uuid(user_id) for user_id in form["team"]):
        problems.append(_unreadable("team", "Đội không hợp lệ.", "The team is not valid."))
    for index, row in enumerate(form["rows"], start=1):
        if row["village"] and not _is_uuid(row["village"]):
            problems.append(
                _unreadable(
                    f"stops[{index - 1}].village_id",
                    f"Điểm dừng {index}: thôn không hợp lệ.",
                    f"Stop {index}: the village is not valid.",
                )
            )
        if not row["village"] and any(row.values()):
            problems.append(
                _unreadable(
                    f"stops[{index - 1}].village_id",
                    f"Điểm dừng {index}: cần chọn thôn.",
                    f"Stop {index}: choose a village.",
                )
            )
        for key, vi, en in (("start", "giờ bắt đầu", "start time"), ("end", "giờ kết thúc", "end time")):
            try:
                if row[key]:
                    time.fromisoformat(row[key])
            except ValueError:
                problems.append(
                    _unreadable(
                        f"stops[{index - 1}].{key}s_at",
                        f"Điểm dừng {index}: {vi} không hợp lệ.",
                        f"Stop {index}: the {en} is not valid.",
                    )
                )
    return form, problems


def _route_in(form: dict[str, Any], commune_code: int) -> RouteIn:
    """The route the form describes; call only when :func:`_read_form` found nothing wrong."""
    rows = [row for row in form["rows"] if row["village"]]
    return RouteIn(
        commune_code=commune_code,
        day=date.fromisoformat(form["day"]),
        note=form["note"],
        campaign_id=UUID(form["campaign_id"]) if form["campaign_id"] else None,
        stops=[
            StopIn(
                village_id=UUID(row["village"]),
                meeting_point=row["meeting"],
                starts_at=time.fromisoformat(row["start"]) if row["start"] else None,
                ends_at=time.fromisoformat(row["end"]) if row["end"] else None,
            )
            for row in rows
        ],
        team=[UUID(user_id) for user_id in form["team"]],
    )


def _not_readable(fields: list[FieldError]) -> ErrorBody:
    return ErrorBody(
        "route.invalid", "Lộ trình còn mục chưa đúng.", "Some fields of the route are not right.", fields
    )


class RoutePages(Controller):
    path = "/office/routes"
    include_in_schema = False
    guards = [roles("coordinator")]

    @get("/")
    async def routes(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        commune: OptionalCommuneQuery = None,
    ) -> Template:
        # An admin or a province coordinator may have thousands of communes: offer the first 50.
        choices = (await places.communes_in_scope(db_session, principal))[:50]
        if commune is None and choices:
            commune = choices[0][0].code
        current = await places.commune_in_scope(db_session, principal, commune) if commune else None
        routes = await routes_of_commune(db_session, principal, current.code) if current else []
        campaign_ids = {route.campaign_id for route in routes if route.campaign_id}
        named = select(Campaign.id, Campaign.name).where(Campaign.id.in_(campaign_ids))
        campaigns = dict((await db_session.execute(named)).all())
        return Template(
            "routes/list.html",
            context={
                "commune": current,
                "choices": choices,
                "routes": await describe(db_session, routes),
                "campaigns": campaigns,
                "today": today(),
            },
        )

    async def _form(
        self,
        db: AsyncSession,
        principal: Principal,
        commune_code: int,
        form: dict[str, Any],
        error: ErrorBody | None = None,
    ) -> Template:
        commune = await places.commune_in_scope(db, principal, commune_code)
        return Template(
            "routes/new.html",
            context={
                "commune": commune,
                "form": form,
                "error": error,
                "villages": await places.villages_of(db, commune),
                "volunteers": await volunteers_of(db, commune.code),
                "campaigns": await campaigns_of(db, commune.code),
            },
            status_code=400 if error else 200,
        )

    @get("/new")
    async def new(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        commune: CommuneQuery,
    ) -> Template:
        form = {
            "day": today().isoformat(),
            "note": "",
            "campaign_id": "",
            "team": [],
            "rows": _blank_rows(STOP_ROWS),
        }
        return await self._form(db_session, principal, commune, form)

    @post("/new", status_code=303)
    async def create(
        self,
        data: FormBody,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        commune: CommuneQuery,
    ) -> Redirect | Template:
        form, problems = _read_form(data)
        if problems:
            return await self._form(db_session, principal, commune, form, _not_readable(problems))
        try:
            route = await create_route(db_session, principal, _route_in(form, commune))
        except ApiError as error:
            if error.status_code != 400:
                raise
            # The service numbers the stops it was given: show the filled rows first, in order.
            filled = [row for row in form["rows"] if row["village"]]
            form["rows"] = filled + _blank_rows(STOP_ROWS - len(filled))
            return await self._form(db_session, principal, commune, form, error.body)
        return Redirect(f"/office/routes?commune={route.commune_code}", status_code=303)

    @post("/{route_id:uuid}/delete", status_code=303)
    async def delete(
        self,
        route_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect:
        route = await delete_route(db_session, principal, route_id)
        return Redirect(f"/office/routes?commune={route.commune_code}", status_code=303)
