"""Forgetting old rows of the counters kept against guessing (sign-in attempts, status-page
guesses): one home for the rule, used where each counter is written."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from motcua.db.base import utcnow

# At most once a minute per process and table: the counters need no exact upkeep.
TIDY_EVERY_SECONDS = 60.0
_last_tidy: dict[str, float] = {}


async def forget_older(db: AsyncSession, created_at: InstrumentedAttribute[datetime], age: timedelta) -> None:
    """Delete the rows of ``created_at``'s table older than ``age``, and commit; another process
    tidying at the same moment (a deadlock, a busy SQLite) is no error."""
    table = created_at.class_.__tablename__
    if time.monotonic() - _last_tidy.get(table, 0.0) < TIDY_EVERY_SECONDS:
        return
    _last_tidy[table] = time.monotonic()
    try:
        await db.execute(delete(created_at.class_).where(created_at < utcnow() - age))
        await db.commit()
    except DBAPIError:
        await db.rollback()
