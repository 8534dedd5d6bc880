"""Routes: coordinators plan them, the team's phones pull them, and scope follows them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.campaigns.models import Campaign, Route, RouteStop
from motcua.rounds.service import today
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, PASSWORD, add_user, bearer, in_db, rows
from tests.routes.conftest import COORDINATOR, pull_since, route_body, user_id
from tests.sync.conftest import Field, add_village, on_route
from tests.sync.phone import Phone


def _plan(field: Field, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = field.client.post("/api/routes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_a_coordinator_plans_a_route_with_ordered_stops_and_a_team(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    second = add_village(settings, COMMUNE_A, "Buôn Ea Rông")
    a1, a2 = user_id(settings, "0971000001"), user_id(settings, "0971000002")
    day = today() + timedelta(days=2)
    route = _plan(
        field,
        coordinator,
        route_body(
            COMMUNE_A,
            day,
            [(second, "  Nhà văn hóa   buôn ", "07:30:00", "10:00:00"), (field.village_a, "", None, None)],
            [a2, a1, a1],
            note="Mang máy in nhiệt",
        ),
    )
    assert route["day"] == day.isoformat()
    assert route["note"] == "Mang máy in nhiệt"
    assert [(s["position"], s["village_name"], s["meeting_point"]) for s in route["stops"]] == [
        (1, "Buôn Ea Rông", "Nhà văn hóa buôn"),
        (2, "Buôn Trí A", ""),
    ]
    assert route["stops"][0]["starts_at"] == "07:30:00"
    assert route["stops"][1]["ends_at"] is None
    assert sorted(m["id"] for m in route["team"]) == sorted([str(a1), str(a2)])

    listed = field.client.get(
        "/api/routes", params={"commune": COMMUNE_A, "day": day.isoformat()}, headers=coordinator
    )
    assert [r["id"] for r in listed.json()] == [route["id"]]
    other_day = field.client.get(
        "/api/routes", params={"commune": COMMUNE_A, "day": today().isoformat()}, headers=coordinator
    )
    assert other_day.json() == []
    mine = field.client.get("/api/routes/mine", headers=field.volunteer_a1)
    assert [r["id"] for r in mine.json()] == [route["id"]]
    assert field.client.get("/api/routes/mine", headers=field.volunteer_b).json() == []


def test_every_wrong_field_of_a_route_is_named(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    add_user(settings, "0981000002", "coordinator", (COMMUNE_A,))
    commune_a_only = bearer(field.client, "0981000002")
    add_user(settings, "0961000001", "desk_officer", (COMMUNE_A,))
    a1, b = user_id(settings, "0971000001"), user_id(settings, "0971000003")
    desk_officer = user_id(settings, "0961000001")

    async def campaigns(db: AsyncSession) -> tuple[Any, Any]:
        here = Campaign(
            commune_code=COMMUNE_A,
            name="Tháng công dân số",
            starts_on=today(),
            ends_on=today() + timedelta(days=30),
            created_by=a1,
        )
        there = Campaign(
            commune_code=COMMUNE_B,
            name="Chiến dịch xã khác",
            starts_on=today(),
            ends_on=today() + timedelta(days=30),
            created_by=a1,
        )
        db.add_all([here, there])
        await db.flush()
        return here.id, there.id

    here, there = in_db(settings, campaigns)
    body = route_body(
        COMMUNE_A,
        today() + timedelta(days=40),
        [(field.village_b, "", None, None), (field.village_a, "x" * 201, "10:00:00", "09:00:00")],
        [a1, b, desk_officer],
        note="n" * 501,
        campaign_id=str(here),
    )
    response = field.client.post("/api/routes", json=body, headers=commune_a_only)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "route.invalid"
    assert error["message_vi"] == "Lộ trình còn mục chưa đúng."
    assert {(f["field"], f["code"]) for f in error["fields"]} == {
        ("day", "day.outside_campaign"),
        ("note", "too_long"),
        ("stops[0].village_id", "village.other_commune"),
        ("stops[1].meeting_point", "too_long"),
        ("stops[1].ends_at", "time.order"),
        ("team[1]", "team.not_eligible"),
        ("team[2]", "team.not_eligible"),
    }
    ends_at = next(f for f in error["fields"] if f["field"] == "stops[1].ends_at")
    assert ends_at["message_vi"] == "Điểm dừng 2: giờ kết thúc phải sau giờ bắt đầu."
    assert ends_at["message_en"] == "Stop 2: the end time must be after the start time."

    empty = route_body(COMMUNE_A, today(), [], [], campaign_id=str(there))
    response = field.client.post("/api/routes", json=empty, headers=coordinator)
    assert {(f["field"], f["code"]) for f in response.json()["fields"]} == {
        ("campaign_id", "campaign.other_commune"),
        ("stops", "stops.required"),
        ("team", "team.required"),
    }
    far = route_body(COMMUNE_A, today() + timedelta(days=400), [(field.village_a, "", None, None)], [a1])
    response = field.client.post("/api/routes", json=far, headers=coordinator)
    assert [f["code"] for f in response.json()["fields"]] == ["day.out_of_range"]
    unknown = {**far, "day": today().isoformat(), "password": "x"}
    assert field.client.post("/api/routes", json=unknown, headers=coordinator).status_code == 400
    assert rows(settings, select(func.count()).select_from(Route)) == [0]


def test_the_team_pulls_the_route_and_nobody_else_does(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    a1 = user_id(settings, "0971000001")
    route = _plan(
        field,
        coordinator,
        route_body(COMMUNE_A, today(), [(field.village_a, "Nhà văn hóa", "07:30:00", None)], [a1]),
    )
    pulled = [c for c in field.pull_all(field.volunteer_a1) if c["kind"] == "route"]
    assert len(pulled) == 1
    assert pulled[0]["id"] == route["id"]
    assert pulled[0]["body"] == {
        "day": today().isoformat(),
        "note": "",
        "commune_code": COMMUNE_A,
        "stops": [
            {
                "position": 1,
                "village_id": str(field.village_a),
                "village_name": "Buôn Trí A",
                "meeting_point": "Nhà văn hóa",
                "starts_at": "07:30:00",
                "ends_at": None,
            }
        ],
        "team": [{"id": str(a1), "full_name": "Người Thử"}],
    }
    # The same commune, not on the team; another commune: neither sees it.
    assert [c for c in field.pull_all(field.volunteer_a2) if c["kind"] == "route"] == []
    assert [c for c in field.pull_all(field.volunteer_b) if c["kind"] == "route"] == []
    assert [c for c in field.pull_all(coordinator) if c["kind"] == "route"] == []


def test_replacing_and_deleting_a_route_reach_the_phones(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    a1, a2 = user_id(settings, "0971000001"), user_id(settings, "0971000002")
    stop = (field.village_a, "", None, None)
    route = _plan(field, coordinator, route_body(COMMUNE_A, today(), [stop], [a1, a2]))
    first_a1, cursor_a1 = pull_since(field, field.volunteer_a1)
    first_a2, cursor_a2 = pull_since(field, field.volunteer_a2)
    assert [c["id"] for c in first_a1] == [c["id"] for c in first_a2] == [route["id"]]

    moved = route_body(
        COMMUNE_A, today() + timedelta(days=1), [stop, (field.village_a, "Chợ", "14:00:00", "16:00:00")], [a1]
    )
    replaced = field.client.put(f"/api/routes/{route['id']}", json=moved, headers=coordinator)
    assert replaced.status_code == 200, replaced.text
    assert len(replaced.json()["stops"]) == 2
    update, cursor_a1 = pull_since(field, field.volunteer_a1, cursor_a1)
    assert len(update) == 1
    assert update[0]["body"]["day"] == (today() + timedelta(days=1)).isoformat()
    assert [s["meeting_point"] for s in update[0]["body"]["stops"]] == ["", "Chợ"]
    taken_off, cursor_a2 = pull_since(field, field.volunteer_a2, cursor_a2)
    assert taken_off == [
        {"seq": taken_off[0]["seq"], "kind": "route", "id": route["id"], "server": {"removed": True}}
    ]
    assert rows(settings, select(func.count()).select_from(RouteStop)) == [2]

    deleted = field.client.delete(f"/api/routes/{route['id']}", headers=coordinator)
    assert deleted.status_code == 204
    gone, _ = pull_since(field, field.volunteer_a1, cursor_a1)
    assert [(c["id"], c["server"]) for c in gone] == [(route["id"], {"removed": True})]
    assert "body" not in gone[0]
    assert rows(settings, select(func.count()).select_from(RouteStop)) == [0]
    missing = field.client.delete(f"/api/routes/{route['id']}", headers=coordinator)
    assert missing.status_code == 404
    assert missing.json()["code"] == "route.not_found"


def test_a_volunteer_on_a_route_in_another_commune_may_work_there(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    a1 = user_id(settings, "0971000001")
    phone = Phone("AA1", field.village_b)
    before = field.push(field.volunteer_a1, phone.resident(1))
    assert before[0]["outcome"] == "rejected"
    assert before[0]["reason"]["code"] == "scope.outside"

    _plan(
        field,
        coordinator,
        route_body(COMMUNE_B, today() + timedelta(days=3), [(field.village_b, "", None, None)], [a1]),
    )
    resident = phone.resident(2)
    assert field.push(field.volunteer_a1, resident)[0]["outcome"] == "applied"
    # The commune's records now reach the phone, and a colleague of commune B on a route through
    # the village sees the resident (docs/privacy.md).
    assert resident["id"] in {c["id"] for c in field.pull_all(field.volunteer_a1) if c["kind"] == "resident"}
    on_route(settings, COMMUNE_B, [field.village_b], ["0971000003"])
    assert resident["id"] in {c["id"] for c in field.pull_all(field.volunteer_b) if c["kind"] == "resident"}


def test_the_scope_a_route_gives_lasts_from_a_month_before_to_a_week_after_its_day(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    a1 = user_id(settings, "0971000001")
    phone = Phone("AA1", field.village_b)
    stop = [(field.village_b, "", None, None)]
    _plan(field, coordinator, route_body(COMMUNE_B, today() - timedelta(days=8), stop, [a1]))
    late = _plan(field, coordinator, route_body(COMMUNE_B, today() + timedelta(days=31), stop, [a1]))
    assert field.push(field.volunteer_a1, phone.resident(1))[0]["reason"]["code"] == "scope.outside"
    # A week after its day the route still counts, so a phone long offline can sync.
    _plan(field, coordinator, route_body(COMMUNE_B, today() - timedelta(days=7), stop, [a1]))
    assert field.push(field.volunteer_a1, phone.resident(2))[0]["outcome"] == "applied"
    mine = field.client.get("/api/routes/mine", headers=field.volunteer_a1).json()
    assert [r["id"] for r in mine] == [late["id"]]


def test_a_coordinator_of_another_commune_gets_403(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    a1 = user_id(settings, "0971000001")
    route = _plan(
        field, coordinator, route_body(COMMUNE_A, today(), [(field.village_a, "", None, None)], [a1])
    )
    add_user(settings, "0981000003", "coordinator", (COMMUNE_B,))
    other = bearer(field.client, "0981000003")
    body = route_body(COMMUNE_A, today(), [(field.village_a, "", None, None)], [a1])
    refused = field.client.post("/api/routes", json=body, headers=other)
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope.outside"
    assert field.client.get("/api/routes", params={"commune": COMMUNE_A}, headers=other).status_code == 403
    assert field.client.put(f"/api/routes/{route['id']}", json=body, headers=other).status_code == 403
    assert field.client.delete(f"/api/routes/{route['id']}", headers=other).status_code == 403
    # Volunteers read their routes but do not plan them; the desk of the commune may read them.
    assert field.client.post("/api/routes", json=body, headers=field.volunteer_a1).status_code == 403
    add_user(settings, "0961000001", "desk_officer", (COMMUNE_A,))
    desk = bearer(field.client, "0961000001")
    assert len(field.client.get("/api/routes", params={"commune": COMMUNE_A}, headers=desk).json()) == 1
    assert field.client.get("/api/routes/mine", headers=desk).status_code == 403


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def _sign_in(client: TestClient[Any], phone: str) -> None:
    token = _csrf(client.get("/login").text)
    form = {"phone": phone, "password": PASSWORD, "next": "/office", "_csrf_token": token}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def test_a_coordinator_plans_a_route_on_the_page(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    client = field.client
    a1, a2 = user_id(settings, "0971000001"), user_id(settings, "0971000002")
    _sign_in(client, COORDINATOR)
    office = client.get("/office")
    assert f'href="/office/routes?commune={COMMUNE_A}"' in office.text
    page = client.get("/office/routes/new", params={"commune": COMMUNE_A})
    assert page.status_code == 200
    assert "Buôn Trí A" in page.text
    assert str(a1) in page.text
    assert str(user_id(settings, "0971000003")) not in page.text  # commune B's volunteer
    day = (today() + timedelta(days=1)).isoformat()
    form: dict[str, Any] = {
        "_csrf_token": _csrf(page.text),
        "day": day,
        "note": "Mang máy in",
        "campaign_id": "",
        "village_0": "",
        "village_1": str(field.village_a),
        "meeting_1": "Nhà văn hóa",
        "start_1": "08:00",
        "end_1": "07:00",
        "team": [str(a1), str(a2)],
    }
    wrong = client.post(f"/office/routes/new?commune={COMMUNE_A}", data=form, follow_redirects=False)
    assert wrong.status_code == 400
    assert "Điểm dừng 1: giờ kết thúc phải sau giờ bắt đầu." in wrong.text
    assert 'value="Nhà văn hóa"' in wrong.text  # what was typed is kept
    form = {**form, "_csrf_token": _csrf(wrong.text), "end_1": "11:00"}
    saved = client.post(f"/office/routes/new?commune={COMMUNE_A}", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/office/routes?commune={COMMUNE_A}"
    listing = client.get(saved.headers["location"])
    assert "Nhà văn hóa" in listing.text
    assert "08:00–11:00" in listing.text
    routes = rows(settings, select(Route))
    assert len(routes) == 1
    assert routes[0].day == date.fromisoformat(day)
    assert {m.user_id for m in routes[0].team} == {a1, a2}
    assert [c["id"] for c in field.pull_all(field.volunteer_a2) if c["kind"] == "route"] == [
        str(routes[0].id)
    ]

    no_token = client.post(f"/office/routes/{routes[0].id}/delete", follow_redirects=False)
    assert no_token.status_code == 403
    deleted = client.post(
        f"/office/routes/{routes[0].id}/delete",
        data={"_csrf_token": _csrf(listing.text)},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert rows(settings, select(Route)) == []


def test_volunteers_and_desk_officers_do_not_get_the_route_pages(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, "0961000001", "desk_officer", (COMMUNE_A,))
    _sign_in(client, "0961000001")
    assert client.get("/office/routes", params={"commune": COMMUNE_A}).status_code == 403
    assert "/office/routes" not in client.get("/office").text
