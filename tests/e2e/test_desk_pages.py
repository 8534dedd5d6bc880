"""The commune desk at phone size: the inbox, a synced dossier with its photos, accepting it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from uuid import UUID

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE_VIEWPORT, screenshot, watch_errors
from tests.server import ServerProcess, motcua, motcua_env
from tests.sync.phone import Phone

pytestmark = pytest.mark.browser


def _photo(text: str, colour: str) -> bytes:
    """A small real JPEG, so the screenshots show pictures where the desk expects them."""
    image = Image.new("RGB", (480, 640), colour)
    ImageDraw.Draw(image).text((40, 300), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server of its own with the demo data and one dossier a volunteer synced."""
    env = motcua_env(tmp_path_factory.mktemp("desk"))
    motcua(env, "db", "upgrade")
    motcua(env, "demo")
    server = ServerProcess(env).start()
    try:
        login = httpx.post(
            f"{server.url}/api/auth/login", json={"phone": "0901000011", "password": "motcua-demo"}
        )
        headers = {"authorization": f"Bearer {login.json()['token']}"}
        villages = httpx.get(f"{server.url}/api/places/communes/24235", headers=headers).json()["villages"]
        phone = Phone("DEMO", UUID(villages[0]["id"]))
        resident = phone.resident(7, name="H’Blăk Niê")
        dossier = phone.dossier(resident)
        body = dossier["body"]
        # Real pictures in place of the test bytes.
        pictures = {"giay-bao-tu": ("GIAY BAO TU", "#f3e9c6"), "can-cuoc": ("CAN CUOC", "#d8e7f5")}
        phone.attachments.clear()
        for paper in body["papers"]:
            text, colour = pictures[paper["paper_id"]]
            paper["photos"] = [
                phone.attach(_photo(f"{text} {i + 1}", colour)) for i in range(len(paper["photos"]))
            ]
        body["signature_sha256"] = phone.attach(_photo("chu ky", "#ffffff"))
        pushed = httpx.post(
            f"{server.url}/api/sync/push", json={"records": [resident, dossier]}, headers=headers
        )
        assert {o["outcome"] for o in pushed.json()["outcomes"]} == {"applied"}
        for digest, data in phone.attachments.items():
            assert (
                httpx.put(f"{server.url}/api/attachments/{digest}", content=data, headers=headers).status_code
                == 200
            )
        yield server.url, str(dossier["id"])
    finally:
        server.stop()


@pytest.fixture
def desk_phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    yield context.new_page()
    context.close()


def test_the_desk_officer_opens_the_synced_dossier_and_accepts_it(
    desk_server: tuple[str, str], desk_phone: Page
) -> None:
    url, dossier_id = desk_server
    errors = watch_errors(desk_phone)
    desk_phone.goto(f"{url}/login?next=/desk")
    desk_phone.get_by_label("Số điện thoại").fill("0901000002")
    desk_phone.get_by_label("Mật khẩu").fill("motcua-demo")
    desk_phone.get_by_role("button", name="Đăng nhập").click()
    expect(desk_phone.get_by_role("heading", name="Hồ sơ tiếp nhận")).to_be_visible()
    expect(desk_phone.locator(".inbox-row")).to_have_count(1)
    screenshot(desk_phone, "desk-inbox")

    desk_phone.locator(".inbox-link").first.click()
    expect(desk_phone).to_have_url(f"{url}/desk/dossiers/{dossier_id}")
    expect(desk_phone.locator(".photos img")).to_have_count(4)
    screenshot(desk_phone, "desk-dossier")

    desk_phone.get_by_label("Mã hồ sơ trên Cổng dịch vụ công").fill("H66.24235-0001")
    desk_phone.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(desk_phone.locator("h1 small")).to_have_text("Đã tiếp nhận")
    expect(desk_phone.get_by_text("Hạn trả kết quả")).to_be_visible()
    screenshot(desk_phone, "desk-dossier-accepted")
    assert errors == [], errors


OFFICE_VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture
def desk_screen(browser: Browser) -> Iterator[Page]:
    """The commune desk's own screen: a 1366×768 laptop."""
    context = browser.new_context(viewport=OFFICE_VIEWPORT, locale="vi-VN")
    yield context.new_page()
    context.close()


def test_the_officer_searches_confirms_the_handing_over_and_undoes_it(
    desk_server: tuple[str, str], desk_screen: Page
) -> None:
    url, dossier_id = desk_server
    login = httpx.post(f"{url}/api/auth/login", json={"phone": "0901000002", "password": "motcua-demo"})
    officer = {"authorization": f"Bearer {login.json()['token']}"}
    for to in ("accepted", "ready"):  # wherever the test above left it, up to "result ready"
        httpx.post(f"{url}/api/desk/dossiers/{dossier_id}/moves", json={"to": to}, headers=officer)
    page = desk_screen
    errors = watch_errors(page, expected_statuses=frozenset({400}))
    page.goto(f"{url}/login?next=/desk")
    page.get_by_label("Số điện thoại").fill("0901000002")
    page.get_by_label("Mật khẩu").fill("motcua-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    menu = page.get_by_role("navigation", name="Các trang làm việc")
    expect(menu.get_by_role("link", name="Hồ sơ tiếp nhận")).to_have_attribute("aria-current", "page")

    # The resident's name typed without its marks finds her.
    page.get_by_label("Tìm", exact=True).fill("hblak")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator(".inbox-row")).to_have_count(1)
    expect(page.locator(".inbox-row")).not_to_contain_text("Death registration")
    screenshot(page, "desk-inbox-1366")

    page.locator(".inbox-link").first.click()
    expect(page).to_have_url(f"{url}/desk/dossiers/{dossier_id}")
    papers = page.locator("#papers").bounding_box()
    actions = page.locator("#next-step").bounding_box()
    assert papers
    assert actions
    assert papers["y"] + papers["height"] <= actions["y"]  # the dossier first, the step after it
    screenshot(page, "desk-dossier-1366")

    # Handing over without ticking the confirmation: the server says so beside the box.
    hand_over = page.locator("#move-delivered")
    hand_over.get_by_role("button", name="Trả kết quả").click()
    expect(page.locator("#delivered-confirm-error")).to_have_text("Chưa xác nhận.")
    screenshot(page, "desk-dossier-confirm-1366")
    page.locator("#move-delivered").get_by_role("checkbox").check()
    page.locator("#move-delivered").get_by_role("button", name="Trả kết quả").click()
    expect(page.locator("h1 small")).to_have_text("Đã trả kết quả")
    expect(page.locator("#undo")).to_contain_text("Có thể hoàn tác trong")
    screenshot(page, "desk-dossier-undo-1366")

    page.get_by_role("button", name="Hoàn tác").click()
    expect(page.locator("h1 small")).to_have_text("Có kết quả")
    expect(page.get_by_role("status")).to_contain_text("Đã hoàn tác bước vừa rồi.")
    expect(page.locator("#undo")).to_have_count(0)
    assert errors == [], errors
