"""Issue 15: the phone keeps nothing readable at rest, and several volunteers share one phone.

After a day's work (residents synced and unsent, a dossier with photos and signatures) every
IndexedDB database, the Cache Storage and localStorage are read raw: no resident's name, ID
number or phone number appears, blobs included. Two volunteers then take turns on the phone:
neither sees the other's residents or queue, one's unsent records wait through the other's
work and sign-out, and go out once their owner is back, offline with the PIN."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.demo_server import PASSWORD, VOLUNTEER
from tests.e2e.pwa_phone import (
    file_death_registration,
    open_app,
    paper_photos,
    phone_context,
    register_resident,
    sign_in,
    sync_now,
    unlock,
)

pytestmark = pytest.mark.browser
SECOND = "0901000012"  # Trần Văn Bình, a volunteer of the same commune

# Everything a resident could be recognised by, as typed and as the app may fold it.
SECRETS = [
    "Hoàng Văn Thụ", "hoang van thu", "Phạm Thị Hoa", "pham thi hoa", "Lê Văn Cường", "le van cuong",
    "Y Khu Niê", "066050001501", "066050001502", "066050001503", "0912345678", "0912 345 678", "345678",
]  # fmt: skip

# Every record of every database, every cached answer and localStorage, as raw as the page sees
# them: ArrayBuffers and Blobs read as UTF-8 and as Latin-1 bytes.
_RAW = """async () => {
  const out = [];
  const bytes = (buffer) => {
    const view = new Uint8Array(buffer);
    out.push(new TextDecoder().decode(view), Array.from(view, (b) => String.fromCharCode(b)).join(""));
  };
  const walk = async (value) => {
    if (value instanceof Blob) return bytes(await value.arrayBuffer());
    if (value instanceof ArrayBuffer) return bytes(value);
    if (ArrayBuffer.isView(value)) return bytes(value.buffer);
    if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        out.push(key);
        await walk(inner);
      }
    } else out.push(String(value));
  };
  const names = (await indexedDB.databases()).map((d) => d.name);
  for (const name of names) {
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    for (const store of db.objectStoreNames) {
      const all = await new Promise((ok) => {
        const request = db.transaction(store).objectStore(store).getAll();
        request.onsuccess = () => ok(request.result);
      });
      await walk(all);
    }
    db.close();
  }
  for (const cacheName of await caches.keys()) {
    const cache = await caches.open(cacheName);
    for (const request of await cache.keys()) {
      out.push(request.url);
      bytes(await (await cache.match(request)).arrayBuffer());
    }
  }
  for (let i = 0; i < localStorage.length; i += 1) out.push(localStorage.key(i), localStorage.getItem(localStorage.key(i)));
  return { names, text: out.join("\\n") };
}"""


def _raw(page: Page) -> tuple[list[str], str]:
    raw = page.evaluate(_RAW)
    return raw["names"], raw["text"]


def _assert_nothing_readable(page: Page) -> list[str]:
    names, text = _raw(page)
    found = [secret for secret in SECRETS if secret.lower() in text.lower()]
    assert found == [], f"readable at rest: {found}"
    return names


def _switch_to(page: Page, who: str | None) -> None:
    """From the app: lock, "Đổi người dùng", then a user of the phone (None: add another)."""
    page.goto(page.url.split("#")[0] + "#/more")
    page.wait_for_selector("body[data-ready=more]")
    page.get_by_role("button", name="Khoá ngay").click()
    page.wait_for_selector("body[data-ready=locked]")
    page.get_by_role("button", name="Đổi người dùng").click()
    page.wait_for_selector("body[data-ready=users]")
    if who is None:
        page.get_by_role("button", name="Thêm tình nguyện viên khác").click()
        page.wait_for_selector("body[data-ready=login]")
    else:
        page.get_by_role("button", name=who).click()
        page.wait_for_selector("body[data-ready=locked]")


def _search(page: Page, text: str) -> None:
    page.get_by_role("link", name="Người dân", exact=True).click()
    page.wait_for_selector("body[data-ready=residents]")
    page.get_by_role("searchbox").fill(text)


def test_nothing_readable_at_rest_and_two_volunteers_share_a_phone(
    live_server: str, browser: Browser, tmp_path: Path
) -> None:
    photos = paper_photos(tmp_path)
    with phone_context(browser) as context:
        page = context.new_page()
        open_app(page, live_server, "login")
        sign_in(page, VOLUNTEER, PASSWORD)

        # A's day: a resident with a dossier (photos, signatures) sent, another kept unsent.
        register_resident(page, personal_id="066050001501", name="Hoàng Văn Thụ")
        file_death_registration(page, photos)
        sync_now(page)
        expect(page.locator(".sync-chip")).to_have_text("✓ Đã gửi hết", timeout=60_000)
        context.set_offline(True)
        register_resident(page, personal_id="066050001502", name="Phạm Thị Hoa")
        names = _assert_nothing_readable(page)
        assert len([name for name in names if name.startswith("motcua-") and name != "motcua-phone"]) == 1
        assert "motcua" not in names, "no plain database"
        assert page.evaluate("Object.keys(localStorage)") in ([], ["motcua.lang"])

        # B, on the same phone: the first sign-in needs the network; A's unsent work is no obstacle.
        _switch_to(page, None)
        context.set_offline(False)
        sign_in(page, SECOND, PASSWORD)
        sync_now(page)
        _search(page, "pham thi hoa")
        expect(page.locator(".people li")).to_have_count(0)  # A's unsent resident is A's alone
        page.get_by_role("link", name="Đồng bộ", exact=True).click()
        page.wait_for_selector("body[data-ready=sync]")
        expect(page.locator(".records li")).to_have_count(0)  # and so is A's queue
        register_resident(page, personal_id="066050001503", name="Lê Văn Cường")
        sync_now(page)
        expect(page.locator(".sync-chip")).to_have_text("✓ Đã gửi hết", timeout=60_000)

        # Back to A, offline, with A's PIN: the unsent records are there, and go once online.
        context.set_offline(True)
        _switch_to(page, "H’Hen Niê · 0901000011")
        unlock(page)
        _search(page, "le van cuong")
        expect(page.locator(".people li")).to_have_count(0)  # B's resident, not yet pulled by A
        page.get_by_role("link", name="Đồng bộ", exact=True).click()
        page.wait_for_selector("body[data-ready=sync]")
        expect(page.locator(".records li")).to_have_count(3)  # the resident and two consents
        context.set_offline(False)
        sync_now(page)
        expect(page.locator(".sync-chip")).to_have_text("✓ Đã gửi hết", timeout=60_000)

        # B signs out: B's data goes, A's stays.
        _switch_to(page, "Trần Văn Bình · 0901000012")
        unlock(page)
        page.get_by_role("link", name="Thêm", exact=True).click()
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_role("dialog").get_by_role("button", name="Đăng xuất").click()
        unlock(page)  # the phone now opens for A, the one user left
        _search(page, "pham thi hoa")
        expect(page.locator(".people li")).to_have_count(1)
        users = page.evaluate(
            "import('/app/js/db.js').then(db => db.listUsers().then(u => u.map(x => x.phone)))"
        )
        assert users == [VOLUNTEER]
        names = _assert_nothing_readable(page)
        assert len([name for name in names if name.startswith("motcua-") and name != "motcua-phone"]) == 1
