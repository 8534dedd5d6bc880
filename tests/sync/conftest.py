"""A commune with villages and volunteers, ready for phones to sync."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.campaigns.models import Route, RouteStop, RouteVolunteer
from motcua.places.models import Village
from motcua.rounds.service import today
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, add_user, bearer, in_db
from tests.object_store import ObjectStoreServer, run_object_store_server
from tests.sync.phone import Phone


@dataclass
class Field:
    """Two volunteers of commune A, one of commune B, and a village in each commune."""

    client: TestClient[Any]
    village_a: UUID
    village_b: UUID
    volunteer_a1: dict[str, str]
    volunteer_a2: dict[str, str]
    volunteer_b: dict[str, str]

    def push(self, headers: dict[str, str], *records: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.client.post("/api/sync/push", json={"records": list(records)}, headers=headers)
        assert response.status_code == 200, response.text
        outcomes: list[dict[str, Any]] = response.json()["outcomes"]
        assert [o["id"] for o in outcomes] == [r["id"] for r in records]
        return outcomes

    def upload(self, headers: dict[str, str], phone: Phone) -> list[dict[str, Any]]:
        answers = []
        for digest, data in phone.attachments.items():
            response = self.client.put(f"/api/attachments/{digest}", content=data, headers=headers)
            assert response.status_code == 200, response.text
            answers.append(response.json())
        return answers

    def pull_all(self, headers: dict[str, str], cursor: str = "0", limit: int = 500) -> list[dict[str, Any]]:
        changes = []
        while True:
            page = self.client.get(
                "/api/sync/pull", params={"cursor": cursor, "limit": limit}, headers=headers
            )
            assert page.status_code == 200, page.text
            body = page.json()
            changes += body["changes"]
            cursor = body["cursor"]
            if not body["more"]:
                return changes


def on_route(
    settings: Settings, commune_code: int, villages: list[UUID], phones: list[str], day: date | None = None
) -> UUID:
    """A route over ``villages`` on ``day`` (today in Vietnam) for the users of ``phones``: their
    phones then receive those villages' residents (docs/privacy.md)."""

    async def work(db: AsyncSession) -> UUID:
        users = list(await db.scalars(select(User).where(User.phone.in_(phones))))
        route = Route(
            commune_code=commune_code,
            day=day or today(),
            created_by=users[0].id,
            stops=[RouteStop(position=i, village_id=v) for i, v in enumerate(villages, start=1)],
            team=[RouteVolunteer(user_id=u.id) for u in users],
        )
        db.add(route)
        await db.flush()
        return route.id

    return in_db(settings, work)


def add_village(settings: Settings, commune_code: int, name: str) -> UUID:
    async def work(db: AsyncSession) -> UUID:
        village = Village(commune_code=commune_code, name=name)
        db.add(village)
        await db.flush()
        return village.id

    return in_db(settings, work)


@pytest.fixture(scope="session")
def object_store_server() -> Iterator[ObjectStoreServer]:
    """moto's S3-API server, started once per test process."""
    yield from run_object_store_server()


@pytest.fixture
def storage() -> str:
    """Where attachments go: "disk" unless a test parametrizes ``storage`` with "s3" too."""
    return "disk"


@pytest.fixture
def settings(settings: Settings, storage: str, request: pytest.FixtureRequest) -> Settings:
    """The database's settings, with attachments in a fresh prefix of the S3 server for "s3"."""
    if storage == "disk":
        return settings
    server: ObjectStoreServer = request.getfixturevalue("object_store_server")
    return replace(settings, object_store_url=server.fresh_url(), object_store_endpoint=server.endpoint)


@pytest.fixture
def field(client: TestClient[Any], settings: Settings) -> Field:
    village_a = add_village(settings, COMMUNE_A, "Buôn Trí A")
    village_b = add_village(settings, COMMUNE_B, "Thôn 1")
    for phone, commune in (("0971000001", COMMUNE_A), ("0971000002", COMMUNE_A), ("0971000003", COMMUNE_B)):
        add_user(settings, phone, "volunteer", (commune,))
    return Field(
        client,
        village_a,
        village_b,
        bearer(client, "0971000001"),
        bearer(client, "0971000002"),
        bearer(client, "0971000003"),
    )


@pytest.fixture
def phone_a1(field: Field) -> Phone:
    return Phone("AA1", field.village_a)


@pytest.fixture
def phone_a2(field: Field) -> Phone:
    return Phone("AA2", field.village_a)
