"""What the phone tests against the demo server (`live_server`) share: its accounts, the API as
the desk or the volunteer sees it, and where a screen's record id is in the address."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page

VOLUNTEER = "0901000011"
OFFICER = "0901000002"
PASSWORD = "motcua-demo"  # every demo account's (motcua demo)
OFFLINE = "ERR_INTERNET_DISCONNECTED"  # what a request made with the network off reports


def session(url: str, phone: str) -> dict[str, str]:
    answer = httpx.post(f"{url}/api/auth/login", json={"phone": phone, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    return {"authorization": f"Bearer {answer.json()['token']}"}


def desk_move(url: str, dossier_id: str, to: str, **extra: Any) -> None:
    """The desk officer moves a dossier through the desk's API."""
    answer = httpx.post(
        f"{url}/api/desk/dossiers/{dossier_id}/moves", json={"to": to, **extra}, headers=session(url, OFFICER)
    )
    assert answer.status_code == 200, answer.text


def server_versions(url: str, record_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Every version of a record the server keeps, as the volunteer who sent it sees them (the
    demo volunteer unless ``headers`` sign in another: nobody else may read them)."""
    answer = httpx.get(
        f"{url}/api/sync/records/{record_id}/versions", headers=headers or session(url, VOLUNTEER)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def record_id(page: Page, kind: str) -> str:
    """The id of the dossier or resident the phone's screen shows (``#/dossier/<id>``…)."""
    match = re.search(rf"#/{kind}/([0-9a-f-]{{36}})", page.url)
    assert match, page.url
    return match.group(1)


def open_screen(page: Page, kind: str, id_: str, ready: str) -> None:
    page.goto(page.url.split("#")[0] + f"#/{kind}/{id_}")
    page.wait_for_selector(f"body[data-ready={ready}]")
