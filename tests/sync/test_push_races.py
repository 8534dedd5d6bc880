"""Two pushes at the same moment, and clashes inside one batch.

A batch is judged against what the server held when it began and written all at once
(sync/push.py). When another transaction stores the same record, person or tracking code
meanwhile, only the database sees the clash: the batch is undone and applied again record
by record. These tests make that happen for real, with two sessions and the first one
committing while the second waits on it (on PostgreSQL, on the unique index; on SQLite,
for the write lock, where the second batch then sees the first at once).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import func, select

from motcua.accounts.models import User
from motcua.accounts.sessions import principal_of_user
from motcua.db.engine import make_engine, session_scope
from motcua.dossiers.models import Dossier, DossierAttachment
from motcua.records.models import RecordRevision, RefusedRecord, SyncRecord
from motcua.records.schemas import Outcome, RecordIn
from motcua.residents.models import Resident, ResidentMerge
from motcua.settings import Settings
from motcua.sync.push import push
from tests.conftest import rows, run
from tests.sync.conftest import Field
from tests.sync.phone import Phone, fake_jpeg

# How long the second push is given to reach the point where it waits for the first.
WAIT_FOR_THE_CLASH_SECONDS = 0.5


def _records(*records: dict[str, Any]) -> list[RecordIn]:
    return msgspec.convert(msgspec.json.decode(msgspec.json.encode(list(records))), list[RecordIn])


async def _race(settings: Settings, first: list[RecordIn], second: list[RecordIn]) -> list[list[Outcome]]:
    """Push ``first`` and, while it is still uncommitted, ``second``; then commit both."""
    engine = make_engine(settings)
    try:
        async with session_scope(engine) as db:
            users = {u.phone: u for u in await db.scalars(select(User))}
            one = await principal_of_user(db, users["0971000001"], users["0971000001"].id, "device")
            two = await principal_of_user(db, users["0971000002"], users["0971000002"].id, "device")

        async def later() -> list[Outcome]:
            async with session_scope(engine) as db:
                return await push(db, two, second)

        async with session_scope(engine) as db:
            outcomes = await push(db, one, first)
            waiting = asyncio.create_task(later())
            await asyncio.sleep(WAIT_FOR_THE_CLASH_SECONDS)
            assert not waiting.done(), "the second push should wait for the first"
        return [outcomes, await waiting]
    finally:
        await engine.dispose()


def _count(settings: Settings, *models: Any) -> list[int]:
    return [rows(settings, select(func.count()).select_from(model))[0] for model in models]


def test_the_same_person_registered_on_two_phones_at_the_same_moment_is_one_resident(
    field: Field, phone_a1: Phone, phone_a2: Phone, settings: Settings
) -> None:
    first, second = phone_a1.resident(21), phone_a2.resident(21)
    assert first["body"]["personal_id"] == second["body"]["personal_id"]
    dossier_1, dossier_2 = phone_a1.dossier(first), phone_a2.dossier(second)
    ones, twos = run(_race(settings, _records(first, dossier_1), _records(second, dossier_2)))
    assert [o.outcome for o in ones + twos] == ["applied"] * 4
    assert str(twos[0].merged_into) == first["id"]
    assert _count(settings, Resident, ResidentMerge, Dossier) == [1, 1, 2]
    dossier_residents = {str(r) for r in rows(settings, select(Dossier.resident_id))}
    assert dossier_residents == {first["id"]}


def test_a_batch_sent_again_while_the_first_send_is_still_working_is_stored_once(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    records = []
    for serial in range(31, 36):
        resident = phone_a1.resident(serial)
        records += [resident, phone_a1.consent(resident), phone_a1.dossier(resident)]
    # The phone lost the first answer and sent the same batch again at once.
    ones, twos = run(_race(settings, _records(*records), _records(*records)))
    assert {o.outcome for o in ones} == {"applied"}
    assert {o.outcome for o in twos} == {"duplicate"}
    residents, dossiers, revisions, current = _count(settings, Resident, Dossier, RecordRevision, SyncRecord)
    assert (residents, dossiers, revisions, current) == (5, 5, 15, 15)


def test_one_batch_naming_the_same_person_twice_keeps_one_resident(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    first = phone_a1.resident(41)
    again = phone_a1.resident(41, phone="0912345679")
    outcomes = field.push(field.volunteer_a1, first, again, phone_a1.dossier(again))
    assert [o["outcome"] for o in outcomes] == ["applied"] * 3
    assert outcomes[1]["merged_into"] == first["id"]
    (resident,) = rows(settings, select(Resident))
    assert resident.phone is None  # a merge never changes the first (rule 2)
    (dossier_resident,) = rows(settings, select(Dossier.resident_id))
    assert str(dossier_resident) == first["id"]


def test_one_batch_using_a_tracking_code_twice_refuses_the_second_dossier_only(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(51)
    dossier = phone_a1.dossier(resident)
    clash = phone_a1.dossier(resident)
    clash["body"]["tracking_code"] = dossier["body"]["tracking_code"]
    outcomes = field.push(field.volunteer_a1, resident, dossier, clash)
    assert [o["outcome"] for o in outcomes] == ["applied", "applied", "rejected"]
    assert outcomes[2]["reason"]["code"] == "tracking_code.taken"
    assert _count(settings, Dossier, RefusedRecord) == [1, 1]


def test_a_dossier_and_its_edit_in_one_batch_name_only_the_edits_photos(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(61)
    dossier = phone_a1.dossier(resident)
    papers = [dict(paper) for paper in dossier["body"]["papers"]]
    papers[1] = {
        "paper_id": "can-cuoc",
        "photos": [phone_a1.attach(fake_jpeg(6101)), phone_a1.attach(fake_jpeg(6102))],
    }
    edit = phone_a1.edit(dossier, papers=papers)
    outcomes = field.push(field.volunteer_a1, resident, dossier, edit)
    assert [o["outcome"] for o in outcomes] == ["applied"] * 3
    named = {paper_photo for paper in papers for paper_photo in paper["photos"]} | {
        edit["body"]["signature_sha256"]
    }
    assert set(rows(settings, select(DossierAttachment.sha256))) == named
    assert sorted(outcomes[2]["missing_attachments"]) == sorted(named)
    (current,) = rows(settings, select(SyncRecord.revision).where(SyncRecord.id == UUID(dossier["id"])))
    assert current == 2
    assert _count(settings, RecordRevision) == [3]


def test_a_consent_withdrawn_in_the_batch_that_releases_an_edit_is_heeded(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(62)
    agreed = phone_a1.consent(resident, "ethnicity")
    assert [o["outcome"] for o in field.push(field.volunteer_a1, resident, agreed)] == ["applied"] * 2
    second = phone_a1.edit(resident, phone="0912345678")
    third = phone_a1.edit(second, ethnicity="Ê Đê")
    assert field.push(field.volunteer_a1, third)[0]["outcome"] == "held"
    # Later the resident withdrew that consent; the phone sends it with the missing edit,
    # which releases the held one: judged after the withdrawal, it must not keep ethnicity.
    withdrawn = phone_a1.consent(resident, "ethnicity")
    withdrawn["body"] |= {"given": False, "method": "tick", "signature_sha256": None}
    withdrawn["written_at"] = (datetime.now(UTC) - timedelta(minutes=30)).isoformat()
    assert [o["outcome"] for o in field.push(field.volunteer_a1, second, withdrawn)] == ["applied"] * 2
    (stored,) = rows(settings, select(Resident))
    assert (stored.phone, stored.ethnicity) == ("0912345678", None)
    (reason,) = rows(settings, select(RefusedRecord.reason))
    assert reason["code"] == "ethnicity.no_consent"
