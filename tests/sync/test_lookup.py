"""A returning resident outside the phone's work, asked of the server by ID number or phone
(docs/sync.md §8), and the record reads that stay within the phone's work (docs/privacy.md)."""

from __future__ import annotations

from motcua.settings import Settings
from tests.conftest import COMMUNE_A
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
