"""Privacy tests work on what phones synced (the sync field), with desk officers of two communes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.models import metadata
from motcua.settings import Settings
from tests.conftest import COMMUNE_B, add_user, bearer, in_db
from tests.desk.conftest import desk_officer, moved
from tests.sync.conftest import Field, field, phone_a1, phone_a2
from tests.sync.phone import Phone

__all__ = ["desk_officer", "desk_officer_b", "field", "moved", "phone_a1", "phone_a2"]


@pytest.fixture
def desk_officer_b(field: Field, settings: Settings) -> dict[str, str]:
    add_user(settings, "0961000002", "desk_officer", (COMMUNE_B,), name="Cán Bộ Xã Khác")
    return bearer(field.client, "0961000002")


def every_row(settings: Settings) -> str:
    """Every row of every table, as text: what a search of the whole database would find."""

    async def work(db: AsyncSession) -> str:
        lines = []
        for table in metadata.sorted_tables:
            for row in await db.execute(select(table)):
                lines.append(f"{table.name}: {tuple(row)!r}")
        return "\n".join(lines)

    return in_db(settings, work)


def synced_person(
    field: Field, device: Phone, serial: int, **extra: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A resident with a consent, a checklist tick and a dossier, pushed and uploaded by
    volunteer A1; the resident and the dossier."""
    resident = device.resident(serial, **extra)
    dossier = device.dossier(resident)
    outcomes = field.push(
        field.volunteer_a1, resident, device.consent(resident), device.checklist(resident), dossier
    )
    assert {o["outcome"] for o in outcomes} == {"applied"}, outcomes
    field.upload(field.volunteer_a1, device)
    return resident, dossier


def finish(field: Field, officer: dict[str, str], dossier_id: str, to: str = "rejected") -> None:
    answer = moved(field, officer, dossier_id, to, reason="Không đủ điều kiện theo quy định")
    assert answer.status_code == 200, answer.text
