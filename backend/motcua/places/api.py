"""Places API: the public list of provinces and communes, and the villages of one's own communes."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import roles, signed_in
from motcua.auth.principal import Principal
from motcua.errors import ApiError
from motcua.places import service
from motcua.places.models import Commune, Province, Village
from motcua.places.schemas import (
    CommuneCodePath,
    CommuneDetail,
    CommuneOut,
    ProvinceCodePath,
    ProvinceOut,
    VillageIn,
    VillageOut,
)


def _commune_out(commune: Commune, province: Province | None = None) -> CommuneOut:
    return CommuneOut(
        code=commune.code,
        name=commune.name,
        division_type=commune.division_type,
        province_code=commune.province_code,
        province_name=province.name if province else None,
    )


def _village_out(village: Village) -> VillageOut:
    return VillageOut(id=village.id, name=village.name, commune_code=village.commune_code)


class PlacesController(Controller):
    path = "/api/places"
    tags = ["places"]

    @get("/provinces")
    async def provinces(self, db_session: NamedDependency[AsyncSession]) -> list[ProvinceOut]:
        """All 34 provinces (public reference data)."""
        rows = await db_session.scalars(select(Province).order_by(Province.code))
        return [ProvinceOut(p.code, p.name, p.division_type) for p in rows]

    @get("/provinces/{code:int}/communes")
    async def communes_of_province(
        self, code: ProvinceCodePath, db_session: NamedDependency[AsyncSession]
    ) -> list[CommuneOut]:
        """The communes of one province (public reference data)."""
        if await db_session.get(Province, code) is None:
            raise ApiError(
                404, "province.not_found", f"Không có tỉnh mã {code}.", f"No province with code {code}."
            )
        rows = await db_session.scalars(
            select(Commune).where(Commune.province_code == code).order_by(Commune.name)
        )
        return [_commune_out(c) for c in rows]

    @get("/communes", guards=[signed_in])
    async def my_communes(
        self, db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[CommuneOut]:
        """The communes the signed-in user may act in."""
        return [_commune_out(c, p) for c, p in await service.communes_in_scope(db_session, principal)]

    @get("/communes/{code:int}", guards=[signed_in])
    async def commune(
        self,
        code: CommuneCodePath,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> CommuneDetail:
        """One commune of the user's scope, with its villages."""
        commune = await service.commune_in_scope(db_session, principal, code)
        province = await db_session.get(Province, commune.province_code)
        villages = await service.villages_of(db_session, commune)
        return CommuneDetail(_commune_out(commune, province), [_village_out(v) for v in villages])

    @post("/communes/{code:int}/villages", guards=[roles("coordinator")])
    async def create_village(
        self,
        code: CommuneCodePath,
        data: JSONBody[VillageIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> VillageOut:
        """Add a village to a commune of the coordinator's scope."""
        commune = await service.commune_in_scope(db_session, principal, code)
        return _village_out(await service.create_village(db_session, commune, data.name, principal.user_id))
