"""looked up: residents a user found on the server by ID number or phone (docs/sync.md §8)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    guid = advanced_alchemy.types.guid.GUID(length=16)
    op.create_table(
        "looked_up",
        sa.Column("user_id", guid, nullable=False),
        sa.Column("resident_id", guid, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_looked_up_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
            name=op.f("fk_looked_up_resident_id_resident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "resident_id", name=op.f("pk_looked_up")),
    )


def downgrade() -> None:
    op.drop_table("looked_up")
