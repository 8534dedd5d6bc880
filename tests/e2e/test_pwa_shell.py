"""The PWA as an installed app on a shared phone: installable and offline from the first visit,
locked after idle time, in two languages, updated without losing the queue, its unsent records
carried to another phone by file, and wiped on sign-out."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from motcua.resources import resource_dir
from tests.e2e.conftest import PHONE_VIEWPORT, watch_errors
from tests.e2e.pwa_phone import (
    PIN,
    open_app,
    phone_shot,
    register_resident,
    sign_in,
    sync_now,
    unlock,
    wait_until,
)

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "motcua-demo"
FILE_PASS = "lúa chín vàng 2026"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", accept_downloads=True)
    yield context
    context.close()


def test_the_app_is_installable_and_opens_offline_after_the_first_visit(
    live_server: str, context: BrowserContext
) -> None:
    page = context.new_page()
    errors = watch_errors(page)
    open_app(page, live_server, "login")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    wait_until(page, "navigator.serviceWorker.controller !== null")
    # Chromium's own verdict: the manifest, icons and worker make the app installable.
    session = context.new_cdp_session(page)
    problems = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [p["errorId"] for p in problems if p["errorId"] != "in-incognito"] == []  # test profiles are
    manifest = session.send("Page.getAppManifest")
    assert manifest["errors"] == []
    session.detach()
    version = page.evaluate(
        "fetch('/sw.js').then(r => r.text()).then(t => t.match(/const VERSION = \"(\\w+)\"/)[1])"
    )
    assert page.evaluate("caches.keys()") == [f"motcua-shell-{version}"]
    cached = page.evaluate(
        "caches.open('motcua-shell-' + " + json.dumps(version) + ").then(c => c.keys()).then(k => k.length)"
    )
    assert cached >= 30  # the whole app, screens and icons included

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready=login]")
    page.get_by_label("Số điện thoại", exact=True).fill("0901000014")
    page.get_by_label("Mật khẩu", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Cần có mạng để đăng nhập. Hãy thử lại khi có sóng.")
    phone_shot(page, "sign-in-offline")
    assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e] == [], errors


def test_the_app_locks_when_idle_and_only_the_pin_opens_it(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    errors = watch_errors(page)
    page.clock.install()
    open_app(page, live_server, "login")
    sign_in(page, "0901000014", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Hôm nay", exact=True)).to_be_visible()

    page.clock.fast_forward("06:00")  # six idle minutes
    page.wait_for_selector("body[data-ready=locked]")
    expect(page.get_by_role("heading", name="Ứng dụng đã khoá")).to_be_visible()
    expect(page.locator("#tabs")).to_be_hidden()
    expect(page.locator("main").get_by_text("Hôm nay", exact=True)).to_have_count(
        0
    )  # nothing of the app behind it
    page.get_by_label("Mã PIN", exact=True).fill("1111")
    page.get_by_role("button", name="Mở khoá").click()
    expect(page.get_by_role("alert")).to_have_text("Sai mã PIN. Còn 4 lần thử.")
    phone_shot(page, "lock")
    page.get_by_label("Mã PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Mở khoá").click()
    page.wait_for_selector("body[data-ready=today]")

    # "Khoá ngay", then closing the app: it opens locked.
    page.get_by_role("link", name="Thêm", exact=True).click()
    page.wait_for_selector("body[data-ready=more]")
    phone_shot(page, "more")
    page.get_by_role("button", name="Khoá ngay").click()
    page.wait_for_selector("body[data-ready=locked]")
    page.close()
    page = context.new_page()
    errors += watch_errors(page)
    open_app(page, live_server, "locked")
    page.get_by_label("Mã PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Mở khoá").click()
    page.wait_for_selector("body[data-ready=today]")
    assert errors == [], errors


def test_english_is_one_tap_away(live_server: str, context: BrowserContext) -> None:
    page = context.new_page()
    open_app(page, live_server, "login")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in_en = page.get_by_label("Phone number", exact=True)
    sign_in_en.fill("0901000012")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("body[data-ready=pin]")
    page.get_by_label("PIN (4–8 digits)").fill(PIN)
    page.get_by_label("Repeat the PIN").fill(PIN)
    page.get_by_role("button", name="Save PIN").click()
    page.wait_for_selector("body[data-ready=today]")
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.locator("#tabs")).to_contain_text("Residents")
    phone_shot(page, "today-english")
    page.get_by_role("link", name="More", exact=True).click()
    page.get_by_text("Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Thêm")).to_be_visible()


def test_a_new_version_waits_for_the_volunteer_and_keeps_the_queue(
    live_server: str, context: BrowserContext
) -> None:
    page = context.new_page()
    open_app(page, live_server, "login")
    sign_in(page, "0901000013", DEMO_PASSWORD)
    context.set_offline(True)
    register_resident(page, personal_id="066050002001")
    context.route("**/api/**", lambda route: route.abort("internetdisconnected"))  # nothing leaves
    context.set_offline(False)  # but the new version can arrive
    old = page.evaluate("caches.keys()")

    probe = resource_dir("pwa") / "update-probe.txt"  # any change to the shell is a new version
    probe.write_text(f"{time.time()}\n", "utf-8")
    try:
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        banner = page.get_by_role("button", name="Có phiên bản mới — tải lại")
        expect(banner).to_be_visible(timeout=30_000)
        phone_shot(page, "update-ready")
        with page.expect_navigation():  # the new worker takes over, the page reloads
            banner.click()
        unlock(page, "resident")  # the reload asks for the PIN and keeps the screen
        wait_until(page, "caches.keys().then(k => k.length === 1)")  # the old cache is gone
        assert page.evaluate("caches.keys()") != old
    finally:
        probe.unlink()
    page.get_by_role("link", name="Đồng bộ", exact=True).click()
    expect(page.locator(".records li")).to_have_count(3)  # the resident and two consents, still queued


def _signed_in_phone(context: BrowserContext, url: str, phone: str) -> Page:
    page = context.new_page()
    open_app(page, url, "login")
    sign_in(page, phone, DEMO_PASSWORD)
    return page


def test_unsent_records_move_to_another_phone_by_file(
    live_server: str, browser: Browser, tmp_path: Path
) -> None:
    first = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN", accept_downloads=True)
    second = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    try:
        page = _signed_in_phone(first, live_server, "0901000013")
        first.set_offline(True)
        register_resident(page, personal_id="066050002002")
        page.get_by_role("link", name="Đồng bộ", exact=True).click()
        page.wait_for_selector("body[data-ready=sync]")
        page.get_by_role("button", name="Xuất tệp (3 bản ghi)").click()  # no passphrase: no file
        expect(page.locator(".toast").filter(has_text="ít nhất 8 ký tự")).to_be_visible()
        page.get_by_label("Mật khẩu của tệp (ít nhất 8 ký tự)").fill(FILE_PASS)
        with page.expect_download() as download:
            page.get_by_role("button", name="Xuất tệp (3 bản ghi)").click()
        exported = tmp_path / download.value.suggested_filename
        download.value.save_as(exported)
        sealed = exported.read_text("utf-8")
        assert json.loads(sealed)["format"] == "motcua-sealed"
        assert "066050002002" not in sealed, "the file is encrypted"
        assert "Nguy" not in sealed
        data = json.loads(
            page.evaluate(
                "([file, pass]) => import('/app/js/vault.js').then(v => v.openText(file, pass))",
                [sealed, FILE_PASS],
            )
        )
        assert data["format"] == "motcua-queue"
        assert [r["kind"] for r in data["records"]] == ["resident", "consent", "consent"]
        assert len(data["blobs"]) == 1  # the signature both consents name
        phone_shot(page, "sync-export")

        other = _signed_in_phone(second, live_server, "0901000012")
        other.get_by_role("link", name="Đồng bộ", exact=True).click()
        other.wait_for_selector("body[data-ready=sync]")
        other.get_by_label("Mật khẩu của tệp (ít nhất 8 ký tự)").fill("sai mật khẩu")
        other.locator("#import-file").set_input_files(exported)
        expect(other.locator(".toast").filter(has_text="sai mật khẩu của tệp")).to_be_visible()
        other.get_by_label("Mật khẩu của tệp (ít nhất 8 ký tự)").fill(FILE_PASS)
        other.locator("#import-file").set_input_files(exported)
        expect(other.get_by_role("status").filter(has_text="Đã nhập 3 bản ghi mới.")).to_be_visible()
        sync_now(other)
        expect(other.locator(".sync-chip")).to_have_text("✓ Đã gửi hết", timeout=30_000)
        token = httpx.post(
            f"{live_server}/api/auth/login", json={"phone": "0901000012", "password": DEMO_PASSWORD}
        ).json()["token"]
        held = httpx.post(
            f"{live_server}/api/sync/holdings",
            json={"ids": [r["id"] for r in data["records"]]},
            headers={"authorization": f"Bearer {token}"},
        ).json()
        assert held["missing"] == []
    finally:
        first.close()
        second.close()


def test_signing_out_warns_about_unsent_records_and_wipes_the_phone(
    live_server: str, context: BrowserContext
) -> None:
    page = _signed_in_phone(context, live_server, "0901000011")
    context.set_offline(True)
    register_resident(page, personal_id="066050002003")
    page.get_by_role("link", name="Thêm", exact=True).click()
    page.get_by_role("button", name="Đăng xuất").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Còn 3 bản ghi chưa gửi xong lên máy chủ")
    phone_shot(page, "sign-out-warning")
    dialog.get_by_role("button", name="Vẫn đăng xuất và xoá").click()
    page.wait_for_selector("body[data-ready=login]")
    names = page.evaluate("indexedDB.databases().then(all => all.map(d => d.name))")
    assert [name for name in names if name != "motcua-phone"] == [], "no resident's data is left"
    users = page.evaluate("import('/app/js/db.js').then(db => db.listUsers())")
    assert users == [], "nor the volunteer's entry"
