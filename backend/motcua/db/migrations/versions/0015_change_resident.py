"""change.resident_id: the resident a resident, consent or tick change belongs to

Pull filters a phone's changes by it (sync/phone_scope.py) instead of looking every consent and
tick of the visible residents up again on each page. Older rows are filled from the records.
And an index on who registered each resident (and each merged second registration): every
pull asks which residents are the user's own tasks.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    guid = advanced_alchemy.types.guid.GUID(length=16)
    op.add_column("change", sa.Column("resident_id", guid, nullable=True))
    for name in ("resident", "resident_merge"):
        op.create_index(op.f(f"ix_{name}_registered_by"), name, ["registered_by"], unique=False)
    connection = op.get_bind()
    owner: dict[str, UUID] = {}  # record id (as the change log writes it) -> its resident
    for name in ("consent", "checklist_step"):
        child = sa.table(name, sa.column("id", guid), sa.column("resident_id", guid))
        owner |= {str(i): r for i, r in connection.execute(sa.select(child.c.id, child.c.resident_id))}
    merges = sa.table("resident_merge", sa.column("duplicate_id", guid), sa.column("resident_id", guid))
    owner |= {
        str(d): r for d, r in connection.execute(sa.select(merges.c.duplicate_id, merges.c.resident_id))
    }
    change = sa.table(
        "change",
        sa.column("seq", sa.BigInteger),
        sa.column("kind", sa.String),
        sa.column("record_id", sa.String),
        sa.column("resident_id", guid),
    )
    rows = connection.execute(
        sa.select(change.c.seq, change.c.kind, change.c.record_id).where(
            change.c.kind.in_(("resident", "consent", "checklist"))
        )
    ).all()
    values = []
    for seq, kind, record_id in rows:
        resident = owner.get(record_id) or (UUID(record_id) if kind == "resident" else None)
        if resident is not None:
            values.append({"b_seq": seq, "b_resident": resident})
    update = (
        sa.update(change)
        .where(change.c.seq == sa.bindparam("b_seq"))
        .values(resident_id=sa.bindparam("b_resident"))
    )
    for start in range(0, len(values), BATCH):
        connection.execute(update, values[start : start + BATCH])


def downgrade() -> None:
    for name in ("resident", "resident_merge"):
        op.drop_index(op.f(f"ix_{name}_registered_by"), table_name=name)
    op.drop_column("change", "resident_id")
