"""A coordinator signs in on a phone-sized browser and adds a village, against a real server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, watch_errors

pytestmark = pytest.mark.browser


def test_coordinator_signs_in_adds_a_village_and_signs_out(live_server: str, phone: Page) -> None:
    errors = watch_errors(phone, expected_statuses=frozenset({401}))  # the failed sign-in answers 401

    phone.goto(f"{live_server}/office")
    expect(phone).to_have_url(f"{live_server}/login?next=/office")
    phone.get_by_label("Số điện thoại").fill("0901000001")
    phone.get_by_label("Mật khẩu").fill("sai-mat-khau")
    phone.get_by_role("button", name="Đăng nhập").click()
    expect(phone.get_by_role("alert")).to_have_text("Số điện thoại hoặc mật khẩu không đúng.")
    screenshot(phone, "login-error")

    phone.get_by_label("Mật khẩu").fill("motcua-demo")
    phone.get_by_role("button", name="Đăng nhập").click()
    expect(phone).to_have_url(f"{live_server}/office")
    expect(phone.get_by_role("heading", name="Xã Buôn Đôn")).to_be_visible()
    expect(phone.locator(".villages li")).to_have_count(5)

    phone.get_by_label("Tên thôn").fill("Buôn Tul")
    phone.get_by_role("button", name="Thêm").click()
    expect(phone.locator(".villages li")).to_have_count(6)
    screenshot(phone, "office")

    phone.get_by_role("link", name="English").click()
    expect(phone.get_by_role("heading", name="My places")).to_be_visible()
    phone.get_by_role("button", name="Sign out").click()
    expect(phone).to_have_url(f"{live_server}/login")
    assert errors == [], errors  # no CSP violation or script error on any page
