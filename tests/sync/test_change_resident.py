"""Migration 0015 fills ``change.resident_id`` of older rows exactly as a push writes it.

Pull judges a phone's resident, consent and tick changes by that column (sync/phone_scope.py),
so a row the migration left empty or wrong would hide a record from the phones that need it.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import select

from motcua.changelog.models import Change
from motcua.db.migrate import alembic_config
from motcua.settings import Settings
from tests.conftest import rows
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def _log(settings: Settings) -> list[tuple[str, str, str | None]]:
    return [
        (change.kind, change.record_id, str(change.resident_id) if change.resident_id else None)
        for change in rows(settings, select(Change).order_by(Change.seq))
    ]


def test_the_migration_fills_each_change_with_the_resident_it_was_written_for(
    field: Field, phone_a1: Phone, phone_a2: Phone, settings: Settings
) -> None:
    first = phone_a1.resident(31)
    again = phone_a2.resident(31)  # the same person registered twice: merged into ``first``
    consent, tick = phone_a1.consent(first), phone_a1.checklist(first)
    later = phone_a2.consent(again)  # names the merged alias
    field.push(field.volunteer_a1, first, consent, tick)
    field.push(field.volunteer_a2, again, later)
    written = _log(settings)
    assert {(k, r) for k, _, r in written if k != "procedure_version"} == {
        ("resident", first["id"]),
        ("consent", first["id"]),
        ("checklist", first["id"]),
    }

    command.downgrade(alembic_config(settings), "0014")  # the column and what push wrote in it go
    command.upgrade(alembic_config(settings), "head")
    assert _log(settings) == written
