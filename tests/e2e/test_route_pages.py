"""A coordinator plans a route on a phone-sized browser and edits one at the office, and the
volunteers' phones pull what changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import screenshot, watch_errors

pytestmark = pytest.mark.browser
OFFICE_VIEWPORT = {"width": 1366, "height": 768}


def _bearer(server: str, phone: str) -> dict[str, str]:
    login = httpx.post(f"{server}/api/auth/login", json={"phone": phone, "password": "motcua-demo"})
    return {"authorization": f"Bearer {login.json()['token']}"}


def _route_changes(
    server: str, headers: dict[str, str], cursor: str = "0"
) -> tuple[list[dict[str, Any]], str]:
    pulled = httpx.get(f"{server}/api/sync/pull", params={"cursor": cursor}, headers=headers).json()
    return [change for change in pulled["changes"] if change["kind"] == "route"], pulled["cursor"]


@pytest.fixture
def office(browser: Browser) -> Iterator[Page]:
    """A laptop at the commune office."""
    context = browser.new_context(viewport=OFFICE_VIEWPORT, locale="vi-VN")
    yield context.new_page()
    context.close()


def test_coordinator_plans_a_route_that_reaches_the_volunteer(live_server: str, phone: Page) -> None:
    errors = watch_errors(phone, expected_statuses=frozenset({400}))  # the wrong form answers 400
    phone.goto(f"{live_server}/login?next=/office")
    phone.get_by_label("Số điện thoại").fill("0901000001")
    phone.get_by_label("Mật khẩu").fill("motcua-demo")
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.get_by_role("link", name="Lộ trình").first.click()
    expect(phone.get_by_role("heading", name="Lộ trình Xã Buôn Đôn")).to_be_visible()
    planned_before = phone.locator(".route").count()  # other tests on this server plan routes too
    phone.get_by_role("link", name="Tạo lộ trình").click()

    phone.locator("select[name=village_0]").select_option(index=1)
    phone.locator("input[name=meeting_0]").fill("Nhà văn hóa buôn")
    phone.locator("input[name=start_0]").fill("09:00")
    phone.locator("input[name=end_0]").fill("08:00")
    expect(phone.locator("select[name=village_1]")).to_have_count(0)  # one empty block, not eight
    phone.get_by_role("button", name="Thêm điểm dừng").click()  # no script: the form comes back
    expect(phone.locator("input[name=meeting_0]")).to_have_value("Nhà văn hóa buôn")
    phone.locator("select[name=village_1]").select_option(index=2)
    phone.get_by_label("H’Hen Niê").check()
    phone.get_by_label("Y Sol Ksor").check()
    screenshot(phone, "route-new")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    phone.get_by_role("button", name="Lưu lộ trình").click()
    expect(phone.get_by_role("alert")).to_contain_text("Điểm dừng 1: giờ kết thúc phải sau giờ bắt đầu.")
    expect(phone.get_by_label("H’Hen Niê")).to_be_checked()

    phone.locator("input[name=end_0]").fill("11:00")
    phone.get_by_role("button", name="Lưu lộ trình").click()
    expect(phone.locator(".route")).to_have_count(planned_before + 1)
    planned = phone.locator(".route").filter(has_text="09:00–11:00")
    expect(planned).to_have_count(1)
    expect(planned.locator(".stops li")).to_have_count(2)
    screenshot(phone, "routes")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == [], errors

    pulled = httpx.get(f"{live_server}/api/sync/pull", headers=_bearer(live_server, "0901000011")).json()
    routes = [change for change in pulled["changes"] if change["kind"] == "route"]
    meeting_points = [[stop["meeting_point"] for stop in r["body"]["stops"]] for r in routes if r.get("body")]
    assert ["Nhà văn hóa buôn", ""] in meeting_points


def test_coordinator_edits_a_route_at_the_office(live_server: str, office: Page) -> None:
    errors = watch_errors(office)
    coordinator = _bearer(live_server, "0901000001")
    commune = httpx.get(f"{live_server}/api/places/communes/24235", headers=coordinator).json()
    first, second, third = (village["id"] for village in commune["villages"][:3])
    hen, sol = _bearer(live_server, "0901000011"), _bearer(live_server, "0901000013")
    hen_id = httpx.get(f"{live_server}/api/me", headers=hen).json()["id"]
    sol_id = httpx.get(f"{live_server}/api/me", headers=sol).json()["id"]
    day = date.today() + timedelta(days=5)
    planned = httpx.post(
        f"{live_server}/api/routes",
        json={
            "commune_code": 24235,
            "day": day.isoformat(),
            "note": "Đi sớm",
            "stops": [
                {"village_id": first, "meeting_point": "Nhà văn hóa", "starts_at": "07:30:00"},
                {"village_id": second, "meeting_point": "Chợ"},
            ],
            "team": [hen_id, sol_id],
        },
        headers=coordinator,
    )
    assert planned.status_code == 201, planned.text
    route_id = planned.json()["id"]
    _, hen_cursor = _route_changes(live_server, hen)
    _, sol_cursor = _route_changes(live_server, sol)

    office.goto(f"{live_server}/login?next=/office/routes")
    office.get_by_label("Số điện thoại").fill("0901000001")
    office.get_by_label("Mật khẩu").fill("motcua-demo")
    office.get_by_role("button", name="Đăng nhập").click()
    card = office.locator(f'.route[data-route="{route_id}"]')
    card.get_by_role("link", name="Sửa lộ trình").click()
    expect(office.get_by_role("heading", name=f"Sửa lộ trình ngày {day:%d/%m/%Y}")).to_be_visible()
    expect(office.locator("fieldset.stop")).to_have_count(3)  # its two stops and one empty block
    expect(office.locator("input[name=meeting_0]")).to_have_value("Nhà văn hóa")
    expect(office.locator("input[name=start_0]")).to_have_value("07:30")

    # The other way round, one stop more, a day later, without Y Sol Ksor.
    office.locator("select[name=village_0]").select_option(second)
    office.locator("input[name=meeting_0]").fill("Chợ")
    office.locator("input[name=start_0]").fill("08:00")
    office.locator("select[name=village_1]").select_option(first)
    office.locator("input[name=meeting_1]").fill("Nhà văn hóa")
    office.locator("select[name=village_2]").select_option(third)
    office.locator("input[name=meeting_2]").fill("Trường tiểu học")
    office.get_by_role("button", name="Thêm điểm dừng").click()
    expect(office.locator("fieldset.stop")).to_have_count(4)
    expect(office.locator("input[name=meeting_2]")).to_have_value("Trường tiểu học")
    office.locator("input[name=day]").fill((day + timedelta(days=1)).isoformat())
    office.locator("textarea[name=note]").fill("Mang máy in nhiệt")
    office.get_by_label("Y Sol Ksor").uncheck()
    expect(office.get_by_label("H’Hen Niê")).to_be_checked()
    screenshot(office, "route-edit")
    assert office.evaluate("document.documentElement.scrollWidth") <= 1366
    office.get_by_role("button", name="Lưu lộ trình").click()

    card = office.locator(f'.route[data-route="{route_id}"]')
    expect(card.locator(".stops li")).to_have_count(3)
    expect(card.locator(".stops li").first).to_contain_text("Chợ")
    expect(card).to_contain_text("Mang máy in nhiệt")
    expect(card).not_to_contain_text("Y Sol Ksor")
    screenshot(office, "routes-after-edit")
    assert errors == [], errors

    updated, _ = _route_changes(live_server, hen, hen_cursor)
    assert [change["id"] for change in updated] == [route_id]
    assert updated[0]["body"]["day"] == (day + timedelta(days=1)).isoformat()
    assert [stop["meeting_point"] for stop in updated[0]["body"]["stops"]] == [
        "Chợ",
        "Nhà văn hóa",
        "Trường tiểu học",
    ]
    removed, _ = _route_changes(live_server, sol, sol_cursor)
    assert [(change["id"], change["server"]) for change in removed] == [(route_id, {"removed": True})]
