"""Shared fixtures: a migrated database per backend (SQLite and PostgreSQL) and a real app.

Every test that asks for ``settings`` or ``client`` runs once on each database. Under
``CI=true`` an unreachable PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from litestar.testing import TestClient
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.users import create_user
from motcua.app import create_app
from motcua.db.engine import run_in_session
from motcua.db.migrate import upgrade
from motcua.db.models import metadata
from motcua.places.dataset import load_places
from motcua.settings import Settings

T = TypeVar("T")
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("MOTCUA_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
PASSWORD = "mật-khẩu-thử-1"
# The server keys stay: a process remembers its VAPID key (motcua.push.vapid).
REFERENCE_TABLES = {"province", "commune", "server_key"}

# Real commune codes from the dataset: two in Đắk Lắk (66), one in Hà Nội (1).
COMMUNE_A = 24235  # Xã Buôn Đôn, Đắk Lắk
COMMUNE_B = 24175  # Xã Hòa Phú, Đắk Lắk
COMMUNE_OTHER_PROVINCE = 4  # Phường Ba Đình, Hà Nội
PROVINCE_DAK_LAK = 66


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def admin_execute(*statements: str, url: str = POSTGRES_URL) -> None:
    """Run ``statements`` as PostgreSQL's administrator, on ``url``'s database (the server's own by default)."""
    connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _postgres_database() -> Iterator[str]:
    name = f"motcua_test_{uuid.uuid4().hex[:12]}"
    try:
        run(admin_execute(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is unreachable at {POSTGRES_URL}: {error}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {error}")
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        run(admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def make_settings(data_dir: Path, database_url: str | None = None) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url or f"sqlite+aiosqlite:///{data_dir / 'motcua.db'}",
        public_url="http://testserver.local",
        secret_key="test-secret-" + "x" * 40,
    )


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def migrated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A database at the newest migration with the places loaded, once per backend."""
    data_dir = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        settings = make_settings(data_dir)
        upgrade(settings)
        in_db(settings, load_places)
        yield settings
        return
    for url in _postgres_database():
        settings = make_settings(data_dir, url)
        upgrade(settings)
        in_db(settings, load_places)
        yield settings


async def _clear(db: AsyncSession) -> None:
    for table in reversed(metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            await db.execute(delete(table))


@pytest.fixture
def settings(migrated: Settings) -> Iterator[Settings]:
    """The migrated database of one backend, emptied of everything but places after the test."""
    yield migrated
    in_db(migrated, _clear)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as test_client:
        yield test_client


def in_db(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Set up or inspect data outside the app, in one committed transaction."""
    return run_in_session(settings, work)


def rows(settings: Settings, statement: Any) -> list[Any]:
    async def work(db: AsyncSession) -> list[Any]:
        return list(await db.scalars(statement))

    return in_db(settings, work)


def execute(settings: Settings, statement: Any) -> None:
    async def work(db: AsyncSession) -> None:
        await db.execute(statement)

    in_db(settings, work)


def add_user(
    settings: Settings,
    phone: str,
    role: str,
    communes: tuple[int, ...] = (),
    provinces: tuple[int, ...] = (),
    name: str = "Người Thử",
) -> str:
    """Create a user straight in the database; returns the phone."""

    async def work(db: AsyncSession) -> None:
        await create_user(
            db,
            phone=phone,
            full_name=name,
            role=role,
            password=PASSWORD,
            commune_codes=communes,
            province_codes=provinces,
        )

    in_db(settings, work)
    return phone


def bearer(client: TestClient[Any], phone: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post(
        "/api/auth/login", json={"phone": phone, "password": password, "device_label": "test"}
    )
    assert response.status_code == 201, response.text
    return {"authorization": f"Bearer {response.json()['token']}"}
