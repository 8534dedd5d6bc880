"""The retention schedule, run by the worker (``motcua worker``; in process with SQLite):
document photos and signatures of finished dossiers, refused records and old revisions are
deleted when their time is up (docs/privacy.md, "Retention"; the windows are settings).

One pass is a few statements; each pass logs one line with its counts, and
:func:`retention_totals` gives the counts since the process started; /metrics reads
:func:`retention_backlog` (what is due and still there) from the database, since the worker
that deletes is usually another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.selectable import ScalarSelect

from motcua.db.base import utcnow
from motcua.db.engine import make_engine, session_scope
from motcua.dossiers.lifecycle import FINISHED
from motcua.dossiers.models import Dossier, DossierAttachment, DossierEvent
from motcua.privacy.service import forget_attachments
from motcua.records.models import RecordRevision, RefusedRecord, SyncRecord
from motcua.residents.models import Consent
from motcua.settings import Settings

log = logging.getLogger("motcua.privacy")

EVERY = timedelta(hours=1)
DOSSIERS_PER_TRANSACTION = 500


@dataclass
class RetentionCounts:
    """What one pass (or every pass so far) deleted."""

    dossiers: int = 0  # finished dossiers whose photos and signature were let go of
    attachments: int = 0  # files deleted (bytes nothing names any more)
    refused: int = 0  # refused records past their time
    revisions: int = 0  # earlier revisions and conflicts past their time

    def add(self, other: RetentionCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class _Passes:
    count: int = 0
    last_at: datetime | None = None


_TOTALS = RetentionCounts()
_PASSES = _Passes()


def retention_totals() -> dict[str, int | str | None]:
    """Counts deleted by this process's retention passes so far, how many passes ran, and when
    the last one ended."""
    last = _PASSES.last_at
    return {**asdict(_TOTALS), "passes": _PASSES.count, "last_pass_at": last.isoformat() if last else None}


def _withdrawn_photos() -> ScalarSelect[UUID]:
    """Residents whose newest ``document_photos`` consent is a withdrawal."""
    newer = aliased(Consent)
    return (
        select(Consent.resident_id)
        .where(
            Consent.purpose == "document_photos",
            Consent.given.is_(False),
            ~exists().where(
                newer.resident_id == Consent.resident_id,
                newer.purpose == "document_photos",
                newer.given.is_(True),
                newer.written_at > Consent.written_at,
            ),
        )
        .scalar_subquery()
    )


def _due_dossiers(cutoff: datetime) -> Select[Any]:
    """Finished dossiers that still name attachments, finished before ``cutoff`` (or whose
    resident withdrew consent to document photos), oldest first."""
    finished_at = (
        select(DossierEvent.dossier_id, func.max(DossierEvent.created_at).label("at"))
        .where(DossierEvent.to_status.in_(FINISHED))
        .group_by(DossierEvent.dossier_id)
        .subquery()
    )
    return (
        select(Dossier.id)
        .join(finished_at, finished_at.c.dossier_id == Dossier.id)
        .where(
            Dossier.status.in_(FINISHED),
            or_(finished_at.c.at < cutoff, Dossier.resident_id.in_(_withdrawn_photos())),
            exists().where(DossierAttachment.dossier_id == Dossier.id),
        )
        .order_by(finished_at.c.at)
    )


def _old_refused(settings: Settings, now: datetime) -> ColumnElement[bool]:
    return RefusedRecord.created_at < now - timedelta(days=settings.retain_refused_days)


def _old_revisions(settings: Settings, now: datetime) -> ColumnElement[bool]:
    current = select(SyncRecord.revision).where(SyncRecord.id == RecordRevision.record_id).scalar_subquery()
    return and_(
        RecordRevision.created_at < now - timedelta(days=settings.retain_revisions_days),
        or_(
            RecordRevision.state == "conflict",
            and_(RecordRevision.state == "applied", RecordRevision.revision < current),
        ),
    )


async def _prune_records(db: AsyncSession, settings: Settings, now: datetime) -> tuple[int, int]:
    refused = await db.execute(delete(RefusedRecord).where(_old_refused(settings, now)))
    revisions = await db.execute(
        delete(RecordRevision)
        .where(_old_revisions(settings, now))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(refused, "rowcount", 0) or 0), int(getattr(revisions, "rowcount", 0) or 0)


async def retention_backlog(
    db: AsyncSession, settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """What is past its time and not deleted yet: finished dossiers still naming photos, refused
    records, earlier revisions. About 0 while the worker runs its passes; growing when it
    does not (for /metrics, read from the database whichever process answers)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.retain_attachments_days)
    dossiers = await db.scalar(
        select(func.count()).select_from(_due_dossiers(cutoff).order_by(None).subquery())
    )
    refused = await db.scalar(
        select(func.count()).select_from(RefusedRecord).where(_old_refused(settings, now))
    )
    revisions = await db.scalar(
        select(func.count()).select_from(RecordRevision).where(_old_revisions(settings, now))
    )
    return {"dossiers": int(dossiers or 0), "refused": int(refused or 0), "revisions": int(revisions or 0)}


async def retention_pass(
    engine: AsyncEngine, settings: Settings, now: datetime | None = None
) -> RetentionCounts:
    """One pass of the schedule; each batch of dossiers in its own transaction, files deleted
    after it commits. Logs one line with the counts and adds them to :func:`retention_totals`."""
    now = now or utcnow()
    counts = RetentionCounts()
    cutoff = now - timedelta(days=settings.retain_attachments_days)
    while True:
        async with session_scope(engine) as db:
            due = list(await db.scalars(_due_dossiers(cutoff).limit(DOSSIERS_PER_TRANSACTION)))
            forgotten = await forget_attachments(db, due)
        counts.dossiers += len(forgotten.dossiers)
        counts.attachments += await forgotten.delete_files(settings)
        if len(due) < DOSSIERS_PER_TRANSACTION:
            break
    async with session_scope(engine) as db:
        counts.refused, counts.revisions = await _prune_records(db, settings, now)
    _TOTALS.add(counts)
    _PASSES.count += 1
    _PASSES.last_at = utcnow()
    log.info("retention pass", extra=asdict(counts))
    return counts


async def run_retention(settings: Settings, stop: asyncio.Event, every: timedelta = EVERY) -> None:
    """Run a pass now and then every ``every`` until ``stop`` is set; a failed pass is logged
    and tried again next time."""
    engine = make_engine(settings)
    try:
        while not stop.is_set():
            try:
                await retention_pass(engine, settings)
            except Exception:
                log.exception("retention pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every.total_seconds())
    finally:
        await engine.dispose()
