"""Catalogue API: the list with an ETag for cheap polling, any version, checks and closing."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.auth.guards import roles, signed_in
from motcua.catalogue import service
from motcua.catalogue.rules import checked_declaration
from motcua.catalogue.schemas import (
    CatalogueIndex,
    DeclarationCheckIn,
    DeclarationCheckOut,
    Names,
    ProcedureEntry,
    VersionOut,
)
from motcua.errors import ApiError
from motcua.places.schemas import INT32_MAX

IMMUTABLE = "public, max-age=31536000, immutable"
# Versions count up from 1 and are stored as INTEGER: a larger number is refused, never looked up.
Version = Annotated[int, PathParameter(ge=1, le=INT32_MAX, description="Version number, from 1.")]


def _version_not_found(code: str, version: int) -> ApiError:
    return ApiError(
        404,
        "procedure.version_unknown",
        f"Không có thủ tục {code} phiên bản {version}.",
        f"There is no version {version} of procedure {code}.",
    )


class CatalogueController(Controller):
    path = "/api/catalogue"
    tags = ["catalogue"]

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> Response[CatalogueIndex | None]:
        """Every procedure and version. Send the last ETag in If-None-Match: 304 when nothing changed."""
        rows = await service.all_versions(db_session)
        fingerprint = "|".join(f"{r.code}:{r.version}:{r.content_hash}:{r.closed_at}" for r in rows)
        etag = hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
        headers = {"etag": f'"{etag}"', "cache-control": "no-cache"}
        if request.headers.get("if-none-match", "").strip() in {f'"{etag}"', f'W/"{etag}"'}:
            return Response(None, status_code=304, headers=headers)
        entries: dict[str, ProcedureEntry] = {}
        for row in rows:
            entry = entries.get(row.code)
            versions = [
                *(entry.versions if entry else []),
                VersionOut(row.version, row.content_hash, row.closed_at),
            ]
            current = max((v.version for v in versions if v.closed_at is None), default=None)
            name = Names(row.content["name"]["vi"], row.content["name"]["en"])
            entries[row.code] = ProcedureEntry(row.code, name, current, versions)
        procedures = sorted(entries.values(), key=lambda e: e.name.vi)
        return Response(CatalogueIndex(etag, procedures), headers=headers)

    @get("/{code:str}/versions/{version:int}")
    async def version(
        self, code: FromPath[str], version: Version, db_session: NamedDependency[AsyncSession]
    ) -> Response[dict[str, Any]]:
        """One published version, exactly as published; it never changes, so phones may keep it."""
        row = await service.get_version(db_session, code, version)
        if row is None:
            raise _version_not_found(code, version)
        return Response(row.content, headers={"etag": f'"{row.content_hash}"', "cache-control": IMMUTABLE})

    @post("/{code:str}/versions/{version:int}/check", guards=[signed_in], status_code=200)
    async def check(
        self,
        code: FromPath[str],
        version: Version,
        data: JSONBody[DeclarationCheckIn],
        db_session: NamedDependency[AsyncSession],
    ) -> DeclarationCheckOut:
        """Check a declaration as the server will when the dossier arrives (422 names each field)."""
        await checked_declaration(db_session, code, version, data.data, data.written_at)
        return DeclarationCheckOut(code, version, valid=True)

    @post("/{code:str}/versions/{version:int}/close", guards=[roles("admin")], status_code=200)
    async def close(
        self, code: FromPath[str], version: Version, db_session: NamedDependency[AsyncSession]
    ) -> VersionOut:
        """Stop new dossiers on this version; ones already written on phones stay valid."""
        row = await service.close_version(db_session, code, version)
        if row is None:
            raise _version_not_found(code, version)
        return VersionOut(row.version, row.content_hash, row.closed_at)
