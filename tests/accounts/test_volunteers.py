"""A coordinator invites a volunteer by link, the volunteer sets a password, and the
coordinator can sign their phones out or deactivate them."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from motcua.accounts.models import User
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_OTHER_PROVINCE, PASSWORD, add_user, bearer, rows


def _csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _sign_in(client: TestClient[Any], phone: str) -> None:
    answer = client.post(
        "/login", data={"phone": phone, "password": PASSWORD, "_csrf_token": _csrf(client.get("/login").text)}
    )
    assert answer.status_code == 200


def test_an_invited_volunteer_sets_a_password_and_signs_in_on_the_phone(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, "0901111101", "coordinator", (COMMUNE_A,))
    _sign_in(client, "0901111101")
    page = client.get("/office/volunteers")
    form = {"full_name": "Ksor Y Nguyên", "phone": "0978 111 222", "commune": str(COMMUNE_A)}
    invited = client.post("/office/volunteers", data={**form, "_csrf_token": _csrf(page.text)})
    assert invited.status_code == 200
    assert "<svg" in invited.text
    link = re.search(r'href="(http://testserver.local/moi/[^"]+)"', invited.text)
    assert link
    path = link.group(1).removeprefix("http://testserver.local")

    client.cookies.clear()
    opened = client.get(path)
    assert "Ksor Y Nguyên" in opened.text
    mismatch = client.post(
        path, data={"password": "mat-khau-rieng", "repeated": "khac-han", "_csrf_token": _csrf(opened.text)}
    )
    assert mismatch.status_code == 400
    assert "Hai lần nhập không giống nhau." in mismatch.text
    done = client.post(
        path,
        data={"password": "mat-khau-rieng", "repeated": "mat-khau-rieng", "_csrf_token": _csrf(opened.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/?phone=0978111222"
    assert (
        client.post("/api/auth/login", json={"phone": "0978111222", "password": "mat-khau-rieng"}).status_code
        == 201
    )
    assert client.get(path).status_code == 404  # used once


def test_a_coordinator_signs_out_and_deactivates_a_volunteer(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, "0901111101", "coordinator", (COMMUNE_A,))
    add_user(settings, "0971000001", "volunteer", (COMMUNE_A,), name="Y Blô")
    phone = bearer(client, "0971000001")
    _sign_in(client, "0901111101")
    (volunteer,) = rows(settings, select(User).where(User.phone == "0971000001"))
    page = client.get("/office/volunteers")
    assert "Y Blô" in page.text
    client.post(f"/office/volunteers/{volunteer.id}/revoke", data={"_csrf_token": _csrf(page.text)})
    assert client.get("/api/me", headers=phone).status_code == 401
    client.post(
        f"/office/volunteers/{volunteer.id}/active", data={"active": "0", "_csrf_token": _csrf(page.text)}
    )
    (volunteer,) = rows(settings, select(User).where(User.phone == "0971000001"))
    assert volunteer.is_active is False
    assert (
        client.post("/api/auth/login", json={"phone": "0971000001", "password": PASSWORD}).status_code == 401
    )


def test_a_coordinator_cannot_invite_into_another_commune(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, "0901111101", "coordinator", (COMMUNE_A,))
    _sign_in(client, "0901111101")
    page = client.get("/office/volunteers")
    form = {"full_name": "Người Ngoài", "phone": "0978111333", "commune": str(COMMUNE_OTHER_PROVINCE)}
    refused = client.post("/office/volunteers", data={**form, "_csrf_token": _csrf(page.text)})
    assert refused.status_code == 403
    assert rows(settings, select(User).where(User.phone == "0978111333")) == []


def test_a_new_password_signs_the_phone_out_without_telling_it_to_wipe(
    client: TestClient[Any], settings: Settings
) -> None:
    """A forgotten password is set again from a new link: the phone must sign in again, and
    keeps its data (its unsent records above all); only a coordinator's "sign this phone out"
    or a disabled account makes it wipe (docs/privacy.md)."""
    add_user(settings, "0901111101", "coordinator", (COMMUNE_A,))
    add_user(settings, "0971000001", "volunteer", (COMMUNE_A,), name="Y Blô")
    phone = bearer(client, "0971000001")
    _sign_in(client, "0901111101")
    (volunteer,) = rows(settings, select(User).where(User.phone == "0971000001"))
    page = client.get("/office/volunteers")
    invited = client.post(f"/office/volunteers/{volunteer.id}/invite", data={"_csrf_token": _csrf(page.text)})
    link = re.search(r'href="http://testserver.local(/moi/[^"]+)"', invited.text)
    assert link
    client.cookies.clear()
    opened = client.get(link.group(1))
    done = client.post(
        link.group(1),
        data={"password": "mat-khau-moi-1", "repeated": "mat-khau-moi-1", "_csrf_token": _csrf(opened.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    refused = client.get("/api/me", headers=phone)
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_signed_in"
