"""Routes are planned on the sync field: its villages and volunteers, plus a coordinator."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from motcua.accounts.models import User
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, add_user, bearer, rows
from tests.sync.conftest import Field, field, phone_a1, phone_a2

__all__ = ["coordinator", "field", "phone_a1", "phone_a2"]

COORDINATOR = "0981000001"


@pytest.fixture
def coordinator(field: Field, settings: Settings) -> dict[str, str]:
    """A coordinator of both communes of the field."""
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A, COMMUNE_B), name="Điều Phối Hai Xã")
    return bearer(field.client, COORDINATOR)


def user_id(settings: Settings, phone: str) -> UUID:
    found: UUID = rows(settings, select(User.id).where(User.phone == phone))[0]
    return found


def route_body(
    commune: int,
    day: date,
    stops: list[tuple[UUID, str, str | None, str | None]],
    team: list[UUID],
    **extra: Any,
) -> dict[str, Any]:
    return {
        "commune_code": commune,
        "day": day.isoformat(),
        "stops": [
            {"village_id": str(village), "meeting_point": meeting, "starts_at": starts, "ends_at": ends}
            for village, meeting, starts, ends in stops
        ],
        "team": [str(member) for member in team],
        **extra,
    }


def pull_since(field: Field, headers: dict[str, str], cursor: str = "0") -> tuple[list[dict[str, Any]], str]:
    """The route changes after ``cursor``, and the cursor to pull from next."""
    response = field.client.get("/api/sync/pull", params={"cursor": cursor}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["more"] is False
    return [c for c in body["changes"] if c["kind"] == "route"], body["cursor"]
