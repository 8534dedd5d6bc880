"""drop sync indexes no query uses

Every pushed record kept them up to date: record_id alone is already the leading column of
each unique (record_id, content_hash), and sync_record is only ever looked up by id.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 13:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROPPED = {
    "record_revision": [("ix_record_revision_record_id", ["record_id"])],
    "held_record": [("ix_held_record_record_id", ["record_id"])],
    "refused_record": [("ix_refused_record_record_id", ["record_id"])],
    "sync_record": [
        ("ix_sync_record_commune_code", ["commune_code"]),
        ("ix_sync_record_owner_id", ["owner_id"]),
    ],
}


def upgrade() -> None:
    for table, indexes in _DROPPED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _columns in indexes:
                batch_op.drop_index(name)


def downgrade() -> None:
    for table, indexes in _DROPPED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, columns in indexes:
                batch_op.create_index(name, columns, unique=False)
