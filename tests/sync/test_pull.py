"""Pull: a cursor-paginated delta of the user's places, audited, and nothing from elsewhere."""

from __future__ import annotations

from sqlalchemy import select

from motcua.audit.models import AuditEvent
from motcua.catalogue.documents import load_documents
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, rows
from tests.sync.conftest import Field, on_route
from tests.sync.phone import Phone


def test_a_volunteer_pulls_the_residents_of_their_places_page_by_page(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    residents = [phone_a1.resident(i) for i in range(7)]
    field.push(field.volunteer_a1, *residents)
    on_route(settings, COMMUNE_A, [field.village_a], ["0971000002"])  # docs/privacy.md
    colleague = field.pull_all(field.volunteer_a2, limit=3)
    pulled = [c for c in colleague if c["kind"] == "resident"]
    assert [c["id"] for c in pulled] == [r["id"] for r in residents]
    assert pulled[0]["body"]["full_name"] == "Nguyễn Thị Lan 0"
    assert pulled[0]["body"]["personal_id"] == residents[0]["body"]["personal_id"]
    catalogue = [c for c in colleague if c["kind"] == "procedure_version"]
    assert len(catalogue) == len(load_documents())  # every published version of every procedure
    outsider = field.pull_all(field.volunteer_b)
    assert [c for c in outsider if c["kind"] == "resident"] == []
    audits = rows(settings, select(AuditEvent).where(AuditEvent.action == "sync.pull"))
    assert sorted(id_ for event in audits for id_ in event.resident_ids) == sorted(r["id"] for r in residents)


def test_pulling_from_the_last_cursor_gives_only_what_is_new(field: Field, phone_a1: Phone) -> None:
    field.push(field.volunteer_a1, phone_a1.resident(1))
    first = field.client.get("/api/sync/pull", headers=field.volunteer_a1).json()
    assert first["more"] is False
    late = phone_a1.resident(2)
    field.push(field.volunteer_a1, late)
    second = field.client.get(
        "/api/sync/pull", params={"cursor": first["cursor"]}, headers=field.volunteer_a1
    ).json()
    assert [c["id"] for c in second["changes"]] == [late["id"]]
    nothing = field.client.get(
        "/api/sync/pull", params={"cursor": second["cursor"]}, headers=field.volunteer_a1
    )
    assert nothing.json()["changes"] == []
    bad = field.client.get("/api/sync/pull", params={"cursor": "abc"}, headers=field.volunteer_a1)
    assert bad.status_code == 400


def test_a_dossiers_server_state_goes_only_to_its_volunteer(field: Field, phone_a1: Phone) -> None:
    resident = phone_a1.resident(3)
    dossier = phone_a1.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    field.upload(field.volunteer_a1, phone_a1)
    mine = [c for c in field.pull_all(field.volunteer_a1) if c["kind"] == "dossier"]
    assert len(mine) == 1
    assert mine[0]["server"]["status"] == "received"
    assert mine[0]["server"]["tracking_code"] == "AA1-1"
    colleague = [c for c in field.pull_all(field.volunteer_a2) if c["kind"] == "dossier"]
    assert colleague == []


def test_a_merged_registration_is_pulled_as_the_one_resident(
    field: Field, phone_a1: Phone, phone_a2: Phone
) -> None:
    first, second = phone_a1.resident(4), phone_a2.resident(4)
    field.push(field.volunteer_a1, first)
    field.push(field.volunteer_a2, second)
    pulled = {c["id"]: c for c in field.pull_all(field.volunteer_a2) if c["kind"] == "resident"}
    assert pulled[second["id"]]["server"] == {"merged_into": first["id"]}
    assert pulled[second["id"]]["body"] == pulled[first["id"]]["body"]
