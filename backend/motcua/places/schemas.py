"""msgspec types of the places API."""

from __future__ import annotations

from uuid import UUID

import msgspec


class ProvinceOut(msgspec.Struct, frozen=True):
    code: int
    name: str
    division_type: str


class CommuneOut(msgspec.Struct, frozen=True):
    code: int
    name: str
    division_type: str
    province_code: int
    province_name: str | None = None


class VillageIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str


class VillageOut(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    commune_code: int


class CommuneDetail(msgspec.Struct, frozen=True):
    commune: CommuneOut
    villages: list[VillageOut]
