"""Pull: the changes a user may see since their cursor, a page at a time, and holdings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from sqlalchemy import CompoundSelect, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.service import missing_attachments_of
from motcua.audit.service import record_access
from motcua.auth.principal import Principal
from motcua.campaigns.models import Route
from motcua.catalogue.models import ProcedureVersion
from motcua.changelog.models import Change
from motcua.db.as_text import among_text_ids, date_text, json_text, uuid_text
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.places.models import Commune
from motcua.places.service import commune_filter
from motcua.records.models import HeldRecord, RecordRevision, RefusedRecord, SyncRecord
from motcua.records.schemas import ChangeOut, Holding, HoldingsOut, PullOut
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge
from motcua.rounds.service import describe
from motcua.sync.phone_scope import PhoneScope, Window, hide_task_only, tasked_ids

PLACE_KINDS = ("resident", "consent", "checklist")

# A record's body keyed by its id as the change log names it (text), with the revision the
# server holds of that id.
Bodies = dict[str, tuple[int | None, dict[str, Any]]]


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _dialect(db: AsyncSession) -> str:
    return db.get_bind().dialect.name


def _raw(text: str | None) -> msgspec.Raw | None:
    return None if text is None else msgspec.Raw(text)


@dataclass
class _Page:
    """Everything one page of changes needs, read with one query per kind of thing whatever
    the page's size (docs/sync.md §6, "Cost and size"). Ids are text, as the change log and
    the phone write them: the database prints them, Python never parses them."""

    residents: Bodies = field(default_factory=dict)
    merged_into: dict[str, tuple[int | None, str]] = field(default_factory=dict)
    consents: Bodies = field(default_factory=dict)
    steps: Bodies = field(default_factory=dict)
    dossiers: Bodies = field(default_factory=dict)
    routes: dict[str, tuple[set[str], dict[str, Any]]] = field(default_factory=dict)
    versions: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)


async def _residents(
    db: AsyncSession, ids: list[str], tasked: CompoundSelect[Any]
) -> tuple[dict[str, tuple[int | None, str]], Bodies]:
    """Each id's merge target (with the revision of the id itself) if it was merged, and the
    body of every resident they name, with its revision; the task-only fields blanked unless
    the resident is one of ``tasked`` (sync.phone_scope)."""
    merges = await db.execute(
        select(
            uuid_text(ResidentMerge.duplicate_id), SyncRecord.revision, uuid_text(ResidentMerge.resident_id)
        )
        .outerjoin(SyncRecord, SyncRecord.id == ResidentMerge.duplicate_id)
        .where(among_text_ids(ResidentMerge.duplicate_id, ids, _dialect(db)))
    )
    merged_into: dict[str, tuple[int | None, str]] = {
        duplicate: (revision, target) for duplicate, revision, target in merges
    }
    wanted = {merged_into[i][1] if i in merged_into else i for i in ids}
    rows = await db.execute(
        select(
            uuid_text(Resident.id),
            SyncRecord.revision,
            uuid_text(Resident.village_id),
            Resident.full_name,
            date_text(Resident.birth_date),
            Resident.sex,
            Resident.personal_id,
            Resident.phone,
            json_text(Resident.needs),
            Resident.interpreter_language,
            Resident.ethnicity,
            Resident.id.in_(tasked),
        )
        .outerjoin(SyncRecord, SyncRecord.id == Resident.id)
        .where(among_text_ids(Resident.id, list(wanted), _dialect(db)))
    )
    bodies: Bodies = {}
    for rid, revision, village, name, born, sex, personal_id, phone, needs, language, ethnicity, own in rows:
        body = {
            "village_id": village,
            "full_name": name,
            "birth_date": born,
            "sex": sex,
            "personal_id": personal_id,
            "phone": phone,
            "needs": _raw(needs),
            "interpreter_language": language,
            "ethnicity": ethnicity,
        }
        bodies[rid] = (revision, body if own else hide_task_only("resident", body))
    return merged_into, bodies


async def _consents(db: AsyncSession, ids: list[str], tasked: CompoundSelect[Any]) -> Bodies:
    rows = await db.execute(
        select(
            uuid_text(Consent.id),
            SyncRecord.revision,
            uuid_text(Consent.resident_id),
            Consent.purpose,
            Consent.wording_vi,
            Consent.given,
            Consent.method,
            Consent.signature_sha256,
            Consent.resident_id.in_(tasked),
        )
        .outerjoin(SyncRecord, SyncRecord.id == Consent.id)
        .where(among_text_ids(Consent.id, ids, _dialect(db)))
    )
    bodies: Bodies = {}
    for cid, revision, resident, purpose, wording, given, method, signature, own in rows:
        body = {
            "resident_id": resident,
            "purpose": purpose,
            "wording_vi": wording,
            "given": given,
            "method": method,
            "signature_sha256": signature,
        }
        bodies[cid] = (revision, body if own else hide_task_only("consent", body))
    return bodies


async def _steps(db: AsyncSession, ids: list[str]) -> Bodies:
    rows = await db.execute(
        select(
            uuid_text(ChecklistStep.id),
            SyncRecord.revision,
            uuid_text(ChecklistStep.resident_id),
            ChecklistStep.step,
            ChecklistStep.state,
            ChecklistStep.note,
            date_text(ChecklistStep.appointment_on),
        )
        .outerjoin(SyncRecord, SyncRecord.id == ChecklistStep.id)
        .where(among_text_ids(ChecklistStep.id, ids, _dialect(db)))
    )
    return {
        sid: (
            revision,
            {"resident_id": resident, "step": step, "state": state, "note": note, "appointment_on": on},
        )
        for sid, revision, resident, step, state, note, on in rows
    }


async def _dossiers(db: AsyncSession, ids: list[str]) -> Bodies:
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
    lacking = await missing_attachments_of(db, [UUID(i) for i in ids])  # a few a page: their own
    rows = await db.execute(
        select(
            Dossier.id,
            SyncRecord.revision,
            Dossier.tracking_code,
            Dossier.status,
            Dossier.received_at,
            Dossier.supplement_needed,
            Dossier.supplement_sent_at,
            Dossier.supplemented_at,
            Dossier.accepted_at,
            Dossier.deadline_at,
            Dossier.result_at,
        )
        .outerjoin(SyncRecord, SyncRecord.id == Dossier.id)
        .where(Dossier.id.in_(ids))
    )
    return {
        str(row.id): (
            row.revision,
            {
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
            },
        )
        for row in rows
    }


async def _routes(db: AsyncSession, ids: list[str]) -> dict[str, tuple[set[str], dict[str, Any]]]:
    """Each route's team and body, described once for all of them."""
    routes = list(await db.scalars(select(Route).where(Route.id.in_(ids))))
    return {
        str(route.id): (
            {str(member.user_id) for member in route.team},
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


async def _load(db: AsyncSession, rows: Sequence[Any], tasked: CompoundSelect[Any]) -> _Page:
    """One query per kind present on the page (none for an absent kind); each brings the
    revisions the server holds with it, and residents and consents whether they are ``tasked``."""
    ids: dict[str, list[str]] = {}
    for _, kind, record_id, _ in rows:
        ids.setdefault(kind, []).append(record_id)
    page = _Page()
    if "resident" in ids:
        page.merged_into, page.residents = await _residents(db, ids["resident"], tasked)
    if "consent" in ids:
        page.consents = await _consents(db, ids["consent"], tasked)
    if "checklist" in ids:
        page.steps = await _steps(db, ids["checklist"])
    if "dossier" in ids:
        page.dossiers = await _dossiers(db, ids["dossier"])
    if "route" in ids:
        page.routes = await _routes(db, ids["route"])
    if "procedure_version" in ids:
        page.versions = await _versions(db, ids["procedure_version"])
    return page


def _changes(page: _Page, rows: Sequence[Any], residents: list[str]) -> list[ChangeOut]:
    """The changes as the phone receives them, in log order, leaving out records now gone;
    the residents sent are added to ``residents``. The commonest kinds are tested first: this
    loop runs once per change."""
    changes: list[ChangeOut] = []
    add = changes.append
    for seq, kind, record_id, owner_id in rows:
        if kind == "checklist" or kind == "consent":
            found = (page.steps if kind == "checklist" else page.consents).get(record_id)
            if found is not None:
                add(ChangeOut(seq, kind, record_id, found[0], found[1]))
        elif kind == "resident":
            merge = page.merged_into.get(record_id)
            if merge is None:
                found = page.residents.get(record_id)
                if found is not None:
                    residents.append(record_id)
                    add(ChangeOut(seq, kind, record_id, found[0], found[1]))
            elif (found := page.residents.get(merge[1])) is not None:
                residents.append(merge[1])
                add(ChangeOut(seq, kind, record_id, merge[0], found[1], {"merged_into": merge[1]}))
        elif kind == "dossier":
            found = page.dossiers.get(record_id)
            if found is not None:
                add(ChangeOut(seq, kind, record_id, found[0], None, found[1]))
        elif kind == "route":
            route = page.routes.get(record_id)
            if route is None or owner_id not in route[0]:
                add(ChangeOut(seq, kind, record_id, server={"removed": True}))
            else:
                add(ChangeOut(seq, kind, record_id, body=route[1]))
        elif kind == "procedure_version":
            code, _, number = record_id.partition(":")
            server = page.versions.get((code, int(number)))
            if server is not None:
                add(ChangeOut(seq, kind, record_id, server["version"], None, server))
    return changes


async def pull(
    db: AsyncSession, principal: Principal, cursor: int, limit: int, window: Window | None = None
) -> PullOut:
    """Changes after ``cursor`` that ``principal`` may see: the residents of their work in their
    places (sync.phone_scope, docs/privacy.md) with their consents and ticks, their own
    dossiers' server state, the routes they are on, and catalogue versions. Every resident
    sent is audited. A page costs the same few queries whatever its size."""
    # Which changes this user may see: the one expression to change to send a phone less.
    in_scope = select(Commune.code).where(commune_filter(principal))
    scope = await PhoneScope.open(db, principal, cursor, window)
    visible = or_(
        and_(Change.kind.in_(PLACE_KINDS), Change.commune_code.in_(in_scope), scope.places()),
        and_(Change.kind.in_(("dossier", "route")), Change.owner_id == principal.user_id),
        Change.kind == "procedure_version",
    )
    backfill = await scope.backfill(db, limit)  # older records of a village newly open to the phone
    rows = (
        backfill
        or (
            await db.execute(
                select(Change.seq, Change.kind, Change.record_id, uuid_text(Change.owner_id))
                .where(Change.seq > cursor, visible)
                .order_by(Change.seq)
                .limit(limit + 1)
            )
        ).all()
    )
    more = backfill is not None or len(rows) > limit
    rows = rows[:limit]
    latest = {(row[1], row[2]): row for row in rows}  # a record changed twice is sent once
    chosen = rows if len(latest) == len(rows) else sorted(latest.values(), key=lambda r: r[0])
    residents: list[str] = []
    changes = _changes(await _load(db, chosen, tasked_ids(principal.user_id)), chosen, residents)
    record_access(db, principal, "sync.pull", residents)
    next_cursor = rows[-1][0] if rows and backfill is None else cursor
    return PullOut(changes=changes, cursor=str(next_cursor), more=more, drop=scope.drop)


async def holdings(db: AsyncSession, principal: Principal, ids: list[UUID]) -> HoldingsOut:
    """Which of the records the user sent the server holds, and in what state; any other id is
    ``missing``, as if unknown (docs/privacy.md)."""
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
    # Only records the user sent (a phone asks only of those): of any other, even its existence
    # and content hash (which would let a guess of a stripped field be checked) stay unsaid.
    sent = select(RecordRevision.record_id).where(
        RecordRevision.record_id.in_(wanted), RecordRevision.user_id == principal.user_id
    )
    records = list(
        await db.scalars(
            select(SyncRecord).where(
                SyncRecord.id.in_(wanted),
                or_(SyncRecord.owner_id == principal.user_id, SyncRecord.id.in_(sent)),
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
