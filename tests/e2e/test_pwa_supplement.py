"""The phone's half of a supplement, in a real browser at 360×740 against a real server: the commune
desk asks for more papers with a note, the volunteer sees it offline, adds a photo, the resident
signs again, and the dossier's next revision reaches the desk; a refused dossier is fixed and sent
again; a new dossier's receipt carries a QR code at once, offline, that opens the status page.

The desk's moves go through its API with an officer's session (tests/e2e/test_desk_pages.py
drives the same moves through its pages).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect

from tests.e2e.conftest import PHONE_VIEWPORT, watch_errors
from tests.e2e.demo_server import (
    OFFLINE,
    PASSWORD,
    VOLUNTEER,
    desk_move,
    open_screen,
    record_id,
    server_versions,
)
from tests.e2e.pwa_phone import (
    draw_signature,
    file_death_registration,
    in_user_db,
    open_app,
    paper_photos,
    phone_shot,
    register_resident,
    sign_in,
    sync_now,
    wait_until,
)

pytestmark = pytest.mark.browser
NOTE = "Ảnh mặt sau căn cước bị mờ, chụp lại giúp"


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return paper_photos(tmp_path_factory.mktemp("photos"), count=4)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    yield context
    context.close()


def _qr_text(page: Page) -> str:
    """What a scanner reads from the receipt's QR code as the screen shows it."""
    image = Image.open(io.BytesIO(page.locator(".qr img").screenshot()))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, found
    return found[0].text


def _uploads(page: Page) -> list[str]:
    uploads: list[str] = []

    def seen(request: Request) -> None:
        if "/api/attachments/" in request.url and request.method == "PUT":
            uploads.append(request.url.rsplit("/", 1)[1])

    page.on("request", seen)
    return uploads


def test_the_desk_asks_for_a_photo_and_the_phone_adds_it_offline(
    live_server: str, context: BrowserContext, photos: list[Path]
) -> None:
    page = context.new_page()
    errors = watch_errors(page)
    open_app(page, live_server, "login")
    sign_in(page, VOLUNTEER, PASSWORD)
    register_resident(page, personal_id="066050001301")
    file_death_registration(page, photos[:3])
    dossier_id = record_id(page, "dossier")
    sync_now(page)

    # The desk accepts it: the phone shows the real deadline, a day of the week and a date.
    desk_move(live_server, dossier_id, "accepted", portal_code="H66.24235-0101")
    sync_now(page)
    open_screen(page, "dossier", dossier_id, "receipt")
    expect(page.locator(".facts-list")).to_contain_text("Đã tiếp nhận")
    deadline = page.locator(".fact", has_text="Hạn trả kết quả").locator("dd")
    expect(deadline).to_have_text(re.compile(r"^(Thứ [^,]+|Chủ Nhật), \d{2}/\d{2}/\d{4}$", re.IGNORECASE))

    # It asks for more, with a note; the phone syncs, then works with no network at all.
    desk_move(live_server, dossier_id, "needs_supplement", reason=NOTE)
    sync_now(page)
    context.set_offline(True)
    open_screen(page, "dossier", dossier_id, "receipt")
    expect(page.locator(".card.ask h2")).to_have_text("Xã yêu cầu bổ sung")
    expect(page.locator(".ask-note")).to_have_text(NOTE)
    expect(page.locator(".card.ask .hint")).to_contain_text(re.compile(r"Ngày yêu cầu: \d{2}/\d{2}/\d{4}"))
    expect(page.locator(".facts-list")).to_contain_text("Cần bổ sung")
    expect(deadline).to_have_text("Tính lại từ khi hồ sơ đủ giấy tờ")
    phone_shot(page, "receipt-supplement")
    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    expect(page.locator(".dossiers .ask-line")).to_have_text(NOTE)
    phone_shot(page, "dossiers-supplement")
    page.locator(".dossiers a").first.click()
    page.wait_for_selector("body[data-ready=receipt]")

    # The wizard opens on the papers, the note on every step, the photos already sent in place.
    page.get_by_role("link", name="Bổ sung hồ sơ").click()
    page.wait_for_selector("body[data-ready=dossier]")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chụp giấy tờ")
    expect(page.locator(".edit-note")).to_contain_text(NOTE)
    expect(page.locator("[data-paper=can-cuoc] .thumb img")).to_have_count(2)
    phone_shot(page, "supplement-papers-note")
    page.locator("[data-paper=can-cuoc] input[type=file]").set_input_files(photos[3])
    expect(page.locator("[data-paper=can-cuoc] .thumb img")).to_have_count(3)
    page.locator("[data-paper=can-cuoc]").scroll_into_view_if_needed()
    phone_shot(page, "supplement-papers")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Người dân xem lại và ký")
    expect(page.locator(".edit-note")).to_contain_text(NOTE)
    phone_shot(page, "supplement-review")
    # The resident signs the supplement: the old signature is not enough.
    page.get_by_role("button", name="Lưu phần bổ sung").click()
    expect(page.get_by_text("Cần chữ ký hoặc ảnh vân tay của người dân.")).to_be_visible()
    draw_signature(page, wiggle=3)
    phone_shot(page, "supplement-signed")
    page.get_by_role("button", name="Lưu phần bổ sung").click()
    page.wait_for_selector("body[data-ready=receipt]")
    expect(page.locator(".ask-done")).to_have_text("Đã lưu phần bổ sung trên máy — sẽ tự gửi khi có mạng.")
    expect(page.get_by_role("link", name="Bổ sung thêm")).to_be_visible()
    phone_shot(page, "receipt-supplement-saved")
    assert server_versions(live_server, dossier_id)["server_revision"] == 1, "offline means offline"

    # Back online: revision 2 reaches the server; only the new photo and signature travel.
    uploads = _uploads(page)
    context.set_offline(False)
    sync_now(page)
    versions = server_versions(live_server, dossier_id)
    assert versions["server_revision"] == 2
    newest = versions["versions"][-1]
    assert (newest["revision"], newest["base_revision"], newest["state"]) == (2, 1, "applied")
    papers = {paper["paper_id"]: paper["photos"] for paper in newest["body"]["papers"]}
    first = versions["versions"][0]["body"]
    assert len(papers["can-cuoc"]) == 3
    assert newest["body"]["tracking_code"] == first["tracking_code"]
    assert newest["body"]["receipt_secret_hash"] == first["receipt_secret_hash"]
    assert newest["body"]["signature_sha256"] != first["signature_sha256"]
    assert sorted(set(uploads)) == sorted([papers["can-cuoc"][2], newest["body"]["signature_sha256"]])

    # The desk knows the supplement arrived, and so does the phone.
    open_screen(page, "dossier", dossier_id, "receipt")
    expect(page.locator(".ask-done")).to_contain_text(re.compile(r"Đã gửi bổ sung ngày \d{2}/\d{2}/\d{4}\."))
    expect(page.locator(".ask-done")).to_contain_text("tính lại từ khi hồ sơ đủ giấy tờ")
    phone_shot(page, "receipt-supplement-sent")
    assert [e for e in errors if OFFLINE not in e] == [], errors


def test_a_new_dossier_offline_shows_a_qr_code_that_opens_its_status_page_after_sync(
    live_server: str, context: BrowserContext, browser: Browser, photos: list[Path]
) -> None:
    page = context.new_page()
    errors = watch_errors(page)
    open_app(page, live_server, "login")
    sign_in(page, VOLUNTEER, PASSWORD)
    context.set_offline(True)
    register_resident(page, personal_id="066050001302")
    code = file_death_registration(page, photos[:3])
    expect(page.locator(".qr img")).to_be_visible()
    expect(page.locator(".qr-later")).to_have_text("Mã QR dùng được sau khi máy đã đồng bộ.")
    link = _qr_text(page)
    assert re.fullmatch(rf"{re.escape(live_server)}/ho-so/{re.escape(code)}\?k=[\w-]+", link), link
    expect(page.locator(".lookup .url")).to_have_text(link)
    phone_shot(page, "receipt-offline-qr")

    # Printing and sharing need no network either.
    page.emulate_media(media="print")
    expect(page.locator(".qr img")).to_be_visible()
    expect(page.locator(".qr-later")).to_be_hidden()
    phone_shot(page, "receipt-offline-print")
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Chia sẻ").click()
    expect(page.locator(".toast")).to_have_text("Đã chép đường dẫn.")
    assert link in page.evaluate("navigator.clipboard.readText()")

    # The next resident: the residents list, to pick one or register a new one.
    page.get_by_role("link", name="Người dân tiếp theo").click()
    page.wait_for_selector("body[data-ready=residents]")

    context.set_offline(False)
    sync_now(page)
    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    page.locator(".dossiers a").first.click()
    page.wait_for_selector("body[data-ready=receipt]")
    expect(page.locator(".qr-later")).to_have_count(0)
    assert _qr_text(page) == link, "the same code before and after the sync"

    resident = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    try:
        status = resident.new_page()
        status.goto(link)
        expect(status.locator(".crumbs .code")).to_have_text(code)
        expect(status.get_by_role("heading", level=1)).to_contain_text("Đăng ký khai tử")
    finally:
        resident.close()
    assert [e for e in errors if OFFLINE not in e] == [], errors


_DROP_DEATH_CAUSE = in_user_db(
    """const record = await db.get("records", arg);
    delete record.envelope.body.form.death_cause;
    await db.put("records", record);"""
)


def test_a_refused_dossier_is_fixed_and_sent_again(
    live_server: str, context: BrowserContext, photos: list[Path]
) -> None:
    page = context.new_page()
    errors = watch_errors(page)
    open_app(page, live_server, "login")
    sign_in(page, VOLUNTEER, PASSWORD)
    context.set_offline(True)
    register_resident(page, personal_id="066050001303")
    code = file_death_registration(page, photos[:3])
    dossier_id = record_id(page, "dossier")
    # A dossier the server refuses (as an older app could have written it): a required answer gone.
    page.evaluate(_DROP_DEATH_CAUSE, dossier_id)
    context.set_offline(False)
    sync_now(page)
    open_screen(page, "dossier", dossier_id, "receipt")
    expect(page.locator(".card.ask.refused h2")).to_have_text("Hồ sơ cần sửa")
    expect(page.locator(".card.ask.refused .reasons")).to_contain_text("Nguyên nhân mất")
    phone_shot(page, "receipt-refused")

    page.get_by_role("link", name="Sửa và gửi lại").click()
    page.wait_for_selector("body[data-ready=dossier]")
    expect(page.get_by_role("heading", level=1)).to_have_text("Điền tờ khai")
    expect(page.locator(".edit-note")).to_contain_text("Nguyên nhân mất")
    phone_shot(page, "refused-form-note")
    problem = page.locator("[data-field=death_cause] .error")
    expect(problem).to_be_visible()
    page.locator("[data-field=death_cause]").scroll_into_view_if_needed()
    phone_shot(page, "refused-form")
    page.get_by_label("Nguyên nhân mất", exact=True).fill("Già yếu")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chụp giấy tờ")
    expect(page.locator("[data-paper=can-cuoc] .thumb img")).to_have_count(2)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Người dân xem lại và ký")
    draw_signature(page, wiggle=5)
    page.get_by_role("button", name="Lưu và gửi lại").click()
    page.wait_for_selector("body[data-ready=receipt]")
    expect(page.locator(".card.ask")).to_have_count(0)
    expect(page.locator(".tracking-code")).to_have_text(code)

    sync_now(page)
    versions = server_versions(live_server, dossier_id)
    assert versions["server_revision"] == 1
    (applied,) = [v for v in versions["versions"] if v["state"] == "applied"]
    assert applied["body"]["form"]["death_cause"] == "Già yếu"
    open_screen(page, "dossier", dossier_id, "receipt")
    wait_until(page, "document.querySelector('.facts-list')?.textContent.includes('Chờ tiếp nhận')")
    expect(page.locator(".state-line .state")).to_have_text("Đã lên máy chủ")
    phone_shot(page, "receipt-refused-fixed")
    assert [e for e in errors if OFFLINE not in e] == [], errors
