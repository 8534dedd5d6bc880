"""A returning resident outside the phone's work, asked of the server by ID number or phone
(docs/sync.md §8), and the record reads that stay within the phone's work (docs/privacy.md)."""

from __future__ import annotations

from sqlalchemy import select

from motcua.audit.models import AuditEvent
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, rows
from tests.sync.conftest import Field, on_route
from tests.sync.phone import Phone


def test_versions_and_holdings_stay_within_the_phone_s_work(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    """A colleague of the same commune who knows a record's id reads neither its versions (the
    whole body, ethnicity included) nor what the server holds of it."""
    resident = phone_a1.resident(1, ethnicity="Ê Đê")
    consent, tick = phone_a1.consent(resident, "ethnicity"), phone_a1.checklist(resident)
    assert {o["outcome"] for o in field.push(field.volunteer_a1, resident, consent, tick)} == {"applied"}
    for record in (resident, tick):
        mine = field.client.get(f"/api/sync/records/{record['id']}/versions", headers=field.volunteer_a1)
        assert mine.status_code == 200, mine.text
        other = field.client.get(f"/api/sync/records/{record['id']}/versions", headers=field.volunteer_a2)
        assert other.status_code == 404, other.text
        assert other.json()["code"] == "record.unknown"
    assert mine.json()["versions"][0]["body"]["resident_id"] == resident["id"]
    ids = [resident["id"], tick["id"]]
    held = field.client.post("/api/sync/holdings", json={"ids": ids}, headers=field.volunteer_a1).json()
    assert [h["id"] for h in held["holdings"]] == ids
    told = field.client.post("/api/sync/holdings", json={"ids": ids}, headers=field.volunteer_a2).json()
    assert told == {"holdings": [], "missing": ids}
    # On a route through the village, the colleague reads them as the pull sends them: no
    # ethnicity, no signature (docs/privacy.md); holdings still answers only for one's own.
    on_route(settings, COMMUNE_A, [field.village_a], ["0971000002"])
    for record, hidden in ((resident, "ethnicity"), (consent, "signature_sha256"), (tick, None)):
        seen = field.client.get(f"/api/sync/records/{record['id']}/versions", headers=field.volunteer_a2)
        assert seen.status_code == 200, seen.text
        body = seen.json()["versions"][0]["body"]
        assert set(body) >= set(record["body"])
        if hidden:
            assert body[hidden] is None, hidden
    told = field.client.post("/api/sync/holdings", json={"ids": ids}, headers=field.volunteer_a2).json()
    assert told == {"holdings": [], "missing": ids}


def test_a_returning_resident_is_found_by_whole_id_or_phone_and_keeps_reaching_the_phone(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    """Registered by a colleague, outside the volunteer's work: found by a whole ID number or
    phone only, in the same shape as the pull sends it, without ethnicity, audited; nothing
    for another commune; and its later changes reach the volunteer's next pull."""
    phone = "0912345678"
    resident = phone_a1.resident(7, phone=phone, ethnicity="Ê Đê")
    assert {
        o["outcome"]
        for o in field.push(field.volunteer_a1, resident, phone_a1.consent(resident, "ethnicity"))
    } == {"applied"}
    cursor = "0"
    before = field.client.get("/api/sync/pull", params={"cursor": cursor}, headers=field.volunteer_a2).json()
    assert [c for c in before["changes"] if c["kind"] == "resident"] == []
    cursor = before["cursor"]

    personal_id = resident["body"]["personal_id"]
    spaced = f"{personal_id[:3]} {personal_id[3:6]} {personal_id[6:]}"
    for q in (personal_id, spaced, "+84 912 345 678", phone):
        found = field.client.get("/api/sync/lookup", params={"q": q}, headers=field.volunteer_a2)
        assert found.status_code == 200, found.text
        [change] = found.json()["residents"]
        assert change["kind"] == "resident"
        assert change["id"] == resident["id"]
        assert change["revision"] == 1
        assert change["body"]["full_name"] == resident["body"]["full_name"]
        assert change["body"]["phone"] == phone
        assert change["body"]["ethnicity"] is None  # not the colleague's task (docs/privacy.md)
        assert change["seq"] > 0
    # Exact only: part of a number, a name, or another commune find nothing or are refused.
    for q in (personal_id[:11], phone[:9], "Nguyễn", personal_id + "1", "%", "0" * 41):
        refused = field.client.get("/api/sync/lookup", params={"q": q}, headers=field.volunteer_a2)
        assert refused.status_code == 400, (q, refused.text)
        assert refused.json()["code"] in ("lookup.query", "invalid_request")
        assert refused.json()["message_vi"]
        assert refused.json()["message_en"]
    other = field.client.get("/api/sync/lookup", params={"q": personal_id}, headers=field.volunteer_b)
    assert other.status_code == 200
    assert other.json() == {"residents": []}
    unknown = field.client.get("/api/sync/lookup", params={"q": "0987654321"}, headers=field.volunteer_a2)
    assert unknown.json() == {"residents": []}

    # Every lookup is audited, the misses too (that is how they are counted).
    events = rows(settings, select(AuditEvent.resident_ids).where(AuditEvent.action == "sync.lookup"))
    assert sorted(map(len, events)) == [0, 0, 1, 1, 1, 1]
    assert [resident["id"]] in events

    # The owner edits it: the change reaches the colleague's next pull, still without ethnicity.
    edit = phone_a1.edit(resident, full_name="Nguyễn Thị Lan Bảy")
    assert field.push(field.volunteer_a1, edit)[0]["outcome"] == "applied"
    after = field.client.get("/api/sync/pull", params={"cursor": cursor}, headers=field.volunteer_a2).json()
    [pulled] = [c for c in after["changes"] if c["kind"] == "resident"]
    assert pulled["id"] == resident["id"]
    assert pulled["body"]["full_name"] == "Nguyễn Thị Lan Bảy"
    assert pulled["body"]["ethnicity"] is None
    assert set(pulled["body"]) == set(change["body"])
    # The commune-B volunteer still receives nothing of it.
    assert not any(c["kind"] == "resident" for c in field.pull_all(field.volunteer_b))
