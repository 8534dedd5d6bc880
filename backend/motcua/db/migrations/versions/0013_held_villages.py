"""held villages: which villages' residents each device session was sent (docs/privacy.md)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "held_village",
        sa.Column("session_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("village_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("backfill_to", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("backfilled", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
            name=op.f("fk_held_village_village_id_village"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "village_id", name=op.f("pk_held_village")),
    )


def downgrade() -> None:
    op.drop_table("held_village")
