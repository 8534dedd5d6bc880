"""The calendar's error and the error page on the office's 1366×768 screen, in one language at a
time, switched with the top bar's link (tests/test_one_language.py checks every page without a
browser)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import screenshot, watch_errors

pytestmark = pytest.mark.browser


@pytest.fixture
def office_screen(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    yield context.new_page()
    context.close()


def _bad_desk_hours(page: Page, save: str) -> None:
    page.locator("input[name=mon]").fill("sáng sớm")
    page.get_by_role("button", name=save, exact=True).first.click()


def test_errors_are_said_in_the_chosen_language_only(live_server: str, office_screen: Page) -> None:
    page = office_screen
    errors = watch_errors(page, expected_statuses=frozenset({400, 404}))
    page.goto(f"{live_server}/login?next=/office/calendar")
    page.get_by_label("Số điện thoại").fill("0901000001")
    page.get_by_label("Mật khẩu").fill("motcua-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Lịch làm việc")).to_be_visible()

    _bad_desk_hours(page, "Lưu")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Giờ làm việc chưa đúng")
    expect(alert).not_to_contain_text("Desk hours")
    screenshot(page, "calendar-error-vi-1366")

    missing = f"{live_server}/desk/dossiers/{uuid4()}"
    page.goto(missing)
    expect(page.get_by_role("alert")).to_have_text("Không tìm thấy hồ sơ.")
    screenshot(page, "error-vi-1366")

    # The switch comes back to the same address, now in English.
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(missing)
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    expect(page.get_by_role("alert")).not_to_contain_text("Không")
    screenshot(page, "error-en-1366")

    page.get_by_role("link", name="Working calendar").click()
    _bad_desk_hours(page, "Save")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Desk hours must read like")
    expect(alert).not_to_contain_text("Giờ")
    screenshot(page, "calendar-error-en-1366")

    # Answering the form, the switch goes back to the calendar, not to the form's address.
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Lịch làm việc")).to_be_visible()
    assert errors == [], errors
