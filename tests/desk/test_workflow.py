"""A dossier goes from a phone's sync through every desk state; illegal moves are refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from motcua.changelog.models import Change
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.i18n import VIETNAM_TIME
from motcua.settings import Settings
from tests.conftest import rows
from tests.desk.conftest import moved
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def _synced_dossier(field: Field, phone: Phone) -> str:
    resident = phone.resident(1)
    dossier = phone.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    field.upload(field.volunteer_a1, phone)
    return str(dossier["id"])


def test_a_dossier_walks_every_desk_state_and_each_step_is_kept(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier_id = _synced_dossier(field, phone_a1)
    inbox = field.client.get("/api/desk/dossiers", headers=desk_officer).json()
    assert [item["status"] for item in inbox] == ["received"]
    assert inbox[0]["resident_personal_id"].startswith("********")

    accepted = moved(field, desk_officer, dossier_id, "accepted", portal_code="H66.24235-261121-0001")
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["portal_code"] == "H66.24235-261121-0001"
    assert body["deadline_at"] is not None
    assert body["moves"] == ["in_progress", "needs_supplement", "ready", "rejected", "withdrawn"]

    assert moved(field, desk_officer, dossier_id, "in_progress").status_code == 200
    no_reason = moved(field, desk_officer, dossier_id, "needs_supplement")
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "workflow.reason_required"
    needs = moved(
        field, desk_officer, dossier_id, "needs_supplement", reason="Thiếu bản sao giấy báo tử có chứng thực"
    )
    assert needs.status_code == 200
    assert moved(field, desk_officer, dossier_id, "in_progress").status_code == 200
    assert moved(field, desk_officer, dossier_id, "ready").status_code == 200
    delivered = moved(field, desk_officer, dossier_id, "delivered")
    assert delivered.json()["moves"] == []

    illegal = moved(field, desk_officer, dossier_id, "in_progress")
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "workflow.illegal"
    assert "Đã trả kết quả" in illegal.json()["message_vi"]

    events = rows(settings, select(DossierEvent).order_by(DossierEvent.created_at))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("received", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "needs_supplement"),
        ("needs_supplement", "in_progress"),
        ("in_progress", "ready"),
        ("ready", "delivered"),
    ]
    assert all(e.actor_id is not None for e in events)
    assert events[2].reason == "Thiếu bản sao giấy báo tử có chứng thực"
    (stored,) = rows(settings, select(Dossier))
    assert stored.result_at is not None
    # The volunteer's phone hears of each step through its pull.
    pulled = [c for c in field.pull_all(field.volunteer_a1) if c["kind"] == "dossier"]
    assert pulled[-1]["server"]["status"] == "delivered"
    assert len(rows(settings, select(Change).where(Change.kind == "dossier"))) >= 7


def test_rejection_needs_a_reason_and_ends_the_dossier(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str]
) -> None:
    dossier_id = _synced_dossier(field, phone_a1)
    assert moved(field, desk_officer, dossier_id, "rejected").status_code == 400
    rejected = moved(
        field, desk_officer, dossier_id, "rejected", reason="Người yêu cầu không thuộc địa bàn xã"
    )
    assert rejected.json()["status"] == "rejected"
    assert moved(field, desk_officer, dossier_id, "accepted").status_code == 409


def test_an_incomplete_dossier_cannot_be_accepted(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str]
) -> None:
    resident = phone_a1.resident(2)
    dossier = phone_a1.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    inbox = field.client.get("/api/desk/dossiers", headers=desk_officer).json()
    assert inbox[0]["status"] == "incomplete"
    assert inbox[0]["missing_attachments"] == 4
    assert moved(field, desk_officer, str(dossier["id"]), "accepted").status_code == 409


def test_only_the_desk_of_the_commune_moves_a_dossier(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str]
) -> None:
    dossier_id = _synced_dossier(field, phone_a1)
    assert moved(field, field.volunteer_a1, dossier_id, "accepted").status_code == 403
    assert field.client.get("/api/desk/dossiers", headers=field.volunteer_a1).status_code == 403


def test_the_deadline_counts_the_procedures_working_hours(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str]
) -> None:
    dossier_id = _synced_dossier(field, phone_a1)
    body = moved(field, desk_officer, dossier_id, "accepted").json()
    accepted = datetime.fromisoformat(body["accepted_at"]).astimezone(VIETNAM_TIME)
    due = datetime.fromisoformat(body["deadline_at"]).astimezone(VIETNAM_TIME)
    # Death registration: 2 working hours, so never sooner than 2 hours and never past a week.
    assert (due - accepted).total_seconds() >= 2 * 3600
    assert (due - accepted).days < 7
    assert 7 <= due.hour <= 17
