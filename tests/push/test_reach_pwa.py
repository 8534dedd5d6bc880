"""The phone's "call or visit" tasks use the reach API with its bearer token: the list of the
volunteer's own residents, and "Đã báo" posted once, again after a lost answer, never elsewhere."""

from __future__ import annotations

from sqlalchemy import select

from motcua.push.models import ResidentContact
from motcua.settings import Settings
from tests.conftest import rows
from tests.push.conftest import synced_dossier, walk
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def test_a_phone_posts_told_again_without_a_second_record_and_another_commune_learns_nothing(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    walk(field, desk_officer, dossier, "accepted", ("needs_supplement", "Thiếu giấy báo tử"))

    (item,) = field.client.get("/api/reach/mine", headers=field.volunteer_a1).json()
    assert (item["dossier_id"], item["status"], item["reason"]) == (
        dossier.id,
        "needs_supplement",
        "Thiếu giấy báo tử",
    )
    # A volunteer of commune B: no list, and the dossier does not exist for them.
    assert field.client.get("/api/reach/mine", headers=field.volunteer_b).json() == []
    refused = field.client.post(
        f"/api/reach/{dossier.id}/told", json={"method": "call"}, headers=field.volunteer_b
    )
    assert refused.status_code == 404
    assert refused.json()["code"] == "dossier.not_found"
    assert "Nguyễn" not in refused.text

    first = field.client.post(
        f"/api/reach/{dossier.id}/told", json={"method": "call"}, headers=field.volunteer_a1
    )
    assert first.status_code == 201
    # The answer was lost on a village link: the phone's outbox posts the mark again.
    again = field.client.post(
        f"/api/reach/{dossier.id}/told", json={"method": "call"}, headers=field.volunteer_a1
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert len(rows(settings, select(ResidentContact))) == 1
    assert field.client.get("/api/reach/mine", headers=field.volunteer_a1).json() == []

    # New news (the result) is new news to tell: a new record.
    walk(field, desk_officer, dossier, "in_progress", "ready")
    assert [i["status"] for i in field.client.get("/api/reach/mine", headers=field.volunteer_a1).json()] == [
        "ready"
    ]
    told = field.client.post(
        f"/api/reach/{dossier.id}/told", json={"method": "visit"}, headers=field.volunteer_a1
    )
    assert told.status_code == 201
    assert sorted(c.method for c in rows(settings, select(ResidentContact))) == ["call", "visit"]

    bad = field.client.post(
        f"/api/reach/{dossier.id}/told", json={"method": "fax"}, headers=field.volunteer_a1
    )
    assert bad.status_code == 400
    assert bad.json()["fields"][0]["field"] == "method"
