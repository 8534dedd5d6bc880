"""The dashboard's figures for some communes, a date range and optionally one village.

What each figure means (the dashboard's footnote says the same to its readers):

- The period runs from ``starts_on`` 00:00 to the end of ``ends_on``, Vietnam time; records
  count by the time they were written on the phone (``written_at``).
- **Residents helped**: distinct residents who were registered, had a checklist step ticked
  or had a dossier written in the period.
- **Digital citizen**: a resident whose newest state is ``done`` or ``not_applicable`` for every
  one of the seven checklist steps. "Completed in the period" means the last of those seven
  ticks was written in the period; the checklist table reads each step's newest state at the
  end of the period, among the residents helped.
- **Village visited**: at least one of its residents was registered, ticked or had a dossier
  written in the period.
- **Dossiers**: written in the period, by procedure and by their status now.
- **On time**: ``result_at ≤ deadline_at``, among dossiers whose result (ready, rejected or
  withdrawn) came in the period and that had a deadline (they were accepted).
- **Median time to result**: calendar hours from acceptance to result, same dossiers.
- **Volunteers active**: distinct volunteers who registered a resident, ticked a step or
  wrote a dossier in the period.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, get_args
from uuid import UUID

from sqlalchemy import ColumnElement, Subquery, and_, distinct, func, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue.models import ProcedureVersion
from motcua.dossiers.models import Dossier
from motcua.i18n import VIETNAM_TIME, vietnamese_sort_key
from motcua.places.models import Village
from motcua.residents.models import ChecklistStep, ChecklistStepName, Resident
from motcua.status.ratings import rating_counts

STEPS: tuple[str, ...] = get_args(ChecklistStepName)
FULFILLED = ("done", "not_applicable")
# Where a dossier stands, for the chart: the desk still owes an answer, answered, stopped.
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "open": ("incomplete", "received", "accepted", "in_progress", "needs_supplement"),
    "result": ("ready", "delivered"),
    "stopped": ("rejected", "withdrawn"),
}


@dataclass(frozen=True)
class Filters:
    """What the figures are about. ``commune_codes`` None means every commune (admins only)."""

    commune_codes: tuple[int, ...] | None
    starts_on: date
    ends_on: date
    village_id: UUID | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.starts_on, time(0), VIETNAM_TIME)

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive)."""
        return datetime.combine(self.ends_on + timedelta(days=1), time(0), VIETNAM_TIME)

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def communes(self, column: Any) -> ColumnElement[bool]:
        return true() if self.commune_codes is None else column.in_(self.commune_codes)

    def residents(self) -> ColumnElement[bool]:
        """Residents of the communes (and the village) in scope."""
        clause = self.communes(Resident.commune_code)
        return and_(clause, Resident.village_id == self.village_id) if self.village_id else clause

    def within(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)

    def detail(self) -> dict[str, Any]:
        """The filters as plain JSON, for the audit log."""
        return {
            "communes": list(self.commune_codes) if self.commune_codes is not None else "all",
            "from": self.starts_on.isoformat(),
            "to": self.ends_on.isoformat(),
            "village": str(self.village_id) if self.village_id else None,
        }


@dataclass(frozen=True)
class StepFigure:
    """One checklist step among the residents helped: how many are at each state."""

    step: str
    done: int
    not_applicable: int
    follow_up: int
    not_started: int

    @property
    def fulfilled(self) -> int:
        return self.done + self.not_applicable


@dataclass(frozen=True)
class ProcedureFigure:
    code: str
    name_vi: str
    name_en: str
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def group(self, name: str) -> int:
        return sum(self.by_status.get(status, 0) for status in STATUS_GROUPS[name])


@dataclass(frozen=True)
class VillageFigure:
    id: UUID
    name: str
    commune_code: int
    residents_helped: int

    @property
    def visited(self) -> bool:
        return self.residents_helped > 0


@dataclass(frozen=True)
class Figures:
    filters: Filters
    residents_helped: int
    residents_registered: int
    digital_citizens: int
    digital_citizens_to_date: int
    checklist: list[StepFigure]
    procedures: list[ProcedureFigure]
    results: int
    on_time: int
    median_hours_to_result: float | None
    volunteers_active: int
    villages: list[VillageFigure]
    # Residents' ratings after delivery: satisfied / neutral / dissatisfied.
    ratings: dict[str, int] = field(default_factory=dict)
    # Residents helped per day, or per week (the date its first day) for periods over 92 days.
    timeline: list[tuple[date, int]] = field(default_factory=list)
    timeline_days: int = 1

    @property
    def dossiers(self) -> int:
        return sum(p.total for p in self.procedures)

    @property
    def dossiers_by_status(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for procedure in self.procedures:
            counts.update(procedure.by_status)
        return dict(counts)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.results if self.results else None

    @property
    def villages_visited(self) -> int:
        return sum(1 for v in self.villages if v.visited)

    @property
    def villages_not_visited(self) -> list[VillageFigure]:
        return [v for v in self.villages if not v.visited]


def activity(filters: Filters) -> Subquery:
    """Who was helped, by whom, when and in which village: one row per registration, tick or dossier."""
    each = union_all(
        select(
            Resident.id.label("resident_id"),
            Resident.registered_by.label("volunteer_id"),
            Resident.written_at.label("at"),
        ).where(filters.within(Resident.written_at)),
        select(ChecklistStep.resident_id, ChecklistStep.volunteer_id, ChecklistStep.written_at).where(
            filters.within(ChecklistStep.written_at)
        ),
        select(Dossier.resident_id, Dossier.volunteer_id, Dossier.written_at).where(
            filters.within(Dossier.written_at)
        ),
    ).subquery("each_activity")
    return (
        select(each.c.resident_id, each.c.volunteer_id, each.c.at, Resident.village_id)
        .join(Resident, Resident.id == each.c.resident_id)
        .where(filters.residents())
        .subquery("activity")
    )


def newest_ticks(filters: Filters) -> Subquery:
    """Each resident's newest tick of each step written before the end of the period."""
    ranked = (
        select(
            ChecklistStep.resident_id,
            ChecklistStep.step,
            ChecklistStep.state,
            ChecklistStep.written_at,
            func.row_number()
            .over(
                partition_by=(ChecklistStep.resident_id, ChecklistStep.step),
                order_by=(ChecklistStep.written_at.desc(), ChecklistStep.id.desc()),
            )
            .label("rank"),
        )
        .join(Resident, Resident.id == ChecklistStep.resident_id)
        .where(ChecklistStep.written_at < filters.end, ChecklistStep.step.in_(STEPS), filters.residents())
        .subquery("ranked_ticks")
    )
    return (
        select(ranked.c.resident_id, ranked.c.step, ranked.c.state, ranked.c.written_at)
        .where(ranked.c.rank == 1)
        .subquery("newest_ticks")
    )


def completions(filters: Filters) -> Subquery:
    """Digital citizens at the end of the period, with the moment the last step was fulfilled."""
    newest = newest_ticks(filters)
    return (
        select(newest.c.resident_id, func.max(newest.c.written_at).label("completed_at"))
        .where(newest.c.state.in_(FULFILLED))
        .group_by(newest.c.resident_id)
        .having(func.count() == len(STEPS))
        .subquery("completions")
    )


async def procedure_names(db: AsyncSession, codes: set[str]) -> dict[str, tuple[str, str]]:
    """Vietnamese and English names of procedures, from their newest published version."""
    names: dict[str, tuple[str, str]] = {}
    if not codes:
        return names
    rows = await db.execute(
        select(ProcedureVersion.code, ProcedureVersion.content)
        .where(ProcedureVersion.code.in_(codes))
        .order_by(ProcedureVersion.version)
    )
    for code, content in rows:
        name = content.get("name", {})
        names[code] = (str(name.get("vi", code)), str(name.get("en", code)))
    return names


async def _checklist(db: AsyncSession, filters: Filters, helped: int, act: Subquery) -> list[StepFigure]:
    newest = newest_ticks(filters)
    counts: dict[tuple[str, str], int] = {
        (step, state): count
        for step, state, count in await db.execute(
            select(newest.c.step, newest.c.state, func.count())
            .where(newest.c.resident_id.in_(select(act.c.resident_id)))
            .group_by(newest.c.step, newest.c.state)
        )
    }
    figures = []
    for step in STEPS:
        done, na, follow = (counts.get((step, s), 0) for s in ("done", "not_applicable", "follow_up"))
        figures.append(StepFigure(step, done, na, follow, max(helped - done - na - follow, 0)))
    return figures


async def _procedures(db: AsyncSession, filters: Filters) -> list[ProcedureFigure]:
    by_code: dict[str, dict[str, int]] = defaultdict(dict)
    for code, status, count in await db.execute(
        select(Dossier.procedure_code, Dossier.status, func.count())
        .join(Resident, Resident.id == Dossier.resident_id)
        .where(
            filters.communes(Dossier.commune_code), filters.residents(), filters.within(Dossier.written_at)
        )
        .group_by(Dossier.procedure_code, Dossier.status)
    ):
        by_code[code][status] = count
    names = await procedure_names(db, set(by_code))
    figures = [
        ProcedureFigure(code, *names.get(code, (code, code)), by_status=statuses)
        for code, statuses in by_code.items()
    ]
    return sorted(figures, key=lambda p: (-p.total, vietnamese_sort_key(p.name_vi)))


async def _results(db: AsyncSession, filters: Filters) -> tuple[int, int, float | None]:
    """Results with a deadline in the period, how many were on time, and the median hours."""
    rows = (
        await db.execute(
            select(Dossier.accepted_at, Dossier.deadline_at, Dossier.result_at)
            .join(Resident, Resident.id == Dossier.resident_id)
            .where(
                filters.communes(Dossier.commune_code),
                filters.residents(),
                filters.within(Dossier.result_at),
                Dossier.deadline_at.is_not(None),
            )
        )
    ).all()
    on_time, hours = 0, []
    for accepted, deadline, result in rows:
        if result is None or deadline is None:  # excluded by the query; says so to the type checker
            continue
        on_time += result <= deadline
        if accepted is not None:
            hours.append((result - accepted).total_seconds() / 3600)
    return len(rows), on_time, statistics.median(hours) if hours else None


async def _villages(db: AsyncSession, filters: Filters, act: Subquery) -> list[VillageFigure]:
    helped: dict[UUID, int] = dict(
        (
            await db.execute(
                select(act.c.village_id, func.count(distinct(act.c.resident_id))).group_by(act.c.village_id)
            )
        ).all()
    )
    query = select(Village).where(filters.communes(Village.commune_code))
    if filters.village_id:
        query = query.where(Village.id == filters.village_id)
    villages = [
        VillageFigure(v.id, v.name, v.commune_code, helped.get(v.id, 0)) for v in await db.scalars(query)
    ]
    return sorted(villages, key=lambda v: (v.commune_code, vietnamese_sort_key(v.name)))


def timeline_days(filters: Filters) -> int:
    return 1 if filters.days <= 92 else 7


async def _timeline(db: AsyncSession, filters: Filters, act: Subquery) -> list[tuple[date, int]]:
    # Bucketing by the Vietnamese calendar day is done here: SQLite and PostgreSQL disagree on
    # time-zone arithmetic, and a period holds at most a few thousand rows per commune.
    step = timeline_days(filters)
    people: dict[int, set[UUID]] = defaultdict(set)
    for resident_id, at in await db.execute(select(act.c.resident_id, act.c.at).distinct()):
        people[(at.astimezone(VIETNAM_TIME).date() - filters.starts_on).days // step].add(resident_id)
    return [
        (filters.starts_on + timedelta(days=n * step), len(people.get(n, ())))
        for n in range((filters.days + step - 1) // step)
    ]


async def figures(db: AsyncSession, filters: Filters) -> Figures:
    """Every figure of the dashboard for ``filters``; see the module docstring for definitions."""
    act = activity(filters)
    helped = await db.scalar(select(func.count(distinct(act.c.resident_id)))) or 0
    done = completions(filters)
    results, on_time, median = await _results(db, filters)
    return Figures(
        filters=filters,
        residents_helped=helped,
        residents_registered=await db.scalar(
            select(func.count())
            .select_from(Resident)
            .where(filters.residents(), filters.within(Resident.written_at))
        )
        or 0,
        digital_citizens=await db.scalar(
            select(func.count()).select_from(done).where(done.c.completed_at >= filters.start)
        )
        or 0,
        digital_citizens_to_date=await db.scalar(select(func.count()).select_from(done)) or 0,
        checklist=await _checklist(db, filters, helped, act),
        procedures=await _procedures(db, filters),
        results=results,
        on_time=on_time,
        median_hours_to_result=median,
        volunteers_active=await db.scalar(select(func.count(distinct(act.c.volunteer_id)))) or 0,
        villages=await _villages(db, filters, act),
        ratings=await rating_counts(db, filters.commune_codes, filters.start, filters.end),
        timeline=await _timeline(db, filters, act),
        timeline_days=timeline_days(filters),
    )


async def target_counts(db: AsyncSession, filters: Filters) -> tuple[int, int, int]:
    """What campaign targets count, and only that: digital citizens completed, dossiers
    written and villages visited in the period (same definitions as :func:`figures`)."""
    done = completions(filters)
    act = activity(filters)
    citizens = await db.scalar(
        select(func.count()).select_from(done).where(done.c.completed_at >= filters.start)
    )
    dossiers = await db.scalar(
        select(func.count())
        .select_from(Dossier)
        .join(Resident, Resident.id == Dossier.resident_id)
        .where(
            filters.communes(Dossier.commune_code), filters.residents(), filters.within(Dossier.written_at)
        )
    )
    villages = await db.scalar(select(func.count(distinct(act.c.village_id))))
    return citizens or 0, dossiers or 0, villages or 0
