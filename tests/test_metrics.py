"""/metrics: Prometheus text behind a token; the counters move with the requests, the sync
outcomes and the failed sign-ins, and the figures read from the database (held and refused
records, the push outbox, overdue dossiers per commune) are those of both communes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from motcua.app import create_app
from motcua.db.base import utcnow
from motcua.dossiers.models import Dossier
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, execute
from tests.push.conftest import add_outbox_row
from tests.sync.conftest import Field, field, phone_a1
from tests.sync.phone import Phone

__all__ = ["field", "phone_a1"]

TOKEN = "metrics-token-" + "x" * 32
SCRAPE = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    """The app with a metrics token (the field's phones and volunteers use it too)."""
    with TestClient(
        app=create_app(replace(settings, metrics_token=TOKEN)), base_url="http://testserver.local"
    ) as test_client:
        yield test_client


def scrape(client: TestClient[Any]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics", headers=SCRAPE)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "set-cookie" not in answer.headers
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_metrics_need_the_token_and_move_with_what_happens(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    client = field.client
    assert client.get("/metrics").status_code == 401
    refused = client.get("/metrics", headers={"authorization": "Bearer " + "y" * 46})
    assert refused.status_code == 401
    assert refused.json()["code"] == "metrics.token"
    assert "mã truy cập" in refused.json()["message_vi"]
    assert "token" in refused.json()["message_en"]
    assert refused.headers["www-authenticate"].startswith("Bearer")
    with TestClient(app=create_app(settings)) as no_token:  # no token set: no such page
        assert no_token.get("/metrics", headers=SCRAPE).status_code == 404

    before = scrape(client)
    # Commune A: a resident and a dossier applied, a consent held (its resident is not sent),
    # a resident refused. Commune B: a resident and a dossier.
    resident = phone_a1.resident(1)
    outcomes = field.push(
        field.volunteer_a1,
        resident,
        phone_a1.dossier(resident),
        phone_a1.consent(phone_a1.resident(2)),
        phone_a1.record("resident", {"village_id": str(field.village_a)}),
    )
    assert [o["outcome"] for o in outcomes] == ["applied", "applied", "held", "rejected"]
    phone_b = Phone("BB1", field.village_b)
    resident_b = phone_b.resident(3)
    assert [o["outcome"] for o in field.push(field.volunteer_b, resident_b, phone_b.dossier(resident_b))] == [
        "applied",
        "applied",
    ]
    # Both dossiers are a day late; a third in A too, but its result is ready: not overdue.
    ready = phone_a1.resident(4)
    field.push(field.volunteer_a1, ready, phone_a1.dossier(ready))
    execute(settings, update(Dossier).values(deadline_at=utcnow() - timedelta(days=1)))
    execute(settings, update(Dossier).where(Dossier.tracking_code == "AA1-2").values(status="ready"))
    # Two failed sign-ins: a wrong password, a number nobody has.
    wrong = {"phone": "0971000001", "password": "sai-mat-khau"}
    assert client.post("/api/auth/login", json=wrong).status_code == 401
    assert client.post("/api/auth/login", json={**wrong, "phone": "0971999999"}).status_code == 401
    add_outbox_row(settings, "pending", timedelta(minutes=2))
    add_outbox_row(settings, "failed", timedelta(hours=1))

    after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert moved("motcua_sync_records_total", kind="resident", outcome="applied") == 3
    assert moved("motcua_sync_records_total", kind="dossier", outcome="applied") == 3
    assert moved("motcua_sync_records_total", kind="consent", outcome="held") == 1
    assert moved("motcua_sync_records_total", kind="resident", outcome="rejected") == 1
    assert moved("motcua_sign_in_failures_total", reason="wrong_password") == 1
    assert moved("motcua_sign_in_failures_total", reason="unknown_number") == 1
    push = {"method": "POST", "route": "/api/sync/push"}
    assert moved("motcua_http_requests_total", **push, status="200") == 3
    assert moved("motcua_http_request_duration_seconds_count", **push) == 3
    assert moved("motcua_http_requests_total", method="GET", route="/metrics", status="200") == 1
    assert after[("motcua_sync_held_records", (("kind", "consent"),))] == 1
    assert after[("motcua_sync_refused_records", (("kind", "resident"),))] == 1
    assert after[("motcua_push_outbox", (("state", "pending"),))] == 1
    assert after[("motcua_push_outbox", (("state", "failed"),))] == 1
    assert after[("motcua_push_backlog_oldest_seconds", ())] >= 119
    assert after[("motcua_push_worker_up", ())] == 0
    overdue = {
        dict(labels)["commune"]: value
        for (name, labels), value in after.items()
        if name == "motcua_dossiers_overdue"
    }
    assert overdue == {str(COMMUNE_A): 1, str(COMMUNE_B): 1}
    # Routes are templates, never raw paths with their ids.
    assert not any("0971" in dict(labels).get("route", "") for _, labels in after)
