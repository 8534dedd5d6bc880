"""``/health``: is the database reachable, which version is running, is a push worker alive
and how old is the oldest notification it has still to send."""

from __future__ import annotations

import msgspec
from litestar import MediaType, Response, get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua import __version__
from motcua.push.heartbeat import worker_state
from motcua.settings import Settings


class Health(msgspec.Struct, frozen=True):
    status: str
    version: str
    database: str
    # alive: a push worker beat within the last 90 s (or 3 push intervals); stale: one beat
    # before that; absent: none has beaten for a day. None when the database does not answer.
    worker: str | None = None
    # Age of the oldest notification not yet sent (pending or being sent); None when none waits.
    backlog_oldest_seconds: float | None = None


@get("/health", tags=["operations"], media_type=MediaType.JSON)
async def health(
    db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> Response[Health]:
    """200 when the database answers (whatever the worker's state), 503 when it does not."""
    try:
        await db_session.execute(text("SELECT 1"))
        state = await worker_state(db_session, settings.push_interval_seconds)
    except (SQLAlchemyError, OSError):
        return Response(Health("unavailable", __version__, "unreachable"), status_code=503)
    return Response(Health("ok", __version__, "ok", state.worker, state.backlog_oldest_seconds))
