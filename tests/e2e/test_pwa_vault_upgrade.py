"""An existing phone meets the encrypted app, and a password changes on the server: nothing queued
is ever lost.

A phone of the app before issue 15 (one plain "motcua" database holding an unsent resident) takes
the update: its volunteer signs in, the record is sealed into their own database, the plain one
is gone, and the record reaches the server once. Then the coordinator sets new passwords through
invitation links (which sign the phone out) while records wait unsent: the data key still in
memory, the old PIN, and the old password each open the old data for the new password; the old
data goes only when the volunteer, warned with the count, chooses to discard it."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.e2e.demo_server import PASSWORD, server_versions
from tests.e2e.pwa_phone import (
    PIN,
    in_user_db,
    open_app,
    phone_context,
    phone_shot,
    register_resident,
    sign_in,
    sync_now,
)

pytestmark = pytest.mark.browser
COORDINATOR = "0901000001"  # Y Blô Điều Phối, of the demo commune
PHONE = "0901000716"  # a volunteer of this test alone: the others keep the demo password
COMMUNE = "24235"
ALL_SENT = "✓ Đã gửi hết"

# The pre-issue-15 phone: the volunteer's data copied, unsealed, into the plain database.
_TO_PLAIN = in_user_db("""
    const plain = await openDb("motcua");
    for (const name of db.idb.objectStoreNames) {
      const keys = await new Promise((ok) => {
        const request = db.idb.transaction(name).objectStore(name).getAllKeys();
        request.onsuccess = () => ok(request.result);
      });
      const values = await db.all(name);
      await plain.write([name], (tx) =>
        Promise.all(values.map((v, i) => (name === "meta" ? tx.put(name, v, keys[i]) : tx.put(name, v)))),
      );
    }
    plain.close();
    const { deleteDb } = await import("/app/js/db.js");
    await deleteDb(userDbName(user.id));
    await deleteDb("motcua-phone");""")
_RECORDS = in_user_db("return (await db.all('records')).map((r) => [r.id, r.state]);")


def _csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


class Coordinator:
    """The coordinator's office pages: a volunteer invited, and invited again to set a new password
    (which signs their phones out)."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        signed = self.http.post(
            "/login",
            data={
                "phone": COORDINATOR,
                "password": PASSWORD,
                "_csrf_token": _csrf(self.http.get("/login").text),
            },
        )
        assert signed.status_code == 303, signed.text
        self.user_id: str | None = None

    def __enter__(self) -> Coordinator:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def set_password(self, password: str) -> None:
        self.password = password
        csrf = _csrf(self.http.get("/office/volunteers").text)
        if self.user_id is None:
            form = {"full_name": "Đinh Thị Vân", "phone": PHONE, "commune": COMMUNE, "_csrf_token": csrf}
            invited = self.http.post("/office/volunteers", data=form)
        else:
            invited = self.http.post(f"/office/volunteers/{self.user_id}/invite", data={"_csrf_token": csrf})
        assert invited.status_code == 200, invited.text
        link = re.search(r'href="[^"]*(/moi/[^"]+)"', invited.text)
        assert link
        with httpx.Client(base_url=str(self.http.base_url), timeout=30) as volunteer:
            opened = volunteer.get(link.group(1))
            form = {"password": password, "repeated": password, "_csrf_token": _csrf(opened.text)}
            assert volunteer.post(link.group(1), data=form).status_code == 303
            signed = volunteer.post("/api/auth/login", json={"phone": PHONE, "password": password})
            assert signed.status_code == 201, signed.text
            self.user_id = signed.json()["user"]["id"]


def _unsent_resident(page: Page, personal_id: str, name: str) -> list[str]:
    """A resident registered offline: the ids of its three records (the resident, two consents)."""
    before = {record_id for record_id, _ in page.evaluate(_RECORDS)}
    register_resident(page, personal_id=personal_id, name=name)
    return [record_id for record_id, state in page.evaluate(_RECORDS) if record_id not in before]


def _sent_once(url: str, record_ids: list[str], password: str) -> None:
    """Each record is on the server once, as its sender (this volunteer) reads it."""
    signed = httpx.post(f"{url}/api/auth/login", json={"phone": PHONE, "password": password})
    assert signed.status_code == 201, signed.text
    sender = {"authorization": f"Bearer {signed.json()['token']}"}
    for record_id in record_ids:
        versions = server_versions(url, record_id, sender)
        assert versions["server_revision"] == 1
        assert len(versions["versions"]) == 1, versions


def _sign_in_again(page: Page, password: str) -> None:
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()


def _set_pin(page: Page) -> None:
    page.wait_for_selector("body[data-ready=pin]")
    page.get_by_label("Mã PIN (4–8 chữ số)").fill(PIN)
    page.get_by_label("Nhập lại mã PIN").fill(PIN)
    page.get_by_role("button", name="Lưu mã PIN").click()
    page.wait_for_selector("body[data-ready]:not([data-ready=pin])")


def _forgot_pin(page: Page, password: str) -> None:
    """Reopened: "forgot the PIN", then the new password, which no longer opens the phone's data."""
    page.reload()
    page.wait_for_selector("body[data-ready=locked]")
    page.get_by_role("button", name="Quên mã PIN? Đăng nhập lại").click()
    page.wait_for_selector("body[data-ready=login]")
    _sign_in_again(page, password)
    page.wait_for_selector("body[data-ready=recover]")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mật khẩu đã đổi")


def test_a_plain_phone_upgrades_and_a_changed_password_loses_nothing(
    live_server: str, browser: Browser
) -> None:
    with Coordinator(live_server) as office, phone_context(browser) as context:
        office.set_password("mat-khau-mot")
        page = context.new_page()
        open_app(page, live_server, "login")
        sign_in(page, PHONE, "mat-khau-mot")
        context.set_offline(True)
        first = _unsent_resident(page, "066050001601", "Mai Văn Một")

        # The update: the phone held one plain database; the same volunteer signs in again.
        page.evaluate(_TO_PLAIN)
        page.evaluate("location.hash = '#/today'")
        context.set_offline(False)
        page.reload()
        page.wait_for_selector("body[data-ready=login]")
        sign_in(page, PHONE, "mat-khau-mot")
        names = page.evaluate("indexedDB.databases().then((all) => all.map((d) => d.name))")
        assert sorted(names) == sorted(["motcua-phone", f"motcua-{office.user_id}"])  # no plain one
        assert {record_id for record_id, _ in page.evaluate(_RECORDS)} == set(first)
        sealed = page.evaluate(f"""async () => {{
          const {{ openDb }} = await import("/app/js/db.js");
          const db = await openDb("motcua-{office.user_id}");  // no key: as stored
          try {{ return (await db.all("records")).map((r) => Object.keys(r).sort().join()); }}
          finally {{ db.close(); }}
        }}""")
        assert sealed == ["ct,id,iv,state"] * 3  # no name, no ID number: only the ciphertext
        sync_now(page)
        expect(page.locator(".sync-chip")).to_have_text(ALL_SENT, timeout=60_000)
        _sent_once(live_server, first, office.password)

        # A new password while the app is open: "sign in again"; the key in memory keeps the data.
        context.set_offline(True)
        second = _unsent_resident(page, "066050001602", "Mai Văn Hai")
        office.set_password("mat-khau-hai")
        context.set_offline(False)
        sync_now(page)
        page.locator("#notice").get_by_role("button").click()
        page.wait_for_selector("body[data-ready=login]")
        _sign_in_again(page, "mat-khau-hai")
        page.wait_for_selector("body[data-ready=sync]")  # the PIN stays
        sync_now(page)
        expect(page.locator(".sync-chip")).to_have_text(ALL_SENT, timeout=60_000)
        _sent_once(live_server, second, office.password)

        # Reopened after another change: the old PIN opens the data; discarding asks first.
        context.set_offline(True)
        third = _unsent_resident(page, "066050001603", "Mai Văn Ba")
        office.set_password("mat-khau-ba")
        context.set_offline(False)
        _forgot_pin(page, "mat-khau-ba")
        discard = page.get_by_role("button", name="Bỏ dữ liệu cũ (3 bản ghi chưa gửi)")
        phone_shot(page, "recover-old-pin")
        page.once("dialog", lambda dialog: dialog.dismiss())
        discard.click()
        page.get_by_label("Nhập mã PIN cũ để mở dữ liệu trên máy").fill("8642")
        page.get_by_role("button", name="Mở khoá").click()
        expect(page.get_by_text("Không đúng.")).to_be_visible()
        page.get_by_label("Nhập mã PIN cũ để mở dữ liệu trên máy").fill(PIN)
        page.get_by_role("button", name="Mở khoá").click()
        _set_pin(page)  # "forgot the PIN": a new one, as ever
        assert {record_id for record_id, _ in page.evaluate(_RECORDS)} >= set(first + second + third)
        sync_now(page)
        expect(page.locator(".sync-chip")).to_have_text(ALL_SENT, timeout=60_000)
        _sent_once(live_server, third, office.password)

        # The PIN locked out, then a new password: the old password opens the data.
        context.set_offline(True)
        fourth = _unsent_resident(page, "066050001604", "Mai Văn Bốn")
        office.set_password("mat-khau-bon")
        context.set_offline(False)
        page.reload()
        page.wait_for_selector("body[data-ready=locked]")
        for left in range(4, -1, -1):
            page.get_by_label("Mã PIN", exact=True).fill("8642")
            page.get_by_role("button", name="Mở khoá").click()
            if left:
                expect(page.get_by_text(f"Sai mã PIN. Còn {left} lần thử.")).to_be_visible()
        page.wait_for_selector("body[data-ready=login]")
        _sign_in_again(page, "mat-khau-bon")
        page.wait_for_selector("body[data-ready=recover]")
        page.get_by_label("Nhập mật khẩu cũ để mở dữ liệu trên máy").fill("mat-khau-ba")
        page.get_by_role("button", name="Mở khoá").click()
        _set_pin(page)
        sync_now(page)
        expect(page.locator(".sync-chip")).to_have_text(ALL_SENT, timeout=60_000)
        _sent_once(live_server, fourth, office.password)

        # Only a volunteer who chooses to, warned with the count, discards the old data.
        context.set_offline(True)
        fifth = _unsent_resident(page, "066050001605", "Mai Văn Năm")
        office.set_password("mat-khau-nam")
        context.set_offline(False)
        _forgot_pin(page, "mat-khau-nam")
        warnings: list[str] = []

        def accept(dialog: Dialog) -> None:
            warnings.append(dialog.message)
            dialog.accept()

        page.once("dialog", accept)
        page.get_by_role("button", name="Bỏ dữ liệu cũ (3 bản ghi chưa gửi)").click()
        _set_pin(page)
        assert "3 bản ghi chưa gửi" in warnings[0]
        assert not {record_id for record_id, _ in page.evaluate(_RECORDS)} & set(fifth)
