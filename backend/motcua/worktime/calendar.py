"""Deadlines counted in working time: a commune's desk hours on working days only.

Working days are the weekdays the desk opens, minus the public holidays (the ``holidays``
package's Vietnam calendar, Tết included) and the admin's extra days off, plus the
Saturdays the government swaps in as working days. All times are Vietnam local times.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Interval = tuple[time, time]


def parse_hours(hours: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, list[Interval]]:
    """``{"mon": [["07:00", "11:30"], …]}`` as times, checked: each interval forwards, in order."""
    parsed: dict[str, list[Interval]] = {}
    for day, intervals in hours.items():
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r}")
        spans = sorted((time.fromisoformat(start), time.fromisoformat(end)) for start, end in intervals)
        for index, (start, end) in enumerate(spans):
            following = spans[index + 1] if index + 1 < len(spans) else None
            if end <= start or (following is not None and following[0] < end):
                raise ValueError(f"desk hours of {day} overlap or run backwards")
        parsed[day] = spans
    return parsed


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


@dataclass(frozen=True)
class WorkCalendar:
    """One commune's desk: its hours per weekday and the days that break the weekly pattern."""

    hours: Mapping[str, Sequence[Interval]]
    days_off: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)

    def _pattern_day(self) -> str:
        # A swapped-in working Saturday keeps the hours of an ordinary weekday.
        return next((day for day in WEEKDAYS[:5] if self.hours.get(day)), "mon")

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The desk's open spans on ``day``; none on a day off."""
        if day in self.working_days:
            spans = self.hours.get(self._pattern_day(), ())
        elif day in self.days_off or day in _public_holidays(day.year):
            spans = ()
        else:
            spans = self.hours.get(WEEKDAYS[day.weekday()], ())
        return [(datetime.combine(day, start), datetime.combine(day, end)) for start, end in spans]

    def is_working_day(self, day: date) -> bool:
        return bool(self.intervals(day))

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day`` (within ten years, or the calendar is broken)."""
        for offset in range(1, 3660):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError("no working day in ten years: the desk hours are empty")

    def _spans_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = moment.date()
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        while True:
            for start, end in self.intervals(day):
                if end > moment:
                    yield max(start, moment), end
            day = self.next_working_day(day)

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        """The moment ``hours`` of open desk time after ``moment``."""
        left = timedelta(hours=hours)
        for start, end in self._spans_from(moment):
            if end - start >= left:
                return start + left
            left -= end - start
        raise AssertionError("unreachable")

    def end_of_working_day(self, day: date) -> datetime:
        return self.intervals(day)[-1][1]


def deadline(
    calendar: WorkCalendar,
    accepted: datetime,
    amount: int,
    unit: str,
    same_day_cutoff: time | None = None,
) -> datetime:
    """When a dossier accepted at ``accepted`` (local time) is due.

    - ``working_hours``: that many hours of open desk time, lunch breaks, nights, weekends
      and holidays skipped.
    - ``working_days``: by the close of the N-th working day after the day of acceptance.
    - ``days``: calendar days, due at the close of the desk on that day (or the next working
      day when it falls on a day off).
    - ``immediate``: the same as ``working_hours`` with the time left today, at least one hour.
    - A cut-off (e.g. 15:00): accepted later than it, the clock starts when the desk opens on
      the next working day.
    """
    start = accepted
    if same_day_cutoff is not None and accepted.time() > same_day_cutoff:
        first = calendar.intervals(calendar.next_working_day(accepted.date()))[0][0]
        start = first
    if unit == "working_hours":
        return calendar.add_working_hours(start, amount)
    if unit == "immediate":
        return calendar.add_working_hours(start, max(amount, 1))
    if unit == "working_days":
        day = start.date()
        for _ in range(max(amount, 1)):
            day = calendar.next_working_day(day)
        return calendar.end_of_working_day(day)
    if unit == "days":
        day = start.date() + timedelta(days=amount)
        if not calendar.is_working_day(day):
            day = calendar.next_working_day(day)
        return calendar.end_of_working_day(day)
    raise ValueError(f"unknown time unit {unit!r}")


def calendar_for(
    hours: Mapping[str, Sequence[Sequence[str]]],
    overrides: Iterable[tuple[date, str]] = (),
) -> WorkCalendar:
    """A calendar from stored desk hours and ``(day, "day_off" | "working_day")`` overrides."""
    listed = list(overrides)
    return WorkCalendar(
        hours=parse_hours(hours),
        days_off=frozenset(day for day, kind in listed if kind == "day_off"),
        working_days=frozenset(day for day, kind in listed if kind == "working_day"),
    )
