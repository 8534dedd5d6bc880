"""Provinces and communes after the 2025 reform, from the dataset; villages by coordinators."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.places.dataset import load_places
from motcua.places.models import Commune, Province
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, add_user, bearer, in_db


def test_the_reformed_country_has_34_provinces_and_3321_communes(settings: Settings) -> None:
    async def counts(db: AsyncSession) -> tuple[int | None, int | None]:
        return await db.scalar(select(func.count()).select_from(Province)), await db.scalar(
            select(func.count()).select_from(Commune)
        )

    assert in_db(settings, counts) == (34, 3321)
    assert in_db(settings, load_places) == (0, 0)  # loading again changes nothing


def test_province_and_commune_lists_are_public(client: TestClient[Any]) -> None:
    provinces = client.get("/api/places/provinces").json()
    assert len(provinces) == 34
    assert {"code": 66, "name": "Đắk Lắk", "division_type": "tỉnh"} in provinces
    communes = client.get("/api/places/provinces/66/communes").json()
    assert len(communes) == 102
    assert any(c["name"] == "Xã Buôn Đôn" for c in communes)
    assert all("  " not in c["name"] for c in communes)


def test_coordinator_adds_a_village_once(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, "0901111101", "coordinator", (COMMUNE_A,))
    headers = bearer(client, "0901111101")
    created = client.post(
        f"/api/places/communes/{COMMUNE_A}/villages", json={"name": "  Buôn   Trí A "}, headers=headers
    )
    assert created.status_code == 201
    assert created.json()["name"] == "Buôn Trí A"
    again = client.post(
        f"/api/places/communes/{COMMUNE_A}/villages", json={"name": "Buôn Trí A"}, headers=headers
    )
    assert again.status_code == 409
    assert again.json()["code"] == "village.exists"
    empty = client.post(f"/api/places/communes/{COMMUNE_A}/villages", json={"name": " "}, headers=headers)
    assert empty.status_code == 400
    detail = client.get(f"/api/places/communes/{COMMUNE_A}", headers=headers).json()
    assert [v["name"] for v in detail["villages"]] == ["Buôn Trí A"]
    assert detail["commune"]["province_name"] == "Đắk Lắk"
