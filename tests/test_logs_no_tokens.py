"""No token of any kind reaches a log line: every kind of token-bearing URL, header, cookie and
form field is sent through the real app, its logging as configured, and the log read back."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient

from motcua.app import create_app
from motcua.logs import redact
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user

COORDINATOR = "0901111101"


@pytest.fixture(params=["INFO", "DEBUG"])
def app_client(request: pytest.FixtureRequest, settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(
        app=create_app(replace(settings, log_level=request.param)), base_url="http://testserver.local"
    ) as client:
        yield client


def _csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _server_log(capsys: pytest.CaptureFixture[str]) -> list[str]:
    # The test's own HTTP client logs the URLs it asks for: that is not the server's doing.
    return [line for line in capsys.readouterr().err.splitlines() if '"logger": "httpx"' not in line]


def test_no_token_of_any_kind_is_written_to_the_log(
    app_client: TestClient[Any], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    client = app_client
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    tokens: dict[str, str] = {}

    # A browser signs in: the anonymous CSRF token, the session cookie, the session's CSRF token.
    tokens["csrf (anonymous)"] = _csrf(client.get("/login").text)
    signed_in = client.post(
        "/login",
        data={"phone": COORDINATOR, "password": PASSWORD, "_csrf_token": tokens["csrf (anonymous)"]},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    tokens["session cookie"] = client.cookies["motcua_session"]
    page = client.get("/office/volunteers")
    tokens["csrf (session)"] = _csrf(page.text)

    # The coordinator invites a volunteer: the link carries the invitation token.
    invited = client.post(
        "/office/volunteers",
        data={"full_name": "Ksor Y Nguyên", "phone": "0978111222", "commune": str(COMMUNE_A)},
        headers={"x-csrf-token": tokens["csrf (session)"]},
    )
    assert invited.status_code == 200, invited.text
    link = re.search(r'href="http://testserver.local/moi/([^"]+)"', invited.text)
    assert link
    tokens["invitation"] = link.group(1)
    client.cookies.clear()
    opened = client.get(f"/moi/{tokens['invitation']}")
    assert opened.status_code == 200
    form = {"password": "mat-khau-rieng", "repeated": "khac-han", "_csrf_token": _csrf(opened.text)}
    assert client.post(f"/moi/{tokens['invitation']}", data=form).status_code == 400
    form["repeated"] = form["password"]
    done = client.post(f"/moi/{tokens['invitation']}", data=form, follow_redirects=False)
    assert done.status_code == 303
    assert client.get(f"/moi/{tokens['invitation']}").status_code == 404  # used: refused, and logged
    tokens["invitation (made up)"] = secrets.token_urlsafe(24)
    assert client.get(f"/moi/{tokens['invitation (made up)']}").status_code == 404

    # The phone signs in and sends its bearer token, also to places it does not belong.
    answer = client.post("/api/auth/login", json={"phone": "0978111222", "password": "mat-khau-rieng"})
    assert answer.status_code == 201
    tokens["bearer"] = answer.json()["token"]
    bearer = {"authorization": f"Bearer {tokens['bearer']}"}
    assert client.get("/api/me", headers=bearer).status_code == 200
    assert client.get("/api/no-such-thing", headers=bearer).status_code == 404
    assert client.get("/office", headers=bearer, follow_redirects=False).status_code in {302, 303, 401}
    tokens["bearer (made up)"] = secrets.token_urlsafe(32)
    assert (
        client.get("/api/me", headers={"authorization": f"Bearer {tokens['bearer (made up)']}"}).status_code
        == 401
    )

    # A resident's status-page secret, in the query string and as a guess; a status-page cookie.
    tokens["status secret"] = secrets.token_urlsafe(16)
    assert client.get(f"/ho-so/ZZZ9-99?k={tokens['status secret']}").status_code == 404
    tokens["status cookie"] = secrets.token_hex(20)
    client.cookies.set("hoso_ZZZ9-99", tokens["status cookie"], domain="testserver.local", path="/")
    assert client.get("/ho-so/ZZZ9-99").status_code == 404

    # Tokens where no route expects them: a query string, a made-up cookie, a refused form.
    tokens["query token"] = secrets.token_urlsafe(24)
    client.get(f"/thu-tuc?token={tokens['query token']}&secret={tokens['query token']}")
    client.cookies.set("motcua_session", tokens["session cookie"], domain="testserver.local", path="/")
    assert client.post("/logout", data={"_csrf_token": tokens["csrf (anonymous)"]}).status_code == 403
    assert client.post("/logout", headers={"x-csrf-token": tokens["csrf (session)"]}).status_code in {
        200,
        303,
    }
    # Wrong passwords (the password is a secret too).
    tokens["password"] = PASSWORD
    client.post("/api/auth/login", json={"phone": COORDINATOR, "password": "sai-" + PASSWORD})

    lines = _server_log(capsys)
    for name, token in tokens.items():
        leaking = [line for line in lines if token in line]
        assert not leaking, f"the {name} is in the log: {leaking[:2]}"
    assert any('"route": "/moi/[redacted]"' in line for line in lines), "the invitation requests were logged"
    assert any('"route": "/api/me"' in line for line in lines)


def test_free_text_is_masked_too() -> None:
    text = (
        "GET https://x.vn/moi/abc_DEF-123?x=1 /ho-so/AB-1?k=s3cr3t&a=1 "
        "cookie: motcua_session=t0k3n; motcua_csrf=c5rf; hoso_AB-1=h0s0 Authorization: Bearer b3ar3r"
    )
    masked = redact(text)
    for secret in ("abc_DEF-123", "s3cr3t", "t0k3n", "c5rf", "h0s0", "b3ar3r"):
        assert secret not in masked
    assert "/moi/[redacted]?x=1" in masked
    assert "/ho-so/AB-1?k=[redacted]&a=1" in masked
