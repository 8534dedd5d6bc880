"""The desk works on what phones synced: the sync field fixtures, plus a desk officer."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.desk.undo import IRREVERSIBLE
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, add_user, bearer
from tests.sync.conftest import Field, field, phone_a1, phone_a2

__all__ = ["desk_officer", "field", "phone_a1", "phone_a2"]


@pytest.fixture
def desk_officer(field: Field, settings: Settings) -> dict[str, str]:
    add_user(settings, "0961000001", "desk_officer", (COMMUNE_A,), name="Cán Bộ Một Cửa")
    return bearer(field.client, "0961000001")


def moved(field: Field, headers: dict[str, str], dossier_id: str, to: str, **extra: Any) -> Any:
    """A desk move by the API; a move that ends the dossier is confirmed unless ``confirm`` is given."""
    body = {"to": to, **({"confirm": True} if to in IRREVERSIBLE else {}), **extra}
    return field.client.post(f"/api/desk/dossiers/{dossier_id}/moves", json=body, headers=headers)
