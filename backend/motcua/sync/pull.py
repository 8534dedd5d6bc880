"""Pull: the changes a user may see since their cursor, a page at a time, and holdings."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.service import missing_attachments, missing_attachments_of
from motcua.audit.service import record_access
from motcua.auth.principal import Principal
from motcua.campaigns.models import Route
from motcua.catalogue.service import get_version
from motcua.changelog.models import Change
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.places.models import Commune
from motcua.places.service import commune_filter
from motcua.records.models import HeldRecord, RefusedRecord, SyncRecord
from motcua.records.schemas import ChangeOut, Holding, HoldingsOut, PullOut
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge
from motcua.rounds.service import describe

PLACE_KINDS = ("resident", "consent", "checklist")


def _resident_body(resident: Resident) -> dict[str, Any]:
    return {
        "village_id": str(resident.village_id),
        "full_name": resident.full_name,
        "birth_date": resident.birth_date.isoformat(),
        "sex": resident.sex,
        "personal_id": resident.personal_id,
        "phone": resident.phone,
        "needs": resident.needs,
        "interpreter_language": resident.interpreter_language,
        "ethnicity": resident.ethnicity,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


async def _dossier_server(db: AsyncSession, dossier: Dossier) -> dict[str, Any]:
    """A dossier as the desk holds it: its status, what it lacks, what the desk asked, and
    when each step happened (docs/sync.md, §6)."""
    asked_at = await db.scalar(
        select(func.max(DossierEvent.created_at)).where(
            DossierEvent.dossier_id == dossier.id, DossierEvent.to_status == "needs_supplement"
        )
    )
    waiting = dossier.status == "needs_supplement"
    return {
        "tracking_code": dossier.tracking_code,
        "status": dossier.status,
        "received_at": _iso(dossier.received_at),
        "missing_attachments": await missing_attachments(db, dossier.id),
        "supplement_needed": dossier.supplement_needed if waiting else None,
        "supplement_asked_at": _iso(asked_at),
        "supplement_sent_at": _iso(dossier.supplement_sent_at),
        "supplemented_at": _iso(dossier.supplemented_at),
        "accepted_at": _iso(dossier.accepted_at),
        "deadline_at": _iso(dossier.deadline_at),
        "result_at": _iso(dossier.result_at),
    }


async def _change_out(db: AsyncSession, row: Change, residents: set[UUID]) -> ChangeOut | None:
    revision = None
    server: dict[str, Any]
    if row.kind in PLACE_KINDS or row.kind == "dossier":
        record = await db.get(SyncRecord, UUID(row.record_id))
        revision = record.revision if record else None
    if row.kind == "resident":
        resident_id = UUID(row.record_id)
        merged_into = await db.scalar(
            select(ResidentMerge.resident_id).where(ResidentMerge.duplicate_id == resident_id)
        )
        resident = await db.get(Resident, merged_into or resident_id)
        if resident is None:
            return None
        residents.add(resident.id)
        merged: dict[str, Any] | None = {"merged_into": str(merged_into)} if merged_into else None
        return ChangeOut(row.seq, row.kind, row.record_id, revision, _resident_body(resident), merged)
    if row.kind == "consent":
        consent = await db.get(Consent, UUID(row.record_id))
        if consent is None:
            return None
        body: dict[str, Any] = {
            "resident_id": str(consent.resident_id),
            "purpose": consent.purpose,
            "wording_vi": consent.wording_vi,
            "given": consent.given,
            "method": consent.method,
            "signature_sha256": consent.signature_sha256,
        }
        return ChangeOut(row.seq, row.kind, row.record_id, revision, body)
    if row.kind == "checklist":
        step = await db.get(ChecklistStep, UUID(row.record_id))
        if step is None:
            return None
        body = {
            "resident_id": str(step.resident_id),
            "step": step.step,
            "state": step.state,
            "note": step.note,
            "appointment_on": step.appointment_on.isoformat() if step.appointment_on else None,
        }
        return ChangeOut(row.seq, row.kind, row.record_id, revision, body)
    if row.kind == "dossier":
        dossier = await db.get(Dossier, UUID(row.record_id))
        if dossier is None:
            return None
        return ChangeOut(row.seq, row.kind, row.record_id, revision, None, await _dossier_server(db, dossier))
    if row.kind == "route":
        route = await db.get(Route, UUID(row.record_id))
        if route is None or row.owner_id not in {member.user_id for member in route.team}:
            return ChangeOut(row.seq, row.kind, row.record_id, server={"removed": True})
        out = (await describe(db, [route]))[0]
        body = {
            "day": out.day.isoformat(),
            "note": out.note,
            "commune_code": out.commune_code,
            "stops": msgspec.to_builtins(out.stops),
            "team": msgspec.to_builtins(out.team),
        }
        return ChangeOut(row.seq, row.kind, row.record_id, body=body)
    code, _, number = row.record_id.partition(":")
    version = await get_version(db, code, int(number))
    if version is None:
        return None
    server = {
        "code": code,
        "version": version.version,
        "content_hash": version.content_hash,
        "closed_at": version.closed_at.isoformat() if version.closed_at else None,
    }
    return ChangeOut(row.seq, row.kind, row.record_id, version.version, None, server)


async def pull(db: AsyncSession, principal: Principal, cursor: int, limit: int) -> PullOut:
    """Changes after ``cursor`` that ``principal`` may see: records of their places, their own
    dossiers' server state, the routes they are on, and catalogue versions. Every resident
    sent is audited."""
    in_scope = select(Commune.code).where(commune_filter(principal))
    rows = list(
        await db.scalars(
            select(Change)
            .where(
                Change.seq > cursor,
                or_(
                    and_(Change.kind.in_(PLACE_KINDS), Change.commune_code.in_(in_scope)),
                    and_(Change.kind.in_(("dossier", "route")), Change.owner_id == principal.user_id),
                    Change.kind == "procedure_version",
                ),
            )
            .order_by(Change.seq)
            .limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    latest = {(row.kind, row.record_id): row for row in rows}  # a record changed twice is sent once
    residents: set[UUID] = set()
    changes = []
    for row in sorted(latest.values(), key=lambda r: r.seq):
        if (out := await _change_out(db, row, residents)) is not None:
            changes.append(out)
    record_access(db, principal, "sync.pull", residents)
    next_cursor = rows[-1].seq if rows else cursor
    return PullOut(changes=changes, cursor=str(next_cursor), more=more)


async def holdings(db: AsyncSession, principal: Principal, ids: list[UUID]) -> HoldingsOut:
    """Which of the phone's record ids the server holds, and in what state."""
    wanted = set(ids)
    found: dict[UUID, Holding] = {}
    for row in await db.scalars(
        select(RefusedRecord).where(
            RefusedRecord.record_id.in_(wanted), RefusedRecord.user_id == principal.user_id
        )
    ):
        found[row.record_id] = Holding(row.record_id, "rejected", row.kind, content_hash=row.content_hash)
    for held in await db.scalars(
        select(HeldRecord).where(HeldRecord.record_id.in_(wanted), HeldRecord.user_id == principal.user_id)
    ):
        found[held.record_id] = Holding(held.record_id, "held", held.kind, content_hash=held.content_hash)
    in_scope = select(Commune.code).where(commune_filter(principal))
    records = list(
        await db.scalars(
            select(SyncRecord).where(
                SyncRecord.id.in_(wanted),
                or_(SyncRecord.owner_id == principal.user_id, SyncRecord.commune_code.in_(in_scope)),
            )
        )
    )
    merges = {
        row.duplicate_id: row.resident_id
        for row in await db.scalars(select(ResidentMerge).where(ResidentMerge.duplicate_id.in_(wanted)))
    }
    lacking = await missing_attachments_of(db, [r.id for r in records if r.kind == "dossier"])
    for record in records:
        merged_into = merges.get(record.id)
        state: Literal["applied", "merged"] = "merged" if merged_into else "applied"
        found[record.id] = Holding(
            record.id,
            state,
            record.kind,
            record.revision,
            record.content_hash,
            merged_into,
            lacking.get(record.id, []) if record.kind == "dossier" else None,
        )
    return HoldingsOut(
        holdings=[found[i] for i in ids if i in found],
        missing=[i for i in ids if i not in found],
    )
