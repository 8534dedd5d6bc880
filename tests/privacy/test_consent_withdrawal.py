"""Withdrawing one consent purpose takes away what depended on it, and phones hear of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select

from motcua.push.models import PushFollow, PushSubscription
from motcua.residents.models import Resident
from motcua.settings import Settings
from tests.conftest import in_db, rows
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def _withdraw(phone: Phone, resident: dict[str, Any], purpose: str) -> dict[str, Any]:
    body = {"resident_id": resident["id"], "purpose": purpose, "wording_vi": "Tôi rút lại sự đồng ý này.",
            "given": False, "method": "tick"}  # fmt: skip
    return phone.record("consent", body)


def test_withdrawals_clear_ethnicity_phone_and_push_and_a_withdrawn_phone_stays_out(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(21, phone="0912345678", ethnicity="Ê Đê")
    given = [phone_a1.consent(resident, p) for p in ("ethnicity", "contact_by_phone", "push_notifications")]
    assert {o["outcome"] for o in field.push(field.volunteer_a1, resident, *given)} == {"applied"}

    async def subscribe(db: Any) -> None:
        subscription = PushSubscription(
            endpoint="https://push.example/1", endpoint_hash="a" * 64, p256dh="k", auth="a"
        )
        db.add(subscription)
        await db.flush()
        db.add(PushFollow(subscription_id=subscription.id, resident_id=UUID(resident["id"])))

    in_db(settings, subscribe)
    cursor = field.client.get("/api/sync/pull", params={"cursor": "0"}, headers=field.volunteer_a1).json()[
        "cursor"
    ]

    phone_a1.written_at += timedelta(minutes=5)
    withdrawals = [
        _withdraw(phone_a1, resident, p) for p in ("ethnicity", "contact_by_phone", "push_notifications")
    ]
    assert {o["outcome"] for o in field.push(field.volunteer_a1, *withdrawals)} == {"applied"}

    [stored] = rows(settings, select(Resident))
    assert (stored.ethnicity, stored.phone) == (None, None)
    assert rows(settings, select(PushFollow)) == []
    assert rows(settings, select(PushSubscription)) == []
    pulled = [c for c in field.pull_all(field.volunteer_a1, cursor) if c["kind"] == "resident"]
    assert [(c["body"]["ethnicity"], c["body"]["phone"]) for c in pulled] == [(None, None)]
    # A stale edit cannot put either back without a new consent.
    again = field.push(field.volunteer_a1, phone_a1.edit(resident, phone="0912345678", ethnicity=None))
    assert again[0]["reason"]["code"] == "phone.no_consent"
    again = field.push(field.volunteer_a1, phone_a1.edit(resident, phone=None, ethnicity="Ê Đê"))
    assert again[0]["reason"]["code"] == "ethnicity.no_consent"
    # A withdrawal that arrives after a newer consent takes nothing away.
    phone_a1.written_at += timedelta(minutes=5)
    renewed = phone_a1.consent(resident, "contact_by_phone")
    with_phone = phone_a1.edit(resident, phone="0912345678", ethnicity=None)
    assert {o["outcome"] for o in field.push(field.volunteer_a1, renewed, with_phone)} == {"applied"}
    phone_a1.written_at -= timedelta(minutes=8)
    late = _withdraw(phone_a1, resident, "contact_by_phone")
    assert field.push(field.volunteer_a1, late)[0]["outcome"] == "applied"
    assert rows(settings, select(Resident.phone)) == ["0912345678"]
