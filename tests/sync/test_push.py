"""Batch push: each record applied exactly once, with an outcome of its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from motcua.dossiers.models import Dossier
from motcua.records.models import RecordRevision, RefusedRecord
from motcua.residents.models import Consent, Resident, ResidentMerge
from motcua.settings import Settings
from tests.conftest import rows
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def _count(settings: Settings, model: Any) -> int:
    return len(rows(settings, select(model)))


def test_a_day_of_records_arrives_once_even_when_sent_twice(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(1)
    consent = phone_a1.consent(resident)
    tick = phone_a1.checklist(resident)
    dossier = phone_a1.dossier(resident)
    # Children first: the server orders a batch itself.
    outcomes = field.push(field.volunteer_a1, dossier, tick, consent, resident)
    assert [o["outcome"] for o in outcomes] == ["applied"] * 4
    assert len(outcomes[0]["missing_attachments"]) == 4  # three paper photos and the signature
    again = field.push(field.volunteer_a1, resident, consent, tick, dossier)
    assert [o["outcome"] for o in again] == ["duplicate"] * 4
    assert _count(settings, Resident) == 1
    assert _count(settings, Dossier) == 1
    assert _count(settings, Consent) == 1


def test_a_dossier_is_received_only_when_every_attachment_has_arrived(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(2)
    dossier = phone_a1.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    state = field.client.get(f"/api/dossiers/{dossier['id']}/state", headers=field.volunteer_a1).json()
    assert state["status"] == "incomplete"
    answers = field.upload(field.volunteer_a1, phone_a1)
    assert answers[-1]["dossiers"][0]["status"] == "received"
    assert answers[-1]["dossiers"][0]["missing_attachments"] == []
    again = field.upload(field.volunteer_a1, phone_a1)
    assert {a["outcome"] for a in again} == {"duplicate"}
    (stored,) = rows(settings, select(Dossier))
    assert stored.status == "received"
    assert stored.received_at is not None


def test_same_id_with_other_content_is_a_conflict_and_both_are_kept(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(3)
    field.push(field.volunteer_a1, resident)
    altered = {**resident, "body": {**resident["body"], "full_name": "Tên Khác"}}
    (outcome,) = field.push(field.volunteer_a1, altered)
    assert outcome["outcome"] == "conflict"
    assert outcome["reason"]["code"] == "revision.stale_base"
    assert outcome["server_revision"] == 1
    (stored,) = rows(settings, select(Resident))
    assert stored.full_name == "Nguyễn Thị Lan 3"
    kept = rows(settings, select(RecordRevision.state).order_by(RecordRevision.state))
    assert kept == ["applied", "conflict"]
    # Sending the conflicting record again changes nothing more.
    assert field.push(field.volunteer_a1, altered)[0]["outcome"] == "conflict"
    assert _count(settings, RecordRevision) == 2


def test_an_edit_names_its_base_and_a_stale_base_is_a_conflict(
    field: Field, phone_a1: Phone, phone_a2: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(4)
    field.push(field.volunteer_a1, resident)
    first_edit = phone_a1.edit(resident, phone="0912345678")
    rival_edit = phone_a2.edit(resident, phone="0987654321")
    assert field.push(field.volunteer_a1, first_edit)[0]["outcome"] == "applied"
    rival = field.push(field.volunteer_a2, rival_edit)[0]
    assert rival["outcome"] == "conflict"
    assert rival["server_revision"] == 2
    (stored,) = rows(settings, select(Resident))
    assert stored.phone == "0912345678"


def test_a_child_that_arrives_before_its_parent_is_held_then_applied(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(5)
    dossier = phone_a1.dossier(resident)
    held = field.push(field.volunteer_a1, dossier)[0]
    assert held["outcome"] == "held"
    assert field.push(field.volunteer_a1, dossier)[0]["outcome"] == "held"
    assert _count(settings, Dossier) == 0
    assert field.push(field.volunteer_a1, resident)[0]["outcome"] == "applied"
    assert _count(settings, Dossier) == 1
    holdings = field.client.post(
        "/api/sync/holdings", json={"ids": [dossier["id"], resident["id"]]}, headers=field.volunteer_a1
    ).json()
    assert [h["state"] for h in holdings["holdings"]] == ["applied", "applied"]
    assert field.push(field.volunteer_a1, dossier)[0]["outcome"] == "duplicate"


def test_an_edit_whose_base_has_not_arrived_waits_for_it(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(6)
    second = phone_a1.edit(resident, phone="0912345678")
    third = phone_a1.edit(second, phone="0987654321")
    assert [o["outcome"] for o in field.push(field.volunteer_a1, third, second)] == ["held", "held"]
    assert [o["outcome"] for o in field.push(field.volunteer_a1, resident)] == ["applied"]
    (stored,) = rows(settings, select(Resident))
    assert stored.phone == "0987654321"


def test_one_bad_record_is_refused_with_its_reason_and_the_rest_go_through(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    good = phone_a1.resident(7)
    bad = phone_a1.resident(8, sex="male")
    bad["body"]["personal_id"] = good["body"]["personal_id"][:3] + "1" + good["body"]["personal_id"][4:]
    wrong_form = phone_a1.dossier(good)
    del wrong_form["body"]["form"]["deceased_full_name"]
    outcomes = field.push(field.volunteer_a1, bad, good, wrong_form)
    assert [o["outcome"] for o in outcomes] == ["rejected", "applied", "rejected"]
    assert outcomes[0]["reason"]["fields"][0]["field"] == "personal_id"
    assert outcomes[2]["reason"]["code"] == "declaration.invalid"
    assert [f["field"] for f in outcomes[2]["reason"]["fields"]] == ["form.deceased_full_name"]
    assert _count(settings, RefusedRecord) == 2
    # Fixed on the phone and sent again under the same id: nothing was applied, so it goes in.
    fixed = {**wrong_form, "body": {**wrong_form["body"], "form": phone_a1.dossier(good)["body"]["form"]}}
    assert field.push(field.volunteer_a1, fixed)[0]["outcome"] == "applied"


def test_two_volunteers_register_the_same_person_and_end_with_one_resident(
    field: Field, phone_a1: Phone, phone_a2: Phone, settings: Settings
) -> None:
    first = phone_a1.resident(9, phone="0912345678")
    second = phone_a2.resident(9, needs=["elderly", "interpreter"], interpreter_language="Ê Đê")
    assert first["body"]["personal_id"] == second["body"]["personal_id"]
    dossier_1, dossier_2 = phone_a1.dossier(first), phone_a2.dossier(second)
    field.push(field.volunteer_a1, first, dossier_1)
    outcomes = field.push(field.volunteer_a2, second, dossier_2)
    assert outcomes[0]["outcome"] == "applied"
    assert outcomes[0]["merged_into"] == first["id"]
    assert outcomes[1]["outcome"] == "applied"
    (resident,) = rows(settings, select(Resident))
    # The first resident is not changed by the merge (rule 2): the second body is kept beside it.
    assert resident.phone == "0912345678"
    assert resident.needs == first["body"]["needs"]
    assert resident.interpreter_language is None
    dossiers = rows(settings, select(Dossier.resident_id))
    assert dossiers == [resident.id, resident.id]
    (merge,) = rows(settings, select(ResidentMerge))
    assert str(merge.duplicate_id) == second["id"]
    assert merge.body == second["body"]
    assert field.push(field.volunteer_a2, second)[0] == {
        **outcomes[0],
        "outcome": "duplicate",
        "server_revision": 1,
    }


def test_a_volunteer_cannot_write_outside_their_places(field: Field, settings: Settings) -> None:
    outsider = Phone("BB1", field.village_a)
    (outcome,) = field.push(field.volunteer_b, outsider.resident(10))
    assert outcome["outcome"] == "rejected"
    assert outcome["reason"]["code"] == "scope.outside"
    assert _count(settings, Resident) == 0


def test_ethnicity_is_kept_only_with_its_own_consent(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    without = phone_a1.resident(11, ethnicity="Ê Đê")
    assert field.push(field.volunteer_a1, without)[0]["reason"]["code"] == "ethnicity.no_consent"
    with_consent = phone_a1.resident(12, ethnicity="Ê Đê")
    outcomes = field.push(field.volunteer_a1, with_consent, phone_a1.consent(with_consent, "ethnicity"))
    assert [o["outcome"] for o in outcomes] == ["applied", "applied"]
    (stored,) = rows(settings, select(Resident))
    assert stored.ethnicity == "Ê Đê"


def test_no_password_otp_or_pin_can_be_stored(field: Field, phone_a1: Phone) -> None:
    resident = phone_a1.resident(13)
    tick = phone_a1.checklist(resident, "vneid_level1")
    tick["body"]["otp"] = "123456"
    outcomes = field.push(field.volunteer_a1, resident, tick)
    assert outcomes[1]["outcome"] == "rejected"
    assert outcomes[1]["reason"]["code"] == "record.invalid"


def test_a_batch_too_large_is_refused_with_the_limit(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    limits = field.client.get("/api/sync/limits").json()
    records = [phone_a1.resident(100 + i) for i in range(limits["max_batch_records"] + 1)]
    response = field.client.post("/api/sync/push", json={"records": records}, headers=field.volunteer_a1)
    assert response.status_code == 413
    assert response.json()["code"] == "batch.too_large"
    assert _count(settings, Resident) == 0


def test_a_restored_server_tells_the_phone_what_to_send_again(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    kept, lost = phone_a1.resident(14), phone_a1.resident(15)
    field.push(field.volunteer_a1, kept)
    answer = field.client.post(
        "/api/sync/holdings", json={"ids": [kept["id"], lost["id"]]}, headers=field.volunteer_a1
    ).json()
    assert [h["id"] for h in answer["holdings"]] == [kept["id"]]
    assert answer["missing"] == [lost["id"]]
