"""Status changes at the desk reach the resident's browser and the volunteer's phone, decrypted,
in order, through a worker and a push service that checks everything a real one checks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from motcua.db.base import utcnow
from motcua.push.models import PushFollow, PushOutbox, PushSubscription
from motcua.push.worker import MAX_ATTEMPTS
from motcua.settings import Settings
from tests.conftest import rows
from tests.push.conftest import (
    cycle,
    drain,
    make_due,
    subscribe,
    subscribe_volunteer,
    synced_dossier,
    walk,
)
from tests.push.fake_push import FakePushService
from tests.sync.conftest import Field
from tests.sync.phone import Phone

EVERY_STEP = (
    "accepted",
    "in_progress",
    ("needs_supplement", "Thiếu bản sao giấy báo tử có chứng thực"),
    "in_progress",
    "ready",
    "delivered",
)


def _outbox(settings: Settings) -> list[PushOutbox]:
    return rows(settings, select(PushOutbox).order_by(PushOutbox.seq))


def test_a_status_change_at_the_desk_reaches_the_push_service_decrypted_within_one_worker_cycle(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    dossier = synced_dossier(field, phone_a1)
    grandmother = push_service.browser("grandmother")
    subscribe(field.client, dossier, grandmother)
    walk(field, desk_officer, dossier, "accepted")

    assert cycle(settings) == 1
    (message,) = grandmother.received
    assert message.status == 201
    assert message.payload["title"].startswith(f"Hồ sơ {dossier.code} · ")
    assert message.payload["body"].startswith("Cán bộ xã đã tiếp nhận hồ sơ của bà.")
    assert "Hẹn trả kết quả" in message.payload["body"]
    assert message.payload["url"] == f"/ho-so/{dossier.code}"
    assert message.headers["ttl"] == "86400"
    assert message.headers["topic"] == dossier.id.replace("-", "")
    assert message.headers["urgency"] == "normal"
    assert push_service.errors == []
    (row,) = _outbox(settings)
    assert (row.state, row.attempts, row.last_status) == ("sent", 1, 201)


def test_every_status_change_arrives_in_order_for_the_resident_and_the_volunteer(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    dossier = synced_dossier(field, phone_a1)
    grandmother, her_son = push_service.browser("grandmother"), push_service.browser("son")
    volunteer = push_service.browser("volunteer-phone")
    subscribe(field.client, dossier, grandmother)
    subscribe(field.client, dossier, her_son, everything=True)
    subscribe_volunteer(field.client, field.volunteer_a1, volunteer)

    # The desk is quicker than the worker: six moves wait in the outbox together.
    walk(field, desk_officer, dossier, *EVERY_STEP)
    assert len(_outbox(settings)) == 18
    assert drain(settings) == 18

    statuses = ["accepted", "in_progress", "needs_supplement", "in_progress", "ready", "delivered"]
    for browser in (grandmother, her_son, volunteer):
        assert [p["status"] for p in browser.payloads()] == statuses, browser.name
        assert {m.headers["topic"] for m in browser.received} == {dossier.id.replace("-", "")}
    urgent = [m.headers["urgency"] for m in grandmother.received]
    assert urgent == ["normal", "normal", "high", "normal", "high", "normal"]
    said = grandmother.payloads()
    assert "Thiếu bản sao giấy báo tử có chứng thực" in said[2]["body"]
    assert said[4]["body"].startswith("Có kết quả, mời bà đến nhận tại Bộ phận một cửa, UBND Xã Buôn Đôn.")
    assert "đánh giá" in said[5]["body"]
    assert said[4]["body_en"].startswith("The result is ready")
    # The volunteer's phone opens the app, and hears which dossier and resident it is about.
    assert volunteer.payloads()[0]["url"] == "/"
    assert volunteer.payloads()[0]["dossier_id"] == dossier.id
    assert all(m.size <= 4096 for m in push_service.received)
    assert push_service.errors == []
    assert {row.state for row in _outbox(settings)} == {"sent"}


def test_a_resident_without_a_subscription_is_flagged_to_the_volunteer(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    dossier = synced_dossier(field, phone_a1)
    volunteer = push_service.browser("volunteer-phone")
    subscribe_volunteer(field.client, field.volunteer_a1, volunteer)
    walk(field, desk_officer, dossier, "accepted", "ready")
    drain(settings)
    accepted, ready = volunteer.payloads()
    assert "gọi hoặc đến báo" not in accepted["body"]
    assert "Người dân chưa nhận thông báo: hãy gọi hoặc đến báo cho bà." in ready["body"]


def test_failures_are_retried_with_backoff_and_a_later_status_waits_its_turn(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    dossier = synced_dossier(field, phone_a1)
    grandmother = push_service.browser("grandmother")
    subscribe(field.client, dossier, grandmother)
    push_service.answer(grandmother, 429, 500, 503, retry_after="120")
    walk(field, desk_officer, dossier, "accepted", "in_progress")

    assert cycle(settings) == 1  # only "accepted": "in_progress" waits behind it
    first, second = _outbox(settings)
    assert (first.state, first.attempts, first.last_status) == ("pending", 1, 429)
    assert (second.state, second.attempts) == ("pending", 0)
    assert first.next_attempt_at > utcnow() + timedelta(seconds=100)  # Retry-After: 120

    assert cycle(settings) == 0  # nothing is due before the backoff is over
    make_due(settings)
    assert cycle(settings) == 1
    first, _ = _outbox(settings)
    assert (first.state, first.attempts, first.last_status) == ("pending", 2, 500)
    make_due(settings)
    assert cycle(settings) == 1
    make_due(settings)
    assert drain(settings) == 2

    assert [m.status for m in grandmother.received] == [429, 500, 503, 201, 201]
    assert [p["status"] for p in grandmother.payloads()] == ["accepted", "in_progress"]
    assert [(row.state, row.attempts) for row in _outbox(settings)] == [("sent", 4), ("sent", 1)]


def test_retries_stop_after_the_last_attempt(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    dossier = synced_dossier(field, phone_a1)
    grandmother = push_service.browser("grandmother")
    subscribe(field.client, dossier, grandmother)
    push_service.answer(grandmother, *[500] * 20)
    walk(field, desk_officer, dossier, "accepted")

    waits = []
    for _ in range(MAX_ATTEMPTS + 2):
        cycle(settings)
        (row,) = _outbox(settings)
        if row.state == "pending":
            waits.append((row.next_attempt_at - utcnow()).total_seconds())
        make_due(settings)
    (row,) = _outbox(settings)
    assert (row.state, row.attempts, row.last_status) == ("failed", MAX_ATTEMPTS, 500)
    assert len(grandmother.received) == MAX_ATTEMPTS
    # Exponential with jitter: after the n-th failure, between half of and all of 2^(n-1) s.
    assert len(waits) == MAX_ATTEMPTS - 1
    for failures, wait in enumerate(waits, start=1):
        ceiling = 2.0 ** (failures - 1)
        assert ceiling / 2 - 1 <= wait <= ceiling + 0.1, (failures, wait)
    assert rows(settings, select(PushSubscription)), "a failing service does not lose the subscription"


def test_a_network_error_is_retried(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    with FakePushService() as gone_away:
        browser = gone_away.browser("grandmother")
        subscribe(field.client, dossier, browser)
    # The push service is down: nothing listens on its port any more.
    walk(field, desk_officer, dossier, "accepted")
    cycle(settings)
    (row,) = _outbox(settings)
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, None)
    assert "ConnectError" in row.last_error


def test_a_subscription_answering_410_is_removed_and_not_used_again(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    dossier = synced_dossier(field, phone_a1)
    old_phone, new_phone = push_service.browser("old-phone"), push_service.browser("new-phone")
    subscribe(field.client, dossier, old_phone)
    subscribe(field.client, dossier, new_phone)
    push_service.answer(old_phone, 410)
    walk(field, desk_officer, dossier, "accepted", "in_progress")

    drain(settings)
    assert [p["status"] for p in new_phone.payloads()] == ["accepted", "in_progress"]
    assert [m.status for m in old_phone.received] == [410]
    endpoints = [s.endpoint for s in rows(settings, select(PushSubscription))]
    assert endpoints == [new_phone.endpoint]
    assert len(rows(settings, select(PushFollow))) == 1
    states = sorted((row.state, row.subscription_id is None) for row in _outbox(settings))
    assert states == [("gone", True), ("gone", True), ("sent", False), ("sent", False)]

    walk(field, desk_officer, dossier, "ready")
    drain(settings)
    assert len(old_phone.received) == 1
    assert [p["status"] for p in new_phone.payloads()][-1] == "ready"


def test_a_subscription_the_push_service_does_not_know_is_removed(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    dossier = synced_dossier(field, phone_a1)
    stranger = push_service.browser("forgotten")
    subscribe(field.client, dossier, stranger)
    del push_service.browsers["forgotten"]  # the service answers 404 for it now
    walk(field, desk_officer, dossier, "accepted")
    drain(settings)
    assert rows(settings, select(PushSubscription)) == []
    assert [(row.state, row.last_status) for row in _outbox(settings)] == [("gone", 404)]
