"""The desk's pages: inbox, a dossier with its papers, a move by form, the printable declaration."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from motcua.audit.models import AuditEvent
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, rows
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


def _csrf(html: str) -> str:
    token = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert token
    return token.group(1)


def test_the_desk_sees_the_dossier_moves_it_and_prints_it(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(1)
    dossier = phone_a1.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    field.upload(field.volunteer_a1, phone_a1)
    add_user(settings, "0961000001", "desk_officer", (COMMUNE_A,), name="Cán Bộ Một Cửa")
    client = field.client
    _sign_in(client, "0961000001")

    inbox = client.get("/desk")
    assert inbox.status_code == 200
    assert "AA1-1" in inbox.text
    assert "Đăng ký khai tử" in inbox.text
    assert "********" in inbox.text  # ID numbers masked in the list
    assert resident["body"]["personal_id"] not in inbox.text

    page = client.get(f"/desk/dossiers/{dossier['id']}")
    assert page.status_code == 200
    assert resident["body"]["personal_id"] in page.text  # in full for the desk, and audited
    assert dossier["body"]["form"]["deceased_full_name"] in page.text
    photo = dossier["body"]["papers"][0]["photos"][0]
    assert f"/files/{photo}" in page.text
    image = client.get(f"/desk/dossiers/{dossier['id']}/files/{photo}")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.content == phone_a1.attachments[photo]
    reads = rows(settings, select(AuditEvent).where(AuditEvent.action == "desk.read_dossier"))
    assert [r.resident_ids for r in reads] == [[resident["id"]]]

    moved = client.post(
        f"/desk/dossiers/{dossier['id']}/move",
        data={"to": "accepted", "portal_code": "H66-0001", "_csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    after = client.get(f"/desk/dossiers/{dossier['id']}")
    assert "Đã tiếp nhận" in after.text
    assert "H66-0001" in after.text
    refused = client.post(
        f"/desk/dossiers/{dossier['id']}/move",
        data={"to": "needs_supplement", "reason": " ", "_csrf_token": _csrf(after.text)},
    )
    assert refused.status_code == 400
    assert "Cần ghi rõ lý do" in refused.text

    printed = client.get(f"/desk/dossiers/{dossier['id']}/print")
    assert printed.status_code == 200
    assert "TỜ KHAI" in printed.text
    assert dossier["body"]["form"]["deceased_full_name"] in printed.text


def test_a_volunteer_cannot_open_the_desk(field: Field, settings: Settings) -> None:
    _sign_in(field.client, "0971000001")
    assert field.client.get("/desk").status_code == 403


def test_photos_are_served_only_for_dossiers_in_scope(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(2)
    dossier = phone_a1.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    field.upload(field.volunteer_a1, phone_a1)
    add_user(settings, "0961000002", "desk_officer", (24175,))  # the desk of another commune
    _sign_in(field.client, "0961000002")
    photo = dossier["body"]["signature_sha256"]
    assert field.client.get(f"/desk/dossiers/{dossier['id']}/files/{photo}").status_code == 404
    assert field.client.get(f"/desk/dossiers/{dossier['id']}").status_code == 404
