"""Coordinator pages for routes: a commune's routes by day, a form to plan or edit one, deleting one.

The form works without JavaScript: it shows the route's stops and one empty block, and its
"add a stop" button posts what was typed back to get one more empty block.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
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
from motcua.campaigns.models import Campaign, Route
from motcua.errors import ApiError, ErrorBody, FieldError
from motcua.places import service as places
from motcua.places.schemas import CommuneQuery, OptionalCommuneQuery
from motcua.rounds.service import (
    MAX_STOPS,
    RouteIn,
    StopIn,
    campaigns_of,
    create_route,
    delete_route,
    describe,
    replace_route,
    route_in_scope,
    routes_of_commune,
    today,
    volunteers_of,
    volunteers_to_offer,
)

FormBody = URLEncodedBody[dict[str, str | list[str]]]
# A stop block's inputs are named ``village_3``, ``meeting_3``…; one past the most a route may
# have is read, so that too many stops are refused by name rather than dropped unseen.
STOP_INPUT = re.compile(r"(village|meeting|start|end)_(\d{1,3})")
STOP_KEYS = ("village", "meeting", "start", "end")
ADD_STOP = "add_stop"  # the name of the button that asks for one more empty block


def _one(data: dict[str, str | list[str]], name: str) -> str:
    value = data.get(name, "")
    return (value[-1] if value else "") if isinstance(value, list) else value.strip()


def _many(data: dict[str, str | list[str]], name: str) -> list[str]:
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


def _blank() -> dict[str, str]:
    return dict.fromkeys(STOP_KEYS, "")


def with_blocks(form: dict[str, Any], blocks: int = 0) -> dict[str, Any]:
    """``form`` with its filled stops plus empty blocks: one to add a stop (none past the most a
    route may have), or as many as make ``blocks`` in all."""
    rows = [row for row in form["rows"] if any(row.values())]
    wanted = min(max(blocks, len(rows) + 1), MAX_STOPS)
    return {**form, "rows": rows + [_blank() for _ in range(wanted - len(rows))]}


def _stop_blocks(data: dict[str, str | list[str]]) -> int:
    """How many stop blocks the posted form had (up to one past the most a route may have)."""
    indices = [int(match[2]) for name in data if (match := STOP_INPUT.fullmatch(name))]
    return min(max(indices, default=-1) + 1, MAX_STOPS + 1)


def _unreadable(field: str, vi: str, en: str) -> FieldError:
    return FieldError(field, "invalid", vi, en)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _read_form(data: dict[str, str | list[str]]) -> tuple[dict[str, Any], list[FieldError]]:
    """The form as typed (to show it again) and what could not be read.

    The stops are the blocks with anything in them, in order; an empty block between two
    filled ones is dropped, and stops are numbered as they will be saved.
    """
    rows = [{key: _one(data, f"{key}_{index}") for key in STOP_KEYS} for index in range(_stop_blocks(data))]
    form: dict[str, Any] = {
        "day": _one(data, "day"),
        "note": _one(data, "note"),
        "campaign_id": _one(data, "campaign_id"),
        "team": _many(data, "team"),
        "rows": [row for row in rows if any(row.values())],
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


def _clock(value: time | None) -> str:
    """A stop's time as a time input shows it: ``07:30`` (seconds only when there are some)."""
    if value is None:
        return ""
    return value.isoformat(timespec="minutes" if not value.second and not value.microsecond else "auto")


def _form_of(route: Route) -> dict[str, Any]:
    """The form of a saved route, to edit it."""
    return {
        "day": route.day.isoformat(),
        "note": route.note,
        "campaign_id": str(route.campaign_id) if route.campaign_id else "",
        "team": [str(member.user_id) for member in route.team],
        "rows": [
            {
                "village": str(stop.village_id),
                "meeting": stop.meeting_point,
                "start": _clock(stop.starts_at),
                "end": _clock(stop.ends_at),
            }
            for stop in route.stops
        ],
    }


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
        *,
        route: Route | None = None,
        error: ErrorBody | None = None,
        blocks: int = 0,
    ) -> Template:
        """The form to plan a route, or to edit ``route``, with ``form`` as typed."""
        commune = await places.commune_in_scope(db, principal, commune_code)
        fields = error.fields if error else []
        return Template(
            "routes/form.html",
            context={
                "commune": commune,
                "route": route,
                "action": f"/office/routes/{route.id}/edit"
                if route
                else f"/office/routes/new?commune={commune.code}",
                "form": with_blocks(form, blocks),
                "add_stop": ADD_STOP,
                "max_stops": MAX_STOPS,
                "error": error,
                "bad_stops": {
                    index
                    for index in range(MAX_STOPS + 1)
                    for f in fields
                    if f.field.startswith(f"stops[{index}]")
                },
                "villages": await places.villages_of(db, commune),
                "volunteers": await (
                    volunteers_to_offer(db, route) if route else volunteers_of(db, commune.code)
                ),
                "campaigns": await campaigns_of(db, commune.code),
            },
            status_code=400 if error else 200,
        )

    async def _submit(
        self,
        db: AsyncSession,
        principal: Principal,
        data: dict[str, str | list[str]],
        commune_code: int,
        save: Callable[[RouteIn], Awaitable[Route]],
        route: Route | None = None,
    ) -> Redirect | Template:
        """Save the posted form, or show it again: with one more stop block, or what is wrong."""
        form, problems = _read_form(data)
        if ADD_STOP in data:
            blocks = _stop_blocks(data) + 1
            return await self._form(db, principal, commune_code, form, route=route, blocks=blocks)
        if problems:
            return await self._form(
                db, principal, commune_code, form, route=route, error=_not_readable(problems)
            )
        try:
            saved = await save(_route_in(form, commune_code))
        except ApiError as error:
            if error.status_code != 400:
                raise
            return await self._form(db, principal, commune_code, form, route=route, error=error.body)
        return Redirect(f"/office/routes?commune={saved.commune_code}", status_code=303)

    @get("/new")
    async def new(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        commune: CommuneQuery,
    ) -> Template:
        form = {"day": today().isoformat(), "note": "", "campaign_id": "", "team": [], "rows": []}
        return await self._form(db_session, principal, commune, form)

    @post("/new", status_code=303)
    async def create(
        self,
        data: FormBody,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        commune: CommuneQuery,
    ) -> Redirect | Template:
        async def save(route_in: RouteIn) -> Route:
            return await create_route(db_session, principal, route_in)

        return await self._submit(db_session, principal, data, commune, save)

    @get("/{route_id:uuid}/edit")
    async def edit(
        self,
        route_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Template:
        route = await route_in_scope(db_session, principal, route_id)
        return await self._form(db_session, principal, route.commune_code, _form_of(route), route=route)

    @post("/{route_id:uuid}/edit", status_code=303)
    async def replace(
        self,
        route_id: FromPath[UUID],
        data: FormBody,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect | Template:
        route = await route_in_scope(db_session, principal, route_id)

        async def save(route_in: RouteIn) -> Route:
            return await replace_route(db_session, principal, route.id, route_in)

        return await self._submit(db_session, principal, data, route.commune_code, save, route)

    @post("/{route_id:uuid}/delete", status_code=303)
    async def delete(
        self,
        route_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect:
        route = await delete_route(db_session, principal, route_id)
        return Redirect(f"/office/routes?commune={route.commune_code}", status_code=303)
