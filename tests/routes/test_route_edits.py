"""Coordinators edit routes on the office page; the form grows one stop block at a time."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.principal import Principal
from motcua.campaigns.models import Route
from motcua.rounds.service import MAX_STOPS, RouteIn, StopIn, create_route, replace_route, today
from motcua.settings import Settings
from motcua.sync.pull import pull
from tests.conftest import (
    COMMUNE_A,
    COMMUNE_B,
    COMMUNE_OTHER_PROVINCE,
    PASSWORD,
    PROVINCE_DAK_LAK,
    add_user,
    bearer,
    in_db,
    rows,
)
from tests.routes.conftest import COORDINATOR, pull_since, route_body, user_id
from tests.sync.conftest import Field, add_village


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def _sign_in(client: TestClient[Any], phone: str) -> None:
    client.cookies.clear()
    token = _csrf(client.get("/login").text)
    form = {"phone": phone, "password": PASSWORD, "next": "/office", "_csrf_token": token}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def _blocks(html: str) -> int:
    return len(re.findall(r'<fieldset class="card stop', html))


def _plan(field: Field, headers: dict[str, str], body: dict[str, Any]) -> str:
    response = field.client.post("/api/routes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    route_id: str = response.json()["id"]
    return route_id


def test_the_form_shows_the_stops_and_one_empty_block_and_adds_one_more(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    client = field.client
    _sign_in(client, COORDINATOR)
    page = client.get("/office/routes/new", params={"commune": COMMUNE_A})
    assert _blocks(page.text) == 1
    assert 'name="village_0"' in page.text
    assert 'name="village_1"' not in page.text
    assert ">+ Thêm điểm dừng</button>" in page.text
    typed = {
        "_csrf_token": _csrf(page.text),
        "day": (today() + timedelta(days=2)).isoformat(),
        "note": "Mang máy in",
        "village_0": str(field.village_a),
        "meeting_0": "Nhà văn hóa",
        "start_0": "07:30",
        "team": [str(user_id(settings, "0971000001"))],
        "add_stop": "1",
    }
    more = client.post(f"/office/routes/new?commune={COMMUNE_A}", data=typed, follow_redirects=False)
    assert more.status_code == 200
    assert _blocks(more.text) == 2  # the filled stop and one more empty block
    for kept in ('value="Nhà văn hóa"', 'value="07:30"', "Mang máy in", " checked>"):
        assert kept in more.text
    assert f'<option value="{field.village_a}" selected>' in more.text
    assert rows(settings, select(Route)) == []  # adding a block saves nothing
    # Asked again with the empty block still empty: one more block all the same.
    again = client.post(
        f"/office/routes/new?commune={COMMUNE_A}",
        data={**typed, "_csrf_token": _csrf(more.text), "village_1": "", "meeting_1": ""},
        follow_redirects=False,
    )
    assert _blocks(again.text) == 3

    # The most a route may have: no empty block, no button; one more is refused by name.
    full = {f"village_{i}": str(field.village_a) for i in range(MAX_STOPS)}
    at_most = client.post(
        f"/office/routes/new?commune={COMMUNE_A}",
        data={**typed, **full, "_csrf_token": _csrf(again.text)},
        follow_redirects=False,
    )
    assert _blocks(at_most.text) == MAX_STOPS
    assert "Thêm điểm dừng</button>" not in at_most.text
    too_many = client.post(
        f"/office/routes/new?commune={COMMUNE_A}",
        data={
            **{k: v for k, v in typed.items() if k != "add_stop"},
            **full,
            f"village_{MAX_STOPS}": str(field.village_a),
            "_csrf_token": _csrf(at_most.text),
        },
        follow_redirects=False,
    )
    assert too_many.status_code == 400
    assert 'data-field="stops"' in too_many.text
    assert f"Một lộ trình có tối đa {MAX_STOPS} điểm dừng." in too_many.text
    assert rows(settings, select(Route)) == []


def test_a_coordinator_edits_a_route_and_the_teams_phones_follow(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    client = field.client
    a1, a2 = user_id(settings, "0971000001"), user_id(settings, "0971000002")
    second = add_village(settings, COMMUNE_A, "Buôn Ea Rông")
    route_id = _plan(
        field,
        coordinator,
        route_body(
            COMMUNE_A, today(), [(field.village_a, "Nhà văn hóa", "07:30:00", None)], [a1, a2], note="Cũ"
        ),
    )
    _, cursor_a1 = pull_since(field, field.volunteer_a1)
    _, cursor_a2 = pull_since(field, field.volunteer_a2)

    _sign_in(client, COORDINATOR)
    listing = client.get("/office/routes", params={"commune": COMMUNE_A})
    assert f'href="/office/routes/{route_id}/edit"' in listing.text
    page = client.get(f"/office/routes/{route_id}/edit")
    assert page.status_code == 200
    assert f"Sửa lộ trình ngày {today():%d/%m/%Y}" in page.text
    assert f'action="/office/routes/{route_id}/edit"' in page.text
    assert _blocks(page.text) == 2  # its one stop, and one empty block
    assert f'<option value="{field.village_a}" selected>' in page.text
    assert 'name="start_0" type="time" value="07:30"' in page.text
    assert page.text.count(" checked>") == 2

    day = today() + timedelta(days=3)
    form: dict[str, Any] = {
        "_csrf_token": _csrf(page.text),
        "day": day.isoformat(),
        "note": "Mới",
        "village_0": str(second),
        "meeting_0": "Chợ",
        "start_0": "08:00",
        "end_0": "10:00",
        "village_1": str(field.village_a),
        "meeting_1": "Nhà văn hóa",
        "team": [str(a1)],  # a2 is taken off
    }
    saved = client.post(f"/office/routes/{route_id}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/office/routes?commune={COMMUNE_A}"
    (route,) = rows(settings, select(Route))
    assert (route.day, route.note) == (day, "Mới")
    assert [(s.position, s.village_id, s.meeting_point) for s in route.stops] == [
        (1, second, "Chợ"),
        (2, field.village_a, "Nhà văn hóa"),
    ]
    assert [m.user_id for m in route.team] == [a1]

    update, _ = pull_since(field, field.volunteer_a1, cursor_a1)
    assert [c["id"] for c in update] == [route_id]
    assert update[0]["body"]["day"] == day.isoformat()
    assert [s["village_name"] for s in update[0]["body"]["stops"]] == ["Buôn Ea Rông", "Buôn Trí A"]
    removed, _ = pull_since(field, field.volunteer_a2, cursor_a2)
    assert [(c["id"], c["server"]) for c in removed] == [(route_id, {"removed": True})]


def test_an_edit_is_checked_like_a_new_route_and_changes_nothing_when_wrong(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    client = field.client
    a1, b = user_id(settings, "0971000001"), user_id(settings, "0971000003")
    route_id = _plan(
        field, coordinator, route_body(COMMUNE_A, today(), [(field.village_a, "", None, None)], [a1])
    )
    add_user(settings, "0981000002", "coordinator", (COMMUNE_A,))
    _sign_in(client, "0981000002")
    page = client.get(f"/office/routes/{route_id}/edit")
    good = {
        "_csrf_token": _csrf(page.text),
        "day": today().isoformat(),
        "note": "",
        "village_0": str(field.village_a),
        "team": [str(a1)],
    }
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"start_0": "10:00", "end_0": "09:00"},
            "stops[0].ends_at",
            "Điểm dừng 1: giờ kết thúc phải sau giờ bắt đầu.",
        ),
        ({"team": [str(a1), str(b)]}, "team[1]", "Người thứ 2 không phải tình nguyện viên"),
        ({"village_0": str(field.village_b)}, "stops[0].village_id", "Điểm dừng 1: thôn không thuộc"),
        ({"day": "ngày mai"}, "day", "Cần chọn ngày đi."),
        ({"team": ["không-phải-id"]}, "team", "Đội không hợp lệ."),
        ({"village_0": "", "meeting_0": "Chợ"}, "stops[0].village_id", "Điểm dừng 1: cần chọn thôn."),
        ({"start_0": "25:99"}, "stops[0].starts_at", "Điểm dừng 1: giờ bắt đầu không hợp lệ."),
        ({"village_0": ""}, "stops", "Cần ít nhất một điểm dừng."),
        ({"team": []}, "team", "Cần chọn ít nhất một tình nguyện viên."),
        ({"day": (today() + timedelta(days=400)).isoformat()}, "day", "Ngày đi cách hôm nay quá một năm."),
        ({"campaign_id": str(uuid.uuid4())}, "campaign_id", "Chiến dịch này không thuộc xã của lộ trình."),
    ]
    for changes, field_name, message in cases:
        answer = client.post(
            f"/office/routes/{route_id}/edit", data={**good, **changes}, follow_redirects=False
        )
        assert answer.status_code == 400, (changes, answer.text)
        assert f'data-field="{field_name}"' in answer.text, changes
        assert message in answer.text, changes
        good["_csrf_token"] = _csrf(answer.text)
    kept = client.post(
        f"/office/routes/{route_id}/edit",
        data={**good, "meeting_0": "Nhà văn hóa", "end_0": "06:00", "start_0": "07:00"},
        follow_redirects=False,
    )
    assert 'value="Nhà văn hóa"' in kept.text  # what was typed stays
    assert 'class="card stop invalid"' in kept.text
    (route,) = rows(settings, select(Route))
    assert (route.day, [s.meeting_point for s in route.stops], [m.user_id for m in route.team]) == (
        today(),
        [""],
        [a1],
    )


def test_only_coordinators_of_the_routes_places_edit_it(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    client = field.client
    a1 = user_id(settings, "0971000001")
    body = route_body(COMMUNE_A, today(), [(field.village_a, "", None, None)], [a1])
    route_id = _plan(field, coordinator, body)
    add_user(settings, "0981000003", "coordinator", (COMMUNE_B,))
    add_user(settings, "0981000004", "coordinator", (COMMUNE_OTHER_PROVINCE,))
    add_user(settings, "0961000001", "desk_officer", (COMMUNE_A,))
    for phone in ("0981000003", "0981000004"):
        _sign_in(client, phone)
        refused = client.get(f"/office/routes/{route_id}/edit")
        assert refused.status_code == 403
        assert "Buôn Trí A" not in refused.text
        token = _csrf(client.get("/office/routes").text)
        form = {
            "_csrf_token": token,
            "day": today().isoformat(),
            "village_0": str(field.village_a),
            "team": [str(a1)],
        }
        assert (
            client.post(f"/office/routes/{route_id}/edit", data=form, follow_redirects=False).status_code
            == 403
        )
        other = bearer(client, phone)
        assert client.put(f"/api/routes/{route_id}", json=body, headers=other).status_code == 403
    assert client.get(f"/office/routes/{uuid.uuid4()}/edit").status_code == 404
    missing = client.put(f"/api/routes/{uuid.uuid4()}", json=body, headers=coordinator)
    assert missing.status_code == 404
    assert missing.json()["code"] == "route.not_found"
    _sign_in(client, "0961000001")
    assert client.get(f"/office/routes/{route_id}/edit").status_code == 403
    assert client.put(f"/api/routes/{route_id}", json=body, headers=field.volunteer_a1).status_code == 403
    # A coordinator of the whole province may edit it.
    add_user(settings, "0981000005", "coordinator", (), provinces=(PROVINCE_DAK_LAK,))
    province = bearer(client, "0981000005")
    moved = client.put(f"/api/routes/{route_id}", json={**body, "note": "Tỉnh sửa"}, headers=province)
    assert moved.status_code == 200, moved.text
    assert moved.json()["note"] == "Tỉnh sửa"
    bad = client.put(f"/api/routes/{route_id}", json={**body, "day": "hôm qua"}, headers=province)
    assert bad.status_code == 400
    assert set(bad.json()) == {"code", "message_vi", "message_en", "fields"}


def test_a_member_taken_off_the_team_pulls_the_route_as_removed(
    field: Field, coordinator: dict[str, str], settings: Settings
) -> None:
    """The edit appends a change for the dropped member too, and pull says ``removed`` to them."""
    a1, a2 = user_id(settings, "0971000001"), user_id(settings, "0971000002")
    planner = user_id(settings, COORDINATOR)

    def who(user: uuid.UUID, role: str) -> Principal:
        return Principal(user, uuid.uuid4(), "device", role, "", "", frozenset({COMMUNE_A}), frozenset())

    def route_in(team: list[uuid.UUID]) -> RouteIn:
        return RouteIn(COMMUNE_A, today(), [StopIn(field.village_a)], team)

    async def plan_then_drop(db: AsyncSession) -> tuple[str, int]:
        route = await create_route(db, who(planner, "coordinator"), route_in([a1, a2]))
        seen = await pull(db, who(a2, "volunteer"), 0, 100)
        assert [c.id for c in seen.changes if c.kind == "route"] == [str(route.id)]
        await replace_route(db, who(planner, "coordinator"), route.id, route_in([a1]))
        return str(route.id), int(seen.cursor)

    route_id, cursor = in_db(settings, plan_then_drop)

    async def pulls(db: AsyncSession) -> tuple[list[Any], list[Any]]:
        dropped = await pull(db, who(a2, "volunteer"), cursor, 100)
        kept = await pull(db, who(a1, "volunteer"), cursor, 100)
        return (
            [(c.id, c.server, c.body) for c in dropped.changes if c.kind == "route"],
            [(c.id, c.server) for c in kept.changes if c.kind == "route"],
        )

    dropped, kept = in_db(settings, pulls)
    assert dropped == [(route_id, {"removed": True}, None)]
    assert kept == [(route_id, None)]
