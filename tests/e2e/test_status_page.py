"""A resident scans the receipt's QR code in Chromium, subscribes, hears the desk's news, rates.

What is real: Chromium, the status page and its script under the strict CSP, the service
worker registered at /ho-so/sw.js, the notification permission (granted to the context), the
server and its in-process push worker, the VAPID signature, the aes128gcm encryption, and a
push service on loopback that checks both and decrypts with the browser's keys; the push
event that shows the notification is delivered to the real service worker through the
DevTools protocol. What is stubbed: ``PushManager.subscribe``/``getSubscription`` in the
page, because Chromium can only subscribe through Google's push service, which this machine
cannot reach (and never in an off-the-record context); the stub hands the page a
subscription whose endpoint and keys are the test's.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import Browser as Chromium
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import PHONE_VIEWPORT, screenshot, watch_errors
from tests.push.fake_push import Browser as PushBrowser
from tests.push.fake_push import FakePushService
from tests.server import ServerProcess, motcua, motcua_env
from tests.sync.phone import Phone

pytestmark = pytest.mark.browser

# Replaces the browser's push subscription with one the test made (see the module docstring).
STUB = """
(() => {
  const made = %s;
  const calls = [];
  window.__pushStub = calls;
  const subscription = () => ({
    endpoint: made.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true },
    toJSON: () => ({ endpoint: made.endpoint, expirationTime: null, keys: made.keys }),
    unsubscribe: async () => { localStorage.removeItem("push-stub"); calls.push("unsubscribe"); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const key = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)))
      .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    calls.push({ userVisibleOnly: options.userVisibleOnly, key });
    localStorage.setItem("push-stub", "1");
    return subscription();
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem("push-stub") ? subscription() : null;
  };
})();
"""


@dataclass
class StatusServer:
    url: str
    code: str
    secret: str
    desk: dict[str, str]
    dossier_id: str
    volunteer: dict[str, str]
    phone: Phone

    def move(self, to: str, reason: str = "", dossier_id: str | None = None) -> None:
        answer = httpx.post(
            f"{self.url}/api/desk/dossiers/{dossier_id or self.dossier_id}/moves",
            json={"to": to, "reason": reason, "confirm": True},  # confirms a move that ends it
            headers=self.desk,
        )
        assert answer.status_code == 200, answer.text

    def another_dossier(self, serial: int, name: str) -> tuple[str, str, str]:
        """A volunteer syncs one more resident's dossier: its (tracking code, secret, id)."""
        return _sync_dossier(self.url, self.volunteer, self.phone, serial, name)


def _sign_in(url: str, phone: str) -> dict[str, str]:
    answer = httpx.post(f"{url}/api/auth/login", json={"phone": phone, "password": "motcua-demo"})
    return {"authorization": f"Bearer {answer.json()['token']}"}


def _sync_dossier(
    url: str, volunteer: dict[str, str], phone: Phone, serial: int, name: str
) -> tuple[str, str, str]:
    resident = phone.resident(serial, name=name)
    dossier = phone.dossier(resident)
    secret = secrets.token_urlsafe(16)  # 22 characters, as the phone makes it
    dossier["body"]["receipt_secret_hash"] = hashlib.sha256(secret.encode()).hexdigest()
    pushed = httpx.post(f"{url}/api/sync/push", json={"records": [resident, dossier]}, headers=volunteer)
    assert {o["outcome"] for o in pushed.json()["outcomes"]} == {"applied"}
    for digest, data in phone.attachments.items():
        httpx.put(f"{url}/api/attachments/{digest}", content=data, headers=volunteer)
    return dossier["body"]["tracking_code"], secret, str(dossier["id"])


@pytest.fixture(scope="module")
def status_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StatusServer]:
    """``motcua serve`` on SQLite (so the push worker runs inside it), one synced dossier."""
    env = motcua_env(tmp_path_factory.mktemp("status"), MOTCUA_PUSH_INTERVAL_SECONDS="1")
    motcua(env, "db", "upgrade")
    motcua(env, "demo")
    server = ServerProcess(env).start()
    try:
        volunteer = _sign_in(server.url, "0901000011")
        villages = httpx.get(f"{server.url}/api/places/communes/24235", headers=volunteer).json()["villages"]
        phone = Phone("DEMO", UUID(villages[0]["id"]))
        code, secret, dossier_id = _sync_dossier(server.url, volunteer, phone, 7, "H’Blăk Niê")
        yield StatusServer(
            server.url, code, secret, _sign_in(server.url, "0901000002"), dossier_id, volunteer, phone
        )
    finally:
        server.stop()


@pytest.fixture(scope="module")
def push_service() -> Iterator[FakePushService]:
    with FakePushService() as service:
        yield service


def _resident_phone(chromium: Chromium, url: str, subscriber: PushBrowser) -> tuple[BrowserContext, Page]:
    context = chromium.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    context.grant_permissions(["notifications"], origin=url)
    made = {"endpoint": subscriber.endpoint, "keys": subscriber.subscription()["keys"]}
    context.add_init_script(STUB % json.dumps(made))
    return context, context.new_page()


def _deliver_to_the_service_worker(
    context: BrowserContext, page: Page, url: str, payload: dict[str, Any]
) -> None:
    """A real, trusted push event for the page's service worker, as the push service would cause."""
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"])
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not any(r["scopeURL"] == f"{url}/ho-so/" for r in registrations) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    registration = next(r for r in registrations if r["scopeURL"] == f"{url}/ho-so/")
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": url, "registrationId": registration["registrationId"], "data": json.dumps(payload)},
    )


def _notifications(page: Page) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const registration = await navigator.serviceWorker.getRegistration("/ho-so/");
            return (await registration.getNotifications()).map((n) => ({
                title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url }));
        }"""
    )
    return shown


def test_a_resident_subscribes_on_the_status_page_hears_each_move_and_rates_the_service(
    browser: Chromium, status_server: StatusServer, push_service: FakePushService
) -> None:
    url, code = status_server.url, status_server.code
    server_key = httpx.get(f"{url}/api/push/key").json()["public_key"]
    grandmother = push_service.browser("grandmother", server_key=server_key)
    context, page = _resident_phone(browser, url, grandmother)
    errors = watch_errors(page)

    page.goto(f"{url}/ho-so/{code}?k={status_server.secret}")
    expect(page.locator(".headline")).to_have_text("Hồ sơ của bà đã đến xã, đang chờ cán bộ tiếp nhận.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đăng ký khai tử")
    expect(page).to_have_url(f"{url}/ho-so/{code}")  # the secret left the address bar
    notify = page.get_by_role("button", name="Nhận thông báo")
    expect(notify).to_be_visible()
    screenshot(page, "status-page")

    notify.click()
    expect(page.get_by_text("✓ Đã bật thông báo.")).to_be_visible()
    assert page.evaluate("window.__pushStub") == [{"userVisibleOnly": True, "key": server_key}]

    # The desk accepts the dossier: within a cycle of the server's worker, the push service has it.
    status_server.move("accepted")
    (message,) = push_service.wait_for(1, timeout=15, browser=grandmother)
    assert message.payload["body"].startswith("Cán bộ xã đã tiếp nhận hồ sơ của bà.")
    assert message.headers["topic"] == status_server.dossier_id.replace("-", "")
    assert push_service.errors == []

    _deliver_to_the_service_worker(context, page, url, message.payload)
    page.wait_for_function(
        """async () => (await (await navigator.serviceWorker.getRegistration("/ho-so/")).getNotifications()).length > 0"""
    )
    (shown,) = _notifications(page)
    assert shown["title"] == message.payload["title"]
    assert shown["body"] == message.payload["body"]
    assert shown["url"] == f"/ho-so/{code}"

    status_server.move("ready")
    push_service.wait_for(2, timeout=15, browser=grandmother)
    page.reload()  # as when the notification is tapped: no secret, the cookie opens it
    expect(page.locator(".headline")).to_have_text(
        "Có kết quả, mời bà đến nhận tại Bộ phận một cửa, UBND Xã Buôn Đôn."
    )
    expect(page.get_by_text("✓ Đã bật thông báo.")).to_be_visible()
    screenshot(page, "status-page-ready")

    page.get_by_role("button", name="Tắt thông báo").click()
    expect(page.get_by_role("button", name="Nhận thông báo")).to_be_visible()
    assert page.evaluate("window.__pushStub") == ["unsubscribe"]
    notify.click()  # on again, to hear of the hand-over
    expect(page.get_by_text("✓ Đã bật thông báo.")).to_be_visible()

    status_server.move("delivered")
    push_service.wait_for(3, timeout=15, browser=grandmother)
    page.reload()
    # Nothing more will happen to this dossier: no notifications box is left over.
    expect(page.locator("#thong-bao")).to_have_count(0)
    expect(page.locator(".promised .day")).to_be_visible()
    page.get_by_text("Hài lòng", exact=True).click()
    page.get_by_label("Góp ý (không bắt buộc)").fill("Cháu tình nguyện viên rất nhiệt tình.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("status")).to_contain_text("Cảm ơn bà đã đánh giá: Hài lòng.")
    screenshot(page, "status-page-rated")
    assert [p["status"] for p in grandmother.payloads()] == ["accepted", "ready", "delivered"]
    assert errors == [], errors
    context.close()


def test_a_wrong_secret_shows_the_same_page_as_an_unknown_code(
    browser: Chromium, status_server: StatusServer
) -> None:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    errors = watch_errors(page, expected_statuses=frozenset({404}))
    page.goto(f"{status_server.url}/ho-so/{status_server.code}?k=not-the-secret")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Không tìm thấy hồ sơ")
    wrong = page.content()
    page.goto(f"{status_server.url}/ho-so/ZZZZ-1?k={status_server.secret}")
    assert page.content() == wrong
    screenshot(page, "status-page-not-found")
    assert errors == [], errors
    context.close()


def test_a_relative_types_the_code_and_the_secret_and_sees_the_promised_day(
    browser: Chromium, status_server: StatusServer
) -> None:
    """/ho-so at phone size: no QR scanner at hand, the receipt's code and secret typed in."""
    code, secret, dossier_id = status_server.another_dossier(8, "H’Yơn Êban")
    status_server.move("accepted", dossier_id=dossier_id)
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    errors = watch_errors(page, expected_statuses=frozenset({404}))

    page.goto(f"{status_server.url}/ho-so")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu hồ sơ")
    code_box, secret_box = page.get_by_label("Mã hồ sơ"), page.get_by_label("Mã bí mật")
    for box in (code_box, secret_box):  # big enough for a thumb, and inside the screen
        size = box.bounding_box()
        assert size is not None
        assert size["height"] >= 48
        assert size["x"] >= 0
        assert size["x"] + size["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "ho-so-lookup")

    # A slip of the finger first: the same answer as an unknown code, the code kept to correct.
    code_box.fill(code.lower())
    secret_box.fill(secret[:-1])
    page.get_by_role("button", name="Xem hồ sơ").click()
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy hồ sơ.")
    expect(code_box).to_have_value(code)
    expect(secret_box).to_have_value("")
    screenshot(page, "ho-so-lookup-not-found")

    secret_box.fill(secret)
    page.get_by_role("button", name="Xem hồ sơ").click()
    expect(page).to_have_url(f"{status_server.url}/ho-so/{code}")  # no secret in the address
    expect(page.locator(".headline")).to_have_text("Cán bộ xã đã tiếp nhận hồ sơ của bà.")
    expect(page.locator(".promised .label")).to_have_text("Hẹn trả kết quả")
    expect(page.locator(".promised .day")).to_have_text(
        re.compile(r"^(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ Nhật), \d{2}/\d{2}/\d{4}$")
    )
    expect(page.get_by_text("Your dossier", exact=False)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "status-page-vi")

    # The other language, for a relative who reads English: every line switches.
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{status_server.url}/ho-so/{code}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".headline")).to_have_text("A commune officer has accepted your dossier.")
    expect(page.locator(".promised .label")).to_have_text("Result promised for")
    expect(page.locator(".promised .day")).to_have_text(re.compile(r"^[A-Z][a-z]+day, \d{2}/\d{2}/\d{4}$"))
    expect(page.get_by_text("Cán bộ xã", exact=False)).to_have_count(0)
    screenshot(page, "status-page-en")
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert errors == [], errors
    context.close()


def test_blocked_notifications_say_how_to_allow_them_and_try_again(
    browser: Chromium, status_server: StatusServer
) -> None:
    code, secret, _ = status_server.another_dossier(9, "H’Nga Mlô")
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    # As when the resident once answered "Chặn": the browser reports the permission denied.
    context.add_init_script('Object.defineProperty(Notification, "permission", { get: () => "denied" });')
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{status_server.url}/ho-so/{code}?k={secret}")
    expect(page.get_by_text("Điện thoại đang chặn thông báo của trang này. Cách mở lại:")).to_be_visible()
    expect(page.locator(".how-to li")).to_have_count(3)
    expect(page.get_by_role("button", name="Nhận thông báo")).to_be_hidden()
    retry = page.get_by_role("button", name="Thử lại")
    expect(retry).to_be_visible()
    retry.click()
    expect(page.get_by_role("alert")).to_have_text("Thông báo vẫn đang bị chặn. Hãy làm lại các bước trên.")
    screenshot(page, "status-page-push-blocked")
    assert errors == [], errors
    context.close()


def test_a_supplement_sent_from_the_phone_shows_when_it_was_asked_and_received(
    browser: Chromium, status_server: StatusServer
) -> None:
    url, volunteer, phone = status_server.url, status_server.volunteer, status_server.phone
    resident = phone.resident(10, name="H’Lan Ayŭn")
    dossier = phone.dossier(resident)
    secret = secrets.token_urlsafe(16)
    dossier["body"]["receipt_secret_hash"] = hashlib.sha256(secret.encode()).hexdigest()
    httpx.post(f"{url}/api/sync/push", json={"records": [resident, dossier]}, headers=volunteer)
    for digest, data in phone.attachments.items():
        httpx.put(f"{url}/api/attachments/{digest}", content=data, headers=volunteer)
    code = dossier["body"]["tracking_code"]
    status_server.move("accepted", dossier_id=dossier["id"])
    status_server.move("needs_supplement", "Ảnh mặt sau thẻ căn cước bị mờ, xin chụp lại.", dossier["id"])
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{url}/ho-so/{code}?k={secret}")
    expect(page.locator(".asked")).to_have_text(re.compile(r"^Xã yêu cầu ngày \d{2}/\d{2}/\d{4}:$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "status-page-supplement-asked")

    # The volunteer photographs the card's back again and sends revision 2, then its photo.
    photo = phone.attach(b"\xff\xd8\xff\xe0" + secrets.token_bytes(2048) + b"\xff\xd9")
    papers = [
        {"paper_id": "can-cuoc", "photos": [p["photos"][0], photo]} if p["paper_id"] == "can-cuoc" else p
        for p in dossier["body"]["papers"]
    ]
    pushed = httpx.post(
        f"{url}/api/sync/push", json={"records": [phone.edit(dossier, papers=papers)]}, headers=volunteer
    )
    assert pushed.json()["outcomes"][0]["outcome"] == "applied"
    httpx.put(f"{url}/api/attachments/{photo}", content=phone.attachments[photo], headers=volunteer)
    page.reload()
    expect(page.locator(".supplied")).to_have_text(
        re.compile(r"^✓ Đã nhận giấy tờ bổ sung ngày \d{2}/\d{2}/\d{4}\.$")
    )
    expect(page.locator(".headline")).to_have_text(
        "Cán bộ xã đã có đủ giấy tờ bổ sung của bà và sẽ giải quyết tiếp."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "status-page-supplement-received")
    page.get_by_role("link", name="English").click()
    expect(page.locator(".supplied")).to_have_text(
        re.compile(r"^✓ The added papers were received on \d{2}/\d{2}/\d{4}\.$")
    )
    expect(page.get_by_text("Đã nhận", exact=False)).to_have_count(0)
    screenshot(page, "status-page-supplement-received-en")
    page.get_by_role("link", name="Tiếng Việt").click()
    assert errors == [], errors
    context.close()
