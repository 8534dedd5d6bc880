"""The volunteer's "Việc cần làm" list in a real browser against a real server: a dossier the desk
sent back shows up with the officer's note and opens the dossier; a resident push cannot reach is
marked told with no network, and the mark reaches the server once the phone is online."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from motcua.push.models import ResidentContact
from tests.conftest import COMMUNE_A, PASSWORD, add_user
from tests.e2e.pwa_phone import (
    file_death_registration,
    open_app,
    phone_context,
    phone_shot,
    register_resident,
    sign_in,
    sync_now,
    tick_checklist,
    wait_until,
)
from tests.e2e.test_pwa_field_day import VOLUNTEER, Field, chromium, field, photos

__all__ = ["chromium", "field", "photos"]

pytestmark = pytest.mark.browser
NOTE = "Thiếu giấy báo tử bản gốc"


def _sign_in_api(field: Field, phone: str) -> tuple[str, dict[str, str]]:
    answer = httpx.post(f"{field.url}/api/auth/login", json={"phone": phone, "password": PASSWORD}).json()
    return answer["user"]["id"], {"authorization": f"Bearer {answer['token']}"}


def _plan_today(field: Field) -> None:
    """The coordinator puts the volunteer's village on today's route."""
    field.db(lambda: add_user(field.settings, "0971000021", "coordinator", (COMMUNE_A,)))
    _, coordinator = _sign_in_api(field, "0971000021")
    volunteer_id, _ = _sign_in_api(field, VOLUNTEER)
    village = httpx.get(f"{field.url}/api/places/communes/{COMMUNE_A}", headers=coordinator).json()[
        "villages"
    ][0]
    planned = httpx.post(
        f"{field.url}/api/routes",
        headers=coordinator,
        json={
            "commune_code": COMMUNE_A,
            "day": date.today().isoformat(),  # the browser's calendar is this machine's
            "stops": [{"village_id": village["id"]}],
            "team": [volunteer_id],
        },
    )
    assert planned.status_code == 201, planned.text


def _desk_asks_for_more(field: Field, dossier_id: str) -> None:
    field.db(lambda: add_user(field.settings, "0961000031", "desk_officer", (COMMUNE_A,)))
    _, officer = _sign_in_api(field, "0961000031")
    for move in ({"to": "accepted"}, {"to": "needs_supplement", "reason": NOTE}):
        answer = httpx.post(f"{field.url}/api/desk/dossiers/{dossier_id}/moves", json=move, headers=officer)
        assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("migrated", ["sqlite"], indirect=True)
def test_tasks_come_from_the_phone_offline_and_a_told_mark_is_posted_once_online(
    field: Field, chromium: Browser, photos: list[Path]
) -> None:
    _plan_today(field)
    with phone_context(chromium) as context:
        page = context.new_page()
        open_app(page, field.url, "login")
        sign_in(page, VOLUNTEER, PASSWORD)
        register_resident(page)
        tick_checklist(page)
        code = file_death_registration(page, photos)
        match = re.search(r"#/dossier/([0-9a-f-]{36})", page.url)
        assert match
        dossier_id = match.group(1)
        sync_now(page)
        expect(page.locator(".sync-chip")).to_have_text("✓ Đã gửi hết", timeout=60_000)

        _desk_asks_for_more(field, dossier_id)
        sync_now(page)  # pulls the new status and the residents push cannot reach

        context.set_offline(True)
        page.goto(page.url.split("#")[0] + "#/tasks")
        page.wait_for_selector("body[data-ready=tasks]")
        supplement = page.locator("li.task.supplement")
        expect(supplement).to_have_count(1)
        expect(supplement).to_contain_text(f"Bổ sung hồ sơ {code} — Nguyễn Văn An")
        expect(supplement).to_contain_text(f"Cán bộ ghi: {NOTE}")
        tell = page.locator("li.task.tell")
        expect(tell).to_have_count(1)
        expect(tell).to_contain_text("Gọi hoặc đến nhà Nguyễn Văn An")
        expect(tell).to_contain_text("Báo tin: Cần bổ sung")
        expect(tell.locator("a[href^='tel:']")).to_have_attribute("href", "tel:0912345678")
        checklist = page.locator("li.task.checklist")
        expect(checklist).to_contain_text("Hoàn thành công dân số — Nguyễn Văn An")
        expect(checklist).to_contain_text("Còn 6/7 bước")
        phone_shot(page, "tasks")

        page.goto(page.url.split("#")[0] + "#/today")
        page.wait_for_selector("body[data-ready=today]")
        card = page.locator(".tasks-card")
        expect(card.locator("li.task")).to_have_count(3)
        expect(card.get_by_role("link", name="Xem cả 3 việc")).to_be_visible()
        phone_shot(page, "today-tasks")
        card.get_by_role("link", name="Xem cả 3 việc").click()
        page.wait_for_selector("body[data-ready=tasks]")

        # Told at the door, with no network: the task goes at once, the mark waits on the phone.
        page.locator("li.task.tell").get_by_role("button", name="Đã báo").click()
        page.get_by_role("dialog").get_by_role("button", name="Đến nhà").click()
        expect(page.locator("li.task.tell")).to_have_count(0)
        expect(page.locator(".toast")).to_contain_text("sẽ gửi lên máy chủ khi có mạng")
        phone_shot(page, "tasks-told-offline")
        assert field.count(ResidentContact) == 0

        page.locator("li.task.supplement a").click()
        page.wait_for_selector("body[data-ready=receipt]")
        assert page.url.endswith(f"#/dossier/{dossier_id}")
        expect(page.locator(".tracking-code")).to_have_text(code)

        context.set_offline(False)  # the app syncs by itself when the network returns
        wait_until(page, "document.querySelector('.sync-chip').textContent.includes('Đã gửi hết')", 60)
        for _ in range(100):
            if field.count(ResidentContact):
                break
            page.wait_for_timeout(200)
        assert field.count(ResidentContact) == 1
        assert field.count(ResidentContact, ResidentContact.method == "visit") == 1
        page.goto(page.url.split("#")[0] + "#/tasks")
        page.wait_for_selector("body[data-ready=tasks]")
        expect(page.locator("li.task.tell")).to_have_count(0)  # the refreshed list no longer has them
        expect(page.locator("li.task.supplement")).to_have_count(1)
