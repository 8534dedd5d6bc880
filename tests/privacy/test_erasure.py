"""Erasing a resident on request: gone from every table and from phones, the audit kept,
another resident untouched, another commune's desk told nothing."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from motcua.attachments.storage import attachment_path
from motcua.audit.models import AuditEvent
from motcua.dossiers.models import Dossier, DossierAttachment
from motcua.residents.models import Resident
from motcua.settings import Settings
from tests.conftest import rows
from tests.privacy.conftest import every_row, finish, synced_person
from tests.sync.conftest import Field
from tests.sync.phone import Phone, personal_id


def test_erasure_leaves_no_trace_of_the_person_keeps_the_audit_and_reaches_phones(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    desk_officer_b: dict[str, str],
    settings: Settings,
) -> None:
    lan, lan_dossier = synced_person(field, phone_a1, 3, phone="0912345678")
    lan_photos = set(phone_a1.attachments)
    other, other_dossier = synced_person(field, phone_a1, 7)
    other_photos = set(phone_a1.attachments) - lan_photos
    name, number = lan["body"]["full_name"], lan["body"]["personal_id"]
    # A volunteer of commune B registers the same person: refused, kept in the quarantine.
    copy = phone_a1.record("resident", {**lan["body"], "village_id": str(field.village_b)})
    assert field.push(field.volunteer_b, copy)[0]["reason"]["code"] == "personal_id.check"
    cursor = field.client.get("/api/sync/pull", params={"cursor": "0"}, headers=field.volunteer_a1).json()[
        "cursor"
    ]
    erase = f"/api/residents/{lan['id']}/erase"
    body = {"reason": "Người dân yêu cầu xoá dữ liệu (đơn ngày 5/1)", "confirm": True}

    # Another commune's desk: as if the resident did not exist. A volunteer: not allowed.
    for url in (erase, f"/api/residents/{lan['id']}/export"):
        answer = field.client.request(
            "POST" if url == erase else "GET",
            url,
            json=body if url == erase else None,
            headers=desk_officer_b,
        )
        assert answer.status_code == 404, answer.text
        assert answer.json()["code"] == "resident.not_found"
    assert field.client.post(erase, json=body, headers=field.volunteer_a1).status_code == 403
    unconfirmed = field.client.post(erase, json={"reason": "yêu cầu"}, headers=desk_officer)
    assert unconfirmed.json()["code"] == "erase.confirm_required"
    # An open dossier first has to be finished.
    still_open = field.client.post(erase, json=body, headers=desk_officer)
    assert (still_open.status_code, still_open.json()["code"]) == (409, "resident.open_dossiers")
    assert name in every_row(settings)

    finish(field, desk_officer, lan_dossier["id"])
    erased = field.client.post(erase, json=body, headers=desk_officer)
    assert erased.status_code == 200, erased.text
    assert erased.json()["dossiers_kept"] == 1

    everything = every_row(settings)
    for trace in (name, number, "0912345678", lan["body"]["birth_date"]):
        assert trace not in everything, trace
    for sha in lan_photos:
        assert not attachment_path(settings, sha).exists()
    # The other resident, their dossier and its photos are untouched; nothing doubled.
    people = {str(p.id): p for p in rows(settings, select(Resident))}
    assert {i: p.full_name for i, p in people.items()} == {
        lan["id"]: "Đã xoá",
        other["id"]: other["body"]["full_name"],
    }
    kept_other = people[other["id"]]
    assert (
        kept_other.personal_id
        == personal_id("female", kept_other.birth_date, 7)
        == other["body"]["personal_id"]
    )
    for sha in other_photos:
        assert attachment_path(settings, sha).exists()
    kept = {d.tracking_code: d for d in rows(settings, select(Dossier))}
    assert kept[lan_dossier["body"]["tracking_code"]].form == {}
    assert kept[lan_dossier["body"]["tracking_code"]].status == "rejected"
    assert kept[other_dossier["body"]["tracking_code"]].form == other_dossier["body"]["form"]
    named = rows(
        settings,
        select(DossierAttachment.sha256).where(DossierAttachment.dossier_id == UUID(other_dossier["id"])),
    )
    papers = other_dossier["body"]["papers"]
    assert set(named) == {p for paper in papers for p in paper["photos"]} | {
        other_dossier["body"]["signature_sha256"]
    }

    # The audit trail stays: who read the person before, and the erasure with its reason.
    actions = [
        e.action
        for e in rows(settings, select(AuditEvent).order_by(AuditEvent.created_at))
        if lan["id"] in e.resident_ids
    ]
    assert "sync.pull" in actions
    assert actions[-1] == "privacy.erase"

    # A phone pulling learns the anonymised resident, a revision on, and overwrites its copy.
    changes = field.pull_all(field.volunteer_a1, cursor)
    pulled = next(c for c in changes if c["kind"] == "resident" and c["id"] == lan["id"])
    assert pulled["revision"] == 2
    assert pulled["body"]["full_name"] == "Đã xoá"
    assert pulled["body"]["personal_id"] is None
    assert pulled["body"]["phone"] is None
    # An edit the phone made before it is kept as a conflict, never applied over it.
    stale = phone_a1.edit(lan, full_name=name)
    assert field.push(field.volunteer_a1, stale)[0]["outcome"] == "conflict"
    assert rows(settings, select(Resident.full_name).where(Resident.id == UUID(lan["id"]))) == ["Đã xoá"]
