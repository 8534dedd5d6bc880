"""Sign-ins sent all at once: through a real server, the allowance holds and nothing fails;
in one process, no more password checks run at once than MOTCUA_PASSWORD_CHECKS."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from motcua.accounts import login, passwords
from motcua.accounts.login import PER_NUMBER_AND_CLIENT
from motcua.accounts.models import LoginAttempt
from motcua.settings import Settings
from tests.accounts.addresses import app_with_addresses, at
from tests.conftest import PASSWORD, add_user, rows
from tests.server import ServerProcess, motcua_env

ADMIN = "0901000000"
GUESSES = 150


def _send_together(count: int, send: Any) -> list[Any]:
    """Run ``send(n)`` for n in range(count) on as many threads, released together."""
    barrier = threading.Barrier(count)

    def one(n: int) -> Any:
        barrier.wait(timeout=60)
        return send(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_simultaneous_wrong_passwords_get_no_more_checks_than_the_allowance(settings: Settings) -> None:
    add_user(settings, ADMIN, "admin")
    env = motcua_env(settings.data_dir, settings.database_url, MOTCUA_SECRET_KEY=settings.secret_key)
    # Two processes on PostgreSQL: the allowance must hold across them too.
    server = ServerProcess(env, workers=1 if settings.is_sqlite else 2).start()
    try:
        with httpx.Client(
            base_url=server.url, timeout=120, limits=httpx.Limits(max_connections=GUESSES)
        ) as http:

            def guess(n: int) -> int:
                answer = http.post(
                    "/api/auth/login",
                    json={"phone": ADMIN, "password": f"doan-mo-{n}"},
                    headers={"x-forwarded-for": "198.51.100.66"},  # uvicorn trusts it from loopback
                )
                return answer.status_code

            statuses = Counter(_send_together(GUESSES, guess))
            # Meanwhile the admin, elsewhere, is not kept out.
            right = http.post(
                "/api/auth/login",
                json={"phone": ADMIN, "password": PASSWORD},
                headers={"x-forwarded-for": "192.0.2.7"},
            )
    finally:
        server.stop()
    assert set(statuses) <= {401, 429}, statuses  # never a 500, never "database is locked"
    assert sum(statuses.values()) == GUESSES
    # Each 401 is one password check; the rest were refused before any.
    assert 1 <= statuses[401] <= PER_NUMBER_AND_CLIENT.free, statuses
    failed = rows(
        settings, select(func.count()).select_from(LoginAttempt).where(LoginAttempt.succeeded.is_(False))
    )
    assert failed == [statuses[401]]
    assert right.status_code == 201, right.text


@pytest.fixture
def three_at_once(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(
        app=app_with_addresses(replace(settings, password_checks=3)), base_url="http://testserver.local"
    ) as client:
        yield client


def test_no_more_password_checks_run_at_once_than_allowed(
    three_at_once: TestClient[Any], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(settings, ADMIN, "admin")
    real = passwords.verify_password
    lock = threading.Lock()
    in_flight, most = 0, 0
    full = threading.Event()

    def counted(password_hash: str | None, password: str) -> bool:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
            if in_flight >= 3:
                full.set()
        try:
            # Hold the check until three run together (or a while has passed), so that an
            # unbounded server would show more than three at once.
            full.wait(timeout=5)
            return real(password_hash, password)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(passwords, "verify_password", counted)
    monkeypatch.setattr(login, "verify_password", counted, raising=False)  # where it was called before
    people = 12  # each from an address of its own, so none is slowed down

    def sign_in(n: int) -> int:
        answer = three_at_once.post(
            "/api/auth/login", json={"phone": ADMIN, "password": PASSWORD}, headers=at(f"192.0.2.{n + 1}")
        )
        return answer.status_code

    assert _send_together(people, sign_in) == [201] * people
    assert most == 3
