"""A volunteer's day in a real browser against a real server: sign in online, work offline, close
and reopen the app, come back online and sync — and the server ends up with exactly one of
everything, whatever the link or the server did in the middle of the sync.

The full day runs on SQLite and PostgreSQL; the link and server failures on SQLite.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import func, select

from motcua.attachments.models import Attachment
from motcua.dossiers.models import Dossier
from motcua.residents.models import ChecklistStep, Consent, Resident
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, IN_CI, PASSWORD, add_user, rows
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, watch_errors
from tests.e2e.pwa_phone import (
    Link,
    file_death_registration,
    open_app,
    paper_photos,
    phone_context,
    phone_shot,
    register_resident,
    sign_in,
    sync_now,
    tick_checklist,
    unlock,
    wait_until,
    watch_uploads,
)
from tests.server import ServerProcess, motcua_env
from tests.sync.conftest import add_village

pytestmark = pytest.mark.browser
T = TypeVar("T")
VOLUNTEER = "0971000011"


@dataclass
class Field:
    settings: Settings
    server: ServerProcess

    @property
    def url(self) -> str:
        return self.server.url

    def db(self, work: Callable[[], T]) -> T:
        """Database checks off the main thread, where Playwright's event loop runs."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(work).result()

    def count(self, model: Any, *where: Any) -> int:
        statement = select(func.count()).select_from(model).where(*where)
        return int(self.db(lambda: rows(self.settings, statement))[0])


@pytest.fixture
def field(settings: Settings) -> Iterator[Field]:
    """A volunteer of Xã Buôn Đôn with one village, and a real server on this test's database."""
    add_user(settings, VOLUNTEER, "volunteer", (COMMUNE_A,), name="H’Hen Niê")
    add_village(settings, COMMUNE_A, "Buôn Ea Tul")
    env = motcua_env(settings.data_dir, settings.database_url, MOTCUA_SECRET_KEY=settings.secret_key)
    server = ServerProcess(env).start()
    try:
        yield Field(settings, server)
    finally:
        server.stop()


@pytest.fixture
def chromium(field: Field) -> Iterator[Browser]:
    """A browser per test, closed before the database is emptied (that needs the main thread)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is required in CI and is missing at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return paper_photos(tmp_path_factory.mktemp("photos"))


def _offline_day(context: BrowserContext, page: Page, field: Field, photos: list[Path], shots: bool) -> str:
    """Sign in online, then register, tick and file with no network at all."""
    open_app(page, field.url, "login")
    if shots:
        phone_shot(page, "sign-in")
    sign_in(page, VOLUNTEER, PASSWORD)
    if shots:
        phone_shot(page, "today")
    context.set_offline(True)
    register_resident(page, shots=shots)
    if shots:
        phone_shot(page, "resident")
    tick_checklist(page, shots=shots)
    return file_death_registration(page, photos, shots=shots)


def _assert_exactly_once(field: Field) -> None:
    assert field.count(Resident) == 1
    assert field.count(Consent) == 2
    assert field.count(ChecklistStep) == 1
    assert field.count(Dossier) == 1
    # Three paper photos, the resident's signature at registration and on the dossier.
    assert field.count(Attachment) == 5
    assert field.count(Dossier, Dossier.status == "received") == 1, "every photo of the dossier arrived"


def test_a_field_day_offline_reaches_the_server_exactly_once(
    field: Field, chromium: Browser, photos: list[Path], settings: Settings
) -> None:
    shots = "sqlite" in settings.database_url  # one set of screenshots is enough
    with phone_context(chromium) as context:
        page = context.new_page()
        errors = watch_errors(page)
        code = _offline_day(context, page, field, photos, shots)
        assert re.fullmatch(r"[A-Z0-9]{2,8}-1", code), code  # device code, first dossier of the phone
        # The QR code at once, offline: the phone made the code and its secret; it works after a sync.
        expect(page.locator(".qr img")).to_be_visible()
        expect(page.locator(".qr-later")).to_have_text("Mã QR dùng được sau khi máy đã đồng bộ.")
        assert field.count(Resident) == 0, "offline means offline"

        # The app is closed and opened again, still with no network: everything is there.
        page.close()
        page = context.new_page()
        errors += watch_errors(page)
        open_app(page, field.url, "locked")  # the data key is never kept: the PIN again
        unlock(page)
        expect(page.locator(".sync-chip")).to_contain_text("Không có mạng")
        page.get_by_role("link", name="Người dân", exact=True).click()
        page.get_by_role("searchbox").fill("nguyen van an")
        expect(page.locator(".people li")).to_have_count(1)
        expect(page.locator(".people .state")).to_have_text("Chờ gửi")
        if shots:
            phone_shot(page, "residents-search")
        page.get_by_role("link", name="Hồ sơ", exact=True).click()
        expect(page.locator(".dossiers .code")).to_have_text(code)
        if shots:
            phone_shot(page, "dossiers")
        sync_now(page)
        expect(page.locator(".sync-state")).to_contain_text("Không có mạng")
        expect(page.locator(".records li")).to_have_count(5)  # resident, two consents, a tick, the dossier
        if shots:
            phone_shot(page, "sync-offline")

        # Back in signal: the app syncs by itself.
        context.set_offline(False)
        expect(page.locator(".sync-chip")).to_have_text("✓ Đã gửi hết", timeout=60_000)
        expect(page.locator(".last-sync")).to_contain_text("Đồng bộ thành công lần cuối")
        if shots:
            phone_shot(page, "sync-done")
        _assert_exactly_once(field)
        # Photos were shrunk on the phone: a few hundred KB, not the camera's half megabyte and more.
        sizes = field.db(
            lambda: rows(settings, select(Attachment.size).where(Attachment.media_type == "image/jpeg"))
        )
        assert len(sizes) == 3
        assert all(size <= 400_000 for size in sizes), sizes

        # The receipt now carries the QR code of the resident's status page.
        page.get_by_role("link", name="Hồ sơ", exact=True).click()
        page.locator(".dossiers a").first.click()
        page.wait_for_selector("body[data-ready=receipt]")
        expect(page.locator(".qr img")).to_be_visible()
        assert page.locator(".qr img").evaluate("img => img.complete && img.naturalWidth > 0")
        expect(page.locator(".tracking-code")).to_have_text(code)
        if shots:
            phone_shot(page, "receipt")
            page.emulate_media(media="print")  # what the printer gets: the ticket, no app around it
            phone_shot(page, "receipt-print")
            page.emulate_media(media="screen")

        # A second sync sends nothing twice.
        sync_now(page)
        _assert_exactly_once(field)
        assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e] == [], errors


@pytest.mark.parametrize("migrated", ["sqlite"], indirect=True)
def test_the_link_dropping_mid_sync_loses_nothing_and_doubles_nothing(
    field: Field, chromium: Browser, photos: list[Path]
) -> None:
    with phone_context(chromium) as context:
        page = context.new_page()
        _offline_day(context, page, field, photos, shots=False)
        uploads = watch_uploads(page)

        # The answer to the first push is lost on the way back: the server applied it, the phone
        # never heard, so the records stay queued.
        def lose_answer(route: Any) -> None:
            route.fetch()
            route.abort("connectionreset")

        context.route("**/api/sync/push", lose_answer, times=1)
        page.get_by_role("link", name="Đồng bộ", exact=True).click()
        page.wait_for_selector("body[data-ready=sync]")
        context.set_offline(False)  # the app syncs by itself when the network returns
        expect(page.locator(".sync-error")).to_contain_text("không kết nối được máy chủ", timeout=30_000)
        assert field.count(Resident) == 1, "the server did apply the lost batch"
        expect(page.locator(".records li")).to_have_count(5)

        # On a slow uplink the link drops while the photos go up.
        link = Link(page)
        link.slow()
        page.get_by_role("button", name="Đồng bộ ngay").click()
        already = len(uploads)
        for _ in range(1200):
            if len(uploads) > already:
                break
            page.wait_for_timeout(50)
        assert len(uploads) > already, "the photos never started to upload"
        link.offline()
        wait_until(page, "!document.querySelector('.sync-now').disabled", 60)
        expect(page.locator(".sync-state")).to_contain_text("Không có mạng")
        phone_shot(page, "sync-link-dropped")
        assert field.count(Dossier, Dossier.status == "received") == 0

        link.fast()  # back online: the app syncs by itself
        expect(page.locator(".sync-chip")).to_have_text("✓ Đã gửi hết", timeout=60_000)
        _assert_exactly_once(field)


@pytest.mark.parametrize("migrated", ["sqlite"], indirect=True)
def test_the_server_restarting_mid_sync_loses_nothing_and_doubles_nothing(
    field: Field, chromium: Browser, photos: list[Path]
) -> None:
    with phone_context(chromium) as context:
        page = context.new_page()
        _offline_day(context, page, field, photos, shots=False)
        uploads = watch_uploads(page)
        link = Link(page)
        link.slow()
        context.set_offline(False)
        page.goto(field.url + "/#/sync")
        page.wait_for_selector("body[data-ready=sync]")
        for _ in range(1200):  # the sync started on its own when the network came back
            if uploads:
                break
            page.wait_for_timeout(50)
        assert uploads, "the photos never started to upload"
        field.server.kill()  # a power cut in the middle of the photos
        wait_until(page, "!document.querySelector('.sync-now').disabled", 60)
        expect(page.locator(".sync-error")).to_contain_text("không kết nối được máy chủ")
        phone_shot(page, "sync-server-down")
        assert field.count(Resident) == 1
        assert field.count(Dossier, Dossier.status == "received") == 0

        field.server.start()
        link.fast()
        sync_now(page)
        expect(page.locator(".sync-chip")).to_have_text("✓ Đã gửi hết", timeout=60_000)
        _assert_exactly_once(field)


@pytest.mark.parametrize("migrated", ["sqlite"], indirect=True)
def test_today_shows_the_route_the_coordinator_planned(field: Field, chromium: Browser) -> None:
    field.db(lambda: add_user(field.settings, "0971000021", "coordinator", (COMMUNE_A,)))

    def sign_in_api(phone: str) -> tuple[str, dict[str, str]]:
        answer = httpx.post(f"{field.url}/api/auth/login", json={"phone": phone, "password": PASSWORD}).json()
        return answer["user"]["id"], {"authorization": f"Bearer {answer['token']}"}

    _, coordinator = sign_in_api("0971000021")
    volunteer_id, _ = sign_in_api(VOLUNTEER)
    village = httpx.get(f"{field.url}/api/places/communes/{COMMUNE_A}", headers=coordinator).json()[
        "villages"
    ][0]
    planned = httpx.post(
        f"{field.url}/api/routes",
        headers=coordinator,
        json={
            "commune_code": COMMUNE_A,
            "day": date.today().isoformat(),  # the browser's calendar is this machine's
            "note": "Mang máy in nhiệt",
            "stops": [
                {
                    "village_id": village["id"],
                    "meeting_point": "Nhà văn hóa buôn",
                    "starts_at": "07:30:00",
                    "ends_at": "10:00:00",
                }
            ],
            "team": [volunteer_id],
        },
    )
    assert planned.status_code == 201, planned.text
    with phone_context(chromium) as context:
        page = context.new_page()
        open_app(page, field.url, "login")
        sign_in(page, VOLUNTEER, PASSWORD)
        route = page.locator(".route")
        expect(route).to_contain_text("Mang máy in nhiệt", timeout=15_000)  # arrives with the first pull
        expect(route.locator(".stops li")).to_have_count(1)
        expect(route.locator(".stops li")).to_contain_text("Buôn Ea Tul")
        expect(route.locator(".stops li")).to_contain_text("07:30–10:00 · Nhà văn hóa buôn")
        phone_shot(page, "today-route")
