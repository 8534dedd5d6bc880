"""Deadlines in working time: a table of cases a desk officer would check by hand."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from motcua.worktime.calendar import calendar_for, deadline, parse_hours
from motcua.worktime.models import DEFAULT_DESK_HOURS

TYPICAL = calendar_for(DEFAULT_DESK_HOURS)  # 07:00–11:30, 13:30–17:00, Monday–Friday
WITH_SATURDAY = calendar_for({**DEFAULT_DESK_HOURS, "sat": [["07:30", "11:30"]]})
# The government's notice: Saturday 2026-01-10 worked in exchange for an extra day off.
SWAPPED = calendar_for(
    DEFAULT_DESK_HOURS, [(date(2026, 1, 10), "working_day"), (date(2026, 1, 2), "day_off")]
)

CASES = [
    # (case, calendar, accepted, amount, unit, cut-off, due)
    (
        "2 hours in one morning",
        TYPICAL,
        datetime(2026, 11, 20, 8, 0),
        2,
        "working_hours",
        None,
        datetime(2026, 11, 20, 10, 0),
    ),
    (
        "the lunch break does not count",
        TYPICAL,
        datetime(2026, 11, 20, 10, 30),
        2,
        "working_hours",
        None,
        datetime(2026, 11, 20, 14, 30),
    ),
    (
        "accepted during lunch starts at 13:30",
        TYPICAL,
        datetime(2026, 11, 20, 12, 0),
        2,
        "working_hours",
        None,
        datetime(2026, 11, 20, 15, 30),
    ),
    (
        "late Friday runs into Monday",
        TYPICAL,
        datetime(2026, 11, 20, 16, 30),
        2,
        "working_hours",
        None,
        datetime(2026, 11, 23, 8, 30),
    ),
    (
        "accepted on Sunday starts Monday",
        TYPICAL,
        datetime(2026, 11, 22, 9, 0),
        2,
        "working_hours",
        None,
        datetime(2026, 11, 23, 9, 0),
    ),
    (
        "a Saturday desk counts",
        WITH_SATURDAY,
        datetime(2026, 11, 20, 16, 30),
        2,
        "working_hours",
        None,
        datetime(2026, 11, 21, 9, 0),
    ),
    (
        "Tết: five days off",
        TYPICAL,
        datetime(2026, 2, 13, 16, 0),
        2,
        "working_hours",
        None,
        datetime(2026, 2, 23, 8, 0),
    ),
    (
        "3 working days across Tết",
        TYPICAL,
        datetime(2026, 2, 13, 10, 0),
        3,
        "working_days",
        None,
        datetime(2026, 2, 25, 17, 0),
    ),
    (
        "3 working days across a weekend",
        TYPICAL,
        datetime(2026, 11, 19, 10, 0),
        3,
        "working_days",
        None,
        datetime(2026, 11, 25, 17, 0),
    ),
    (
        "30 April and 1 May",
        TYPICAL,
        datetime(2026, 4, 29, 9, 0),
        1,
        "working_days",
        None,
        datetime(2026, 5, 4, 17, 0),
    ),
    (
        "before the 15:00 cut-off: today",
        TYPICAL,
        datetime(2026, 11, 20, 14, 0),
        2,
        "working_hours",
        time(15, 0),
        datetime(2026, 11, 20, 16, 0),
    ),
    (
        "after the cut-off: next working day",
        TYPICAL,
        datetime(2026, 11, 20, 15, 30),
        2,
        "working_hours",
        time(15, 0),
        datetime(2026, 11, 23, 9, 0),
    ),
    (
        "a swapped working Saturday counts",
        SWAPPED,
        datetime(2026, 1, 9, 16, 0),
        2,
        "working_hours",
        None,
        datetime(2026, 1, 10, 8, 0),
    ),
    (
        "an extra day off does not",
        SWAPPED,
        datetime(2026, 1, 1, 9, 0),
        1,
        "working_days",
        None,
        datetime(2026, 1, 5, 17, 0),
    ),
    (
        "10 calendar days ending on a Sunday",
        TYPICAL,
        datetime(2026, 11, 12, 9, 0),
        10,
        "days",
        None,
        datetime(2026, 11, 23, 17, 0),
    ),
    (
        "immediately: within the hour",
        TYPICAL,
        datetime(2026, 11, 20, 9, 0),
        0,
        "immediate",
        None,
        datetime(2026, 11, 20, 10, 0),
    ),
]


@pytest.mark.parametrize(
    ("case", "calendar", "accepted", "amount", "unit", "cutoff", "due"), CASES, ids=[c[0] for c in CASES]
)
def test_deadline(
    case: str,
    calendar: object,
    accepted: datetime,
    amount: int,
    unit: str,
    cutoff: time | None,
    due: datetime,
) -> None:
    assert deadline(calendar, accepted, amount, unit, cutoff) == due  # type: ignore[arg-type]


def test_desk_hours_that_overlap_or_run_backwards_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap or run backwards"):
        parse_hours({"mon": [["07:00", "11:30"], ["11:00", "17:00"]]})
    with pytest.raises(ValueError, match="overlap or run backwards"):
        parse_hours({"mon": [["17:00", "07:00"]]})
    assert parse_hours({"sun": []}) == {"sun": []}  # a closed day
    with pytest.raises(ValueError, match="unknown weekday"):
        parse_hours({"monday": [["07:00", "11:30"]]})
