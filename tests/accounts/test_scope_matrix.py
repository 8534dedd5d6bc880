"""Each role sees only its own places and gets 403 elsewhere; nobody signed in gets 401."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from motcua.settings import Settings
from tests.conftest import (
    COMMUNE_A,
    COMMUNE_B,
    COMMUNE_OTHER_PROVINCE,
    PROVINCE_DAK_LAK,
    add_user,
    bearer,
)

ACCOUNTS: dict[str, dict[str, Any]] = {
    "admin": {"phone": "0901111100", "role": "admin"},
    "coordinator": {"phone": "0901111101", "role": "coordinator", "communes": (COMMUNE_A,)},
    "province_coordinator": {"phone": "0901111102", "role": "coordinator", "provinces": (PROVINCE_DAK_LAK,)},
    "desk_officer": {"phone": "0901111103", "role": "desk_officer", "communes": (COMMUNE_A,)},
    "volunteer": {"phone": "0901111104", "role": "volunteer", "communes": (COMMUNE_A,)},
}

# (method, path, body) → expected status for each account; "anonymous" always gets 401.
CASES: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    (
        "GET",
        f"/api/places/communes/{COMMUNE_A}",
        None,
        dict.fromkeys(ACCOUNTS, 200),
    ),
    (
        "GET",
        f"/api/places/communes/{COMMUNE_B}",
        None,
        {
            "admin": 200,
            "coordinator": 403,
            "province_coordinator": 200,
            "desk_officer": 403,
            "volunteer": 403,
        },
    ),
    (
        "GET",
        f"/api/places/communes/{COMMUNE_OTHER_PROVINCE}",
        None,
        {
            "admin": 200,
            "coordinator": 403,
            "province_coordinator": 403,
            "desk_officer": 403,
            "volunteer": 403,
        },
    ),
    (
        "POST",
        f"/api/places/communes/{COMMUNE_A}/villages",
        {"name": "Buôn Mới"},
        {
            "admin": 201,
            "coordinator": 201,
            "province_coordinator": 201,
            "desk_officer": 403,
            "volunteer": 403,
        },
    ),
    (
        "POST",
        f"/api/places/communes/{COMMUNE_OTHER_PROVINCE}/villages",
        {"name": "Tổ dân phố 1"},
        {
            "admin": 201,
            "coordinator": 403,
            "province_coordinator": 403,
            "desk_officer": 403,
            "volunteer": 403,
        },
    ),
    (
        "GET",
        "/api/users",
        None,
        {
            "admin": 200,
            "coordinator": 200,
            "province_coordinator": 200,
            "desk_officer": 403,
            "volunteer": 403,
        },
    ),
    (
        "POST",
        "/api/users",
        {
            "phone": "0981234567",
            "full_name": "Tình Nguyện Mới",
            "role": "volunteer",
            "password": "mat-khau-moi-1",
            "commune_codes": [COMMUNE_A],
        },
        {
            "admin": 201,
            "coordinator": 201,
            "province_coordinator": 201,
            "desk_officer": 403,
            "volunteer": 403,
        },
    ),
    (
        "POST",
        "/api/users",
        {
            "phone": "0981234568",
            "full_name": "Ngoài Địa Bàn",
            "role": "volunteer",
            "password": "mat-khau-moi-1",
            "commune_codes": [COMMUNE_OTHER_PROVINCE],
        },
        {
            "admin": 201,
            "coordinator": 403,
            "province_coordinator": 403,
            "desk_officer": 403,
            "volunteer": 403,
        },
    ),
]


@pytest.fixture
def tokens(client: TestClient[Any], settings: Settings) -> dict[str, dict[str, str]]:
    for account in ACCOUNTS.values():
        add_user(
            settings,
            account["phone"],
            account["role"],
            account.get("communes", ()),
            account.get("provinces", ()),
        )
    return {name: bearer(client, account["phone"]) for name, account in ACCOUNTS.items()}


@pytest.mark.parametrize(("method", "path", "body", "expected"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_each_role_reaches_only_its_own_places(
    client: TestClient[Any],
    tokens: dict[str, dict[str, str]],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: dict[str, int],
) -> None:
    outcomes = {}
    for name, headers in tokens.items():
        response = client.request(method, path, json=body, headers=headers)
        outcomes[name] = response.status_code
        if response.status_code == 403:
            assert response.json()["code"] in {"forbidden", "scope.outside"}
    anonymous = client.request(method, path, json=body)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_signed_in"
    # Creations repeat the same body: after the first success a duplicate answers 409/400, so
    # compare "allowed" (2xx or a domain refusal) with "refused by scope" (403).
    allowed = {name: status not in {401, 403} for name, status in outcomes.items()}
    assert allowed == {name: status < 400 for name, status in expected.items()}, outcomes


def test_lists_show_only_places_in_scope(client: TestClient[Any], tokens: dict[str, dict[str, str]]) -> None:
    own = client.get("/api/places/communes", headers=tokens["coordinator"]).json()
    assert [c["code"] for c in own] == [COMMUNE_A]
    province = client.get("/api/places/communes", headers=tokens["province_coordinator"]).json()
    assert len(province) == 102
    assert {c["province_code"] for c in province} == {PROVINCE_DAK_LAK}
    everyone = client.get("/api/places/communes", headers=tokens["admin"]).json()
    assert len(everyone) == 3321


def test_coordinator_sees_only_users_of_own_communes(
    client: TestClient[Any], settings: Settings, tokens: dict[str, dict[str, str]]
) -> None:
    add_user(settings, "0911000001", "volunteer", (COMMUNE_OTHER_PROVINCE,))
    phones = {u["phone"] for u in client.get("/api/users", headers=tokens["coordinator"]).json()}
    assert "0911000001" not in phones
    assert {"0901111101", "0901111103", "0901111104"} <= phones
    all_phones = {u["phone"] for u in client.get("/api/users", headers=tokens["admin"]).json()}
    assert "0911000001" in all_phones


def test_coordinator_cannot_make_a_coordinator(
    client: TestClient[Any], tokens: dict[str, dict[str, str]]
) -> None:
    response = client.post(
        "/api/users",
        headers=tokens["coordinator"],
        json={
            "phone": "0981234569",
            "full_name": "Điều Phối Khác",
            "role": "coordinator",
            "password": "mat-khau-moi-1",
            "commune_codes": [COMMUNE_A],
        },
    )
    assert response.status_code == 403
