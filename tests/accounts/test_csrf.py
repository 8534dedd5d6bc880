"""The pages' CSRF token belongs to the browser's session: its own, new at each sign-in, gone
at sign-out. A cookie planted by someone else does not make a forged form pass."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from motcua.app import create_app
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user

COORDINATOR = "0901111101"
DOMAIN = "testserver.local"


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def _sign_in(client: TestClient[Any], phone: str = COORDINATOR) -> str:
    """Signs the browser in; returns the token its sign-in form carried."""
    token = _csrf(client.get("/login").text)
    form = {"phone": phone, "password": PASSWORD, "next": "/office", "_csrf_token": token}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return token


def _plant(client: TestClient[Any], token: str) -> None:
    client.cookies.set("motcua_csrf", token, domain=DOMAIN, path="/")


def _sign_out(client: TestClient[Any], token: str) -> int:
    return client.post("/logout", data={"_csrf_token": token}, follow_redirects=False).status_code


def test_the_token_is_renewed_at_sign_in_and_the_old_one_stops_working(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    before = _sign_in(client)
    after = _csrf(client.get("/office").text)
    assert after != before
    assert client.cookies.get("motcua_csrf", domain=DOMAIN) == after  # set by the sign-in answer
    assert _sign_out(client, before) == 403
    assert client.get("/office", follow_redirects=False).status_code == 200  # still signed in
    assert _sign_out(client, after) == 303


def test_a_planted_cookie_does_not_let_a_forged_form_through(
    client: TestClient[Any], settings: Settings
) -> None:
    """The attacker holds a token Litestar signed (any visitor gets one) and plants it as the
    victim's cookie (a sibling subdomain can): double-submit alone would accept it."""
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    _sign_in(client)
    with TestClient(app=create_app(settings), base_url=f"http://{DOMAIN}") as attacker:
        planted = _csrf(attacker.get("/login").text)
    _plant(client, planted)
    assert _sign_out(client, planted) == 403
    assert client.get("/office", follow_redirects=False).status_code == 200


def test_each_session_has_its_own_token(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    _sign_in(client)
    first = _csrf(client.get("/office").text)
    with TestClient(app=create_app(settings), base_url=f"http://{DOMAIN}") as other_browser:
        _sign_in(other_browser)
        second = _csrf(other_browser.get("/office").text)
        assert second != first
        _plant(other_browser, first)
        assert _sign_out(other_browser, first) == 403
        assert _sign_out(other_browser, second) == 303


def test_sign_out_drops_the_sessions_token(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    _sign_in(client)
    signed_in = _csrf(client.get("/office").text)
    assert _sign_out(client, signed_in) == 303
    assert client.cookies.get("motcua_csrf", domain=DOMAIN) is None
    fresh = _csrf(client.get("/login").text)
    assert fresh != signed_in
    assert client.cookies.get("motcua_csrf", domain=DOMAIN) == fresh
