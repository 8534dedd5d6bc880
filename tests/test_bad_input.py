"""Bad input gets a clear 4xx in the one error shape, never a 500 (issue 12), on both databases.

Numbers past the database's integer range, NUL characters in paths and query strings, JSON
nested a thousand deep, values a column cannot hold; and a server error that does happen is
logged without the values the statement was given.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import BigInteger, bindparam, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.engine import make_engine
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, bearer

ADMIN, COORDINATOR, VOLUNTEER = "0901111100", "0901111101", "0901111102"
# Past int4 (PostgreSQL's INTEGER), past int8 (SQLite's and PostgreSQL's BIGINT), past uint64,
# far past everything, and below int4.
TOO_BIG = ["2147483648", "9223372036854775808", "18446744073709551616", "9" * 30, "-2147483649"]
SHAPE = {"code", "message_vi", "message_en", "fields"}
PROCEDURE = "cap-ho-chieu-pho-thong"


def _csrf(html: str) -> str:
    token = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert token, "the page carries a CSRF token"
    return token.group(1)


def _page_sign_in(client: TestClient[Any], phone: str) -> None:
    form = {
        "phone": phone,
        "password": PASSWORD,
        "next": "/office",
        "_csrf_token": _csrf(client.get("/login").text),
    }
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text


def _refused(response: Any, *allowed: int) -> None:
    assert response.status_code in (allowed or (400, 404)), (
        str(response.request.url)[:200],
        response.status_code,
    )
    assert set(response.json()) == SHAPE, response.text


def test_numbers_past_the_integer_range_in_api_paths_and_queries_are_refused(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, ADMIN, "admin")
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    add_user(settings, VOLUNTEER, "volunteer", (COMMUNE_A,))
    admin, coordinator, volunteer = (
        bearer(client, ADMIN),
        bearer(client, COORDINATOR),
        bearer(client, VOLUNTEER),
    )
    declaration = {"data": {}, "written_at": "2025-01-01T00:00:00Z"}
    asked: list[tuple[str, str, dict[str, str] | None, Any]] = [
        # Public: a stranger, not signed in, got a 500 from these.
        ("GET", f"/api/catalogue/{PROCEDURE}/versions/{{}}", None, None),
        ("GET", "/api/places/provinces/{}/communes", None, None),
        ("POST", f"/api/catalogue/{PROCEDURE}/versions/{{}}/check", volunteer, declaration),
        ("POST", f"/api/catalogue/{PROCEDURE}/versions/{{}}/close", admin, None),
        ("GET", "/api/places/communes/{}", volunteer, None),
        ("POST", "/api/places/communes/{}/villages", coordinator, {"name": "Buôn Mới"}),
        ("GET", "/api/routes?commune={}", coordinator, None),
        ("GET", "/api/routes?commune={}", admin, None),
    ]
    for number in TOO_BIG:
        for method, path, headers, body in asked:
            _refused(client.request(method, path.format(number), headers=headers, json=body))


def test_the_limits_are_told_in_the_schema(client: TestClient[Any]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    version = paths["/api/catalogue/{code}/versions/{version}"]["get"]["parameters"]
    limits = next(p for p in version if p["name"] == "version")["schema"]
    assert (limits["minimum"], limits["maximum"]) == (1, 2**31 - 1)
    routes = paths["/api/routes"]["get"]["parameters"]
    assert next(p for p in routes if p["name"] == "commune")["schema"]["maximum"] == 2**31 - 1


def test_a_pull_cursor_that_cannot_be_a_change_is_refused(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, VOLUNTEER, "volunteer", (COMMUNE_A,))
    volunteer = bearer(client, VOLUNTEER)
    for cursor in ("9223372036854775808", "99999999999999999999", "²", "١٢", "1" * 5000):
        response = client.get("/api/sync/pull", params={"cursor": cursor}, headers=volunteer)
        _refused(response, 400)
        assert response.json()["code"] == "cursor.invalid"
    # The largest id the change log can hold is past its end: a cursor from a database before a
    # restore, so the phone is told to start over (docs/sync.md), never given a 500.
    response = client.get("/api/sync/pull", params={"cursor": str(2**63 - 1)}, headers=volunteer)
    assert response.status_code == 409
    assert response.json()["code"] == "sync.start_over"


def test_numbers_past_the_integer_range_on_office_pages_are_refused(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    _page_sign_in(client, COORDINATOR)
    token = _csrf(client.get("/office").text)
    for number in ("2147483648", "9223372036854775808", "9" * 30):
        for path in (
            f"/office/dashboard?commune={number}",
            f"/office/exports/dossiers.csv?commune={number}",
            f"/office/exports/register.xlsx?commune={number}",
            f"/office/routes?commune={number}",
            f"/office/routes/new?commune={number}",
            f"/office/calendar?commune={number}",
            f"/office/reach?commune={number}",
        ):
            _refused(client.get(path))
        _refused(
            client.post(f"/office/communes/{number}/villages", data={"name": "Buôn", "_csrf_token": token})
        )
        invited = client.post(
            "/office/volunteers/",
            data={"phone": "0971234567", "full_name": "Tình Nguyện", "commune": number, "_csrf_token": token},
        )
        assert invited.status_code == 403  # "not a commune of yours", as for any stranger's code
    for commune in ("²", "１２", "1" * 5000):  # digits to Python, not to us
        _refused(client.get("/office/dashboard", params={"commune": commune}), 404)
        invited = client.post(
            "/office/volunteers/",
            data={
                "phone": "0971234567",
                "full_name": "Tình Nguyện",
                "commune": commune,
                "_csrf_token": token,
            },
        )
        assert invited.status_code == 403
    assert "0971234567" not in client.get("/office/volunteers/").text


@pytest.mark.parametrize(
    "path",
    [
        "/ho-so/AB-1%00",
        "/ho-so/AB-1%00?k=abc",
        f"/api/catalogue/{PROCEDURE}%00/versions/1",
        f"/thu-tuc/{PROCEDURE}%00",
        "/moi/abc%00",
    ],
)
def test_a_nul_in_a_path_is_not_found(client: TestClient[Any], path: str) -> None:
    response = client.get(path)
    _refused(response, 404)
    assert response.json()["code"] == "not_found"


def test_a_nul_in_a_query_string_is_refused(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    coordinator = bearer(client, COORDINATOR)
    for query in ("k=a%00b", "cursor=1%00", "commune=%00", "day=2025-01-01%00"):
        for path in ("/ho-so/AB-1", "/api/sync/pull", "/api/routes", "/api/catalogue/"):
            response = client.get(f"{path}?{query}", headers=coordinator)
            _refused(response, 400)
            assert response.json()["code"] == "query.nul"


DEEP = [
    "[" * 1000 + "]" * 1000,
    '{"records": ' + "[" * 1000 + "]" * 1000 + "}",
    '{"records": [{"body": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}]}",
    '{"ids": ' + "[" * 5000 + "]" * 5000 + "}",
]


def test_json_nested_a_thousand_deep_is_refused(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    coordinator = {**bearer(client, COORDINATOR), "content-type": "application/json"}
    for body in DEEP:
        for path in ("/api/sync/push", "/api/sync/holdings", f"/api/places/communes/{COMMUNE_A}/villages"):
            response = client.post(path, content=body, headers=coordinator)
            _refused(response, 400)
            assert response.json()["code"] == "body.too_deep"


def test_a_village_name_with_control_characters_is_a_field_error(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    coordinator = bearer(client, COORDINATOR)
    villages = f"/api/places/communes/{COMMUNE_A}/villages"
    for name in ("Buôn\x00Trí", "Buôn\u202eTrí", "\x07", "Buôn\ufeff"):
        response = client.post(villages, json={"name": name}, headers=coordinator)
        _refused(response, 400)
        assert [f["field"] for f in response.json()["fields"]] == ["name"]
    assert client.post(villages, json={"name": "Buôn Ê Đê"}, headers=coordinator).status_code == 201


SECRETS = {"name": "Bà Nguyễn Thị Bí Mật", "phone": "0912345678", "born": "1950-03-04"}
FAILING = [
    # A server error: the table is missing. SQLAlchemy would print the parameters.
    "INSERT INTO no_such_table (name, phone, born) VALUES (:name, :phone, :born)",
    # The driver itself quotes a value it cannot encode (asyncpg: "… $1: 'Bà Nguyễn …'").
    "SELECT CAST(:name AS INTEGER) + CAST(:phone AS INTEGER) + CAST(:born AS INTEGER) FROM no_such_table",
]


def test_a_server_error_logs_no_bound_values(
    client: TestClient[Any],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    coordinator = bearer(client, COORDINATOR)
    for statement in FAILING:

        async def failing(db: AsyncSession, *_args: Any, statement: str = statement) -> None:
            await db.execute(text(statement), SECRETS)

        monkeypatch.setattr("motcua.places.service.create_village", failing)
        capsys.readouterr()
        response = client.post(
            f"/api/places/communes/{COMMUNE_A}/villages", json={"name": "x"}, headers=coordinator
        )
        assert response.status_code in (400, 500)
        assert set(response.json()) == SHAPE
        logged = capsys.readouterr().err
        lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
        failure = next(line for line in lines if line["logger"] == "motcua.errors")
        assert "no_such_table" in failure["exception"]  # the statement and where it failed are kept
        assert "places/api.py" in failure["exception"]
        for value in SECRETS.values():
            assert value not in logged
            assert json.dumps(value)[1:-1] not in logged  # nor as a JSON escape


def test_a_value_no_column_can_hold_is_the_clients_400(
    client: TestClient[Any],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The net under every check: SQLite cannot bind it, PostgreSQL calls it a data exception."""
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    coordinator = bearer(client, COORDINATOR)
    too_big = 2**64 + 12345

    async def store_too_big(db: AsyncSession, *_args: Any) -> None:
        await db.execute(select(bindparam("n", too_big, type_=BigInteger)))

    monkeypatch.setattr("motcua.places.service.create_village", store_too_big)
    capsys.readouterr()
    response = client.post(
        f"/api/places/communes/{COMMUNE_A}/villages", json={"name": "x"}, headers=coordinator
    )
    _refused(response, 400)
    assert response.json()["code"] == "invalid_value"
    assert str(too_big) not in capsys.readouterr().err


def test_engines_hide_parameters(settings: Settings) -> None:
    for pooled in (True, False):
        assert make_engine(settings, pooled=pooled).sync_engine.hide_parameters


class _Deadlock(Exception):
    sqlstate = "40P01"


def test_a_deadlock_is_a_busy_answer_with_nothing_applied(
    client: TestClient[Any], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL breaks a deadlock by rolling one transaction back: that client is told to
    send again (503 busy, Retry-After), as the sync protocol promises, never a 500."""
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,))
    coordinator = bearer(client, COORDINATOR)

    async def deadlocked(db: AsyncSession, *_args: Any) -> None:
        raise DBAPIError("UPDATE …", {}, _Deadlock("deadlock detected"))

    monkeypatch.setattr("motcua.places.service.create_village", deadlocked)
    response = client.post(
        f"/api/places/communes/{COMMUNE_A}/villages", json={"name": "Buôn Mới"}, headers=coordinator
    )
    _refused(response, 503)
    assert response.json()["code"] == "busy"
    assert response.headers["retry-after"] == "5"
