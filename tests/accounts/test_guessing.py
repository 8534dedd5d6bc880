"""Password guessing is slowed down where it comes from, without locking the real user out.

Each test runs on SQLite and PostgreSQL. Time passing is played by moving the stored attempts
back, never by sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.login import PER_CLIENT, PER_NUMBER, PER_NUMBER_AND_CLIENT
from motcua.accounts.models import LoginAttempt
from motcua.db.base import utcnow
from motcua.settings import Settings
from tests.accounts.addresses import app_with_addresses, at
from tests.conftest import COMMUNE_A, PASSWORD, add_user, in_db, rows

ADMIN = "0901000000"
DESK = "0901000002"
ATTACKER = "198.51.100.66"
OFFICE = "203.0.113.10"  # a commune office behind one NAT address
HOME = "192.0.2.7"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(app=app_with_addresses(settings), base_url="http://testserver.local") as test_client:
        yield test_client


def _login(client: TestClient[Any], phone: str, password: str, address: str, **headers: str) -> Any:
    return client.post(
        "/api/auth/login", json={"phone": phone, "password": password}, headers=at(address, **headers)
    )


def _bearer(client: TestClient[Any], phone: str, address: str) -> dict[str, str]:
    response = _login(client, phone, PASSWORD, address)
    assert response.status_code == 201, response.text
    return {"authorization": f"Bearer {response.json()['token']}"}


def _failures(settings: Settings, phone: str, client: str, count: int) -> None:
    """``count`` failed attempts stored as if made just now."""

    async def work(db: AsyncSession) -> None:
        now = utcnow()
        for n in range(count):
            db.add(
                LoginAttempt(
                    phone=phone, client=client, succeeded=False, created_at=now - timedelta(milliseconds=n)
                )
            )

    in_db(settings, work)


def _time_passes(settings: Settings, by: timedelta) -> None:
    async def work(db: AsyncSession) -> None:
        for attempt in await db.scalars(select(LoginAttempt)):
            attempt.created_at -= by

    in_db(settings, work)


def _failed_attempts(settings: Settings) -> int:
    return int(
        rows(
            settings, select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
        )[0]
    )


def test_guesses_from_elsewhere_never_keep_the_real_user_out(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, ADMIN, "admin")
    for _ in range(PER_NUMBER_AND_CLIENT.free):
        assert _login(client, ADMIN, "doan-mo-1", ATTACKER).status_code == 401
    slowed = _login(client, ADMIN, PASSWORD, ATTACKER)
    assert slowed.status_code == 429
    body = slowed.json()
    assert body["code"] == "auth.slow_down"
    assert body["message_vi"] == "Đăng nhập sai nhiều lần. Vui lòng đợi 15 giây rồi thử lại."
    assert body["message_en"] == "Too many failed sign-ins. Wait 15 seconds and try again."
    assert slowed.headers["retry-after"] == "15"
    # The admin at home is not slowed by someone else's guesses at the number.
    assert _login(client, ADMIN, PASSWORD, HOME).status_code == 201


def test_the_wait_grows_with_each_failure_and_knocking_early_does_not_lengthen_it(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, ADMIN, "admin")
    for _ in range(PER_NUMBER_AND_CLIENT.free):
        assert _login(client, ADMIN, "doan-mo-1", ATTACKER).status_code == 401
    for _ in range(3):  # refused before any password check, and not counted
        assert _login(client, ADMIN, "doan-mo-2", ATTACKER).status_code == 429
    assert _failed_attempts(settings) == PER_NUMBER_AND_CLIENT.free
    expected = [15, 30, 60, 120, 240]  # then 480 s, and never more than 15 minutes
    for wait in expected:
        refused = _login(client, ADMIN, "doan-mo-3", ATTACKER)
        assert refused.status_code == 429
        assert 0 < int(refused.headers["retry-after"]) <= wait
        _time_passes(settings, timedelta(seconds=wait))
        assert _login(client, ADMIN, "doan-mo-3", ATTACKER).status_code == 401
    assert _failed_attempts(settings) == PER_NUMBER_AND_CLIENT.free + len(expected)
    assert 240 < int(_login(client, ADMIN, "doan-mo-4", ATTACKER).headers["retry-after"]) <= 480
    # A quarter of an hour without guesses and the number starts afresh from this address.
    _time_passes(settings, timedelta(minutes=15))
    assert _login(client, ADMIN, PASSWORD, ATTACKER).status_code == 201


def test_a_sign_in_starts_the_count_afresh(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, DESK, "desk_officer", (COMMUNE_A,))
    for _ in range(PER_NUMBER_AND_CLIENT.free - 1):
        assert _login(client, DESK, "go-nham-1", OFFICE).status_code == 401
    assert _login(client, DESK, PASSWORD, OFFICE).status_code == 201
    for _ in range(PER_NUMBER_AND_CLIENT.free):
        assert _login(client, DESK, "go-nham-2", OFFICE).status_code == 401


def test_a_shared_address_is_slowed_not_locked_and_phones_signed_in_pass(
    client: TestClient[Any], settings: Settings
) -> None:
    """Someone at the commune office sprays passwords at many numbers: the office's address is
    slowed (at most a minute between tries), a colleague's phone that is signed in still signs
    in, and nobody elsewhere notices."""
    add_user(settings, DESK, "desk_officer", (COMMUNE_A,))
    colleague = _bearer(client, DESK, OFFICE)
    for n in range(PER_CLIENT.free):
        _failures(settings, f"09710000{n:02d}", OFFICE, 1)
    slowed = _login(client, DESK, PASSWORD, OFFICE)
    assert slowed.status_code == 429
    assert slowed.json()["code"] == "auth.slow_down"
    assert 0 < int(slowed.headers["retry-after"]) <= PER_CLIENT.longest.total_seconds()
    assert _login(client, DESK, PASSWORD, OFFICE, **colleague).status_code == 201
    assert _login(client, DESK, PASSWORD, HOME).status_code == 201


def test_a_phone_signed_in_as_the_user_signs_in_while_others_guess_at_the_number(
    client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, ADMIN, "admin")
    other = add_user(settings, "0912345679", "volunteer", (COMMUNE_A,))
    own_phone, someone_else = _bearer(client, ADMIN, OFFICE), _bearer(client, other, OFFICE)
    # The guesser sits behind the same address, and a botnet guesses from everywhere.
    _failures(settings, ADMIN, OFFICE, PER_NUMBER_AND_CLIENT.free * 3)
    _failures(settings, ADMIN, "100.64.0.1", PER_NUMBER.free)
    assert _login(client, ADMIN, PASSWORD, OFFICE).status_code == 429
    assert _login(client, ADMIN, PASSWORD, HOME).status_code == 429  # the number is slowed everywhere…
    assert _login(client, ADMIN, PASSWORD, OFFICE, **own_phone).status_code == 201  # …but this phone passes
    # Another account's session proves nothing about this one.
    assert _login(client, ADMIN, PASSWORD, OFFICE, **someone_else).status_code == 429
    # The trusted phone's own wrong passwords are still slowed down.
    for _ in range(PER_NUMBER_AND_CLIENT.free):
        assert _login(client, ADMIN, "nham", OFFICE, **own_phone).status_code == 401
    assert _login(client, ADMIN, PASSWORD, OFFICE, **own_phone).status_code == 429


def test_the_longest_wait_is_a_quarter_of_an_hour() -> None:
    now = utcnow()
    assert PER_NUMBER_AND_CLIENT.wait([now] * 4, now) == 0
    assert PER_NUMBER_AND_CLIENT.wait([now] * 5, now) == 15
    assert PER_NUMBER_AND_CLIENT.wait([now] * 12, now) == 900
    assert PER_NUMBER_AND_CLIENT.wait([now] * 500, now) == 900
    assert PER_NUMBER_AND_CLIENT.wait([now - timedelta(seconds=10)] * 6, now) == 20
