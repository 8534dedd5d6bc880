"""A commune's working calendar from the database: desk hours and overrides."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.errors import ApiError, FieldError
from motcua.worktime.calendar import WEEKDAYS, WorkCalendar, calendar_for, parse_hours
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


def hours_from_text(text_by_day: dict[str, str]) -> dict[str, list[list[str]]]:
    """``{"mon": "07:00-11:30, 13:30-17:00", …}`` as stored desk hours, checked; empty is closed."""
    hours: dict[str, list[list[str]]] = {}
    problems = []
    for day in WEEKDAYS:
        spans = [part.strip() for part in text_by_day.get(day, "").split(",") if part.strip()]
        try:
            hours[day] = [
                [start.strip(), end.strip()] for start, end in (span.split("-", 1) for span in spans)
            ]
        except ValueError:
            problems.append(day)
            continue
    try:
        parse_hours(hours)
    except ValueError:
        problems.append("hours")
    if problems:
        raise ApiError(
            400,
            "desk_hours.invalid",
            "Giờ làm việc chưa đúng: ghi dạng 07:00-11:30, 13:30-17:00, các khoảng không chồng nhau.",
            "Desk hours must read like 07:00-11:30, 13:30-17:00, without overlaps.",
            [
                FieldError(day, "invalid", "Chưa đúng định dạng.", "Not in the expected form.")
                for day in problems
            ],
        )
    return {day: spans for day, spans in hours.items() if spans}


def hours_as_text(hours: dict[str, Any]) -> dict[str, str]:
    return {day: ", ".join(f"{start}-{end}" for start, end in hours.get(day, [])) for day in WEEKDAYS}


async def desk_hours_of(db: AsyncSession, commune_code: int) -> dict[str, Any]:
    desk = await db.get(DeskHours, commune_code)
    return dict(desk.hours) if desk else dict(DEFAULT_DESK_HOURS)


async def set_desk_hours(db: AsyncSession, commune_code: int, text_by_day: dict[str, str]) -> None:
    hours = hours_from_text(text_by_day)
    desk = await db.get(DeskHours, commune_code)
    if desk is None:
        db.add(DeskHours(commune_code=commune_code, hours=hours))
    else:
        desk.hours = hours
    await db.flush()


async def add_override(
    db: AsyncSession, day: date, kind: str, commune_code: int | None, note: str
) -> CalendarOverride:
    if kind not in ("day_off", "working_day"):
        raise ApiError(400, "override.kind", "Loại ngày không hợp lệ.", "Unknown kind of day.")
    taken = await db.scalar(
        select(CalendarOverride.id).where(
            CalendarOverride.day == day,
            CalendarOverride.commune_code.is_(None)
            if commune_code is None
            else CalendarOverride.commune_code == commune_code,
        )
    )
    if taken is not None:
        raise ApiError(
            409, "override.exists", "Ngày này đã có trong bảng.", "This day is already in the table."
        )
    override = CalendarOverride(day=day, kind=kind, commune_code=commune_code, note=note.strip()[:300])
    db.add(override)
    await db.flush()
    return override


async def overrides_for(db: AsyncSession, commune_code: int) -> list[CalendarOverride]:
    return list(
        await db.scalars(
            select(CalendarOverride)
            .where(
                or_(CalendarOverride.commune_code.is_(None), CalendarOverride.commune_code == commune_code)
            )
            .order_by(CalendarOverride.day.desc())
        )
    )
