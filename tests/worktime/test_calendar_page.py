"""The desk sets its hours and days off; the next deadline counts them."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.settings import Settings
from motcua.worktime.service import commune_calendar
from tests.conftest import COMMUNE_A, PASSWORD, add_user, in_db


def _csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_the_desk_sets_its_hours_and_a_swapped_saturday(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, "0961000001", "desk_officer", (COMMUNE_A,))
    client.post(
        "/login",
        data={"phone": "0961000001", "password": PASSWORD, "_csrf_token": _csrf(client.get("/login").text)},
    )
    page = client.get("/office/calendar")
    assert page.status_code == 200
    assert "07:00-11:30, 13:30-17:00" in page.text
    hours = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "07:30-11:30, 13:30-17:00")
    saved = client.post(
        f"/office/calendar/{COMMUNE_A}/hours",
        data={**hours, "sat": "07:30-11:00", "_csrf_token": _csrf(page.text)},
    )
    assert saved.status_code == 200
    assert "07:30-11:00" in saved.text
    bad = client.post(
        f"/office/calendar/{COMMUNE_A}/hours", data={"mon": "11:00-07:00", "_csrf_token": _csrf(page.text)}
    )
    assert bad.status_code == 400
    assert "Giờ làm việc chưa đúng" in bad.text
    added = client.post(
        f"/office/calendar/{COMMUNE_A}/overrides",
        data={"day": "2026-12-25", "kind": "day_off", "note": "Xã nghỉ bù", "_csrf_token": _csrf(page.text)},
    )
    assert "25/12/2026" in added.text
    twice = client.post(
        f"/office/calendar/{COMMUNE_A}/overrides",
        data={"day": "2026-12-25", "kind": "day_off", "_csrf_token": _csrf(page.text)},
    )
    assert twice.status_code == 409

    async def check(db: AsyncSession) -> tuple[bool, bool, list[Any]]:
        calendar = await commune_calendar(db, COMMUNE_A)
        return (
            calendar.is_working_day(date(2026, 11, 21)),  # a Saturday: open in the morning now
            calendar.is_working_day(date(2026, 12, 25)),
            calendar.intervals(date(2026, 11, 23)),
        )

    saturday, christmas, monday = in_db(settings, check)
    assert saturday is True
    assert christmas is False
    assert monday[0][0] == datetime(2026, 11, 23, 7, 30)


def test_a_volunteer_cannot_change_the_calendar(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, "0971000001", "volunteer", (COMMUNE_A,))
    client.post(
        "/login",
        data={"phone": "0971000001", "password": PASSWORD, "_csrf_token": _csrf(client.get("/login").text)},
    )
    assert client.get("/office/calendar").status_code == 403
