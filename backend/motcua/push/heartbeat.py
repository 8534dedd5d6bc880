"""Whether a push worker is alive, and how old the oldest notification still waiting is.

Each worker writes its own row of ``push_worker_beat`` once a cycle (at most once per
``MOTCUA_PUSH_INTERVAL_SECONDS``); ``/health`` and ``/metrics`` read them back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from motcua.db.base import utcnow
from motcua.db.engine import session_scope
from motcua.push.models import PushOutbox, PushWorkerBeat

# A busy cycle sends a batch, which takes at most BATCH / CONCURRENCY rounds of the HTTP
# timeout (40 s); an idle one waits the interval. Longer than both, with room to spare.
STALE_AFTER = timedelta(seconds=90)
FORGET_AFTER = timedelta(days=1)
UNFINISHED = ("pending", "sending")


class WorkerState(msgspec.Struct, frozen=True):
    worker: str  # alive | stale | absent
    backlog_oldest_seconds: float | None  # the oldest unsent notification's age; None when none waits
    last_beat_seconds: float | None  # how long ago a worker last beat; None when none ever did


def stale_after(interval_seconds: float) -> timedelta:
    return max(STALE_AFTER, timedelta(seconds=3 * interval_seconds))


async def beat(engine: AsyncEngine, name: str) -> None:
    """This worker is alive now. Its first beat also forgets the rows of workers long gone."""
    now = utcnow()
    async with session_scope(engine) as db:
        done = await db.execute(update(PushWorkerBeat).where(PushWorkerBeat.name == name).values(beat_at=now))
        if getattr(done, "rowcount", 0) == 0:
            await db.execute(delete(PushWorkerBeat).where(PushWorkerBeat.beat_at < now - FORGET_AFTER))
            await db.execute(insert(PushWorkerBeat).values(name=name, beat_at=now))


async def worker_state(db: AsyncSession, interval_seconds: float, now: datetime | None = None) -> WorkerState:
    now = now or utcnow()
    last_beat = await db.scalar(select(func.max(PushWorkerBeat.beat_at)))
    oldest = await db.scalar(select(func.min(PushOutbox.created_at)).where(PushOutbox.state.in_(UNFINISHED)))
    if last_beat is None:
        state = "absent"
    elif now - last_beat > stale_after(interval_seconds):
        state = "stale"
    else:
        state = "alive"
    return WorkerState(
        worker=state,
        backlog_oldest_seconds=None if oldest is None else round(max(0.0, (now - oldest).total_seconds()), 1),
        last_beat_seconds=None
        if last_beat is None
        else round(max(0.0, (now - last_beat).total_seconds()), 1),
    )
