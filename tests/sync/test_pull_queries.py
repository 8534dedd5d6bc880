"""Pull reads a page with a fixed number of queries, and sends exactly what it sent when it read
each change on its own (the old code is kept below, word for word, to compare against)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.attachments.service import missing_attachments
from motcua.audit.models import AuditEvent
from motcua.audit.service import record_access
from motcua.auth.principal import Principal
from motcua.campaigns.models import Route
from motcua.catalogue.service import get_version
from motcua.changelog.models import Change
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.places.models import Commune
from motcua.places.service import commune_filter
from motcua.records.models import SyncRecord
from motcua.records.schemas import ChangeOut, PullOut
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge
from motcua.rounds.service import describe, today
from motcua.settings import Settings
from motcua.sync.api import PULL_PAGE_SIZE
from motcua.sync.phone_scope import TASK_ONLY_FIELDS, PhoneScope, tasked_residents
from motcua.sync.pull import PLACE_KINDS, pull
from tests.conftest import COMMUNE_A, COMMUNE_B, add_user, bearer, in_db, rows
from tests.desk.conftest import desk_officer, moved
from tests.routes.conftest import route_body, user_id
from tests.sync.conftest import Field
from tests.sync.phone import Phone

__all__ = ["desk_officer"]


# --- The pull as it was before issue 15: one to three queries per change. ---------------------


def _old_resident_body(resident: Resident) -> dict[str, Any]:
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


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


async def _old_dossier_server(db: AsyncSession, dossier: Dossier) -> dict[str, Any]:
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


async def _old_change_out(db: AsyncSession, row: Change, residents: set[UUID]) -> ChangeOut | None:
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
        return ChangeOut(row.seq, row.kind, row.record_id, revision, _old_resident_body(resident), merged)
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
        return ChangeOut(
            row.seq, row.kind, row.record_id, revision, None, await _old_dossier_server(db, dossier)
        )
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


async def _old_strip(db: AsyncSession, principal: Principal, change: ChangeOut) -> ChangeOut:
    """Blank the task-only fields of a resident or consent not of the user's own tasks, one
    change at a time (docs/privacy.md)."""
    if change.body is None or change.kind not in TASK_ONLY_FIELDS:
        return change
    if change.kind == "consent":
        resident = change.body["resident_id"]
    else:
        resident = (change.server or {}).get("merged_into", change.id)
    own = await db.scalar(
        select(Resident.id).where(Resident.id == UUID(resident), tasked_residents(principal.user_id))
    )
    if own is None:
        change.body.update(dict.fromkeys(TASK_ONLY_FIELDS[change.kind]))
    return change


async def _old_pull(db: AsyncSession, principal: Principal, cursor: int, limit: int) -> PullOut:
    from sqlalchemy import and_, or_

    in_scope = select(Commune.code).where(commune_filter(principal))
    scope = await PhoneScope.open(db, principal, cursor)  # the same least data (docs/privacy.md)
    rows = list(
        await db.scalars(
            select(Change)
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
    more = len(rows) > limit
    rows = rows[:limit]
    latest = {(row.kind, row.record_id): row for row in rows}
    residents: set[UUID] = set()
    changes = []
    for row in sorted(latest.values(), key=lambda r: r.seq):
        if (out := await _old_change_out(db, row, residents)) is not None:
            changes.append(out)
    changes = [await _old_strip(db, principal, change) for change in changes]
    record_access(db, principal, "sync.pull", residents)
    next_cursor = rows[-1].seq if rows else cursor
    return PullOut(changes=changes, cursor=str(next_cursor), more=more, drop=scope.drop)


# --- A varied field: every kind of change, edits, a merge, a supplement, a removed route. ------


def _varied_field(
    field: Field, phone_a1: Phone, phone_a2: Phone, officer: dict[str, str], settings: Settings
) -> None:
    people = [
        phone_a1.resident(1, name="H'Hen Niê", ethnicity="Ê Đê"),
        phone_a1.resident(
            2,
            name="Y Sol Ksor",
            sex="male",
            phone="0912345678",
            needs=["interpreter"],
            interpreter_language="Ê Đê",
        ),
        phone_a1.resident(3, name="Nguyễn Thị Lan"),
        phone_a1.resident(4, name="Trần Văn Ánh", sex="male", needs=[]),
    ]
    outcomes = field.push(field.volunteer_a1, *people, phone_a1.consent(people[0], "ethnicity"))
    ticks = [
        phone_a1.checklist(people[0]),
        phone_a1.record(
            "checklist",
            {
                "resident_id": people[1]["id"],
                "step": "vneid_level2",
                "state": "follow_up",
                "note": "Hẹn công an xã sáng thứ Ba",
                "appointment_on": (today() + timedelta(days=3)).isoformat(),
            },
        ),
    ]
    consents = [phone_a1.consent(people[0]), phone_a1.consent(people[1], "contact_by_phone")]
    dossiers = [phone_a1.dossier(people[0]), phone_a1.dossier(people[1]), phone_a1.dossier(people[2])]
    outcomes += field.push(field.volunteer_a1, *consents, *ticks, *dossiers)
    assert [o["outcome"] for o in outcomes] == ["applied"] * 12, outcomes
    for dossier in dossiers[:2]:  # the third one lacks its photos
        papers = dossier["body"]["papers"]
        for digest in [
            dossier["body"]["signature_sha256"],
            *(p for paper in papers for p in paper["photos"]),
        ]:
            answer = field.client.put(
                f"/api/attachments/{digest}", content=phone_a1.attachments[digest], headers=field.volunteer_a1
            )
            assert answer.status_code == 200, answer.text
    field.push(field.volunteer_a1, phone_a1.resident(5, name="Đinh Thị Hoa"))
    late = phone_a1.dossier(people[3])
    field.push(field.volunteer_a1, late)
    field.push(field.volunteer_a1, phone_a1.edit(people[2], phone="0987654321"))  # changed twice
    field.push(field.volunteer_a1, phone_a1.edit(ticks[0], state="not_applicable"))
    for to, reason in (("accepted", ""), ("in_progress", ""), ("needs_supplement", "Ảnh căn cước bị mờ.")):
        assert moved(field, officer, dossiers[1]["id"], to, reason=reason).status_code == 200
    assert moved(field, officer, dossiers[0]["id"], "accepted").status_code == 200
    twin = phone_a2.resident(1, name="H'Hen Niê", ethnicity="Ê Đê")
    field.push(field.volunteer_a2, twin, phone_a2.consent(twin, "ethnicity"))  # merged into people[0]
    add_user(settings, "0981000009", "coordinator", (COMMUNE_A, COMMUNE_B), name="Điều Phối")
    coordinator = bearer(field.client, "0981000009")
    a1, a2 = user_id(settings, "0971000001"), user_id(settings, "0971000002")
    day = today() + timedelta(days=2)
    for team in ([a1, a2], [a1]):
        body = route_body(COMMUNE_A, day, [(field.village_a, "Nhà văn hóa", "07:30:00", "11:00:00")], team)
        answer = field.client.post("/api/routes", json=body, headers=coordinator)
        assert answer.status_code == 201, answer.text
    dropped = {**body, "team": [str(a2)], "note": "Đổi người"}
    assert (
        field.client.put(f"/api/routes/{answer.json()['id']}", json=dropped, headers=coordinator).status_code
        == 200
    )


def _principal(settings: Settings, phone: str, communes: set[int]) -> Principal:
    (user,) = rows(settings, select(User).where(User.phone == phone))
    return Principal(
        user.id, uuid.uuid4(), "password", user.role, user.full_name, phone, frozenset(communes), frozenset()
    )


def _pages(
    settings: Settings, puller: Any, principal: Principal, limit: int
) -> tuple[list[bytes], list[str]]:
    """Every page from the start, encoded as the API sends it, and the residents audited."""

    async def work(db: AsyncSession) -> tuple[list[bytes], list[str]]:
        pages, cursor = [], 0
        while True:
            page = await puller(db, principal, cursor, limit)
            pages.append(msgspec.json.encode(page))
            cursor = int(page.cursor)
            if not page.more:
                break
        await db.flush()
        audited = list(
            await db.scalars(select(AuditEvent.resident_ids).where(AuditEvent.action == "sync.pull"))
        )
        await db.rollback()
        return pages, [ids for event in audited for ids in event]

    return in_db(settings, work)


def test_the_one_query_per_kind_pull_sends_what_the_change_by_change_pull_sent(
    field: Field, phone_a1: Phone, phone_a2: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    _varied_field(field, phone_a1, phone_a2, desk_officer, settings)
    for phone, communes in (
        ("0971000001", {COMMUNE_A}),
        ("0971000002", {COMMUNE_A}),
        ("0971000003", {COMMUNE_B}),
    ):
        principal = _principal(settings, phone, communes)
        for limit in (1, 3, 7, 500):
            old = _pages(settings, _old_pull, principal, limit)
            new = _pages(settings, pull, principal, limit)
            assert new == old, (phone, limit)
    everything = b"".join(_pages(settings, pull, _principal(settings, "0971000001", {COMMUNE_A}), 500)[0])
    for seen in (
        b'"merged_into"',
        b'"removed":true',
        b'"needs_supplement"',
        b'"appointment_on":"',
        b"H'Hen Ni",
    ):
        assert seen in everything, seen
    (page,) = _pages(settings, pull, _principal(settings, "0971000002", {COMMUNE_A}), 500)[0]
    kinds = {change["kind"] for change in msgspec.json.decode(page)["changes"]}
    assert kinds == {"resident", "consent", "checklist", "route", "procedure_version"}


# --- A page costs the same number of statements whatever its size. -----------------------------


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_a_pull_page_takes_as_many_statements_for_10_changes_as_for_a_full_page(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    start = field.client.get("/api/sync/pull", headers=field.volunteer_a1).json()
    assert start["more"] is False  # past the catalogue: what follows is households only
    for serial in range(60):  # one household a push: every page holds every kind
        resident = phone_a1.resident(serial)
        household = [resident, phone_a1.consent(resident), phone_a1.checklist(resident)]
        field.push(field.volunteer_a1, *household, *([phone_a1.dossier(resident)] if serial % 3 == 0 else []))
    counts = {}
    for limit in (10, PULL_PAGE_SIZE):
        with _statements() as seen:
            page = field.client.get(
                "/api/sync/pull",
                params={"cursor": start["cursor"], "limit": limit},
                headers=field.volunteer_a1,
            )
        assert page.status_code == 200, page.text
        kinds = [change["kind"] for change in page.json()["changes"]]
        assert {"resident", "consent", "checklist", "dossier"} <= set(kinds)
        counts[limit] = len(seen)
    assert len(kinds) == 60 * 3 + 20
    assert counts[10] == counts[PULL_PAGE_SIZE], counts
    # The page size is advertised, and a phone may ask for it but no more.
    limits = field.client.get("/api/sync/limits", headers=field.volunteer_a1).json()
    assert limits["pull_page_size"] == PULL_PAGE_SIZE
    too_many = field.client.get(
        "/api/sync/pull", params={"limit": PULL_PAGE_SIZE + 1}, headers=field.volunteer_a1
    )
    assert too_many.status_code == 400, too_many.text
    assert [f["field"] for f in too_many.json()["fields"]] == ["limit"], too_many.text
