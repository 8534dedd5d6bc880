"""A resident the server refused is fixed on the phone, in a real browser at 360×740 against a real
server: the sync screen and the resident's page offer "Sửa và gửi lại", the registration form opens
prefilled from the refused record with the server's error on its field, and the corrected record
(same id, same revision) is applied; then an applied resident's details are edited (revision 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.conftest import PHONE_VIEWPORT, watch_errors
from tests.e2e.demo_server import OFFLINE, PASSWORD, VOLUNTEER, open_screen, record_id, server_versions
from tests.e2e.pwa_phone import in_user_db, open_app, phone_shot, register_resident, sign_in, sync_now

pytestmark = pytest.mark.browser
LANDLINE = "0212345678"  # 10 digits, not a mobile: the server refuses it (phone.not_mobile)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    yield context
    context.close()


_SET_PHONE = in_user_db(
    """const [id, phone] = arg;
    const record = await db.get("records", id);
    record.envelope.body.phone = phone;
    await db.put("records", record);
    await db.put("residents", { ...(await db.get("residents", id)), phone });"""
)


def test_a_resident_refused_for_a_landline_is_fixed_on_the_phone_and_applied(
    live_server: str, context: BrowserContext
) -> None:
    page = context.new_page()
    errors = watch_errors(page)
    open_app(page, live_server, "login")
    sign_in(page, VOLUNTEER, PASSWORD)
    context.set_offline(True)
    register_resident(page, personal_id="066050001311")
    resident_id = record_id(page, "resident")
    page.evaluate(_SET_PHONE, [resident_id, LANDLINE])
    context.set_offline(False)
    sync_now(page)

    # The sync screen lists it as needing attention, with the way to fix it.
    row = page.locator(f".records li[data-id='{resident_id}']")
    expect(row.locator(".state")).to_have_text("Cần xử lý")
    expect(row.locator(".reason")).to_contain_text("Số điện thoại: Đây không phải số di động")
    fix = row.get_by_role("link", name="Sửa và gửi lại")
    expect(fix).to_be_visible()
    fix.evaluate("link => link.scrollIntoView({block: 'center'})")
    phone_shot(page, "sync-resident-refused")

    # The resident's page says why, field by field, in the form's words.
    open_screen(page, "resident", resident_id, "resident")
    card = page.locator(".card.ask.refused")
    expect(card.locator("h2")).to_have_text("Thông tin người dân cần sửa")
    expect(card.locator(".reasons")).to_contain_text("Số điện thoại: Đây không phải số di động Việt Nam")
    expect(page.get_by_role("link", name="Sửa thông tin")).to_have_count(0)
    phone_shot(page, "resident-refused")

    # From the sync screen: the registration form, prefilled, the server's error on the phone field.
    sync_now(page)
    page.locator(f".records li[data-id='{resident_id}']").get_by_role("link", name="Sửa và gửi lại").click()
    page.wait_for_selector("body[data-ready=register]")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sửa thông tin người dân")
    expect(page.locator(".edit-note")).to_contain_text("Số điện thoại")
    expect(page.get_by_label("Họ và tên", exact=True)).to_have_value("Nguyễn Văn An")
    expect(page.locator("[name=personal_id]")).to_have_value("066050001311")
    phone_field = page.locator("[data-field=phone]")
    expect(phone_field.locator("input")).to_have_value(LANDLINE)
    expect(phone_field.locator(".error")).to_have_text(re.compile("^Đây không phải số di động Việt Nam"))
    expect(page.locator("canvas.signature")).to_have_count(0)
    expect(page.locator("input[name^=consent-]")).to_have_count(0)
    phone_shot(page, "resident-fix-note")
    phone_field.scroll_into_view_if_needed()
    phone_shot(page, "resident-fix-form")

    # Saved unchanged: pointed out, not queued.
    page.get_by_role("button", name="Lưu và gửi lại").click()
    expect(page.locator(".form-problems")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/edit$"))

    phone_field.locator("input").fill("0987 654 321")
    page.get_by_role("button", name="Lưu và gửi lại").click()
    page.wait_for_selector("body[data-ready=resident]")
    expect(page.locator(".card.ask.refused")).to_have_count(0)
    expect(page.locator(".fact", has_text="Số điện thoại").locator("dd")).to_have_text("0987654321")
    expect(page.locator(".state-line .state")).to_have_text("Chờ gửi")

    sync_now(page)
    versions = server_versions(live_server, resident_id)
    assert versions["server_revision"] == 1, "a refused record never became a revision"
    (applied,) = [v for v in versions["versions"] if v["state"] == "applied"]
    assert (applied["revision"], applied["base_revision"]) == (1, None)
    assert applied["body"]["phone"] == "0987654321"
    assert applied["body"]["personal_id"] == "066050001311"
    open_screen(page, "resident", resident_id, "resident")
    expect(page.locator(".state-line")).to_have_count(0)
    expect(page.locator(".consents-given li")).to_have_count(2)
    phone_shot(page, "resident-fixed")

    # Now on the server: a real edit, revision 2 on base 1.
    page.get_by_role("link", name="Sửa thông tin").click()
    page.wait_for_selector("body[data-ready=register]")
    expect(page.locator(".edit-note")).to_have_count(0)
    expect(page.locator("[name=phone]")).to_have_value("0987654321")
    page.get_by_text("Người khuyết tật", exact=True).click()
    page.get_by_role("button", name="Lưu thay đổi").scroll_into_view_if_needed()
    phone_shot(page, "resident-edit-save")
    page.get_by_role("button", name="Lưu thay đổi").click()
    page.wait_for_selector("body[data-ready=resident]")
    sync_now(page)
    versions = server_versions(live_server, resident_id)
    assert versions["server_revision"] == 2
    newest = versions["versions"][-1]
    assert (newest["revision"], newest["base_revision"], newest["state"]) == (2, 1, "applied")
    assert sorted(newest["body"]["needs"]) == ["disability", "elderly"]
    assert [e for e in errors if OFFLINE not in e] == [], errors
