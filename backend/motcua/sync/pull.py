"""Pull: the changes a user may see since their cursor, a page at a time, and holdings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.service import missing_attachments_of
from motcua.audit.service import record_access
from motcua.auth.principal import Principal
from motcua.campaigns.models import Route
from motcua.catalogue.models import ProcedureVersion
from motcua.changelog.models import Change
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.places.models import Commune
from motcua.places.service import commune_filter
from motcua.records.models import HeldRecord, RefusedRecord, SyncRecord
from motcua.records.schemas import ChangeOut, Holding, HoldingsOut, PullOut
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge
from motcua.rounds.service import describe
from motcua.sync.phone_scope import PhoneScope, Window

PLACE_KINDS = ("resident", "consent", "checklist")


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _uuids(rows: list[Any], kind: str) -> list[UUID]:
    return [UUID(row.record_id) for row in rows if row.kind == kind]


@dataclass
class _Page:
    """Everything one page of changes needs, read with one query per kind of thing whatever
    the page's size (docs/sync.md §6, "Cost and size")."""

    revisions: dict[UUID, int] = field(default_factory=dict)
    merged_into: dict[UUID, UUID] = field(default_factory=dict)
    residents: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    consents: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    steps: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    dossiers: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    routes: dict[UUID, tuple[set[UUID], dict[str, Any]]] = field(default_factory=dict)
    versions: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)


async def _revisions(db: AsyncSession, ids: list[UUID]) -> dict[UUID, int]:
    rows = await db.execute(select(SyncRecord.id, SyncRecord.revision).where(SyncRecord.id.in_(ids)))
    return dict(rows.all())


async def _residents(
    db: AsyncSession, ids: list[UUID]
) -> tuple[dict[UUID, UUID], dict[UUID, dict[str, Any]]]:
    """Each id's merge target if it was merged, and the body of every resident they name."""
    merges = await db.execute(
        select(ResidentMerge.duplicate_id, ResidentMerge.resident_id).where(
            ResidentMerge.duplicate_id.in_(ids)
        )
    )
    merged_into: dict[UUID, UUID] = dict(merges.all())
    wanted = {merged_into.get(i, i) for i in ids}
    rows = await db.execute(
        select(
            Resident.id,
            Resident.village_id,
            Resident.full_name,
            Resident.birth_date,
            Resident.sex,
            Resident.personal_id,
            Resident.phone,
            Resident.needs,
            Resident.interpreter_language,
            Resident.ethnicity,
        ).where(Resident.id.in_(wanted))
    )
    bodies = {
        row.id: {
            "village_id": str(row.village_id),
            "full_name": row.full_name,
            "birth_date": row.birth_date.isoformat(),
            "sex": row.sex,
            "personal_id": row.personal_id,
            "phone": row.phone,
            "needs": row.needs,
            "interpreter_language": row.interpreter_language,
            "ethnicity": row.ethnicity,
        }
        for row in rows
    }
    return merged_into, bodies


async def _consents(db: AsyncSession, ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    rows = await db.execute(
        select(
            Consent.id,
            Consent.resident_id,
            Consent.purpose,
            Consent.wording_vi,
            Consent.given,
            Consent.method,
            Consent.signature_sha256,
        ).where(Consent.id.in_(ids))
    )
    return {
        row.id: {
            "resident_id": str(row.resident_id),
            "purpose": row.purpose,
            "wording_vi": row.wording_vi,
            "given": row.given,
            "method": row.method,
            "signature_sha256": row.signature_sha256,
        }
        for row in rows
    }


async def _steps(db: AsyncSession, ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    rows = await db.execute(
        select(
            ChecklistStep.id,
            ChecklistStep.resident_id,
            ChecklistStep.step,
            ChecklistStep.state,
            ChecklistStep.note,
            ChecklistStep.appointment_on,
        ).where(ChecklistStep.id.in_(ids))
    )
    return {
        row.id: {
            "resident_id": str(row.resident_id),
            "step": row.step,
            "state": row.state,
            "note": row.note,
            "appointment_on": _iso(row.appointment_on),
        }
        for row in rows
    }


async def _dossiers(db: AsyncSession, ids: list[UUID]) -> dict[UUID, dict[str, Any]]:
    """Dossiers as the desk holds them: their status, what they lack, what the desk asked, and
    when each step happened (docs/sync.md, §6)."""
    asked = dict(
        (
            await db.execute(
                select(DossierEvent.dossier_id, func.max(DossierEvent.created_at))
                .where(DossierEvent.dossier_id.in_(ids), DossierEvent.to_status == "needs_supplement")
                .group_by(DossierEvent.dossier_id)
            )
        ).all()
    )
    lacking = await missing_attachments_of(db, ids)
    rows = await db.execute(
        select(
            Dossier.id,
            Dossier.tracking_code,
            Dossier.status,
            Dossier.received_at,
            Dossier.supplement_needed,
            Dossier.supplement_sent_at,
            Dossier.supplemented_at,
            Dossier.accepted_at,
            Dossier.deadline_at,
            Dossier.result_at,
        ).where(Dossier.id.in_(ids))
    )
    return {
        row.id: {
            "tracking_code": row.tracking_code,
            "status": row.status,
            "received_at": _iso(row.received_at),
            "missing_attachments": lacking.get(row.id, []),
            "supplement_needed": row.supplement_needed if row.status == "needs_supplement" else None,
            "supplement_asked_at": _iso(asked.get(row.id)),
            "supplement_sent_at": _iso(row.supplement_sent_at),
            "supplemented_at": _iso(row.supplemented_at),
            "accepted_at": _iso(row.accepted_at),
            "deadline_at": _iso(row.deadline_at),
            "result_at": _iso(row.result_at),
        }
        for row in rows
    }


async def _routes(db: AsyncSession, ids: list[UUID]) -> dict[UUID, tuple[set[UUID], dict[str, Any]]]:
    """Each route's team and body, described once for all of them."""
    routes = list(await db.scalars(select(Route).where(Route.id.in_(ids))))
    return {
        route.id: (
            {member.user_id for member in route.team},
            {
                "day": out.day.isoformat(),
                "note": out.note,
                "commune_code": out.commune_code,
                "stops": msgspec.to_builtins(out.stops),
                "team": msgspec.to_builtins(out.team),
            },
        )
        for route, out in zip(routes, await describe(db, routes), strict=True)
    }


async def _versions(db: AsyncSession, record_ids: list[str]) -> dict[tuple[str, int], dict[str, Any]]:
    wanted = {(code, int(number)) for code, _, number in (i.partition(":") for i in record_ids)}
    rows = await db.execute(
        select(
            ProcedureVersion.code,
            ProcedureVersion.version,
            ProcedureVersion.content_hash,
            ProcedureVersion.closed_at,
        ).where(ProcedureVersion.code.in_({code for code, _ in wanted}))
    )
    return {
        (row.code, row.version): {
            "code": row.code,
            "version": row.version,
            "content_hash": row.content_hash,
            "closed_at": _iso(row.closed_at),
        }
        for row in rows
        if (row.code, row.version) in wanted
    }


async def _load(db: AsyncSession, rows: list[Any]) -> _Page:
    """One query per kind present on the page (none for an absent kind)."""
    page = _Page()
    if revisioned := [
        UUID(row.record_id) for row in rows if row.kind in PLACE_KINDS or row.kind == "dossier"
    ]:
        page.revisions = await _revisions(db, revisioned)
    if ids := _uuids(rows, "resident"):
        page.merged_into, page.residents = await _residents(db, ids)
    if ids := _uuids(rows, "consent"):
        page.consents = await _consents(db, ids)
    if ids := _uuids(rows, "checklist"):
        page.steps = await _steps(db, ids)
    if ids := _uuids(rows, "dossier"):
        page.dossiers = await _dossiers(db, ids)
    if ids := _uuids(rows, "route"):
        page.routes = await _routes(db, ids)
    if versions := [row.record_id for row in rows if row.kind == "procedure_version"]:
        page.versions = await _versions(db, versions)
    return page


def _change_out(page: _Page, row: Any, residents: set[UUID]) -> ChangeOut | None:
    """One change as the phone receives it, or None when its record is gone."""
    if row.kind == "route":
        route_id = UUID(row.record_id)
        if route_id not in page.routes or row.owner_id not in page.routes[route_id][0]:
            return ChangeOut(row.seq, row.kind, row.record_id, server={"removed": True})
        return ChangeOut(row.seq, row.kind, row.record_id, body=page.routes[route_id][1])
    if row.kind == "procedure_version":
        code, _, number = row.record_id.partition(":")
        server = page.versions.get((code, int(number)))
        if server is None:
            return None
        return ChangeOut(row.seq, row.kind, row.record_id, server["version"], None, server)
    record_id = UUID(row.record_id)
    revision = page.revisions.get(record_id)
    if row.kind == "resident":
        merged_into = page.merged_into.get(record_id)
        resident_id = merged_into or record_id
        body = page.residents.get(resident_id)
        if body is None:
            return None
        residents.add(resident_id)
        merged = {"merged_into": str(merged_into)} if merged_into else None
        return ChangeOut(row.seq, row.kind, row.record_id, revision, body, merged)
    if row.kind == "dossier":
        server = page.dossiers.get(record_id)
        return None if server is None else ChangeOut(row.seq, row.kind, row.record_id, revision, None, server)
    body = (page.consents if row.kind == "consent" else page.steps).get(record_id)
    return None if body is None else ChangeOut(row.seq, row.kind, row.record_id, revision, body)


async def pull(
    db: AsyncSession, principal: Principal, cursor: int, limit: int, window: Window | None = None
) -> PullOut:
    """Changes after ``cursor`` that ``principal`` may see: the residents of their work in their
    places (sync.phone_scope, docs/privacy.md) with their consents and ticks, their own
    dossiers' server state, the routes they are on, and catalogue versions. Every resident
    sent is audited. A page costs the same few queries whatever its size."""
    in_scope = select(Commune.code).where(commune_filter(principal))
    scope = await PhoneScope.open(db, principal, cursor, window)
    backfill = await scope.backfill(db, limit)  # older records of a village newly open to the phone
    rows = backfill or list(
        await db.execute(
            select(Change.seq, Change.kind, Change.record_id, Change.owner_id)
            .where(
                Change.seq > cursor,
                or_(
                    and_(Change.kind.in_(PLACE_KINDS), Change.commune_code.in_(in_scope), scope.places()),
                    and_(Change.kind.in_(("dossier", "route")), Change.owner_id == principal.user_id),
                    Change.kind == "procedure_version",
                ),
            )
            .order_by(Change.seq)
            .limit(limit + 1)
        )
    )
    more = backfill is not None or len(rows) > limit
    rows = rows[:limit]
    latest = {(row.kind, row.record_id): row for row in rows}  # a record changed twice is sent once
    chosen = sorted(latest.values(), key=lambda r: r.seq)
    page = await _load(db, chosen)
    residents: set[UUID] = set()
    changes = [out for row in chosen if (out := _change_out(page, row, residents)) is not None]
    changes = await scope.strip(db, changes)
    record_access(db, principal, "sync.pull", residents)
    next_cursor = rows[-1].seq if rows and backfill is None else cursor
    return PullOut(changes=changes, cursor=str(next_cursor), more=more, drop=scope.drop)


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
