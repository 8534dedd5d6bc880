"""The desk's inbox search, filters and pages; confirming the moves that end a dossier; undoing
the latest move within minutes. An officer of commune B sees and undoes nothing of commune A."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select, update

from motcua.changelog.models import Change
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, add_user, bearer, execute, rows
from tests.desk.conftest import moved
from tests.desk.test_pages import _csrf, _sign_in
from tests.sync.conftest import Field
from tests.sync.phone import Phone

NAMES = ("Nguyễn Thị Lan", "Hoàng Văn Đức", "Trần Thị Mỹ")


def _three(field: Field, phone: Phone) -> list[dict[str, Any]]:
    """Three complete dossiers of three residents; their (resident, dossier) records."""
    synced = []
    for serial, name in enumerate(NAMES, start=1):
        resident = phone.resident(serial, name=name)
        dossier = phone.dossier(resident)
        field.push(field.volunteer_a1, resident, dossier)
        synced.append({"resident": resident, "dossier": dossier})
    field.upload(field.volunteer_a1, phone)
    return synced


def _codes(field: Field, headers: dict[str, str], **query: Any) -> list[str]:
    answer = field.client.get("/api/desk/dossiers", params=query, headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["tracking_code"] for item in answer.json()]


def _undo(field: Field, headers: dict[str, str], dossier_id: str) -> Any:
    return field.client.post(f"/api/desk/dossiers/{dossier_id}/undo", headers=headers)


@pytest.fixture
def desk_b(field: Field, settings: Settings) -> dict[str, str]:
    add_user(settings, "0961000009", "desk_officer", (COMMUNE_B,), name="Cán Bộ Xã B")
    return bearer(field.client, "0961000009")


def test_the_inbox_finds_by_code_name_without_accents_and_id_digits(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], desk_b: dict[str, str]
) -> None:
    synced = _three(field, phone_a1)
    assert _codes(field, desk_officer) == ["AA1-1", "AA1-2", "AA1-3"]
    assert _codes(field, desk_officer, q="duc") == ["AA1-2"]  # "Đức" without its marks
    assert _codes(field, desk_officer, q="TRẦN THỊ") == ["AA1-3"]
    assert _codes(field, desk_officer, q="aa1-1") == ["AA1-1"]
    last_digits = synced[2]["resident"]["body"]["personal_id"][-5:]
    assert _codes(field, desk_officer, q=last_digits) == ["AA1-3"]
    assert _codes(field, desk_officer, q="không có ai") == []
    # The desk of commune B finds none of them, by any search.
    assert _codes(field, desk_b) == []
    assert _codes(field, desk_b, q="duc") == []


def test_filters_and_pages_keep_each_other(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    synced = _three(field, phone_a1)
    first = str(synced[0]["dossier"]["id"])
    assert moved(field, desk_officer, first, "accepted").status_code == 200
    assert _codes(field, desk_officer, status="accepted") == ["AA1-1"]
    assert _codes(field, desk_officer, status="received") == ["AA1-2", "AA1-3"]
    assert _codes(field, desk_officer, procedure="dang-ky-khai-tu") == ["AA1-2", "AA1-3", "AA1-1"]
    assert _codes(field, desk_officer, procedure="cap-ho-chieu-pho-thong") == []
    assert _codes(field, desk_officer, overdue="true") == []
    execute(
        settings,
        update(Dossier)
        .where(Dossier.id == UUID(first))
        .values(deadline_at=datetime.now(UTC) - timedelta(hours=1)),
    )
    assert _codes(field, desk_officer, overdue="true") == ["AA1-1"]
    volunteer = field.client.get("/api/me", headers=field.volunteer_a1).json()["id"]
    assert len(_codes(field, desk_officer, volunteer=volunteer)) == 3

    monkeypatch.setattr("motcua.desk.service.PAGE_SIZE", 2)
    assert _codes(field, desk_officer, status="received", page=1) == ["AA1-2", "AA1-3"]
    assert _codes(field, desk_officer, page=2) == ["AA1-1"]
    # The page's links carry the filters on.
    _sign_in(field.client, "0961000001")
    page = field.client.get("/desk", params={"q": "thi"}).text
    assert "Trang 1 / 1" not in page  # "thị" matches two: one page
    everything = field.client.get("/desk").text
    assert 'href="/desk?page=2"' in everything
    searched = field.client.get("/desk", params={"q": "n", "overdue": "1"}).text
    assert "AA1-1" in searched
    assert "AA1-2" not in searched
    waiting = field.client.get("/desk", params={"status": "received"}).text
    assert re.search(r"Chờ tiếp nhận (từ hôm nay|\d+ ngày)", waiting)
    assert "Đăng ký khai tử Death registration" not in everything  # one language at a time
    field.client.cookies.set("lang", "en")
    english = field.client.get("/desk").text
    field.client.cookies.delete("lang")
    assert "Death registration" in english
    assert "Đăng ký khai tử" not in english


def test_a_supplement_that_arrived_is_flagged_and_comes_first(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    synced = _three(field, phone_a1)
    last = str(synced[2]["dossier"]["id"])
    for step in ("accepted", "in_progress"):
        assert moved(field, desk_officer, last, step).status_code == 200
    assert moved(field, desk_officer, last, "needs_supplement", reason="Ảnh mờ").status_code == 200
    assert _codes(field, desk_officer)[0] == "AA1-1"
    sent = datetime.now(UTC)
    execute(settings, update(Dossier).where(Dossier.id == UUID(last)).values(supplement_sent_at=sent))
    items = field.client.get("/api/desk/dossiers", headers=desk_officer).json()
    assert items[0]["tracking_code"] == "AA1-3"
    assert items[0]["supplemented"] is True
    _sign_in(field.client, "0961000001")
    assert "Đã bổ sung" in field.client.get("/desk").text
    page = field.client.get(f"/desk/dossiers/{last}").text
    assert "Yêu cầu bổ sung:" in page
    assert "Điện thoại gửi bổ sung:" in page


def test_a_move_that_ends_a_dossier_needs_a_confirmation_by_api_and_by_form(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier_id = str(_three(field, phone_a1)[0]["dossier"]["id"])
    unconfirmed = moved(field, desk_officer, dossier_id, "rejected", reason="Không thuộc xã", confirm=False)
    assert unconfirmed.status_code == 400
    body = unconfirmed.json()
    assert body["code"] == "workflow.confirm_required"
    assert "Từ chối" in body["message_vi"]  # the catalogue's name
    assert [f["field"] for f in body["fields"]] == ["confirm"]
    assert rows(settings, select(DossierEvent)) == []

    _sign_in(field.client, "0961000001")
    page = field.client.get(f"/desk/dossiers/{dossier_id}").text
    assert page.index('id="papers"') < page.index('id="next-step"')  # the dossier first
    assert 'id="move-rejected"' in page
    assert "novalidate" in page
    form = field.client.post(
        f"/desk/dossiers/{dossier_id}/move",
        data={"to": "withdrawn", "reason": "", "_csrf_token": _csrf(page)},
    )
    assert form.status_code == 400
    assert 'id="withdrawn-reason-error"' in form.text  # next to the field, not a browser bubble
    form = field.client.post(
        f"/desk/dossiers/{dossier_id}/move",
        data={"to": "withdrawn", "reason": "Người dân xin rút", "_csrf_token": _csrf(page)},
    )
    assert form.status_code == 400
    assert 'id="withdrawn-confirm-error"' in form.text
    assert "Người dân xin rút" in form.text  # what was typed is kept
    done = field.client.post(
        f"/desk/dossiers/{dossier_id}/move",
        data={"to": "withdrawn", "reason": "Người dân xin rút", "confirm": "1", "_csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert [e.to_status for e in rows(settings, select(DossierEvent))] == ["withdrawn"]


def test_the_officer_undoes_the_latest_move_within_minutes(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    desk_b: dict[str, str],
    settings: Settings,
) -> None:
    dossier_id = str(_three(field, phone_a1)[0]["dossier"]["id"])
    accepted = moved(field, desk_officer, dossier_id, "accepted", portal_code="H66-1")
    assert accepted.json()["undo_until"] is not None
    changes_before = len(rows(settings, select(Change).where(Change.record_id == dossier_id)))

    # Commune B's officer learns nothing; a colleague of commune A may not undo another's move.
    assert _undo(field, desk_b, dossier_id).status_code == 404
    add_user(settings, "0961000002", "desk_officer", (COMMUNE_A,), name="Cán Bộ Khác")
    colleague = _undo(field, bearer(field.client, "0961000002"), dossier_id)
    assert colleague.status_code == 409
    assert colleague.json()["code"] == "undo.not_yours"

    undone = _undo(field, desk_officer, dossier_id)
    assert undone.status_code == 200, undone.text
    assert undone.json()["status"] == "received"
    assert undone.json()["resident_notified"] is False
    (dossier,) = rows(settings, select(Dossier).where(Dossier.id == UUID(dossier_id)))
    assert (dossier.status, dossier.accepted_at, dossier.deadline_at, dossier.portal_code) == (
        "received",
        None,
        None,
        None,
    )
    events = rows(settings, select(DossierEvent).order_by(DossierEvent.created_at))
    assert [(e.from_status, e.to_status, e.reason) for e in events] == [
        ("received", "accepted", ""),
        ("accepted", "received", "undo"),
    ]
    assert len(rows(settings, select(Change).where(Change.record_id == dossier_id))) == changes_before + 1
    pulled = [c for c in field.pull_all(field.volunteer_a1) if c["kind"] == "dossier"]
    assert pulled[-1]["server"]["status"] == "received"
    again = _undo(field, desk_officer, dossier_id)  # an undo is not undone
    assert again.status_code == 409
    assert again.json()["code"] == "undo.nothing"

    # After the window: refused.
    assert moved(field, desk_officer, dossier_id, "accepted").status_code == 200
    eleven_minutes_ago = datetime.now(UTC) - timedelta(minutes=11)
    execute(settings, update(DossierEvent).values(created_at=eleven_minutes_ago))
    late = _undo(field, desk_officer, dossier_id)
    assert late.status_code == 409
    assert late.json()["code"] == "undo.expired"
    assert set(late.json()) >= {"code", "message_vi", "message_en", "fields"}


def test_an_undo_is_refused_once_the_phone_sent_a_new_revision(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    record = _three(field, phone_a1)[0]["dossier"]
    dossier_id = str(record["id"])
    for step in ("accepted", "in_progress"):
        assert moved(field, desk_officer, dossier_id, step).status_code == 200
    assert moved(field, desk_officer, dossier_id, "needs_supplement", reason="Ảnh mờ").status_code == 200
    revised = phone_a1.record("dossier", record["body"], UUID(dossier_id), revision=2)
    (outcome,) = field.push(field.volunteer_a1, revised)
    assert outcome["outcome"] == "applied", outcome
    refused = _undo(field, desk_officer, dossier_id)
    assert refused.status_code == 409
    assert refused.json()["code"] == "undo.changed"


def test_the_dossier_page_offers_the_undo_and_takes_it(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier_id = str(_three(field, phone_a1)[0]["dossier"]["id"])
    _sign_in(field.client, "0961000001")
    page = field.client.get(f"/desk/dossiers/{dossier_id}").text
    assert "Hoàn tác" not in page
    field.client.post(
        f"/desk/dossiers/{dossier_id}/move",
        data={"to": "accepted", "_csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    page = field.client.get(f"/desk/dossiers/{dossier_id}").text
    assert re.search(r"Có thể hoàn tác trong (10|9) phút nữa", page)
    taken = field.client.post(
        f"/desk/dossiers/{dossier_id}/undo", data={"_csrf_token": _csrf(page)}, follow_redirects=False
    )
    assert taken.status_code == 303
    after = field.client.get(taken.headers["location"]).text
    assert "Đã hoàn tác bước vừa rồi." in after
    refused = field.client.post(f"/desk/dossiers/{dossier_id}/undo", data={"_csrf_token": _csrf(after)})
    assert refused.status_code == 409
    assert 'data-code="undo.nothing"' in refused.text
