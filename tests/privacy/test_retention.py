"""The retention schedule: photos and signatures of a dossier finished longer ago than the window
are deleted, an open dossier's and bytes another dossier still names are kept; a withdrawn
consent to document photos needs no wait; refused records and earlier revisions are pruned."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update

from motcua.attachments.models import Attachment
from motcua.attachments.storage import attachment_path
from motcua.db.base import utcnow
from motcua.db.engine import make_engine
from motcua.dossiers.models import DossierAttachment, DossierEvent
from motcua.privacy.retention import RetentionCounts, retention_backlog, retention_pass, retention_totals
from motcua.records.models import RecordRevision, RefusedRecord
from motcua.settings import Settings
from tests.conftest import execute, in_db, rows
from tests.privacy.conftest import finish
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def _pass(settings: Settings) -> RetentionCounts:
    async def once() -> RetentionCounts:
        engine = make_engine(settings, pooled=False)
        try:
            return await retention_pass(engine, settings)
        finally:
            await engine.dispose()

    return asyncio.run(once())


def _backlog(settings: Settings) -> dict[str, int]:
    return in_db(settings, lambda db: retention_backlog(db, settings))


def _hashes(dossier: dict) -> set[str]:  # type: ignore[type-arg]
    body = dossier["body"]
    return {p for paper in body["papers"] for p in paper["photos"]} | {body["signature_sha256"]}


def test_retention_deletes_what_is_due_and_keeps_what_is_still_named(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    old, still_open, recent = (phone_a1.resident(n) for n in (11, 12, 13))
    old_dossier, recent_dossier = phone_a1.dossier(old), phone_a1.dossier(recent)
    open_dossier = phone_a1.dossier(still_open)
    shared = old_dossier["body"]["papers"][1]["photos"][0]  # the same ID card photo, twice
    replaced = open_dossier["body"]["papers"][1]["photos"][0]
    open_dossier["body"]["papers"][1]["photos"][0] = shared
    del phone_a1.attachments[replaced]
    withdrawal = phone_a1.record(
        "consent",
        {
            "resident_id": recent["id"],
            "purpose": "document_photos",
            "wording_vi": "Tôi rút lại sự đồng ý.",
            "given": False,
            "method": "tick",
        },
    )
    refused = phone_a1.record(
        "checklist", {"resident_id": old["id"], "step": "no_such_step", "state": "done"}
    )
    records = [old, still_open, recent, phone_a1.consent(old), old_dossier, open_dossier, recent_dossier]
    field.push(field.volunteer_a1, *records, withdrawal, refused)
    edited = phone_a1.edit(still_open, needs=["low_vision"])
    assert field.push(field.volunteer_a1, edited)[0]["outcome"] == "applied"
    field.upload(field.volunteer_a1, phone_a1)
    for dossier in (old_dossier, recent_dossier):
        finish(field, desk_officer, dossier["id"])
    # The old dossier was finished 91 days ago; the refused record and first revision are old too.
    long_ago = utcnow() - timedelta(days=400)
    execute(
        settings,
        update(DossierEvent)
        .where(DossierEvent.dossier_id == UUID(old_dossier["id"]))
        .values(created_at=utcnow() - timedelta(days=91)),
    )
    execute(settings, update(RefusedRecord).values(created_at=long_ago))
    execute(
        settings,
        update(RecordRevision)
        .where(RecordRevision.record_id == UUID(still_open["id"]))
        .values(created_at=long_ago),
    )
    before = retention_totals()
    assert _backlog(settings) == {"dossiers": 2, "refused": 1, "revisions": 1}  # /metrics shows it

    counts = _pass(settings)

    gone = (_hashes(old_dossier) | _hashes(recent_dossier)) - {shared}
    kept = _hashes(open_dossier) | {records[3]["body"]["signature_sha256"]}  # and the consent's signature
    assert counts == RetentionCounts(dossiers=2, attachments=len(gone), refused=1, revisions=1)
    assert all(not attachment_path(settings, sha).exists() for sha in gone)
    assert all(attachment_path(settings, sha).exists() for sha in kept)
    assert set(rows(settings, select(Attachment.sha256))) == kept
    named = rows(settings, select(DossierAttachment.dossier_id).distinct())
    assert named == [UUID(open_dossier["id"])]
    revisions = rows(
        settings, select(RecordRevision.revision).where(RecordRevision.record_id == UUID(still_open["id"]))
    )
    assert revisions == [2]
    assert rows(settings, select(RefusedRecord)) == []
    assert retention_totals()["dossiers"] == int(before["dossiers"] or 0) + 2
    # Phones are not asked to upload what was deleted; a second pass finds nothing.
    pulled = {c["id"]: c for c in field.pull_all(field.volunteer_a1) if c["kind"] == "dossier"}
    assert pulled[old_dossier["id"]]["server"]["missing_attachments"] == []
    assert _pass(settings) == RetentionCounts()
    assert _backlog(settings) == {"dossiers": 0, "refused": 0, "revisions": 0}
