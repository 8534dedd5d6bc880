"""A volunteer's hands on the PWA: the steps the end-to-end tests repeat, at phone size."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect

from tests.e2e.conftest import PHONE_VIEWPORT, SCREENSHOTS

PIN = "2580"
SLOW_UPLINK = {"offline": False, "latency": 100, "downloadThroughput": 200_000, "uploadThroughput": 40_000}


def phone_shot(page: Page, name: str) -> Path:
    """What the phone's screen shows (360×740), saved as tests/screenshots/pwa-NAME.png, once the
    short notices ("saved on the phone") have gone, so the screen itself can be judged."""
    expect(page.locator(".toast")).to_have_count(0, timeout=5000)
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"pwa-{name}.png"
    page.screenshot(path=str(path))
    return path


def wait_until(page: Page, script: str, timeout: float = 30) -> None:
    """Poll a JS expression (the CSP forbids the eval behind ``wait_for_function``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(script):
            return
        time.sleep(0.1)
    raise AssertionError(f"still false after {timeout}s: {script}")


def paper_photos(folder: Path, count: int = 3) -> list[Path]:
    """Big camera-like JPEGs (3000×2200, ~0.5 MB), each different, to be shrunk by the app."""
    photos = []
    for number in range(1, count + 1):
        rng = random.Random(number)
        image = Image.new("RGB", (3000, 2200), (235, 230, 215))
        draw = ImageDraw.Draw(image)
        for y in range(150, 2100, 70):
            draw.line([(200, y), (2800 - rng.randint(0, 900), y)], fill=(40, 40, 60), width=14)
        for _ in range(4000):
            draw.point((rng.randint(0, 2999), rng.randint(0, 2199)), fill=(rng.randint(0, 255),) * 3)
        draw.rectangle([100, 100, 2900, 2100], outline=(180, 20, 20), width=20)
        path = folder / f"paper-{number}.jpg"
        image.save(path, quality=95)
        photos.append(path)
    return photos


@contextmanager
def phone_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    try:
        yield context
    finally:
        context.close()


def open_app(page: Page, url: str, screen: str | None = None) -> None:
    page.goto(url)
    selector = f"body[data-ready={screen}]" if screen else "body[data-ready]"
    page.wait_for_selector(selector)


def sign_in(page: Page, phone: str, password: str) -> None:
    """The first day: sign in online, set the device PIN, land on Today with the worker in control."""
    page.get_by_label("Số điện thoại", exact=True).fill(phone)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_selector("body[data-ready=pin]")
    page.get_by_label("Mã PIN (4–8 chữ số)").fill(PIN)
    page.get_by_label("Nhập lại mã PIN").fill(PIN)
    page.get_by_role("button", name="Lưu mã PIN").click()
    page.wait_for_selector("body[data-ready=today]")
    wait_until(page, "navigator.serviceWorker.controller !== null")


def unlock(page: Page, screen: str = "today", pin: str = PIN) -> None:
    """A reopened or reloaded app asks for the PIN: its data key is never kept unwrapped."""
    page.wait_for_selector("body[data-ready=locked]")
    page.get_by_label("Mã PIN", exact=True).fill(pin)
    page.get_by_role("button", name="Mở khoá").click()
    page.wait_for_selector(f"body[data-ready={screen}]")


def in_user_db(body: str) -> str:
    """A page script running ``body`` (with ``arg``) on the volunteer's own encrypted database,
    ``db`` (pwa/js/db.js), opened as the app does: the data key unwrapped with the PIN."""
    return f"""async (arg) => {{
  const {{ listUsers, openDb, userDbName }} = await import("/app/js/db.js");
  const {{ unwrapKey }} = await import("/app/js/vault.js");
  const [user] = await listUsers();
  const db = await openDb(userDbName(user.id), await unwrapKey(user.pin, "{PIN}"));
  try {{
    {body}
  }} finally {{
    db.close();
  }}
}}"""


def draw_signature(page: Page, wiggle: int = 0) -> None:
    pad = page.locator("canvas.signature")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for step in range(12):
        page.mouse.move(
            box["x"] + 40 + step * 20, box["y"] + 50 + ((step + wiggle) % 3) * 35 + wiggle, steps=3
        )
    page.mouse.up()


def register_resident(
    page: Page, *, personal_id: str = "066050001234", shots: bool = False, name: str = "Nguyễn Văn An"
) -> None:
    """Nguyễn Văn An (or ``name``), born 1950, with two consents and a drawn signature."""
    page.goto(page.url.split("#")[0] + "#/residents/new")
    page.wait_for_selector("body[data-ready=register]")
    if shots:
        phone_shot(page, "register")
    page.get_by_label("Họ và tên", exact=True).fill(name)
    page.get_by_label("Ngày sinh", exact=True).fill("1950-03-02")
    page.locator("[data-field=sex]").get_by_text("Nam", exact=True).click()
    page.locator("select[name=village_id]").select_option(index=1)
    page.locator("[name=personal_id]").fill(personal_id)
    page.locator("[name=phone]").fill("0912 345 678")
    page.get_by_text("Người cao tuổi").click()
    page.locator("input[name=consent-personal_data]").check()
    page.locator("input[name=consent-document_photos]").check()
    if shots:
        page.locator(".consents").scroll_into_view_if_needed()
        phone_shot(page, "register-consent")
    draw_signature(page)
    if shots:
        phone_shot(page, "register-signature")
    page.get_by_role("button", name="Lưu người dân").click()
    page.wait_for_selector("body[data-ready=resident]")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def tick_checklist(page: Page, *, shots: bool = False) -> None:
    page.get_by_role("link", name="Công dân số").click()
    page.wait_for_selector("body[data-ready=checklist]")
    page.locator("[data-step=vneid_installed] button.done").click()
    expect(page.locator("[data-step=vneid_installed] button.done")).to_have_attribute("aria-pressed", "true")
    if shots:
        phone_shot(page, "checklist")
    page.get_by_role("link", name="Quay lại").click()
    page.wait_for_selector("body[data-ready=resident]")


def file_death_registration(page: Page, photos: list[Path], *, shots: bool = False) -> str:
    """From the resident's page: a death registration with three photos and a signature; returns the code."""
    page.get_by_role("link", name="Tạo hồ sơ mới").click()
    page.wait_for_selector("body[data-ready=dossier]")
    page.get_by_role("searchbox").fill("khai tu")
    if shots:
        phone_shot(page, "dossier-procedure")
    page.get_by_role("button", name="Đăng ký khai tử").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điền tờ khai")
    page.get_by_role("button", name="Tiếp tục").click()  # empty fields are pointed out, not sent
    expect(page.locator(".form-problems")).to_be_visible()
    if shots:
        phone_shot(page, "dossier-form-problems")
    page.get_by_label("Quan hệ với người đã mất", exact=True).fill("Con")
    page.get_by_label("Họ, chữ đệm, tên người đã mất", exact=True).fill("Y Khu Niê")
    page.get_by_label("Ngày, tháng, năm sinh", exact=True).fill("1938-05-01")
    page.locator("[data-field=deceased_sex]").get_by_text("Nam", exact=True).click()
    page.get_by_label("Dân tộc", exact=True).fill("Ê Đê")
    page.locator("[name=deceased_last_residence]").fill("Buôn Ea Tul, xã Buôn Đôn, tỉnh Đắk Lắk")
    page.get_by_label("Ngày mất", exact=True).fill("2026-11-15")
    page.get_by_label("Nơi mất", exact=True).fill("Tại nhà")
    page.get_by_label("Nguyên nhân mất", exact=True).fill("Già yếu")
    if shots:
        page.locator("form .field").first.scroll_into_view_if_needed()
        phone_shot(page, "dossier-form")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chụp giấy tờ")
    page.locator("[data-paper=giay-bao-tu] input[type=file]").set_input_files(photos[0])
    expect(page.locator("[data-paper=giay-bao-tu] .thumb img")).to_have_count(1)
    page.locator("[data-paper=can-cuoc] input[type=file]").set_input_files(photos[1])
    expect(page.locator("[data-paper=can-cuoc] .thumb img")).to_have_count(1)
    page.locator("[data-paper=can-cuoc] input[type=file]").set_input_files(photos[2])
    expect(page.locator("[data-paper=can-cuoc] .thumb img")).to_have_count(2)
    if shots:
        phone_shot(page, "dossier-papers")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Người dân xem lại và ký")
    if shots:
        phone_shot(page, "dossier-review")
    draw_signature(page, wiggle=7)
    if shots:
        phone_shot(page, "dossier-signature")
    page.get_by_role("button", name="Lưu hồ sơ").click()
    page.wait_for_selector("body[data-ready=receipt]")
    code = page.locator(".tracking-code").inner_text()
    if shots:
        phone_shot(page, "receipt-offline")
    return code


def sync_now(page: Page, timeout: float = 90) -> None:
    """Open the sync screen, tap "Đồng bộ ngay" and wait for the sync to end."""
    page.goto(page.url.split("#")[0] + "#/sync")
    page.wait_for_selector("body[data-ready=sync]")
    wait_until(page, "!document.querySelector('.sync-now').disabled", timeout)
    page.get_by_role("button", name="Đồng bộ ngay").click()
    wait_until(page, "!document.querySelector('.sync-now').disabled", timeout)


class Link:
    """Chromium's own network throttling (DevTools protocol), as on a weak village link. The
    session must stay open (the emulation ends with it) and, once used, it alone says whether
    the phone is online: Playwright's set_offline goes through another session."""

    def __init__(self, page: Page) -> None:
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")

    def slow(self) -> None:
        self.session.send("Network.emulateNetworkConditions", SLOW_UPLINK)

    def offline(self) -> None:
        self.session.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    def fast(self) -> None:
        self.session.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )


def watch_uploads(page: Page) -> list[str]:
    """The photo uploads the phone starts (PUT /api/attachments/...), in order."""
    uploads: list[str] = []

    def seen(request: Request) -> None:
        if "/api/attachments/" in request.url and request.method == "PUT":
            uploads.append(request.url)

    page.on("request", seen)
    return uploads
