"""The small things that cost a volunteer minutes in the field: a way back from a sign-in that
needs a signal, one sync state that never contradicts itself, a search that clears, notices that
never hide the buttons, and a wipe that never looks like "Huỷ"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import PHONE_VIEWPORT, SCREENSHOTS, watch_errors
from tests.e2e.pwa_phone import (
    PIN,
    Link,
    file_death_registration,
    open_app,
    paper_photos,
    phone_shot,
    register_resident,
    sign_in,
    watch_uploads,
)

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "motcua-demo"
SIGNAL = "Cần có sóng điện thoại/mạng để đăng nhập lại"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    yield context
    context.close()


def _signed_in(context: BrowserContext, url: str, phone: str) -> Page:
    page = context.new_page()
    open_app(page, url, "login")
    sign_in(page, phone, DEMO_PASSWORD)
    return page


def _boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_forgetting_the_pin_offline_leaves_a_way_back_to_the_pin(
    live_server: str, context: BrowserContext
) -> None:
    page = _signed_in(context, live_server, "0901000014")
    errors = watch_errors(page)
    context.set_offline(True)
    page.get_by_role("link", name="Thêm", exact=True).click()
    page.get_by_role("button", name="Khoá ngay").click()
    page.wait_for_selector("body[data-ready=locked]")
    page.get_by_role("button", name="Quên mã PIN? Đăng nhập lại").click()
    page.wait_for_selector("body[data-ready=login]")

    # No signal: the sign-in says it needs one, and a failed try says it again.
    expect(page.get_by_text(SIGNAL)).to_be_visible()
    page.get_by_label("Mật khẩu", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert").filter(has_text="Cần có mạng để đăng nhập")).to_be_visible()
    phone_shot(page, "sign-in-forgot-pin-offline")

    # The PIN still works: back to it, and in.
    page.get_by_role("button", name="Quay lại nhập mã PIN").click()
    page.wait_for_selector("body[data-ready=locked]")
    page.get_by_label("Mã PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Mở khoá").click()
    page.wait_for_selector("body[data-ready=more]")  # where the volunteer was

    # With signal, the sign-in no longer warns about it.
    context.set_offline(False)
    page.get_by_role("button", name="Khoá ngay").click()
    page.get_by_role("button", name="Quên mã PIN? Đăng nhập lại").click()
    page.wait_for_selector("body[data-ready=login]")
    expect(page.get_by_text(SIGNAL)).to_be_hidden()
    expect(page.get_by_role("button", name="Quay lại nhập mã PIN")).to_be_visible()
    assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e] == [], errors


def test_a_pin_locked_out_phone_offers_no_way_around_the_password(
    live_server: str, context: BrowserContext
) -> None:
    page = _signed_in(context, live_server, "0901000012")
    page.get_by_role("link", name="Thêm", exact=True).click()
    page.get_by_role("button", name="Khoá ngay").click()
    page.wait_for_selector("body[data-ready=locked]")
    for left in (4, 3, 2, 1, 0):
        page.get_by_label("Mã PIN", exact=True).fill("9753")
        page.get_by_role("button", name="Mở khoá").click()
        if left:
            expect(page.get_by_role("alert")).to_have_text(f"Sai mã PIN. Còn {left} lần thử.")
    page.wait_for_selector("body[data-ready=login]")
    expect(page.get_by_role("button", name="Quay lại nhập mã PIN")).to_have_count(0)


def _sync_words(page: Page) -> tuple[str, str]:
    """What the top pill and the sync screen's state line say, line breaks as spaces."""
    pill = " ".join(page.locator("#sync-chip").inner_text().split())
    line = " ".join(page.locator(".sync-state").inner_text().split())
    return pill, line


def test_the_pill_and_the_sync_screen_say_one_thing_offline_and_while_photos_go_up(
    live_server: str, context: BrowserContext, tmp_path: Path
) -> None:
    page = _signed_in(context, live_server, "0901000011")
    uploads = watch_uploads(page)
    context.set_offline(True)
    register_resident(page, personal_id="066050004001")
    file_death_registration(page, paper_photos(tmp_path))
    page.get_by_role("link", name="Đồng bộ", exact=True).click()
    page.wait_for_selector("body[data-ready=sync]")

    # Offline: a resident, two consents, a dossier: one person and one dossier, in both places.
    assert _sync_words(page) == (
        "Không có mạng 1 người · 1 hồ sơ chưa gửi",
        "Không có mạng 1 người · 1 hồ sơ chưa gửi",
    )
    expect(page.locator(".sync-progress")).to_be_hidden()
    phone_shot(page, "sync-offline-pending")

    # Signal comes back, weak: the app sends by itself, and both say it is sending.
    link = Link(page)
    link.slow()
    context.set_offline(False)
    for _ in range(1200):
        if uploads:
            break
        page.wait_for_timeout(50)
    assert uploads, "the photos never started to upload"
    expect(page.locator("#sync-chip")).to_have_class("sync-chip sending")
    expect(page.locator(".sync-state")).to_have_class("sync-state sending")
    pill, line = _sync_words(page)
    assert pill == line == "Đang đồng bộ…"
    expect(page.locator(".progress-text")).to_contain_text("Đang gửi ảnh")
    expect(page.locator("main")).not_to_contain_text("Không có mạng")
    phone_shot(page, "sync-sending")

    # The link drops in the middle of the photos: no more "sending" anywhere.
    link.offline()
    expect(page.locator("#sync-chip")).to_have_class("sync-chip offline")
    expect(page.locator(".sync-state")).to_have_class("sync-state offline")
    expect(page.locator(".sync-progress")).to_be_hidden()
    expect(page.locator("main")).not_to_contain_text("Đang gửi ảnh")
    pill, line = _sync_words(page)
    assert pill == line, (pill, line)
    assert pill.startswith("Không có mạng"), pill

    link.fast()
    expect(page.locator("#sync-chip")).to_have_text("✓ Đã gửi hết", timeout=60_000)
    assert _sync_words(page) == ("✓ Đã gửi hết", "✓ Đã gửi hết")
    phone_shot(page, "sync-all-sent")


def test_the_resident_search_clears_and_starts_empty_from_the_tab_bar(
    live_server: str, context: BrowserContext
) -> None:
    page = _signed_in(context, live_server, "0901000013")
    context.set_offline(True)
    register_resident(page, personal_id="066050004002")
    # The notice "saved on the phone" sits under the top bar: never over the tabs or the buttons.
    toast = page.locator(".toast")
    expect(toast).to_have_attribute("role", "status")
    toast_box, tabs_box = toast.bounding_box(), page.locator("#tabs").bounding_box()
    assert toast_box is not None
    assert tabs_box is not None
    assert not _boxes_overlap(toast_box, tabs_box)
    assert toast_box["y"] + toast_box["height"] < PHONE_VIEWPORT["height"] / 2
    page.screenshot(path=str(SCREENSHOTS / "pwa-toast.png"))

    page.get_by_role("link", name="Người dân", exact=True).click()
    page.wait_for_selector("body[data-ready=residents]")
    search = page.get_by_role("searchbox")
    clear = page.get_by_role("button", name="Xoá nội dung tìm")
    expect(clear).to_be_hidden()
    search.fill("4002")  # the last digits of the ID number
    expect(clear).to_be_visible()
    expect(page.locator(".people li")).to_have_count(1)
    phone_shot(page, "residents-search-clear")

    # To the resident and back: the search is kept.
    page.locator(".people a").first.click()
    page.wait_for_selector("body[data-ready=resident]")
    page.get_by_role("link", name="Quay lại").click()
    page.wait_for_selector("body[data-ready=residents]")
    expect(search).to_have_value("4002")

    # × empties it and shows everyone again, the cursor left in the field.
    everyone = page.locator(".people li")
    clear.click()
    expect(search).to_have_value("")
    expect(search).to_be_focused()
    expect(clear).to_be_hidden()
    assert everyone.count() >= 1

    # Opened from the tab bar, the list starts with an empty search.
    search.fill("an")
    page.get_by_role("link", name="Hôm nay", exact=True).click()
    page.wait_for_selector("body[data-ready=today]")
    page.get_by_role("link", name="Người dân", exact=True).click()
    page.wait_for_selector("body[data-ready=residents]")
    expect(search).to_have_value("")
    # Tapping the tab again on the list itself empties it too.
    search.fill("an")
    page.get_by_role("link", name="Người dân", exact=True).click()
    expect(search).to_have_value("")
    # The search index built for the list follows a registration at once (same page, no reload).
    register_resident(page, personal_id="066050004012")
    page.get_by_role("link", name="Người dân", exact=True).click()
    page.wait_for_selector("body[data-ready=residents]")
    search.fill("4012")
    expect(page.locator(".people li")).to_have_count(1)


def test_the_wipe_is_red_last_and_never_has_the_focus(live_server: str, context: BrowserContext) -> None:
    page = _signed_in(context, live_server, "0901000014")
    context.set_offline(True)
    register_resident(page, personal_id="066050004003")
    page.get_by_role("link", name="Thêm", exact=True).click()
    page.wait_for_selector("body[data-ready=more]")
    page.get_by_role("button", name="Đăng xuất").click()
    dialog = page.get_by_role("dialog")
    buttons = dialog.get_by_role("button")
    expect(buttons).to_have_text(["Huỷ", "Đồng bộ", "Vẫn đăng xuất và xoá"])
    expect(buttons.first).to_be_focused()
    wipe = dialog.get_by_role("button", name="Vẫn đăng xuất và xoá")
    cancel = dialog.get_by_role("button", name="Huỷ")
    style = "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
    assert wipe.evaluate(style) == ["rgb(127, 26, 20)", "rgb(255, 255, 255)"]
    assert cancel.evaluate(style) == ["rgb(255, 255, 255)", "rgb(127, 26, 20)"]
    phone_shot(page, "sign-out-danger")
    cancel.click()
    expect(dialog).to_have_count(0)
    page.wait_for_selector("body[data-ready=more]")
