"""A commune's working calendar from the database: desk hours and overrides."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.worktime.calendar import WorkCalendar, calendar_for
from motcua.worktime.models import DEFAULT_DESK_HOURS, CalendarOverride, DeskHours


async def commune_calendar(db: AsyncSession, commune_code: int, since: date | None = None) -> WorkCalendar:
    """Desk hours of the commune (the typical ones when none were set), with the nationwide and
    commune overrides from ``since`` on."""
    desk = await db.get(DeskHours, commune_code)
    statement = select(CalendarOverride.day, CalendarOverride.kind).where(
        or_(CalendarOverride.commune_code.is_(None), CalendarOverride.commune_code == commune_code)
    )
    if since is not None:
        statement = statement.where(CalendarOverride.day >= since)
    overrides = [(row.day, row.kind) for row in await db.execute(statement)]
    return calendar_for(desk.hours if desk else DEFAULT_DESK_HOURS, overrides)
