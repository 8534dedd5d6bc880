"""The desk asks once for more, the volunteer sends it from the phone: a new revision of the
dossier and its new photos. The supplement is complete when both are in, the deadline runs
again from then, and the phone learns every step through its pull."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from motcua.db.base import utcnow
from motcua.dossiers.models import Dossier
from motcua.i18n import VIETNAM_TIME
from motcua.settings import Settings
from motcua.worktime.calendar import calendar_for, deadline
from motcua.worktime.models import DEFAULT_DESK_HOURS
from tests.conftest import execute, rows
from tests.desk.conftest import desk_officer, moved
from tests.sync.conftest import Field
from tests.sync.phone import Phone, fake_jpeg

__all__ = ["desk_officer"]

ASKED = "Ảnh mặt sau thẻ căn cước bị mờ, xin chụp lại."


def _stored(settings: Settings, dossier: dict[str, Any]) -> Dossier:
    (stored,) = rows(settings, select(Dossier).where(Dossier.id == UUID(dossier["id"])))
    return stored


def _server_of(field: Field, headers: dict[str, str], dossier: dict[str, Any]) -> dict[str, Any]:
    """The newest server state of one dossier as the phone pulls it, with its revision."""
    (change,) = [c for c in field.pull_all(headers) if c["kind"] == "dossier" and c["id"] == dossier["id"]]
    return {"revision": change["revision"], **change["server"]}


def _synced(field: Field, phone: Phone, serial: int = 1) -> dict[str, Any]:
    resident = phone.resident(serial)
    dossier = phone.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    field.upload(field.volunteer_a1, phone)
    return dossier


def _asked(field: Field, officer: dict[str, str], dossier: dict[str, Any]) -> None:
    for to, reason in (("accepted", ""), ("in_progress", ""), ("needs_supplement", ASKED)):
        answer = moved(field, officer, dossier["id"], to, reason=reason)
        assert answer.status_code == 200, answer.text


def _retaken_back(phone: Phone, dossier: dict[str, Any], seed: int) -> tuple[dict[str, Any], str]:
    """Revision 2: the ID card's back photographed again; returns it and the new photo's hash."""
    photo = phone.attach(fake_jpeg(seed))
    papers = [
        paper
        if paper["paper_id"] != "can-cuoc"
        else {"paper_id": "can-cuoc", "photos": [paper["photos"][0], photo]}
        for paper in dossier["body"]["papers"]
    ]
    return phone.edit(dossier, papers=papers), photo


def _upload(field: Field, headers: dict[str, str], phone: Phone, digest: str) -> dict[str, Any]:
    answer = field.client.put(
        f"/api/attachments/{digest}", content=phone.attachments[digest], headers=headers
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_supplement_from_the_phone_is_complete_with_its_last_photo_and_the_clock_runs_from_then(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = _synced(field, phone_a1)
    _asked(field, desk_officer, dossier)

    # The phone learns what was asked, and when.
    asked = _server_of(field, field.volunteer_a1, dossier)
    assert asked["status"] == "needs_supplement"
    assert asked["supplement_needed"] == ASKED
    assert asked["supplement_asked_at"] is not None
    assert asked["supplement_sent_at"] is None
    assert asked["supplemented_at"] is None
    assert asked["accepted_at"] is not None
    assert asked["deadline_at"] is not None
    assert asked["result_at"] is None
    assert asked["revision"] == 1

    # Revision 2 on the server's revision 1, naming one new photo not yet uploaded.
    supplement, photo = _retaken_back(phone_a1, dossier, 777)
    assert (supplement["revision"], supplement["base_revision"]) == (asked["revision"] + 1, asked["revision"])
    (outcome,) = field.push(field.volunteer_a1, supplement)
    assert outcome["outcome"] == "applied"
    assert outcome["missing_attachments"] == [photo]
    sent = _stored(settings, dossier)
    assert sent.status == "needs_supplement"
    assert sent.supplement_sent_at is not None
    assert sent.supplemented_at is None, "not complete while its photo is still on the phone"
    waiting = _server_of(field, field.volunteer_a1, dossier)
    assert waiting["revision"] == 2
    assert waiting["missing_attachments"] == [photo]
    assert waiting["supplement_sent_at"] == sent.supplement_sent_at.isoformat()
    assert waiting["supplemented_at"] is None

    arrived = _upload(field, field.volunteer_a1, phone_a1, photo)
    assert arrived["dossiers"] == [
        {"id": dossier["id"], "status": "needs_supplement", "missing_attachments": []}
    ]
    complete = _stored(settings, dossier)
    assert complete.supplemented_at is not None
    assert complete.supplement_sent_at is not None
    assert complete.supplemented_at >= complete.supplement_sent_at
    # The upload appended a change: the phone hears the supplement is complete.
    pulled = _server_of(field, field.volunteer_a1, dossier)
    assert pulled["supplemented_at"] == complete.supplemented_at.isoformat()
    assert pulled["missing_attachments"] == []
    # Uploading the same photo again changes nothing.
    _upload(field, field.volunteer_a1, phone_a1, photo)
    assert _stored(settings, dossier).supplemented_at == complete.supplemented_at

    # Say the last photo came in on a Friday at 16:30: the desk takes the dossier back later,
    # and the two working hours run from Friday 16:30, not from the desk's move.
    friday = datetime(2026, 11, 20, 16, 30, tzinfo=VIETNAM_TIME)
    execute(settings, update(Dossier).where(Dossier.id == complete.id).values(supplemented_at=friday))
    back = moved(field, desk_officer, dossier["id"], "in_progress")
    assert back.status_code == 200, back.text
    expected = deadline(calendar_for(DEFAULT_DESK_HOURS), friday.replace(tzinfo=None), 2, "working_hours")
    assert expected == datetime(2026, 11, 23, 8, 30)  # Monday morning
    taken = _stored(settings, dossier)
    assert taken.deadline_at == expected.replace(tzinfo=VIETNAM_TIME)
    assert taken.accepted_at == sent.accepted_at, "the dossier was accepted once"

    final = _server_of(field, field.volunteer_a1, dossier)
    assert final["status"] == "in_progress"
    assert final["supplement_needed"] is None, "only while a supplement is awaited"
    assert final["supplement_asked_at"] == asked["supplement_asked_at"]
    assert final["supplement_sent_at"] == complete.supplement_sent_at.isoformat()
    assert datetime.fromisoformat(final["supplemented_at"]) == friday
    assert datetime.fromisoformat(final["deadline_at"]) == expected.replace(tzinfo=VIETNAM_TIME)
    assert datetime.fromisoformat(final["accepted_at"]) == sent.accepted_at
    assert final["result_at"] is None
    assert final["revision"] == 2

    # Asked again: a new ask, a new supplement.
    again = moved(
        field, desk_officer, dossier["id"], "needs_supplement", reason="Thiếu giấy báo tử bản chính"
    )
    assert again.status_code == 200, again.text
    cleared = _stored(settings, dossier)
    assert (cleared.supplement_sent_at, cleared.supplemented_at) == (None, None)
    latest = _server_of(field, field.volunteer_a1, dossier)
    assert latest["supplement_needed"] == "Thiếu giấy báo tử bản chính"
    assert latest["supplement_asked_at"] > asked["supplement_asked_at"]
    assert (latest["supplement_sent_at"], latest["supplemented_at"]) == (None, None)


def test_a_supplement_whose_photos_are_already_in_is_complete_at_once(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = _synced(field, phone_a1)
    _asked(field, desk_officer, dossier)
    # A new revision naming no new photo (a receipt printed again): every photo it names is
    # on the server already.
    supplement = phone_a1.edit(dossier, receipt_secret_hash="a" * 64)
    (outcome,) = field.push(field.volunteer_a1, supplement)
    assert outcome["outcome"] == "applied"
    assert outcome["missing_attachments"] == []
    stored = _stored(settings, dossier)
    assert stored.supplement_sent_at is not None
    assert stored.supplemented_at == stored.supplement_sent_at

    # The resident brought nothing more, the desk takes it back at once: the clock runs from
    # the moment the supplement was complete.
    back = moved(field, desk_officer, dossier["id"], "in_progress")
    assert back.status_code == 200, back.text
    local = stored.supplemented_at.astimezone(VIETNAM_TIME).replace(tzinfo=None)
    expected = deadline(calendar_for(DEFAULT_DESK_HOURS), local, 2, "working_hours")
    assert _stored(settings, dossier).deadline_at == expected.replace(tzinfo=VIETNAM_TIME)


def test_papers_brought_to_the_office_run_the_clock_from_the_desks_move(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = _synced(field, phone_a1)
    _asked(field, desk_officer, dossier)
    before = utcnow()
    back = moved(field, desk_officer, dossier["id"], "in_progress")
    after = utcnow()
    assert back.status_code == 200, back.text
    stored = _stored(settings, dossier)
    assert (stored.supplement_sent_at, stored.supplemented_at) == (None, None)
    calendar = calendar_for(DEFAULT_DESK_HOURS)

    def due(moment: datetime) -> datetime:
        local = moment.astimezone(VIETNAM_TIME).replace(tzinfo=None)
        return deadline(calendar, local, 2, "working_hours").replace(tzinfo=VIETNAM_TIME)

    assert stored.deadline_at is not None
    assert due(before) <= stored.deadline_at <= due(after)


def test_only_a_volunteer_of_the_dossiers_commune_sends_its_supplement(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = _synced(field, phone_a1)
    _asked(field, desk_officer, dossier)
    supplement, _ = _retaken_back(phone_a1, dossier, 778)
    (outcome,) = field.push(field.volunteer_b, supplement)
    assert outcome["outcome"] == "rejected"
    assert outcome["reason"]["code"] == "scope.outside"
    assert ASKED not in str(outcome), "the refusal tells nothing of the dossier"
    stored = _stored(settings, dossier)
    assert (stored.supplement_sent_at, stored.supplemented_at) == (None, None)
    assert [c for c in field.pull_all(field.volunteer_b) if c["kind"] == "dossier"] == []


def test_a_supplement_while_the_desk_works_on_the_dossier_is_locked(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = _synced(field, phone_a1)
    _asked(field, desk_officer, dossier)
    assert moved(field, desk_officer, dossier["id"], "in_progress").status_code == 200
    supplement, _ = _retaken_back(phone_a1, dossier, 779)
    (outcome,) = field.push(field.volunteer_a1, supplement)
    assert outcome["outcome"] == "rejected"
    assert outcome["reason"]["code"] == "dossier.locked"
    stored = _stored(settings, dossier)
    assert stored.status == "in_progress"
    assert stored.supplement_sent_at is None
    assert _server_of(field, field.volunteer_a1, dossier)["revision"] == 1


def _without_photos(record: dict[str, Any]) -> dict[str, Any]:
    """The same envelope, its ID card photos left out: the server refuses it (paper.photos_missing)."""
    papers = [p for p in record["body"]["papers"] if p["paper_id"] != "can-cuoc"]
    return {**record, "body": {**record["body"], "papers": papers}}


def test_a_refused_new_dossier_is_corrected_under_the_same_id_and_revision(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(3)
    good = phone_a1.dossier(resident)
    refused = _without_photos(good)
    first = field.push(field.volunteer_a1, resident, refused)[1]
    assert first["outcome"] == "rejected"
    assert first["reason"]["fields"][0]["code"] == "paper.photos_missing"
    # The correction: the same id, revision 1 and no base, as the refused envelope; new content.
    assert (good["id"], good["revision"], good["base_revision"]) == (refused["id"], 1, None)
    (fixed,) = field.push(field.volunteer_a1, good)
    assert fixed["outcome"] == "applied"
    assert fixed["server_revision"] == 1
    assert _stored(settings, good).status == "incomplete"
    held = field.client.post("/api/sync/holdings", json={"ids": [good["id"]]}, headers=field.volunteer_a1)
    assert held.json()["holdings"][0]["state"] == "applied"


def test_a_refused_supplement_is_corrected_under_the_same_id_revision_and_base(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = _synced(field, phone_a1)
    _asked(field, desk_officer, dossier)
    good, photo = _retaken_back(phone_a1, dossier, 780)
    refused = _without_photos(good)
    (first,) = field.push(field.volunteer_a1, refused)
    assert first["outcome"] == "rejected"
    assert first["reason"]["code"] == "record.invalid"
    # A refused record never became a revision: the server still holds revision 1.
    assert _server_of(field, field.volunteer_a1, dossier)["revision"] == 1
    assert _stored(settings, dossier).supplement_sent_at is None
    assert (
        (good["revision"], good["base_revision"]) == (refused["revision"], refused["base_revision"]) == (2, 1)
    )
    (fixed,) = field.push(field.volunteer_a1, good)
    assert fixed["outcome"] == "applied"
    assert fixed["server_revision"] == 2
    assert fixed["missing_attachments"] == [photo]
    assert _stored(settings, dossier).supplement_sent_at is not None
