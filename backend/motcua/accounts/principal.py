"""Who is signed in, and which places they may act in."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, false, or_, true

from motcua.places.models import Commune


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

    def may_act_in(self, commune: Commune) -> bool:
        return (
            self.is_admin
            or commune.code in self.commune_codes
            or commune.province_code in self.province_codes
        )

    def commune_filter(self) -> ColumnElement[bool]:
        """A WHERE clause on :class:`Commune` that keeps only this user's communes."""
        if self.is_admin:
            return true()
        if not self.commune_codes and not self.province_codes:
            return false()
        return or_(Commune.code.in_(self.commune_codes), Commune.province_code.in_(self.province_codes))
