"""What each volunteer got done in the period, for the coordinator's dashboard.

- **Supplements sent**: revisions 2 and later of a dossier the server applied while the desk
  waited for a supplement (the dossier's newest move before the revision was to
  ``needs_supplement``); a revision made while the dossier was still being received is not one.
- **Residents told**: "Đã báo" records (``resident_contact``): the volunteer called or visited a
  resident whose news push could not bring; once per news.
- **Checklist steps ticked**: ticks of the digital-citizen checklist written in the period.

Only work on dossiers and residents of the communes in scope counts, so a coordinator sees the
volunteers of their provinces and nobody else.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.i18n import vietnamese_sort_key
from motcua.metrics.service import Filters
from motcua.push.models import ResidentContact
from motcua.records.models import RecordRevision
from motcua.residents.models import ChecklistStep, Resident


@dataclass(frozen=True)
class VolunteerWork:
    user_id: UUID
    name: str
    supplements_sent: int
    residents_told: int
    steps_ticked: int


async def _supplements(db: AsyncSession, filters: Filters) -> Counter[UUID]:
    revisions = (
        await db.execute(
            select(RecordRevision.record_id, RecordRevision.user_id, RecordRevision.created_at)
            .join(Dossier, Dossier.id == RecordRevision.record_id)
            .join(Resident, Resident.id == Dossier.resident_id)
            .where(
                RecordRevision.kind == "dossier",
                RecordRevision.state == "applied",
                RecordRevision.revision >= 2,
                filters.within(RecordRevision.created_at),
                filters.communes(Dossier.commune_code),
                filters.residents(),
            )
        )
    ).all()
    if not revisions:
        return Counter()
    moves: dict[UUID, list[tuple[datetime, str]]] = defaultdict(list)
    for dossier_id, at, to_status in await db.execute(
        select(DossierEvent.dossier_id, DossierEvent.created_at, DossierEvent.to_status)
        .where(DossierEvent.dossier_id.in_({row.record_id for row in revisions}))
        .order_by(DossierEvent.created_at)
    ):
        moves[dossier_id].append((at, to_status))
    sent: Counter[UUID] = Counter()
    for dossier_id, user_id, at in revisions:
        history = moves.get(dossier_id, [])
        before = bisect_right([when for when, _ in history], at)
        if before and history[before - 1][1] == "needs_supplement":
            sent[user_id] += 1
    return sent


async def volunteer_work(db: AsyncSession, filters: Filters) -> list[VolunteerWork]:
    """Per volunteer with any of the three in the period, the most supplements first."""
    supplements = await _supplements(db, filters)
    told: Counter[UUID] = Counter(
        dict(
            (
                await db.execute(
                    select(ResidentContact.volunteer_id, func.count())
                    .join(Dossier, Dossier.id == ResidentContact.dossier_id)
                    .join(Resident, Resident.id == Dossier.resident_id)
                    .where(
                        filters.within(ResidentContact.created_at),
                        filters.communes(Dossier.commune_code),
                        filters.residents(),
                    )
                    .group_by(ResidentContact.volunteer_id)
                )
            ).all()
        )
    )
    ticked: Counter[UUID] = Counter(
        dict(
            (
                await db.execute(
                    select(ChecklistStep.volunteer_id, func.count())
                    .join(Resident, Resident.id == ChecklistStep.resident_id)
                    .where(filters.within(ChecklistStep.written_at), filters.residents())
                    .group_by(ChecklistStep.volunteer_id)
                )
            ).all()
        )
    )
    ids = set(supplements) | set(told) | set(ticked)
    if not ids:
        return []
    names = dict((await db.execute(select(User.id, User.full_name).where(User.id.in_(ids)))).all())
    work = [
        VolunteerWork(user_id, names.get(user_id, ""), supplements[user_id], told[user_id], ticked[user_id])
        for user_id in ids
    ]
    return sorted(
        work,
        key=lambda w: (-w.supplements_sent, -w.residents_told, -w.steps_ticked, vietnamese_sort_key(w.name)),
    )
