"""Nobody forgotten: coordinators see who heard their dossier's news; volunteers get a call list."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from motcua.audit.models import AuditEvent
from motcua.push.models import ResidentContact
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, rows
from tests.push.conftest import drain, open_page, subscribe, synced_dossier, walk
from tests.push.fake_push import FakePushService
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def _sign_in(client: TestClient[Any], phone: str) -> None:
    token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    answer = client.post(
        "/login",
        data={"phone": phone, "password": PASSWORD, "_csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def test_the_volunteer_is_told_whom_to_call_or_visit_and_the_coordinator_sees_who_was_reached(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    with_phone = synced_dossier(field, phone_a1, serial=1)
    without_phone = synced_dossier(field, phone_a1, serial=2)
    looked = synced_dossier(field, phone_a1, serial=3)
    subscribe(field.client, with_phone, push_service.browser("grandmother"))
    for dossier in (with_phone, without_phone, looked):
        walk(field, desk_officer, dossier, "accepted", "ready")
    drain(settings)
    open_page(field.client, looked)  # opened the status page after the result was ready

    call_list = field.client.get("/api/reach/mine", headers=field.volunteer_a1).json()
    assert [item["tracking_code"] for item in call_list] == [without_phone.code]
    (item,) = call_list
    assert item["news_vi"] == "Có kết quả"
    assert item["resident_name"] == "Nguyễn Thị Lan 2"
    assert (item["subscribed"], item["state"]) == (False, "no_subscription")
    # Another volunteer has nobody to call.
    assert field.client.get("/api/reach/mine", headers=field.volunteer_a2).json() == []

    told = field.client.post(
        f"/api/reach/{without_phone.id}/told", json={"method": "visit"}, headers=field.volunteer_a1
    )
    assert told.status_code == 201
    assert field.client.get("/api/reach/mine", headers=field.volunteer_a1).json() == []
    assert [c.method for c in rows(settings, select(ResidentContact))] == ["visit"]
    refused = field.client.post(
        f"/api/reach/{with_phone.id}/told", json={"method": "visit"}, headers=field.volunteer_a2
    )
    assert refused.status_code == 404

    add_user(settings, "0981000001", "coordinator", (COMMUNE_A,), name="Điều Phối Viên")
    _sign_in(field.client, "0981000001")
    page = field.client.get(f"/office/reach?commune={COMMUNE_A}")
    assert page.status_code == 200
    states = dict(re.findall(r'data-dossier="([^"]+)" data-state="([^"]+)"', page.text))
    assert states == {with_phone.id: "push", without_phone.id: "visit", looked.id: "page"}
    assert "Đã nhận tin: 3 / 3 hồ sơ" in page.text
    assert any(e.action == "reach.commune" for e in rows(settings, select(AuditEvent)))

    walk(field, desk_officer, without_phone, "delivered")
    walk(field, desk_officer, looked, "delivered")
    unreached = field.client.get(f"/office/reach?commune={COMMUNE_A}&unreached=true")
    shown = dict(re.findall(r'data-dossier="([^"]+)" data-state="([^"]+)"', unreached.text))
    assert shown == {without_phone.id: "no_subscription", looked.id: "no_subscription"}


def test_the_volunteers_call_list_page_records_a_call(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    walk(field, desk_officer, dossier, "accepted", ("needs_supplement", "Thiếu giấy báo tử"))
    _sign_in(field.client, "0971000001")
    page = field.client.get("/office/reach/mine")
    assert "Nguyễn Thị Lan 1" in page.text
    assert "Thiếu giấy báo tử" in page.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    done = field.client.post(
        f"/office/reach/{dossier.id}/told",
        data={"method": "call", "next": "/office/reach/mine", "_csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Không còn ai cần báo tin" in field.client.get("/office/reach/mine").text
    assert field.client.get("/office/reach").status_code == 403  # the commune view is for coordinators
