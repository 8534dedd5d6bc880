"""``/health``: is the database reachable, and which version is running."""

from __future__ import annotations

import msgspec
from litestar import MediaType, Response, get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua import __version__


class Health(msgspec.Struct, frozen=True):
    status: str
    version: str
    database: str


@get("/health", tags=["operations"], media_type=MediaType.JSON)
async def health(db_session: NamedDependency[AsyncSession]) -> Response[Health]:
    """200 when the database answers, 503 when it does not."""
    try:
        await db_session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return Response(Health("unavailable", __version__, "unreachable"), status_code=503)
    return Response(Health("ok", __version__, "ok"))
