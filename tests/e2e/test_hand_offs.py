"""The whole loop, volunteer → desk → resident → volunteer again → desk → resident, in real
Chromium at phone size against a real server: every hand-off tells the next person what to do.

A dossier written with no signal shows its QR code at once; the desk accepts it and asks for a
clearer photo; the volunteer finds the officer's note in "Việc cần làm" with no network, adds
the photo, the resident signs again; back online the supplement reaches the desk, which goes
on, and the resident's status page (opened from the QR code) shows the promised day, then the
hand-over and the rating faces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.conftest import PHONE_VIEWPORT, watch_errors
from tests.e2e.demo_server import (
    OFFICER,
    OFFLINE,
    PASSWORD,
    VOLUNTEER,
    desk_move,
    record_id,
    server_versions,
    session,
)
from tests.e2e.pwa_phone import (
    draw_signature,
    file_death_registration,
    open_app,
    paper_photos,
    phone_shot,
    register_resident,
    sign_in,
    sync_now,
)
from tests.e2e.test_pwa_supplement import _qr_text

pytestmark = pytest.mark.browser
NOTE = "Ảnh giấy báo tử bị lóa, chụp lại giúp cháu"
PROMISED_DAY = re.compile(r"^(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ Nhật), \d{2}/\d{2}/\d{4}$")


@pytest.fixture
def volunteer(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    yield context
    context.close()


@pytest.fixture
def resident(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    yield context
    context.close()


def _inbox_item(url: str, code: str) -> dict[str, object]:
    answer = httpx.get(f"{url}/api/desk/dossiers", params={"q": code}, headers=session(url, OFFICER))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    items = body["items"] if isinstance(body, dict) else body
    (item,) = [i for i in items if i["tracking_code"] == code]
    return item


def test_every_hand_off_from_the_offline_receipt_to_the_rating(
    live_server: str,
    volunteer: BrowserContext,
    resident: BrowserContext,
    tmp_path: Path,
) -> None:
    photos = paper_photos(tmp_path, count=4)
    page = volunteer.new_page()
    errors = watch_errors(page)
    open_app(page, live_server, "login")
    sign_in(page, VOLUNTEER, PASSWORD)

    # No signal in the village: the receipt's QR code is there at once.
    volunteer.set_offline(True)
    register_resident(page, personal_id="066050001321")
    code = file_death_registration(page, photos[:3])
    dossier_id = record_id(page, "dossier")
    link = _qr_text(page)
    assert link.startswith(f"{live_server}/ho-so/{code}?k=")
    volunteer.set_offline(False)
    sync_now(page)

    # The desk accepts it, then asks for a clearer photo of one paper.
    desk_move(live_server, dossier_id, "accepted")
    desk_move(live_server, dossier_id, "needs_supplement", reason=NOTE)
    status = resident.new_page()
    status_errors = watch_errors(status)
    status.goto(link)
    expect(status.locator(".crumbs .code")).to_have_text(code)
    expect(status.locator(".said")).to_have_text(NOTE)

    # The volunteer's phone learns it on the next sync and keeps it for the day without signal.
    sync_now(page)
    volunteer.set_offline(True)
    page.goto(page.url.split("#")[0] + "#/tasks")
    page.wait_for_selector("body[data-ready=tasks]")
    task = page.locator("li.task.supplement")
    expect(task).to_contain_text(f"Bổ sung hồ sơ {code}")
    expect(task).to_contain_text(NOTE)
    phone_shot(page, "hand-off-task")
    task.locator("a").first.click()
    page.wait_for_selector("body[data-ready=receipt]")
    expect(page.locator(".ask-note")).to_have_text(NOTE)
    page.get_by_role("link", name="Bổ sung hồ sơ").click()
    page.wait_for_selector("body[data-ready=dossier]")
    expect(page.locator(".edit-note")).to_contain_text(NOTE)
    paper = page.locator("[data-paper=giay-bao-tu]")
    before = paper.locator(".thumb img").count()
    paper.locator("input[type=file]").set_input_files(photos[3])
    expect(paper.locator(".thumb img")).to_have_count(before + 1)
    page.get_by_role("button", name="Tiếp tục").click()
    draw_signature(page, wiggle=4)
    page.get_by_role("button", name="Lưu phần bổ sung").click()
    page.wait_for_selector("body[data-ready=receipt]")

    # Done on the phone: the task is gone although nothing has been sent yet.
    page.goto(page.url.split("#")[0] + "#/tasks")
    page.wait_for_selector("body[data-ready=tasks]")
    expect(page.locator("li.task.supplement")).to_have_count(0)
    assert server_versions(live_server, dossier_id)["server_revision"] == 1

    # Back in signal: the supplement reaches the desk, which sees it arrived and goes on.
    volunteer.set_offline(False)
    sync_now(page)
    assert server_versions(live_server, dossier_id)["server_revision"] == 2
    item = _inbox_item(live_server, code)
    assert item["supplemented"] is True
    assert item["supplemented_at"] is not None
    desk_move(live_server, dossier_id, "in_progress")

    # The resident's page: the promised day, counted again from the complete supplement.
    status.reload()
    expect(status.locator(".promised .day")).to_have_text(PROMISED_DAY)
    expect(status.locator(".said")).to_have_count(0)  # nothing more to bring

    desk_move(live_server, dossier_id, "ready")
    desk_move(live_server, dossier_id, "delivered", confirm=True)
    status.reload()
    expect(status.locator(".promised .day")).to_have_text(PROMISED_DAY)
    expect(status.locator("#thong-bao")).to_have_count(0)
    expect(status.locator(".score .face")).to_have_count(3)
    status.get_by_text("Hài lòng", exact=True).click()
    status.get_by_role("button", name="Gửi đánh giá").click()
    expect(status.get_by_role("status")).to_contain_text("đã đánh giá: Hài lòng.")
    phone_shot(status, "hand-off-rated")

    # And the phone shows the dossier handed over, with no task left for it.
    sync_now(page)
    page.goto(page.url.split("#")[0] + f"#/dossier/{dossier_id}")
    page.wait_for_selector("body[data-ready=receipt]")
    expect(page.locator(".facts-list")).to_contain_text("Đã trả kết quả")
    page.goto(page.url.split("#")[0] + "#/tasks")
    page.wait_for_selector("body[data-ready=tasks]")
    expect(page.locator(f"li.task:has-text('{code}')")).to_have_count(0)
    assert [e for e in errors if OFFLINE not in e] == [], errors
    assert status_errors == [], status_errors
