"""msgspec types of the places API."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import PathParameter, QueryParameter

#: The largest INTEGER a column holds (PostgreSQL's int4): every official place code and
#: catalogue version fits, and a number past it is refused before it reaches the database.
INT32_MAX = 2**31 - 1

CommuneCodePath = Annotated[int, PathParameter(ge=1, le=INT32_MAX, description="Official commune code.")]
ProvinceCodePath = Annotated[int, PathParameter(ge=1, le=INT32_MAX, description="Official province code.")]
CommuneQuery = Annotated[
    int, QueryParameter(name="commune", ge=1, le=INT32_MAX, description="Official commune code.")
]
OptionalCommuneQuery = Annotated[
    int | None, QueryParameter(name="commune", ge=1, le=INT32_MAX, description="Official commune code.")
]


def is_place_code(code: int) -> bool:
    """Whether ``code`` can be a stored place code at all (a larger one cannot even be looked up)."""
    return 1 <= code <= INT32_MAX


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
