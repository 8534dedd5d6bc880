"""The coordinator's dashboard and a campaign, on a small phone and a laptop, against a real server.

The server is this module's own (demo data plus three weeks of field work synced by the four
demo volunteers), so the figures other browser tests see are not changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from motcua.i18n import VIETNAM_TIME
from motcua.metrics.service import STEPS
from tests.e2e.conftest import PHONE_VIEWPORT, screenshot, watch_errors
from tests.server import ServerProcess, motcua, motcua_env
from tests.sync.phone import Phone, fake_jpeg

pytestmark = pytest.mark.browser

LAPTOP_VIEWPORT = {"width": 1280, "height": 800}
VOLUNTEERS = ("0901000011", "0901000012", "0901000013", "0901000014")
DONE_STEPS = (7, 3, 7, 5, 2, 7, 0, 4)  # how far each resident got, in turn
PROCEDURES = ("dang-ky-khai-tu", "chung-thuc-ban-sao-tu-ban-chinh", "cap-ban-sao-trich-luc-ho-tich")
PAPERS = {
    "chung-thuc-ban-sao-tu-ban-chinh": [("ban-chinh", 1)],
    "cap-ban-sao-trich-luc-ho-tich": [("giay-to-tuy-than", 2)],
}


def _login(url: str, phone: str) -> dict[str, str]:
    answer = httpx.post(f"{url}/api/auth/login", json={"phone": phone, "password": "motcua-demo"})
    assert answer.status_code == 201, answer.text
    return {"authorization": f"Bearer {answer.json()['token']}"}


def _dossier(phone: Phone, resident: dict[str, Any], code: str) -> dict[str, Any]:
    record = phone.dossier(resident, code)
    if code in PAPERS:
        record["body"]["papers"] = [
            {
                "paper_id": paper,
                "photos": [phone.attach(fake_jpeg(phone.counter * 100 + n)) for n in range(count)],
            }
            for paper, count in PAPERS[code]
        ]
    return record


def _seed(url: str) -> None:
    """Three weeks of work: 24 residents in four of the five villages, ticks, 8 dossiers, desk moves."""
    volunteers = [_login(url, phone) for phone in VOLUNTEERS]
    villages = httpx.get(f"{url}/api/places/communes/24235", headers=volunteers[0]).json()["villages"]
    by_name = {v["name"]: UUID(v["id"]) for v in villages}
    visited = ["Buôn Trí A", "Buôn Jang Lành", "Buôn Ea Rông", "Thôn Hà Bắc"]  # not Buôn Ko Tam
    now = datetime.now(UTC)
    dossiers: list[str] = []
    for i in range(24):
        v = i % 4
        phone = Phone(f"E{v}{i}", by_name[visited[v]])
        phone.written_at = now - timedelta(days=(i * 5) % 19, hours=2)
        resident = phone.resident(300 + i, name=["H’Hen", "Y Sol", "Nguyễn Thị", "Lê Văn"][v])
        ticks = []
        for step in STEPS[: DONE_STEPS[i % 8]]:
            tick = phone.checklist(resident, step)
            tick["body"]["state"] = "not_applicable" if step == "sim_standardised" and i % 3 == 0 else "done"
            ticks.append(tick)
        if DONE_STEPS[i % 8] < 7:
            follow = phone.checklist(resident, STEPS[DONE_STEPS[i % 8]])
            follow["body"]["state"] = "follow_up"
            ticks.append(follow)
        records = [resident, *ticks]
        if i % 3 == 0:
            phone.written_at = now - timedelta(hours=1)  # the sample declarations carry recent dates
            dossier = _dossier(phone, resident, PROCEDURES[(i // 3) % 3])
            records.append(dossier)
            dossiers.append(str(dossier["id"]))
        pushed = httpx.post(f"{url}/api/sync/push", json={"records": records}, headers=volunteers[v])
        outcomes = pushed.json()["outcomes"]
        assert {o["outcome"] for o in outcomes} == {"applied"}, outcomes
        for digest, data in phone.attachments.items():
            put = httpx.put(f"{url}/api/attachments/{digest}", content=data, headers=volunteers[v])
            assert put.status_code == 200, put.text
    desk = _login(url, "0901000002")
    moves = {0: ["accepted", "ready", "delivered"], 1: ["accepted", "ready"], 2: ["accepted", "ready"]}
    moves |= {3: ["accepted", "in_progress"], 4: ["accepted"], 5: ["rejected"]}
    for index, steps in moves.items():
        for to in steps:
            reason = "Không thuộc thẩm quyền của xã" if to == "rejected" else ""
            answer = httpx.post(
                f"{url}/api/desk/dossiers/{dossiers[index]}/moves",
                json={"to": to, "reason": reason, "confirm": True},  # confirms a move that ends it
                headers=desk,
            )
            assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def dashboard_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = motcua_env(tmp_path_factory.mktemp("dashboard"))
    motcua(env, "db", "upgrade")
    motcua(env, "demo")
    server = ServerProcess(env).start()
    try:
        _seed(server.url)
        yield server.url
    finally:
        server.stop()


def _page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def small_phone(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, PHONE_VIEWPORT)


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, LAPTOP_VIEWPORT)


def _sign_in(page: Page, url: str, target: str) -> None:
    page.goto(f"{url}/login?next={target}")
    page.get_by_label("Số điện thoại").fill("0901000001")  # the demo coordinator
    page.get_by_label("Mật khẩu").fill("motcua-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{url}{target}")


def _figure(page: Page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"] .tile-value').inner_text()


def test_the_coordinator_reads_the_dashboard_and_sets_up_a_campaign_on_a_phone(
    dashboard_server: str, small_phone: Page
) -> None:
    url, page = dashboard_server, small_phone
    errors = watch_errors(page)
    _sign_in(page, url, "/office")
    page.get_by_role("main").get_by_role("link", name="Bảng theo dõi").click()
    expect(page.get_by_role("heading", name="Bảng theo dõi")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Các trang làm việc").locator("[aria-current=page]")
    ).to_have_text("Bảng theo dõi")
    assert _figure(page, "residents_helped") == "24"
    assert _figure(page, "digital_citizens") == "9"  # three in every eight reached the seventh step
    assert _figure(page, "dossiers") == "8"
    assert _figure(page, "villages") == "4 / 5"
    assert _figure(page, "volunteers") == "4"
    assert _figure(page, "on_time") == "100%"  # the desk answered at once
    expect(page.locator("#not-visited li")).to_have_text(["Buôn Ko Tam"])
    expect(page.locator("svg.chart")).to_have_count(4)
    expect(page.get_by_role("img", name="Các bước công dân số")).to_be_visible()
    # Nothing spills sideways on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    screenshot(page, "dashboard-phone")

    with page.expect_download() as download:
        page.locator('a[href^="/office/exports/register.xlsx"]').click()
    assert download.value.suggested_filename.startswith("motcua-register-24235-")

    page.goto(f"{url}/office/campaigns")
    page.get_by_role("link", name="Tạo chiến dịch").click()
    today = datetime.now(VIETNAM_TIME).date()
    page.get_by_label("Tên chiến dịch").fill("1.000 công dân số trong 60 ngày")
    page.get_by_label("Ngày bắt đầu").fill((today - timedelta(days=19)).isoformat())
    page.get_by_label("Ngày kết thúc").fill((today + timedelta(days=40)).isoformat())
    page.get_by_label("Công dân số hoàn thành").fill("1000")
    page.get_by_label("Hồ sơ đã lập").fill("300")
    page.get_by_label("Thôn đã đến").fill("5")
    page.get_by_role("button", name="Tạo chiến dịch").click()
    expect(page.get_by_role("heading", name="1.000 công dân số trong 60 ngày")).to_be_visible()
    expect(page.locator("#days-left")).to_have_text("Còn 41 ngày")
    expect(page.locator('tr[data-target="villages"] td').first).to_have_text("4")
    expect(page.locator("svg.chart")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    screenshot(page, "campaign-phone")
    assert errors == [], errors


def test_the_dashboard_and_campaign_on_a_laptop(dashboard_server: str, laptop: Page) -> None:
    url, page = dashboard_server, laptop
    errors = watch_errors(page)
    _sign_in(page, url, "/office/campaigns")
    campaign = page.locator(".campaign h2 a").first
    if campaign.count():  # made by the phone test when the whole module runs
        campaign.click()
        expect(page.locator("svg.chart")).to_have_count(3)
        screenshot(page, "campaign-laptop")
        page.get_by_role("link", name="Mở bảng theo dõi").click()
        expect(page.locator("#campaign-heading")).to_be_visible()
    else:
        page.goto(f"{url}/office/dashboard")
    expect(page.locator("svg.chart")).not_to_have_count(0)
    page.get_by_text("Chọn xã, chiến dịch, thời gian, thôn").click()
    page.locator("select[name=village]").select_option(label="Buôn Trí A")
    page.get_by_role("button", name="Xem").click()
    assert _figure(page, "residents_helped") == "6"
    page.get_by_text("Chọn xã, chiến dịch, thời gian, thôn").click()
    page.locator("select[name=village]").select_option(label="Tất cả thôn")
    page.get_by_role("button", name="Xem").click()
    assert _figure(page, "residents_helped") == "24"
    screenshot(page, "dashboard-laptop")
    assert errors == [], errors
