"""Every write is judged where the record lives now, and bad text refuses one record only.

Users of two communes (A and B, tests/conftest.py) probe docs/sync.md §2 "Who may write
what", the same person registered twice, consent-gated fields, attachments that belong to
places, "Text in every record" and the quarantine. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any
from uuid import UUID

from sqlalchemy import select

from motcua.dossiers.models import Dossier
from motcua.records.models import RefusedRecord
from motcua.residents.models import ChecklistStep, Consent, Resident, ResidentMerge
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, add_user, rows
from tests.desk.test_pages import _sign_in
from tests.sync.conftest import Field
from tests.sync.phone import Phone

EXCERPT_BYTES = 4 * 1024


def _resident(settings: Settings, record_id: str) -> Resident:
    found: list[Resident] = rows(settings, select(Resident).where(Resident.id == UUID(record_id)))
    (resident,) = found
    return resident


def _person(resident: Resident) -> tuple[Any, ...]:
    return (
        resident.village_id,
        resident.commune_code,
        resident.full_name,
        resident.birth_date,
        resident.sex,
        resident.personal_id,
        resident.phone,
        list(resident.needs),
        resident.interpreter_language,
        resident.ethnicity,
    )


def _refused(outcome: dict[str, Any], code: str) -> None:
    assert outcome["outcome"] == "rejected", outcome
    assert outcome["reason"]["code"] == code, outcome


def _field_codes(outcome: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["field"], f["code"]) for f in outcome["reason"].get("fields") or []}


# --- D7: scope on every write ---


def test_a_volunteer_of_b_can_neither_edit_an_a_resident_nor_move_one_into_b(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(1)
    field.push(field.volunteer_a1, resident)
    before = _person(_resident(settings, resident["id"]))
    phone_b = Phone("BB1", field.village_b)
    moved = phone_b.edit(resident, village_id=str(field.village_b), full_name="Tên Do Xã B Đặt")
    renamed = phone_b.edit(resident, full_name="Tên Do Xã B Đặt")
    for edit in (moved, renamed):
        _refused(field.push(field.volunteer_b, edit)[0], "scope.outside")
    assert _person(_resident(settings, resident["id"])) == before
    # A's own volunteer may still edit it: revision 2 was never taken.
    assert (
        field.push(field.volunteer_a1, phone_a1.edit(resident, phone="0912345678"))[0]["outcome"] == "applied"
    )


def test_a_volunteer_only_of_a_cannot_move_a_resident_into_b(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(2)
    field.push(field.volunteer_a1, resident)
    moved = phone_a1.edit(resident, village_id=str(field.village_b))
    _refused(field.push(field.volunteer_a1, moved)[0], "scope.outside")
    assert _resident(settings, resident["id"]).commune_code == COMMUNE_A


def test_an_a_dossier_edited_from_b_is_refused_and_stays_in_a(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(3)
    dossier = phone_a1.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    phone_b = Phone("BB2", field.village_b)
    resident_b = phone_b.resident(4)
    taken = phone_b.edit(dossier, resident_id=resident_b["id"])
    in_place = phone_b.edit(dossier, receipt_secret_hash="0" * 64)
    outcomes = field.push(field.volunteer_b, resident_b, taken, in_place)
    assert outcomes[0]["outcome"] == "applied"
    for outcome in outcomes[1:]:
        _refused(outcome, "scope.outside")
        assert "missing_attachments" not in outcome
    (stored,) = rows(settings, select(Dossier))
    assert (str(stored.resident_id), stored.commune_code) == (resident["id"], COMMUNE_A)
    assert stored.receipt_secret_hash == dossier["body"]["receipt_secret_hash"]
    assert rows(settings, select(Dossier.tracking_code)) == [dossier["body"]["tracking_code"]]


def test_consents_ticks_and_dossiers_for_a_resident_outside_the_senders_places_are_refused(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(5)
    field.push(field.volunteer_a1, resident)
    phone_b = Phone("BB3", field.village_b)
    records = [phone_b.consent(resident), phone_b.checklist(resident), phone_b.dossier(resident)]
    for outcome in field.push(field.volunteer_b, *records):
        _refused(outcome, "scope.outside")
    assert rows(settings, select(Consent.id)) == []
    assert rows(settings, select(ChecklistStep.id)) == []
    assert rows(settings, select(Dossier.id)) == []


# --- D4: the same person registered twice ---


def test_an_id_number_held_in_another_commune_is_refused_without_revealing_the_person(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    first = phone_a1.resident(6, phone="0912345678")
    field.push(field.volunteer_a1, first)
    before = _person(_resident(settings, first["id"]))
    phone_b = Phone("BB4", field.village_b)
    second = phone_b.resident(6, needs=["elderly", "interpreter"], interpreter_language="Ê Đê")
    assert second["body"]["personal_id"] == first["body"]["personal_id"]
    answer = field.client.post("/api/sync/push", json={"records": [second]}, headers=field.volunteer_b)
    assert answer.status_code == 200, answer.text
    (outcome,) = answer.json()["outcomes"]
    _refused(outcome, "personal_id.check")
    assert "merged_into" not in outcome
    for secret in (first["id"], str(field.village_a), str(COMMUNE_A), "Buôn Trí A", "Buôn Đôn"):
        assert secret not in answer.text
    assert _person(_resident(settings, first["id"])) == before
    assert rows(settings, select(ResidentMerge.id)) == []
    assert len(rows(settings, select(Resident.id))) == 1


def test_a_merge_inside_the_senders_places_keeps_the_first_resident_as_it_was(
    field: Field, phone_a1: Phone, phone_a2: Phone, settings: Settings
) -> None:
    first = phone_a1.resident(7)
    field.push(field.volunteer_a1, first)
    before = _person(_resident(settings, first["id"]))
    second = phone_a2.resident(
        7, phone="0987654321", needs=["elderly", "interpreter"], interpreter_language="Ê Đê"
    )
    (outcome,) = field.push(field.volunteer_a2, second)
    assert (outcome["outcome"], outcome["merged_into"]) == ("applied", first["id"])
    assert _person(_resident(settings, first["id"])) == before  # rule 2: nothing overwritten
    (merge,) = rows(settings, select(ResidentMerge))
    assert (str(merge.duplicate_id), merge.body) == (second["id"], second["body"])
    changes = field.pull_all(field.volunteer_a1)
    residents = [c for c in changes if c["kind"] == "resident" and c["id"] == first["id"]]
    assert residents[-1]["revision"] == 1


# --- D8: only applied consents admit ethnicity ---


def test_ethnicity_with_a_refused_consent_in_the_same_batch_is_refused(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(8, ethnicity="Ê Đê")
    consent = phone_a1.consent(resident, "ethnicity")
    consent["body"]["signature_sha256"] = None  # a signature without its image: refused
    outcomes = field.push(field.volunteer_a1, resident, consent)
    _refused(outcomes[0], "ethnicity.no_consent")
    assert outcomes[1]["outcome"] == "rejected"
    assert rows(settings, select(Resident.ethnicity)) == []


# --- D9: a stored file belongs to the places that uploaded it ---


def test_a_b_dossier_naming_a_photo_uploaded_in_a_waits_for_bs_own_upload(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident_a = phone_a1.resident(9)
    dossier_a = phone_a1.dossier(resident_a)
    field.push(field.volunteer_a1, resident_a, dossier_a)
    field.upload(field.volunteer_a1, phone_a1)
    borrowed = dossier_a["body"]["papers"][0]["photos"][0]
    borrowed_bytes = phone_a1.attachments[borrowed]

    phone_b = Phone("BB5", field.village_b)
    resident_b = phone_b.resident(10)
    dossier_b = phone_b.dossier(resident_b)
    dossier_b["body"]["papers"][0]["photos"] = [borrowed]
    own = {p for paper in dossier_b["body"]["papers"] for p in paper["photos"]}
    own = (own | {dossier_b["body"]["signature_sha256"]}) - {borrowed}
    outcomes = field.push(field.volunteer_b, resident_b, dossier_b)
    assert outcomes[1]["outcome"] == "applied"
    assert sorted(outcomes[1]["missing_attachments"]) == sorted(own | {borrowed})
    for digest in own:
        answer = field.client.put(
            f"/api/attachments/{digest}", content=phone_b.attachments[digest], headers=field.volunteer_b
        )
        assert answer.status_code == 200, answer.text
    state = field.client.get(f"/api/dossiers/{dossier_b['id']}/state", headers=field.volunteer_b).json()
    assert (state["status"], state["missing_attachments"]) == ("incomplete", [borrowed])

    add_user(settings, "0961000005", "desk_officer", (COMMUNE_B,))
    _sign_in(field.client, "0961000005")
    url = f"/desk/dossiers/{dossier_b['id']}/files/{borrowed}"
    assert field.client.get(url).status_code == 404

    uploaded = field.client.put(
        f"/api/attachments/{borrowed}", content=borrowed_bytes, headers=field.volunteer_b
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["outcome"] == "stored"
    progress = {d["id"]: d for d in uploaded.json()["dossiers"]}
    assert progress[dossier_b["id"]]["status"] == "received"
    assert progress[dossier_b["id"]]["missing_attachments"] == []
    image = field.client.get(url)
    assert image.status_code == 200
    assert image.content == borrowed_bytes
    assert {str(d.id): d.status for d in rows(settings, select(Dossier))} == {
        dossier_a["id"]: "received",
        dossier_b["id"]: "received",
    }


# --- D10: text ---


def test_a_control_character_refuses_that_record_only_and_the_rest_is_applied(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    good = phone_a1.resident(11)
    nul_name = phone_a1.resident(12)
    nul_name["body"]["full_name"] = "Nguyễn Thị\x00 Lan"
    escape_name = phone_a1.resident(13)
    escape_name["body"]["full_name"] = "Y Sol\x1b[31m Ksor"
    nul_note = phone_a1.checklist(good, "vneid_level1")
    nul_note["body"] |= {"state": "follow_up", "note": "Hẹn công an\x00 xã"}
    nul_wording = phone_a1.consent(good)
    nul_wording["body"]["wording_vi"] += "\x00"
    fine_note = phone_a1.checklist(good, "vneid_level2")
    fine_note["body"] |= {"state": "follow_up", "note": "Hẹn công an xã\tsáng thứ Ba\nmang căn cước"}
    fine_consent = phone_a1.consent(good, "contact_by_phone")
    batch = [nul_name, good, escape_name, nul_note, nul_wording, fine_note, fine_consent]
    outcomes = field.push(field.volunteer_a1, *batch)
    refused = ["rejected"] * 3
    assert [o["outcome"] for o in outcomes] == ["rejected", "applied", *refused, "applied", "applied"]
    for index, name in ((0, "full_name"), (2, "full_name"), (3, "note"), (4, "wording_vi")):
        assert outcomes[index]["reason"]["code"] == "record.invalid"
        assert (name, "text.control_character") in _field_codes(outcomes[index])
    assert [str(r) for r in rows(settings, select(Resident.id))] == [good["id"]]
    assert rows(settings, select(ChecklistStep.note)) == [fine_note["body"]["note"]]
    assert [str(c) for c in rows(settings, select(Consent.id))] == [fine_consent["id"]]


def test_names_are_normalised_and_what_cannot_be_a_name_is_refused(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    decomposed = phone_a1.resident(14)
    decomposed["body"]["full_name"] = "  " + unicodedata.normalize("NFD", "Nguyễn   Thị Ánh") + "   "
    blank = phone_a1.resident(15)
    blank["body"]["full_name"] = "   "
    bidi = phone_a1.resident(16)
    bidi["body"]["full_name"] = "Lê Văn \u202eTám"
    isolate = phone_a1.resident(17)
    isolate["body"]["full_name"] = "\u2067Hoàng Thị Hoa\u2069"
    outcomes = field.push(field.volunteer_a1, decomposed, blank, bidi, isolate)
    assert [o["outcome"] for o in outcomes] == ["applied", "rejected", "rejected", "rejected"]
    for outcome in outcomes[1:]:
        assert outcome["reason"]["code"] == "record.invalid"
        assert "full_name" in {name for name, _ in _field_codes(outcome)}
    stored = _resident(settings, decomposed["id"]).full_name
    assert stored == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", stored)


def test_id_numbers_typed_in_groups_and_phones_written_every_way_are_stored_plainly(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    grouped = phone_a1.resident(18, sex="male", birth_date="1995-05-05")
    grouped["body"]["personal_id"] = "001 095 012 345"
    phones = {"+84 912 345 678": 19, "84912345679": 20, "091.234.5680": 21, "0912 345 681": 22}
    written = {number: phone_a1.resident(serial, phone=number) for number, serial in phones.items()}
    outcomes = field.push(field.volunteer_a1, grouped, *written.values())
    assert {o["outcome"] for o in outcomes} == {"applied"}, outcomes
    assert _resident(settings, grouped["id"]).personal_id == "001095012345"
    stored = {number: _resident(settings, record["id"]).phone for number, record in written.items()}
    assert stored == {
        "+84 912 345 678": "0912345678",
        "84912345679": "0912345679",
        "091.234.5680": "0912345680",
        "0912 345 681": "0912345681",
    }
    # The same person typed without spaces is the same person: merged, not a second resident.
    again = phone_a1.resident(23, sex="male", birth_date="1995-05-05")
    again["body"]["personal_id"] = "001095012345"
    (merged,) = field.push(field.volunteer_a1, again)
    assert merged.get("merged_into") == grouped["id"]


# --- D11: the quarantine keeps a bounded excerpt ---


def _stored_size(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, dict | list):
        return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    return len(str(value))


def test_a_huge_refused_record_is_quarantined_as_its_reason_and_a_bounded_excerpt(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(24)
    huge = phone_a1.checklist(resident, "vneid_level2")
    huge["body"] |= {"state": "follow_up", "note": "Hen cong an xa sang thu Ba. " * 75_000}  # ~2 MB
    size = len(json.dumps({"records": [resident, huge]}).encode())
    assert 2_000_000 < size < 10_000_000  # under the request size limit, so the server reads it
    outcomes = field.push(field.volunteer_a1, resident, huge)  # a 413 would fail here
    assert [o["outcome"] for o in outcomes] == ["applied", "rejected"]
    assert len(json.dumps(outcomes[1]).encode()) < EXCERPT_BYTES  # the answer does not echo it
    (row,) = rows(settings, select(RefusedRecord))
    assert str(row.record_id) == huge["id"]
    assert row.reason["code"] == outcomes[1]["reason"]["code"]
    sizes = {
        column.key: _stored_size(getattr(row, column.key)) for column in RefusedRecord.__mapper__.column_attrs
    }
    kept = {key: size for key, size in sizes.items() if key != "reason"}
    assert max(kept.values()) <= EXCERPT_BYTES + 64, kept  # an excerpt, not the 2 MB body
    assert sum(sizes.values()) <= 3 * EXCERPT_BYTES, sizes
