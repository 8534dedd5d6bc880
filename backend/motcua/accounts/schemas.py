"""msgspec types of the accounts API."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class LoginIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    phone: str
    password: str
    device_label: str = ""


class MeOut(msgspec.Struct, frozen=True):
    id: UUID
    full_name: str
    phone: str
    role: str
    commune_codes: list[int]
    province_codes: list[int]


class TokenOut(msgspec.Struct, frozen=True):
    token: str
    session_id: UUID
    expires_at: datetime
    user: MeOut
    device_code: str


class SessionOut(msgspec.Struct, frozen=True):
    id: UUID
    kind: str
    label: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool


class UserIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    phone: str
    full_name: str
    role: str
    password: str
    commune_codes: list[int] = []
    province_codes: list[int] = []


class UserOut(msgspec.Struct, frozen=True):
    id: UUID
    full_name: str
    phone: str
    role: str
    is_active: bool
    commune_codes: list[int]
    province_codes: list[int]


class RevokedOut(msgspec.Struct, frozen=True):
    revoked: int
