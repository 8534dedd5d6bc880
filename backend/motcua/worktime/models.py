"""Each commune's desk hours and the admin-edited calendar overrides."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Record, ReferenceRow

# A typical desk (facts/calendar.md): 07:00–11:30 and 13:30–17:00, Monday to Friday.
DEFAULT_DESK_HOURS: dict[str, list[list[str]]] = {
    day: [["07:00", "11:30"], ["13:30", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}


class DeskHours(ReferenceRow):
    """A commune's one-stop desk hours, per weekday: ``{"mon": [["07:00", "11:30"], …], …}``."""

    __tablename__ = "desk_hours"

    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"), primary_key=True)
    hours: Mapped[dict[str, Any]] = mapped_column(JSON)


class CalendarOverride(Record):
    """A day the law's calendar does not tell: an extra day off, or a Saturday worked in swap.

    ``commune_code`` empty means nationwide (the government's yearly notice).
    """

    __tablename__ = "calendar_override"
    __table_args__ = (UniqueConstraint("day", "commune_code"),)

    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(12))  # day_off | working_day
    commune_code: Mapped[int | None] = mapped_column(ForeignKey("commune.code"), default=None)
    note: Mapped[str] = mapped_column(String(300), default="")
