"""Routes: a day's ordered stops for a team of volunteers, who find them in their pull."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from uuid import UUID

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User, UserCommune
from motcua.accounts.recent import RECENT
from motcua.auth.principal import Principal
from motcua.campaigns.models import Campaign, Route, RouteStop, RouteVolunteer
from motcua.changelog.service import append_changes, change
from motcua.errors import ApiError, FieldError
from motcua.i18n import VIETNAM_TIME, vietnamese_sort_key
from motcua.places.models import Commune, Village
from motcua.places.service import commune_filter, commune_in_scope
from motcua.push.outbox import Stop, queue_assignment

MAX_STOPS = 30
MAX_TEAM = 50
# A volunteer may act in a route's commune from a month before its day (to see its residents
# ahead) until a week after it (to sync what was written there from a phone long offline).
SCOPE_AHEAD = timedelta(days=30)
SCOPE_BEHIND = timedelta(days=7)
# How far from today a route may be planned or recorded.
PLANNING_RANGE = timedelta(days=366)


class StopIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    village_id: UUID
    meeting_point: str = ""
    starts_at: time | None = None
    ends_at: time | None = None


class RouteIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A whole route as the coordinator wants it: creating and replacing send the same."""

    commune_code: int
    day: date
    stops: list[StopIn]
    team: list[UUID]
    note: str = ""
    campaign_id: UUID | None = None


class StopOut(msgspec.Struct, frozen=True):
    position: int
    village_id: UUID
    village_name: str
    meeting_point: str
    starts_at: time | None
    ends_at: time | None


class TeamMember(msgspec.Struct, frozen=True):
    id: UUID
    full_name: str


class RouteOut(msgspec.Struct, frozen=True):
    id: UUID
    commune_code: int
    campaign_id: UUID | None
    day: date
    note: str
    stops: list[StopOut]
    team: list[TeamMember]


def today() -> date:
    """Today in Vietnam, where the routes are walked."""
    return datetime.now(VIETNAM_TIME).date()


async def notify_assignment(db: AsyncSession, route: Route, volunteer_id: UUID) -> int:
    """Tell the volunteer's phones they are on ``route``, with its stops in order; the rows written.

    Call it in the transaction that assigns the volunteer, after the route and its stops were
    added to the session; assigning again later sends the route's newest state.
    """
    await db.flush()
    stops = [
        Stop(village, meeting_point, starts_at)
        for village, meeting_point, starts_at in await db.execute(
            select(Village.name, RouteStop.meeting_point, RouteStop.starts_at)
            .join(Village, Village.id == RouteStop.village_id)
            .where(RouteStop.route_id == route.id)
            .order_by(RouteStop.position)
        )
    ]
    return await queue_assignment(db, route.id, route.day, stops, volunteer_id)


async def assigned_communes(db: AsyncSession, user_id: UUID) -> frozenset[int]:
    """The communes of the routes ``user_id`` is on whose day is near enough to today."""
    now = today()
    codes = await db.scalars(
        select(Route.commune_code)
        .join(RouteVolunteer, RouteVolunteer.route_id == Route.id)
        .where(RouteVolunteer.user_id == user_id, Route.day.between(now - SCOPE_BEHIND, now + SCOPE_AHEAD))
        .distinct()
    )
    return frozenset(codes)


async def _check(db: AsyncSession, principal: Principal, commune: Commune, data: RouteIn) -> list[FieldError]:
    """Every problem of ``data`` at once, field by field."""
    problems: list[FieldError] = []
    if abs(data.day - today()) > PLANNING_RANGE:
        problems.append(
            FieldError(
                "day", "day.out_of_range", "Ngày đi cách hôm nay quá một năm.", "The day is over a year away."
            )
        )
    if len(data.note) > 500:
        problems.append(
            FieldError(
                "note", "too_long", "Ghi chú tối đa 500 ký tự.", "The note has at most 500 characters."
            )
        )
    if data.campaign_id is not None:
        campaign = await db.get(Campaign, data.campaign_id)
        if campaign is None or campaign.commune_code != commune.code:
            problems.append(
                FieldError(
                    "campaign_id",
                    "campaign.other_commune",
                    "Chiến dịch này không thuộc xã của lộ trình.",
                    "This campaign belongs to another commune.",
                )
            )
        elif not campaign.starts_on <= data.day <= campaign.ends_on:
            problems.append(
                FieldError(
                    "day",
                    "day.outside_campaign",
                    f"Ngày đi phải trong thời gian chiến dịch ({campaign.starts_on:%d/%m/%Y} – {campaign.ends_on:%d/%m/%Y}).",
                    f"The day must fall within the campaign ({campaign.starts_on} – {campaign.ends_on}).",
                )
            )
    problems += await _check_stops(db, commune, data.stops)
    problems += await _check_team(db, principal, data.team)
    return problems


async def _check_stops(db: AsyncSession, commune: Commune, stops: list[StopIn]) -> list[FieldError]:
    if not stops:
        return [FieldError("stops", "stops.required", "Cần ít nhất một điểm dừng.", "Add at least one stop.")]
    if len(stops) > MAX_STOPS:
        return [
            FieldError(
                "stops",
                "stops.too_many",
                f"Một lộ trình có tối đa {MAX_STOPS} điểm dừng.",
                f"A route has at most {MAX_STOPS} stops.",
            )
        ]
    villages = {
        village.id: village
        for village in await db.scalars(select(Village).where(Village.id.in_({s.village_id for s in stops})))
    }
    problems = []
    for index, stop in enumerate(stops):
        at, number = f"stops[{index}]", index + 1
        village = villages.get(stop.village_id)
        if village is None or village.commune_code != commune.code:
            problems.append(
                FieldError(
                    f"{at}.village_id",
                    "village.other_commune",
                    f"Điểm dừng {number}: thôn không thuộc {commune.name}.",
                    f"Stop {number}: the village is not in {commune.name}.",
                )
            )
        if len(stop.meeting_point) > 200:
            problems.append(
                FieldError(
                    f"{at}.meeting_point",
                    "too_long",
                    f"Điểm dừng {number}: nơi tập trung tối đa 200 ký tự.",
                    f"Stop {number}: the meeting point has at most 200 characters.",
                )
            )
        if stop.starts_at is not None and stop.ends_at is not None and stop.ends_at <= stop.starts_at:
            problems.append(
                FieldError(
                    f"{at}.ends_at",
                    "time.order",
                    f"Điểm dừng {number}: giờ kết thúc phải sau giờ bắt đầu.",
                    f"Stop {number}: the end time must be after the start time.",
                )
            )
    return problems


async def _check_team(db: AsyncSession, principal: Principal, team: list[UUID]) -> list[FieldError]:
    """A coordinator may assign any active volunteer whose account is in one of their communes."""
    if not team:
        return [
            FieldError(
                "team",
                "team.required",
                "Cần chọn ít nhất một tình nguyện viên.",
                "Choose at least one volunteer.",
            )
        ]
    if len(team) > MAX_TEAM:
        return [
            FieldError(
                "team",
                "team.too_many",
                f"Một đội có tối đa {MAX_TEAM} người.",
                f"A team has at most {MAX_TEAM} people.",
            )
        ]
    eligible = set(
        await db.scalars(
            select(User.id)
            .join(UserCommune, UserCommune.user_id == User.id)
            .join(Commune, Commune.code == UserCommune.commune_code)
            .where(
                User.id.in_(set(team)),
                User.role == "volunteer",
                User.is_active.is_(True),
                commune_filter(principal),
            )
        )
    )
    return [
        FieldError(
            f"team[{index}]",
            "team.not_eligible",
            f"Người thứ {index + 1} không phải tình nguyện viên đang hoạt động ở địa bàn của bạn.",
            f"Person {index + 1} is not an active volunteer of your places.",
        )
        for index, user_id in enumerate(team)
        if user_id not in eligible
    ]


def _invalid(problems: list[FieldError]) -> ApiError:
    return ApiError(
        400,
        "route.invalid",
        "Lộ trình còn mục chưa đúng.",
        "Some fields of the route are not right.",
        problems,
    )


async def route_in_scope(db: AsyncSession, principal: Principal, route_id: UUID) -> Route:
    """The route, if it exists (404) and its commune is within the user's places (403)."""
    route = await db.get(Route, route_id)
    if route is None:
        raise ApiError(404, "route.not_found", "Không tìm thấy lộ trình.", "No such route.")
    await commune_in_scope(db, principal, route.commune_code)
    return route


def _fill(route: Route, data: RouteIn) -> None:
    route.commune_code, route.day, route.note, route.campaign_id = (
        data.commune_code,
        data.day,
        " ".join(data.note.split()),
        data.campaign_id,
    )
    route.stops = [
        RouteStop(
            position=position,
            village_id=stop.village_id,
            meeting_point=" ".join(stop.meeting_point.split()),
            starts_at=stop.starts_at,
            ends_at=stop.ends_at,
        )
        for position, stop in enumerate(data.stops, start=1)
    ]
    # Members who stay keep their row, so the flush never deletes and re-inserts one key.
    wanted = list(dict.fromkeys(data.team))
    kept = {member.user_id: member for member in route.team if member.user_id in wanted}
    route.team = [kept.get(user_id) or RouteVolunteer(user_id=user_id) for user_id in wanted]


async def _tell_team(db: AsyncSession, route: Route, volunteers: Sequence[UUID]) -> None:
    """One change per volunteer, so each phone's pull carries the route (or its removal)."""
    for user_id in volunteers:
        RECENT.forget_user(user_id)  # their scope follows their routes
    await append_changes(
        db, [change("route", route.id, route.commune_code, user_id) for user_id in dict.fromkeys(volunteers)]
    )


async def create_route(db: AsyncSession, principal: Principal, data: RouteIn) -> Route:
    commune = await commune_in_scope(db, principal, data.commune_code)
    if problems := await _check(db, principal, commune, data):
        raise _invalid(problems)
    route = Route(commune_code=commune.code, day=data.day, created_by=principal.user_id, stops=[], team=[])
    _fill(route, data)
    db.add(route)
    await db.flush()
    await _tell_team(db, route, [member.user_id for member in route.team])
    for member in route.team:
        await notify_assignment(db, route, member.user_id)
    return route


async def replace_route(db: AsyncSession, principal: Principal, route_id: UUID, data: RouteIn) -> Route:
    """Replace the whole route; volunteers taken off the team hear that it is gone for them."""
    route = await route_in_scope(db, principal, route_id)
    commune = await commune_in_scope(db, principal, data.commune_code)
    if problems := await _check(db, principal, commune, data):
        raise _invalid(problems)
    before = [member.user_id for member in route.team]
    _fill(route, data)
    await db.flush()
    await _tell_team(db, route, [*before, *(member.user_id for member in route.team)])
    for member in route.team:
        if member.user_id not in before:  # pushed to the newcomers; the rest see it in their pull
            await notify_assignment(db, route, member.user_id)
    return route


async def delete_route(db: AsyncSession, principal: Principal, route_id: UUID) -> Route:
    """Delete the route (returned, gone from the database); its team hears that it is gone."""
    route = await route_in_scope(db, principal, route_id)
    team = [member.user_id for member in route.team]
    await db.delete(route)
    await db.flush()
    await _tell_team(db, route, team)
    return route


async def routes_of_commune(
    db: AsyncSession, principal: Principal, commune_code: int, day: date | None = None, limit: int = 200
) -> list[Route]:
    """The commune's routes, newest day first (only ``day``'s when given)."""
    commune = await commune_in_scope(db, principal, commune_code)
    query = select(Route).where(Route.commune_code == commune.code)
    if day is not None:
        query = query.where(Route.day == day)
    return list(await db.scalars(query.order_by(Route.day.desc(), Route.created_at.desc()).limit(limit)))


async def routes_of_volunteer(db: AsyncSession, user_id: UUID) -> list[Route]:
    """The routes ``user_id`` is on from today onwards, soonest first."""
    return list(
        await db.scalars(
            select(Route)
            .join(RouteVolunteer, RouteVolunteer.route_id == Route.id)
            .where(RouteVolunteer.user_id == user_id, Route.day >= today())
            .order_by(Route.day, Route.created_at)
        )
    )


async def describe(db: AsyncSession, routes: Sequence[Route]) -> list[RouteOut]:
    """Routes with their villages' and volunteers' names, looked up once for all of them."""
    village_ids = {stop.village_id for route in routes for stop in route.stops}
    user_ids = {member.user_id for route in routes for member in route.team}
    villages = dict(
        (await db.execute(select(Village.id, Village.name).where(Village.id.in_(village_ids)))).all()
    )
    names = dict((await db.execute(select(User.id, User.full_name).where(User.id.in_(user_ids)))).all())
    return [
        RouteOut(
            id=route.id,
            commune_code=route.commune_code,
            campaign_id=route.campaign_id,
            day=route.day,
            note=route.note,
            stops=[
                StopOut(
                    position=stop.position,
                    village_id=stop.village_id,
                    village_name=villages.get(stop.village_id, ""),
                    meeting_point=stop.meeting_point,
                    starts_at=stop.starts_at,
                    ends_at=stop.ends_at,
                )
                for stop in route.stops
            ],
            team=sorted(
                (TeamMember(member.user_id, names.get(member.user_id, "")) for member in route.team),
                key=lambda member: vietnamese_sort_key(member.full_name),
            ),
        )
        for route in routes
    ]


async def volunteers_of(db: AsyncSession, commune_code: int) -> list[User]:
    """The active volunteers whose account is in the commune, for the team checklist."""
    users = await db.scalars(
        select(User)
        .join(UserCommune, UserCommune.user_id == User.id)
        .where(UserCommune.commune_code == commune_code, User.role == "volunteer", User.is_active.is_(True))
    )
    return sorted(users, key=lambda user: vietnamese_sort_key(user.full_name))


async def volunteers_to_offer(db: AsyncSession, route: Route) -> list[User]:
    """The team checklist when editing ``route``: its commune's volunteers and, so that saving
    does not drop them unseen, the members who came from another commune."""
    offered = await volunteers_of(db, route.commune_code)
    known = {user.id for user in offered}
    others = [member.user_id for member in route.team if member.user_id not in known]
    if others:
        offered += await db.scalars(select(User).where(User.id.in_(others)))
    return sorted(offered, key=lambda user: vietnamese_sort_key(user.full_name))


async def campaigns_of(db: AsyncSession, commune_code: int) -> list[Campaign]:
    """The commune's campaigns a route may belong to, newest first."""
    return list(
        await db.scalars(
            select(Campaign)
            .where(Campaign.commune_code == commune_code)
            .order_by(Campaign.starts_on.desc())
            .limit(50)
        )
    )
