"""What a phone receives: least data for the work in hand (docs/privacy.md).

A phone (any role: the desk and the dashboard are where the whole commune is seen) receives
the residents its user registered, those they hold a dossier for, and those of the villages
on their routes from ``before`` days ahead of the route's day until ``after`` days past it,
with their consents and checklist ticks. Ethnicity and consent signatures go only with the
residents the user has a task for themselves (registered, or a dossier of theirs); the rest
arrive without them.

When a village opens to a phone whose cursor is past its older records, the next pulls send
those records first (a backfill, cursor unchanged); when a village closes, the next answer's
``drop`` names the residents the phone must delete. Both are told apart per device session
(:class:`HeldVillage`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import delete, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement, CompoundSelect, Select

from motcua.auth.principal import Principal
from motcua.campaigns.models import Route, RouteStop, RouteVolunteer
from motcua.changelog.models import Change
from motcua.db.as_text import uuid_text
from motcua.dossiers.models import Dossier
from motcua.residents.models import Resident, ResidentMerge
from motcua.rounds.service import today as vietnam_today
from motcua.settings import Settings
from motcua.sync.models import HeldVillage, LookedUp

# Fields sent only with the residents (and consents) of the user's own tasks.
TASK_ONLY_FIELDS = {"resident": ("ethnicity",), "consent": ("signature_sha256",)}


@dataclass(frozen=True)
class Window:
    """Days around a route's day during which its team's phones hold its villages' residents."""

    before: int = 2
    after: int = 3

    @classmethod
    def of(cls, settings: Settings) -> Window:
        return cls(settings.phone_days_before_route, settings.phone_days_after_route)


def route_villages(user_id: UUID, window: Window, on: date) -> Select[Any]:
    """The villages of the routes ``user_id`` is on whose window holds the day ``on``."""
    return (
        select(RouteStop.village_id)
        .join(Route, Route.id == RouteStop.route_id)
        .join(RouteVolunteer, RouteVolunteer.route_id == Route.id)
        .where(
            RouteVolunteer.user_id == user_id,
            Route.day.between(on - timedelta(days=window.after), on + timedelta(days=window.before)),
        )
    )


def tasked_ids(user_id: UUID) -> CompoundSelect[Any]:
    """The ids of the residents of the user's own tasks: those they registered (or registered
    again) or filed a dossier for. Each part reads an index, so a page's queries can test
    every resident (or consent's resident) against it cheaply."""
    return union_all(
        select(Resident.id).where(Resident.registered_by == user_id),
        select(Dossier.resident_id).where(Dossier.volunteer_id == user_id),
        select(ResidentMerge.resident_id).where(ResidentMerge.registered_by == user_id),
    )


def tasked_residents(user_id: UUID) -> ColumnElement[bool]:
    """On :class:`Resident`: those of the user's own tasks (:func:`tasked_ids`)."""
    return Resident.id.in_(tasked_ids(user_id))


def hide_task_only(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` without the :data:`TASK_ONLY_FIELDS` of its kind (blanked, not removed)."""
    body.update(dict.fromkeys(TASK_ONLY_FIELDS[kind]))
    return body


def looked_up_ids(user_id: UUID) -> Select[Any]:
    """The residents the user found on the server (``GET /api/sync/lookup``)."""
    return select(LookedUp.resident_id).where(LookedUp.user_id == user_id)


def visible_ids(user_id: UUID, window: Window, on: date) -> CompoundSelect[Any]:
    """The ids of the residents a phone of ``user_id`` may hold on the day ``on``: their tasks,
    their routes' villages and those they looked up (docs/sync.md §8)."""
    return union_all(
        *tasked_ids(user_id).selects,
        select(Resident.id).where(Resident.village_id.in_(route_villages(user_id, window, on))),
        looked_up_ids(user_id),
    )


def visible(user_id: UUID, window: Window, on: date) -> ColumnElement[bool]:
    """On :class:`Resident`: those of :func:`visible_ids`, tested row by row."""
    return or_(
        Resident.village_id.in_(route_villages(user_id, window, on)),
        Resident.id.in_(tasked_ids(user_id)),
        Resident.id.in_(looked_up_ids(user_id)),
    )


async def reach(
    db: AsyncSession, principal: Principal, resident_id: UUID, window: Window
) -> tuple[bool, bool]:
    """Whether a phone of ``principal`` may hold the resident today, and whether with the
    :data:`TASK_ONLY_FIELDS` (one of their own tasks)."""
    user, on = principal.user_id, vietnam_today()
    held = await db.scalar(select(Resident.id).where(Resident.id == resident_id, visible(user, window, on)))
    if held is None:
        return False, False
    tasked = await db.scalar(select(Resident.id).where(Resident.id == resident_id, tasked_residents(user)))
    return True, tasked is not None


def _records_of(residents: Select[Any] | CompoundSelect[Any]) -> ColumnElement[bool]:
    """On :class:`Change`: a resident, consent or tick change of one of the ``residents`` (ids).

    Each such change names the resident it was written for; a second registration merged into
    another names the one kept (records/residents.py), so its changes follow that one. The
    database reads the ids once per query and probes them for each change row it walks in
    ``seq`` order.
    """
    return Change.resident_id.in_(residents)


@dataclass
class PhoneScope:
    """One pull's view of what the phone may hold, and what it must add or drop first."""

    principal: Principal
    window: Window
    dialect: str
    on: date
    drop: list[UUID] = field(default_factory=list)

    @classmethod
    async def open(
        cls, db: AsyncSession, principal: Principal, cursor: int, window: Window | None = None
    ) -> PhoneScope:
        """Compare the villages open to the phone now with those it was sent: note the new ones
        (to backfill when the phone's cursor is past their records) and name the residents of
        the closed ones in ``drop``."""
        scope = cls(principal, window or Window(), db.get_bind().dialect.name, vietnam_today())
        now = set(await db.scalars(route_villages(principal.user_id, scope.window, scope.on).distinct()))
        held = set(
            await db.scalars(
                select(HeldVillage.village_id).where(HeldVillage.session_id == principal.session_id)
            )
        )
        if closed := held - now:
            scope.drop = list(
                await db.scalars(
                    select(Resident.id)
                    .where(Resident.village_id.in_(closed))
                    .where(~visible(principal.user_id, scope.window, scope.on))
                    .order_by(Resident.id)
                )
            )
            await db.execute(
                delete(HeldVillage).where(
                    HeldVillage.session_id == principal.session_id, HeldVillage.village_id.in_(closed)
                )
            )
        if opened := now - held:
            values = [
                {"session_id": principal.session_id, "village_id": v, "backfill_to": cursor, "backfilled": 0}
                for v in opened
            ]
            insert = pg_insert if scope.dialect == "postgresql" else sqlite_insert
            await db.execute(insert(HeldVillage).values(values).on_conflict_do_nothing())
        return scope

    def places(self) -> ColumnElement[bool]:
        """On :class:`Change`: the resident, consent and tick changes this phone may receive."""
        user = self.principal.user_id
        if self.dialect == "postgresql":  # hashes the visible ids once, probes it per change row
            return _records_of(visible_ids(user, self.window, self.on))
        # SQLite would fill a temporary table with every visible id on each page (a whole
        # village is thousands); looking each change's resident up by its key costs less.
        return (
            select(Resident.id)
            .where(Resident.id == Change.resident_id, visible(user, self.window, self.on))
            .exists()
        )

    async def backfill(self, db: AsyncSession, limit: int) -> list[Any] | None:
        """Up to ``limit`` older changes of a village newly open to the phone, or None when
        every open village's older records were sent."""
        while True:
            pending = await db.scalar(
                select(HeldVillage)
                .where(
                    HeldVillage.session_id == self.principal.session_id,
                    HeldVillage.backfilled < HeldVillage.backfill_to,
                )
                .order_by(HeldVillage.village_id)
                .limit(1)
            )
            if pending is None:
                return None
            rows = list(
                await db.execute(
                    select(Change.seq, Change.kind, Change.record_id, uuid_text(Change.owner_id))
                    .where(
                        Change.seq > pending.backfilled,
                        Change.seq <= pending.backfill_to,
                        _records_of(select(Resident.id).where(Resident.village_id == pending.village_id)),
                    )
                    .order_by(Change.seq)
                    .limit(limit)
                )
            )
            done = rows[-1][0] if len(rows) == limit else pending.backfill_to
            await db.execute(
                update(HeldVillage)
                .where(
                    HeldVillage.session_id == pending.session_id, HeldVillage.village_id == pending.village_id
                )
                .values(backfilled=done)
            )
            if rows:
                return rows
