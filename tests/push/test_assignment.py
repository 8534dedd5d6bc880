"""A volunteer's phone subscribes through the API and hears of new assignments."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.campaigns.models import Route, RouteStop, RouteVolunteer
from motcua.push.models import PushSubscription
from motcua.rounds.service import notify_assignment
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, in_db, rows
from tests.push.conftest import drain, subscribe_volunteer
from tests.push.fake_push import FakePushService
from tests.sync.conftest import Field


def _assign(settings: Settings, village_id: UUID, phone: str) -> int:
    """What the routes pages do when a coordinator puts a volunteer on a route."""

    async def work(db: AsyncSession) -> int:
        volunteer = await db.scalar(select(User).where(User.phone == phone))
        assert volunteer is not None
        route = Route(commune_code=COMMUNE_A, day=date(2026, 11, 24), created_by=volunteer.id)
        db.add(route)
        await db.flush()
        db.add(
            RouteStop(
                route_id=route.id,
                position=1,
                village_id=village_id,
                meeting_point="Nhà văn hóa buôn",
                starts_at=time(7, 30),
            )
        )
        db.add(RouteVolunteer(route_id=route.id, user_id=volunteer.id))
        return await notify_assignment(db, route, volunteer.id)

    return in_db(settings, work)


def test_a_new_assignment_reaches_the_volunteers_phone(
    field: Field, settings: Settings, push_service: FakePushService
) -> None:
    phone = push_service.browser("volunteer-phone")
    assert field.client.post("/api/push/subscriptions", json=phone.subscription()).status_code == 401
    subscribe_volunteer(field.client, field.volunteer_a1, phone)
    subscribe_volunteer(field.client, field.volunteer_a1, phone)  # again: still one subscription
    assert len(rows(settings, select(PushSubscription))) == 1

    assert _assign(settings, field.village_a, "0971000001") == 1
    assert drain(settings) == 1
    (payload,) = phone.payloads()
    assert payload["title"] == "Lộ trình mới ngày 24/11/2026"
    assert payload["body"] == "Buôn Trí A (07:30, Nhà văn hóa buôn)"
    assert payload["url"] == "/"
    assert push_service.errors == []

    removed = field.client.post(
        "/api/push/subscriptions/remove", json={"endpoint": phone.endpoint}, headers=field.volunteer_a1
    )
    assert removed.json() == {"removed": True}
    assert _assign(settings, field.village_a, "0971000001") == 0


def test_the_public_key_is_the_one_the_worker_signs_with(field: Field, settings: Settings) -> None:
    from motcua.push.vapid import vapid_keys

    assert field.client.get("/api/push/key").json() == {"public_key": vapid_keys(settings).public_key}


def test_a_route_planned_by_the_coordinator_is_pushed_to_the_new_team_only(
    field: Field, settings: Settings, push_service: FakePushService
) -> None:
    from tests.conftest import add_user, bearer
    from tests.routes.conftest import route_body, user_id

    add_user(settings, "0901111101", "coordinator", (COMMUNE_A,))
    coordinator = bearer(field.client, "0901111101")
    phone = push_service.browser("volunteer-phone")
    subscribe_volunteer(field.client, field.volunteer_a1, phone)
    volunteer = user_id(settings, "0971000001")
    body = route_body(
        COMMUNE_A, date(2026, 11, 24), [(field.village_a, "Nhà văn hóa", "07:30:00", None)], [volunteer]
    )
    created = field.client.post("/api/routes", json=body, headers=coordinator)
    assert created.status_code == 201, created.text
    assert drain(settings) == 1
    (payload,) = phone.payloads()
    assert payload["title"] == "Lộ trình mới ngày 24/11/2026"
    # Replacing the route with the same team sends nothing new: the phone sees it in its pull.
    replaced = field.client.put(f"/api/routes/{created.json()['id']}", json=body, headers=coordinator)
    assert replaced.status_code == 200
    assert drain(settings) == 0
