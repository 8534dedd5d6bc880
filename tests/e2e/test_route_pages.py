"""A coordinator plans a route on a phone-sized browser, and a volunteer's phone pulls it."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, watch_errors

pytestmark = pytest.mark.browser


def test_coordinator_plans_a_route_that_reaches_the_volunteer(live_server: str, phone: Page) -> None:
    errors = watch_errors(phone, expected_statuses=frozenset({400}))  # the wrong form answers 400
    phone.goto(f"{live_server}/login?next=/office")
    phone.get_by_label("Số điện thoại").fill("0901000001")
    phone.get_by_label("Mật khẩu").fill("motcua-demo")
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.get_by_role("link", name="Lộ trình").first.click()
    expect(phone.get_by_role("heading", name="Lộ trình Xã Buôn Đôn")).to_be_visible()
    phone.get_by_role("link", name="Tạo lộ trình").click()

    phone.locator("select[name=village_0]").select_option(index=1)
    phone.locator("input[name=meeting_0]").fill("Nhà văn hóa buôn")
    phone.locator("input[name=start_0]").fill("09:00")
    phone.locator("input[name=end_0]").fill("08:00")
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
    expect(phone.locator(".route")).to_have_count(1)
    expect(phone.locator(".route .stops li")).to_have_count(2)
    expect(phone.locator(".route")).to_contain_text("09:00–11:00")
    screenshot(phone, "routes")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == [], errors

    login = httpx.post(
        f"{live_server}/api/auth/login", json={"phone": "0901000011", "password": "motcua-demo"}
    )
    headers = {"authorization": f"Bearer {login.json()['token']}"}
    pulled = httpx.get(f"{live_server}/api/sync/pull", headers=headers).json()["changes"]
    routes = [change for change in pulled if change["kind"] == "route"]
    assert [stop["meeting_point"] for stop in routes[0]["body"]["stops"]] == ["Nhà văn hóa buôn", ""]
