"""A month of known field work in commune A, written through the sync API with fixed times.

March 2026, Vietnam time. Commune A has three villages: Buôn Trí A (village_a), Buôn Jang
Lành, Thôn Hà Bắc (never visited). Every figure of the dashboard for March is worked out by
hand in tests/dashboard/test_metrics.py from what is written here.

- R1, Buôn Trí A, by volunteer A1 on 2 March: all seven steps fulfilled on 5 March (six done,
  SIM not applicable; bank account first "follow up" on 3 March): a digital citizen of March.
- R2, Buôn Trí A, by A1 on 10 March: VNeID installed, level 1 "follow up".
- R3, Buôn Jang Lành, by A2 at 00:10 on 1 March: six steps done on 12 March, the seventh only
  on 2 April (a digital citizen of April, not of March).
- R4, Buôn Trí A, by A1 on 20 February; only a dossier (written by A2) in March.
- R6, Buôn Trí A, by A1 on 10 February, every step done on 11 February.
- R5, commune B, by volunteer B in March, every step done: never in commune A's figures.

Dossiers (times Vietnam):
- D1 R1 death registration, written 2 Mar; accepted 3 Mar 08:00, due 10:00, delivered 09:30.
- D2 R2 death registration, written 10 Mar; accepted 10 Mar 14:00, due 16:00, ready 11 Mar 09:00.
- D3 R4 certified copy, written by A2 15 Mar; received, not accepted.
- D4 R2 certified copy, written 20 Mar; accepted 21 Mar 08:00, due 17:00, rejected 11:00.
- D5 R1 death registration, written 25 Feb; accepted 26 Feb 08:00, due 27 Feb 08:00, ready
  1 Mar 09:00 (a late result in March of a February dossier).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import TestClient
from sqlalchemy import update

from motcua.dossiers.models import Dossier
from motcua.i18n import VIETNAM_TIME
from motcua.metrics.service import STEPS
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, execute
from tests.desk.conftest import desk_officer
from tests.sync.conftest import Field, add_village, field
from tests.sync.phone import Phone, fake_jpeg

__all__ = ["desk_officer", "field", "known"]

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
COORDINATOR = "0961000010"
DESK_OFFICER = "0961000001"  # made by the desk_officer fixture


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VIETNAM_TIME)


@dataclass
class Known:
    field: Field
    village_a: UUID
    village_jang_lanh: UUID
    village_ha_bac: UUID
    residents: dict[str, str]  # R1.. -> id
    personal_ids: dict[str, str]
    dossiers: dict[str, str]  # D1.. -> tracking code


def _write(phone: Phone, when: datetime, record: dict[str, Any]) -> dict[str, Any]:
    # The phone stamps a record when it is made; rewrite the stamp to the known moment.
    return {**record, "written_at": when.isoformat()}


def _tick(phone: Phone, resident: dict[str, Any], step: str, state: str, when: datetime) -> dict[str, Any]:
    record = phone.checklist(resident, step)
    record["body"]["state"] = state
    return _write(phone, when, record)


def _dossier(phone: Phone, resident: dict[str, Any], code: str) -> dict[str, Any]:
    # Written "now" (the sample declarations hold dates after March); the known time is set below.
    record = phone.dossier(resident, code)
    if code == "chung-thuc-ban-sao-tu-ban-chinh":
        photo = phone.attach(fake_jpeg(phone.counter * 7919 + len(phone.prefix)))
        record["body"]["papers"] = [{"paper_id": "ban-chinh", "photos": [photo]}]
    return record


def _desk(settings: Settings, code: str, **values: Any) -> None:
    execute(settings, update(Dossier).where(Dossier.tracking_code == code).values(**values))


def build_known_month(field: Field, settings: Settings) -> Known:
    jang_lanh = add_village(settings, COMMUNE_A, "Buôn Jang Lành")
    ha_bac = add_village(settings, COMMUNE_A, "Thôn Hà Bắc")
    a1, a2 = Phone("KA1", field.village_a), Phone("KA2", jang_lanh)
    b = Phone("KB1", field.village_b)

    r1 = _write(a1, at(3, 2), a1.resident(101, name="Hờ A Dính"))
    r2 = _write(a1, at(3, 10), a1.resident(102, name="Nguyễn Thị Lan"))
    r3 = _write(a2, at(3, 1, 0, 10), a2.resident(103, name="H’Linh Niê"))
    r4 = _write(a1, at(2, 20), a1.resident(104, name="Y Kông Ayun", sex="male"))
    r6 = _write(a1, at(2, 10), a1.resident(106, name="Lê Văn Tám", sex="male"))
    r5 = _write(b, at(3, 5), b.resident(105, name="Trần Thị Bé"))

    r1_ticks = [_tick(a1, r1, "bank_account", "follow_up", at(3, 3))] + [
        _tick(a1, r1, step, "not_applicable" if step == "sim_standardised" else "done", at(3, 5, 10))
        for step in STEPS
    ]
    r2_ticks = [
        _tick(a1, r2, "vneid_installed", "done", at(3, 10, 10)),
        _tick(a1, r2, "vneid_level1", "follow_up", at(3, 10, 10)),
    ]
    r3_ticks = [
        _tick(a2, r3, step, "done", at(3, 12) if step != "first_online_submission" else at(4, 2))
        for step in STEPS
    ]
    r6_ticks = [_tick(a1, r6, step, "done", at(2, 11)) for step in STEPS]
    r5_ticks = [_tick(b, r5, step, "done", at(3, 6)) for step in STEPS]

    d1 = _dossier(a1, r1, "dang-ky-khai-tu")
    d2 = _dossier(a1, r2, "dang-ky-khai-tu")
    d4 = _dossier(a1, r2, "chung-thuc-ban-sao-tu-ban-chinh")
    d5 = _dossier(a1, r1, "dang-ky-khai-tu")
    d3 = _dossier(a2, r4, "chung-thuc-ban-sao-tu-ban-chinh")

    pushed = [
        *field.push(field.volunteer_a1, r1, r2, r4, r6, *r1_ticks, *r2_ticks, *r6_ticks, d1, d2, d4, d5),
        *field.push(field.volunteer_a2, r3, *r3_ticks, d3),
        *field.push(field.volunteer_b, r5, *r5_ticks),
    ]
    refused = [o for o in pushed if o["outcome"] != "applied"]
    assert not refused, str(refused)

    desk = {
        "KA1-1": ("delivered", at(3, 2, 10), at(3, 3, 8), at(3, 3, 10), at(3, 3, 9, 30)),
        "KA1-2": ("ready", at(3, 10, 11), at(3, 10, 14), at(3, 10, 16), at(3, 11, 9)),
        "KA1-3": ("rejected", at(3, 20), at(3, 21, 8), at(3, 21, 17), at(3, 21, 11)),
        "KA1-4": ("ready", at(2, 25), at(2, 26, 8), at(2, 27, 8), at(3, 1, 9)),
        "KA2-1": ("received", at(3, 15), None, None, None),
    }
    for code, (status, written, accepted, deadline, result) in desk.items():
        _desk(
            settings,
            code,
            status=status,
            written_at=written,
            received_at=written,
            accepted_at=accepted,
            deadline_at=deadline,
            result_at=result,
        )

    residents = {"R1": r1, "R2": r2, "R3": r3, "R4": r4, "R5": r5, "R6": r6}
    return Known(
        field=field,
        village_a=field.village_a,
        village_jang_lanh=jang_lanh,
        village_ha_bac=ha_bac,
        residents={key: r["id"] for key, r in residents.items()},
        personal_ids={key: r["body"]["personal_id"] for key, r in residents.items()},
        dossiers={"D1": "KA1-1", "D2": "KA1-2", "D3": "KA2-1", "D4": "KA1-3", "D5": "KA1-4"},
    )


@pytest.fixture
def known(field: Field, settings: Settings) -> Known:
    return build_known_month(field, settings)


def csrf_token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def sign_in_page(client: TestClient[Any], phone: str) -> None:
    """Sign the browser (cookie) in as ``phone``."""
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={"phone": phone, "password": PASSWORD, "next": "/office", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def coordinator_page(field: Field, settings: Settings) -> TestClient[Any]:
    """The field's client, signed in to the pages as a coordinator of commune A."""
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,), name="Điều Phối Xã A")
    sign_in_page(field.client, COORDINATOR)
    return field.client
