"""Who is signed in, and which places they may act in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


class Place(Protocol):
    """A commune, as far as scope is concerned (places.models.Commune is one)."""

    @property
    def code(self) -> int: ...

    @property
    def province_code(self) -> int: ...


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request, with the scope every query must respect."""

    user_id: UUID
    session_id: UUID
    session_kind: str
    role: str
    full_name: str
    phone: str
    commune_codes: frozenset[int]
    province_codes: frozenset[int]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_act_in(self, commune: Place) -> bool:
        return (
            self.is_admin
            or commune.code in self.commune_codes
            or commune.province_code in self.province_codes
        )
