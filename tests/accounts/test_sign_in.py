"""Signing in from a phone (bearer) and a browser (cookie + CSRF), sessions and the guessing limit."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select, update

from motcua.accounts.login import MAX_FAILURES_PER_PHONE
from motcua.accounts.models import AuthSession, User
from motcua.db.base import utcnow
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, bearer, execute, rows

PHONE = "0912345678"


def test_phone_signs_in_and_gets_a_thirty_day_device_session(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    response = client.post("/api/auth/login", json={"phone": "+84 912 345 678", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["phone"] == PHONE
    assert body["user"]["commune_codes"] == [COMMUNE_A]
    me = client.get("/api/me", headers={"authorization": f"Bearer {body['token']}"})
    assert me.json()["role"] == "volunteer"
    (session,) = rows(settings, select(AuthSession))
    assert session.kind == "device"
    assert timedelta(days=29) < session.expires_at - session.created_at <= timedelta(days=30)
    assert body["token"] not in session.token_hash  # only a hash is stored
    assert body["device_code"] == session.device_code
    assert len(body["device_code"]) == 4
    assert not set(body["device_code"]) & set("0O1IL")  # nothing to misread aloud


def test_password_is_stored_as_argon2id(settings: Settings) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    (user,) = rows(settings, select(User))
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_wrong_password_and_unknown_phone_look_the_same(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    wrong_password = client.post("/api/auth/login", json={"phone": PHONE, "password": "sai-mat-khau"})
    unknown_phone = client.post("/api/auth/login", json={"phone": "0987654321", "password": PASSWORD})
    assert wrong_password.status_code == unknown_phone.status_code == 401
    assert wrong_password.json() == unknown_phone.json()
    assert wrong_password.json()["code"] == "login_failed"
    assert "mật khẩu" in wrong_password.json()["message_vi"]


def test_guessing_is_slowed_down_even_with_the_right_password_after(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    for _ in range(MAX_FAILURES_PER_PHONE):
        assert (
            client.post("/api/auth/login", json={"phone": PHONE, "password": "doan-mo-1"}).status_code == 401
        )
    slowed = client.post("/api/auth/login", json={"phone": PHONE, "password": PASSWORD})
    assert slowed.status_code == 429
    assert slowed.json()["code"] == "auth.slow_down"
    assert slowed.headers["retry-after"] == "15"
    # Another person on the same network is not slowed down by someone else's number.
    other = add_user(settings, "0912345679", "volunteer", (COMMUNE_A,))
    assert client.post("/api/auth/login", json={"phone": other, "password": PASSWORD}).status_code == 201


def test_disabled_user_cannot_sign_in_and_loses_open_sessions(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    headers = bearer(client, PHONE)
    execute(settings, update(User).values(is_active=False))
    assert client.get("/api/me", headers=headers).status_code == 401
    assert client.post("/api/auth/login", json={"phone": PHONE, "password": PASSWORD}).status_code == 401


def test_sessions_are_listed_and_revoked(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    phone_a, phone_b = bearer(client, PHONE), bearer(client, PHONE)
    assert client.get("/api/me", headers=phone_b).status_code == 200  # remembered: forgotten on revoke
    listed = client.get("/api/me/sessions", headers=phone_a).json()
    assert len(listed) == 2
    assert [s["current"] for s in listed].count(True) == 1
    other = next(s for s in listed if not s["current"])
    assert client.delete(f"/api/me/sessions/{other['id']}", headers=phone_a).status_code == 204
    assert client.get("/api/me", headers=phone_b).status_code == 401
    assert client.post("/api/auth/logout", headers=phone_a).status_code == 204
    assert client.get("/api/me", headers=phone_a).status_code == 401


def test_an_expired_device_session_no_longer_works(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    headers = bearer(client, PHONE)
    execute(settings, update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/api/me", headers=headers).status_code == 401


def test_coordinator_revokes_a_volunteers_lost_phone(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, "0901111101", "coordinator", (COMMUNE_A,))
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    coordinator, volunteer = bearer(client, "0901111101"), bearer(client, PHONE)
    volunteer_id = client.get("/api/me", headers=volunteer).json()["id"]
    revoked = client.post(f"/api/users/{volunteer_id}/revoke-sessions", headers=coordinator)
    assert revoked.status_code == 201
    assert revoked.json() == {"revoked": 1}
    assert client.get("/api/me", headers=volunteer).status_code == 401


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_browser_signs_in_with_a_cookie_and_csrf(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, "0901111101", "coordinator", (COMMUNE_A,), name="Điều Phối Thử")
    assert (
        client.get("/office", headers={"accept": "text/html"}, follow_redirects=False)
        .headers["location"]
        .startswith("/login")
    )
    token = _csrf(client.get("/login").text)
    form = {"phone": "0901111101", "password": PASSWORD, "next": "/office"}
    refused = client.post("/login", data=form, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token, no sign-in
    response = client.post("/login", data={**form, "_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/office"
    cookie = response.headers["set-cookie"]
    assert "motcua_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    page = client.get("/office")
    assert page.status_code == 200
    assert "Điều Phối Thử" in page.text
    assert "Xã Buôn Đôn" in page.text
    # The page cookie is not a key to the API, so another site cannot drive the API with it.
    assert client.get("/api/me").status_code == 401


def test_browser_sign_in_error_is_shown_on_the_form(client: TestClient[Any], settings: Settings) -> None:
    token = _csrf(client.get("/login").text)
    response = client.post("/login", data={"phone": PHONE, "password": "x", "_csrf_token": token})
    assert response.status_code == 401
    assert "Số điện thoại hoặc mật khẩu không đúng." in response.text


def test_sign_in_never_redirects_to_another_site(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, "0901111101", "coordinator", (COMMUNE_A,))
    token = _csrf(client.get("/login").text)
    form = {"phone": "0901111101", "password": PASSWORD, "next": "//evil.example/", "_csrf_token": token}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.headers["location"] == "/office"


def test_the_language_switch_comes_back_to_the_same_page(client: TestClient[Any]) -> None:
    response = client.get("/language/en", params={"next": "/login"}, follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert "lang=en" in response.headers["set-cookie"]
    assert "Sign in" in client.get("/login").text
    elsewhere = client.get("/language/vi", params={"next": "//evil.example/"}, follow_redirects=False)
    assert elsewhere.headers["location"] == "/office"
