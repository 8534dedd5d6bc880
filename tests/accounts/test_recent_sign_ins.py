"""Each server process remembers who a token belongs to for a few seconds (accounts/recent.py).

Changing the database directly stands for another server process doing it: this process
notices when its memory runs out. What this process revokes itself, it forgets at once
(tests/accounts/test_sign_in.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import update

from motcua.accounts.models import AuthSession, User
from motcua.app import create_app
from motcua.db.base import utcnow
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, add_user, bearer, execute

PHONE = "0912345678"
CACHE_SECONDS = 1


def _client(settings: Settings, seconds: int) -> Iterator[TestClient[Any]]:
    app = create_app(replace(settings, sign_in_cache_seconds=seconds))
    with TestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
def remembering(settings: Settings) -> Iterator[TestClient[Any]]:
    yield from _client(settings, CACHE_SECONDS)


@pytest.fixture
def forgetful(settings: Settings) -> Iterator[TestClient[Any]]:
    yield from _client(settings, 0)


@pytest.mark.parametrize(
    "change",
    [update(AuthSession).values(revoked_at=utcnow()), update(User).values(is_active=False)],
    ids=["session revoked", "account disabled"],
)
def test_a_change_by_another_process_is_noticed_when_the_memory_runs_out(
    remembering: TestClient[Any], settings: Settings, change: Any
) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    headers = bearer(remembering, PHONE)
    assert remembering.get("/api/me", headers=headers).status_code == 200
    execute(settings, change)
    assert remembering.get("/api/me", headers=headers).status_code == 200  # remembered
    time.sleep(CACHE_SECONDS + 0.1)
    assert remembering.get("/api/me", headers=headers).status_code == 401


def test_with_no_memory_every_request_looks_again(forgetful: TestClient[Any], settings: Settings) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    headers = bearer(forgetful, PHONE)
    assert forgetful.get("/api/me", headers=headers).status_code == 200
    execute(settings, update(AuthSession).values(revoked_at=utcnow()))
    assert forgetful.get("/api/me", headers=headers).status_code == 401


def test_a_session_is_not_remembered_past_its_own_end(settings: Settings) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    for client in _client(settings, 60):
        headers = bearer(client, PHONE)
        execute(settings, update(AuthSession).values(expires_at=utcnow() + timedelta(seconds=0.5)))
        assert client.get("/api/me", headers=headers).status_code == 200
        time.sleep(0.6)
        assert client.get("/api/me", headers=headers).status_code == 401
