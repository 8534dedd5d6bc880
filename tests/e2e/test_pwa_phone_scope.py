"""Least data on each phone, in Chromium (docs/privacy.md): a route through a new village brings
its residents without the phone pulling from 0 again, and a revoked session wipes the phone,
unsent records included, and says why."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import Page, Request, expect

from tests.e2e.conftest import screenshot
from tests.e2e.demo_server import PASSWORD
from tests.e2e.pwa_phone import Link, in_user_db, open_app, register_resident, sign_in, sync_now
from tests.sync.phone import Phone

pytestmark = pytest.mark.browser

COORDINATOR, ADMIN = "0901000001", "0901000000"
NEIGHBOUR, WIDENED, REVOKED = "0901000013", "0901000014", "0901000012"


def _login(url: str, phone: str) -> tuple[dict[str, str], dict[str, Any]]:
    answer = httpx.post(f"{url}/api/auth/login", json={"phone": phone, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return {"authorization": f"Bearer {body['token']}"}, body["user"]


def _stored(page: Page, store: str) -> list[dict[str, Any]]:
    """The store's rows as the app reads them: the user's own database, decrypted with the PIN."""
    result: list[dict[str, Any]] = page.evaluate(in_user_db("return await db.all(arg);"), store)
    return result


def test_a_route_through_a_new_village_brings_its_residents_without_a_pull_from_zero(
    live_server: str, phone: Page
) -> None:
    coordinator, _ = _login(live_server, COORDINATOR)
    commune = httpx.get(f"{live_server}/api/places/communes", headers=coordinator).json()[0]["code"]
    villages = httpx.get(f"{live_server}/api/places/communes/{commune}", headers=coordinator).json()[
        "villages"
    ]
    village = UUID(villages[-1]["id"])  # one no other phone test registers in
    # A colleague registered two residents of that village before any route went there.
    neighbour, _ = _login(live_server, NEIGHBOUR)
    colleague = Phone("E2S", village)
    residents = [
        colleague.resident(n, sex="male", birth_date="1950-03-04", personal_id=f"06605000140{n}")
        for n in (1, 2)
    ]
    pushed = httpx.post(f"{live_server}/api/sync/push", json={"records": residents}, headers=neighbour)
    assert [o["outcome"] for o in pushed.json()["outcomes"]] == ["applied", "applied"]

    open_app(phone, live_server)
    sign_in(phone, WIDENED, PASSWORD)
    sync_now(phone)
    held = {r["id"] for r in _stored(phone, "residents")}
    assert not held & {r["id"] for r in residents}  # no route there: not on this phone
    cursors: list[str] = []

    def pulled(request: Request) -> None:
        if "/api/sync/pull" in request.url:
            cursors.append(request.url.split("cursor=")[1].split("&")[0])

    phone.on("request", pulled)
    _, volunteer = _login(live_server, WIDENED)
    route = {
        "commune_code": commune,
        "day": date.today().isoformat(),
        "stops": [{"village_id": str(village)}],
        "team": [volunteer["id"]],
    }
    planned = httpx.post(f"{live_server}/api/routes", json=route, headers=coordinator)
    assert planned.status_code == 201, planned.text
    sync_now(phone)
    stored = {r["id"]: r for r in _stored(phone, "residents")}
    assert {r["id"] for r in residents} <= set(stored)
    assert cursors
    assert "0" not in cursors  # the server sent the older records itself
    phone.goto(phone.url.split("#")[0] + "#/residents")
    phone.wait_for_selector("body[data-ready=residents]")
    expect(phone.get_by_text(residents[0]["body"]["full_name"])).to_be_visible()


def test_a_revoked_session_wipes_the_phone_and_says_why(live_server: str, phone: Page) -> None:
    open_app(phone, live_server)
    sign_in(phone, REVOKED, PASSWORD)
    link = Link(phone)
    link.offline()
    register_resident(phone, personal_id="066050001410")  # queued, not sent
    assert [r["state"] for r in _stored(phone, "records") if r["kind"] == "resident"] == ["waiting"]

    admin, _ = _login(live_server, ADMIN)
    _, user = _login(live_server, REVOKED)
    revoked = httpx.post(f"{live_server}/api/users/{user['id']}/revoke-sessions", headers=admin)
    assert revoked.status_code in (200, 201), revoked.text

    link.fast()  # back online: the phone syncs, hears session.revoked, wipes and reloads
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.wait_for_selector("body[data-ready=login]", timeout=60_000)
    expect(phone.get_by_role("alert")).to_contain_text("Phiên đăng nhập đã bị thu hồi")
    screenshot(phone, "phone-wiped-revoked")
    # The user's database is gone, and so is their entry in the phone's directory of users
    # (no session, no PIN: the next person starts at sign-in).
    left = phone.evaluate("""async () => {
      const { listUsers } = await import("/app/js/db.js");
      const names = (await indexedDB.databases()).map((d) => d.name);
      return { names: names.filter((n) => n !== "motcua-phone"), users: (await listUsers()).length };
    }""")
    assert left == {"names": [], "users": 0}
