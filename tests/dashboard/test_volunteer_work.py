"""Per volunteer on the coordinator's dashboard: supplements sent, residents told, checklist steps
ticked; a coordinator sees the volunteers of their provinces only (Đắk Lắk and Hà Nội here)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.campaigns.service import today
from motcua.dashboard.volunteers import VolunteerWork, volunteer_work
from motcua.metrics.service import Filters
from motcua.settings import Settings
from tests.conftest import (
    COMMUNE_A,
    COMMUNE_B,
    COMMUNE_OTHER_PROVINCE,
    PROVINCE_DAK_LAK,
    add_user,
    bearer,
    in_db,
)
from tests.dashboard.conftest import sign_in_page
from tests.desk.conftest import desk_officer, moved
from tests.sync.conftest import Field, add_village, field
from tests.sync.phone import Phone

__all__ = ["desk_officer", "field"]

PROVINCE_HA_NOI = 1


def _work(settings: Settings, codes: tuple[int, ...]) -> list[tuple[str, int, int, int]]:
    """(name, supplements sent, residents told, steps ticked) per volunteer, in the page's order."""

    async def work(db: AsyncSession) -> list[VolunteerWork]:
        return await volunteer_work(db, Filters(codes, today() - timedelta(days=1), today()))

    return [(w.name, w.supplements_sent, w.residents_told, w.steps_ticked) for w in in_db(settings, work)]


def _ticks(
    field: Field, headers: dict[str, str], phone: Phone, resident: dict[str, Any], *steps: str
) -> None:
    field.push(headers, *(phone.checklist(resident, step) for step in steps))


def test_supplements_told_and_ticks_count_per_volunteer_within_the_coordinators_provinces(
    field: Field, desk_officer: dict[str, str], settings: Settings
) -> None:
    add_user(settings, "0971000009", "volunteer", (COMMUNE_OTHER_PROVINCE,), name="Hà Nội Tình Nguyện")
    hanoi = bearer(field.client, "0971000009")
    a1, a2 = Phone("VA1", field.village_a), Phone("VA2", field.village_a)
    b, h = Phone("VB1", field.village_b), Phone("VH1", add_village(settings, COMMUNE_OTHER_PROVINCE, "Tổ 1"))

    resident = a1.resident(1)
    dossier = a1.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    field.upload(field.volunteer_a1, a1)
    # An edit while the dossier is still being received is no supplement.
    early = a1.edit(dossier, receipt_secret_hash=hashlib.sha256(b"early").hexdigest())
    assert field.push(field.volunteer_a1, early)[0]["outcome"] == "applied"
    for move in ({"to": "accepted"}, {"to": "needs_supplement", "reason": "Thiếu giấy báo tử"}):
        assert moved(field, desk_officer, dossier["id"], **move).status_code == 200
    supplement = a1.edit(early, receipt_secret_hash=hashlib.sha256(b"supplement").hexdigest())
    assert field.push(field.volunteer_a1, supplement)[0]["outcome"] == "applied"
    told = field.client.post(
        f"/api/reach/{dossier['id']}/told", json={"method": "call"}, headers=field.volunteer_a1
    )
    assert told.status_code == 201
    _ticks(field, field.volunteer_a1, a1, resident, "vneid_installed", "vneid_level1", "portal_login")

    other = a2.resident(2)
    field.push(field.volunteer_a2, other)
    _ticks(field, field.volunteer_a2, a2, other, "bank_account")
    in_b = b.resident(3)
    field.push(field.volunteer_b, in_b)
    _ticks(field, field.volunteer_b, b, in_b, "vneid_installed")
    in_hanoi = h.resident(4)
    field.push(hanoi, in_hanoi)
    _ticks(field, hanoi, h, in_hanoi, "vneid_installed", "sim_standardised")

    # The field's volunteers are all "Người Thử"; A1 did the most.
    assert _work(settings, (COMMUNE_A,)) == [("Người Thử", 1, 1, 3), ("Người Thử", 0, 0, 1)]
    assert [w[1:] for w in _work(settings, (COMMUNE_A, COMMUNE_B))] == [(1, 1, 3), (0, 0, 1), (0, 0, 1)]
    assert _work(settings, (COMMUNE_OTHER_PROVINCE,)) == [("Hà Nội Tình Nguyện", 0, 0, 2)]

    # The pages: a coordinator of Đắk Lắk and one of Hà Nội each see their own volunteers only.
    add_user(settings, "0981000066", "coordinator", provinces=(PROVINCE_DAK_LAK,), name="Điều Phối Đắk Lắk")
    add_user(settings, "0981000001", "coordinator", provinces=(PROVINCE_HA_NOI,), name="Điều Phối Hà Nội")
    sign_in_page(field.client, "0981000066")
    page = field.client.get("/office/dashboard")
    assert page.status_code == 200
    table = page.text.split('id="volunteer-work"')[1].split("</table>")[0]
    counts = re.findall(
        r'data-count="supplements">(\d+)</td><td data-count="told">(\d+)</td><td data-count="ticked">(\d+)<',
        table,
    )
    assert counts == [("1", "1", "3"), ("0", "0", "1"), ("0", "0", "1")]
    assert "Hà Nội Tình Nguyện" not in page.text
    assert "Việc tình nguyện viên đã làm" in page.text

    field.client.cookies.clear()
    sign_in_page(field.client, "0981000001")
    page = field.client.get("/office/dashboard")
    table = page.text.split('id="volunteer-work"')[1].split("</table>")[0]
    assert "Hà Nội Tình Nguyện" in table
    assert table.count("data-volunteer=") == 1
    # A coordinator of Hà Nội cannot ask for a Đắk Lắk commune.
    assert field.client.get(f"/office/dashboard?commune={COMMUNE_A}").status_code in (403, 404)
