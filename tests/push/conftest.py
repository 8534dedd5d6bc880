"""Phones sync dossiers, residents open their status page and subscribe, the desk moves the
dossier, a worker delivers to a fake push service: the fixtures and helpers for all of that."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.base import utcnow
from motcua.push.models import PushOutbox
from motcua.push.worker import PushWorker
from motcua.settings import Settings
from tests.conftest import execute, in_db
from tests.desk.conftest import desk_officer, field, moved, phone_a1, phone_a2
from tests.push.fake_push import Browser, FakePushService
from tests.sync.conftest import Field
from tests.sync.phone import Phone

__all__ = ["desk_officer", "field", "phone_a1", "phone_a2", "push_service"]


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    with FakePushService() as service:
        yield service


@dataclass
class Synced:
    """A dossier a volunteer synced, with the secret its receipt's QR code carries."""

    id: str
    code: str
    secret: str
    resident_id: str

    @property
    def url(self) -> str:
        return f"/ho-so/{self.code}?k={self.secret}"


def synced_dossier(
    field: Field, phone: Phone, resident: dict[str, Any] | None = None, serial: int = 1
) -> Synced:
    resident = resident or phone.resident(serial)
    dossier = phone.dossier(resident)
    secret = secrets.token_urlsafe(18)
    dossier["body"]["receipt_secret_hash"] = hashlib.sha256(secret.encode()).hexdigest()
    field.push(field.volunteer_a1, resident, dossier)
    field.upload(field.volunteer_a1, phone)
    return Synced(str(dossier["id"]), dossier["body"]["tracking_code"], secret, str(resident["id"]))


def csrf_of(html: str) -> str:
    # The push box's, or a form's once the dossier is finished (and the push box gone).
    found = re.search(r'(?:data-csrf="|name="_csrf_token" value=")([^"]+)"', html)
    assert found, "the status page carries no CSRF token"
    return found.group(1)


def open_page(client: TestClient[Any], dossier: Synced) -> str:
    """The resident scans the QR code: the page opens and leaves its cookie; returns the CSRF token."""
    page = client.get(dossier.url)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def subscribe(
    client: TestClient[Any], dossier: Synced, browser: Browser, *, everything: bool = False
) -> dict[str, Any]:
    """What the page's "Nhận thông báo" button does once the browser made its subscription."""
    token = open_page(client, dossier)
    key = client.get("/api/push/key").json()["public_key"]
    browser.server_key = key
    answer = client.post(
        f"/ho-so/{dossier.code}/push",
        json={"subscription": browser.subscription(), "everything": everything},
        headers={"x-csrf-token": token},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def subscribe_volunteer(client: TestClient[Any], headers: dict[str, str], browser: Browser) -> None:
    browser.server_key = client.get("/api/push/key").json()["public_key"]
    answer = client.post("/api/push/subscriptions", json=browser.subscription(), headers=headers)
    assert answer.status_code == 201, answer.text


def walk(field: Field, officer: dict[str, str], dossier: Synced, *steps: str | tuple[str, str]) -> None:
    for step in steps:
        to, reason = (step, "") if isinstance(step, str) else step
        answer = moved(field, officer, dossier.id, to, reason=reason)
        assert answer.status_code == 200, answer.text


def worker(settings: Settings, **options: Any) -> PushWorker:
    return PushWorker(settings, **{"backoff_base": 1.0, **options})


def cycle(settings: Settings, **options: Any) -> int:
    """One ``run_once`` of a fresh worker: what a running worker does every interval."""

    async def main() -> int:
        async with worker(settings, **options) as one:
            return await one.run_once()

    return asyncio.run(main())


def drain(settings: Settings, **options: Any) -> int:
    """Run one worker until nothing is due (the worker's own loop when there is work)."""

    async def main() -> int:
        total = 0
        async with worker(settings, **options) as one:
            while handled := await one.run_once():
                total += handled
        return total

    return asyncio.run(main())


def make_due(settings: Settings) -> None:
    """Skip the backoff: every waiting row is due now."""
    execute(
        settings,
        update(PushOutbox).where(PushOutbox.state == "pending").values(next_attempt_at=utcnow()),
    )


def add_outbox_row(settings: Settings, state: str, age: timedelta) -> None:
    """A notification in the outbox, written ``age`` ago, for no subscription."""
    created = utcnow() - age
    row = PushOutbox(
        created_at=created,
        audience="volunteer",
        kind="assignment",
        topic="t",
        urgency="normal",
        payload={},
        state=state,
        next_attempt_at=created,
    )
    in_db(settings, lambda db: _add(db, row))


async def _add(db: AsyncSession, row: object) -> None:
    db.add(row)
