"""X-Forwarded-For counts only from a trusted proxy: through a real `motcua serve`, a client that
is not one of MOTCUA_TRUSTED_PROXIES cannot pick the address its wrong passwords count against."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from motcua.accounts.models import LoginAttempt
from motcua.settings import Settings
from tests.conftest import add_user, rows
from tests.server import ServerProcess, motcua_env

ADMIN = "0901000077"


def test_forwarded_addresses_count_only_from_trusted_proxies(settings: Settings) -> None:
    add_user(settings, ADMIN, "admin")
    env = motcua_env(
        settings.data_dir,
        settings.database_url,
        MOTCUA_SECRET_KEY=settings.secret_key,
        # The proxy is elsewhere: this test, on loopback, is an ordinary client.
        MOTCUA_TRUSTED_PROXIES="192.0.2.10,10.0.0.0/8",
    )
    server = ServerProcess(env).start()
    try:
        answer = httpx.post(
            f"{server.url}/api/auth/login",
            json={"phone": ADMIN, "password": "doan-mo-1"},
            headers={"x-forwarded-for": "198.51.100.66"},
            timeout=60,
        )
    finally:
        server.stop()
    assert answer.status_code == 401
    assert rows(settings, select(LoginAttempt.client)) == ["127.0.0.1"]  # not the forged address
