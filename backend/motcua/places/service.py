"""Place lookups that respect the signed-in user's scope, and villages."""

from __future__ import annotations

import unicodedata
from uuid import UUID

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.principal import Principal
from motcua.errors import ApiError, FieldError
from motcua.places.models import Commune, Province, Village
from motcua.places.schemas import is_place_code

_NOT_IN_NAMES = frozenset({"Cc", "Cf", "Cs", "Co"})


def _commune_not_found(code: int) -> ApiError:
    return ApiError(404, "commune.not_found", f"Không có xã mã {code}.", f"No commune with code {code}.")


async def commune_in_scope(db: AsyncSession, principal: Principal, code: int) -> Commune:
    """The commune, if it exists and the user may act in it (404 / 403 otherwise)."""
    commune = await db.get(Commune, code) if is_place_code(code) else None
    if commune is None:
        raise _commune_not_found(code)
    if not principal.may_act_in(commune):
        raise ApiError(
            403,
            "scope.outside",
            "Xã này nằm ngoài phạm vi tài khoản của bạn.",
            "This commune is outside your account's places.",
        )
    return commune


async def communes_in_scope(db: AsyncSession, principal: Principal) -> list[tuple[Commune, Province]]:
    result = await db.execute(
        select(Commune, Province)
        .join(Province, Province.code == Commune.province_code)
        .where(commune_filter(principal))
        .order_by(Province.code, Commune.name)
    )
    return [(commune, province) for commune, province in result]


async def villages_of(db: AsyncSession, commune: Commune) -> list[Village]:
    return list(
        await db.scalars(select(Village).where(Village.commune_code == commune.code).order_by(Village.name))
    )


async def create_village(db: AsyncSession, commune: Commune, name: str, created_by: UUID) -> Village:
    clean = " ".join(unicodedata.normalize("NFC", name).split())
    # No control, format (bidi overrides, zero-width) or private characters: a NUL cannot even
    # be stored on PostgreSQL, and the others make a name print differently from what it is.
    if not clean or len(clean) > 100 or any(unicodedata.category(ch) in _NOT_IN_NAMES for ch in clean):
        raise ApiError(
            400,
            "invalid_village",
            "Tên thôn chưa hợp lệ.",
            "The village name is not valid.",
            [
                FieldError(
                    "name",
                    "required",
                    "Cần nhập tên thôn (tối đa 100 ký tự).",
                    "Enter a name of up to 100 characters.",
                )
            ],
        )
    village = Village(commune_code=commune.code, name=clean, created_by=created_by)
    try:
        async with db.begin_nested():
            db.add(village)
    except IntegrityError:
        raise ApiError(
            409,
            "village.exists",
            f"Xã đã có thôn “{clean}”.",
            f"The commune already has a village called “{clean}”.",
            [FieldError("name", "village.exists", "Tên thôn đã có.", "This name is taken.")],
        ) from None
    return village


def commune_filter(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause on :class:`Commune` that keeps only ``principal``'s communes."""
    if principal.is_admin:
        return true()
    if not principal.commune_codes and not principal.province_codes:
        return false()
    return or_(Commune.code.in_(principal.commune_codes), Commune.province_code.in_(principal.province_codes))
