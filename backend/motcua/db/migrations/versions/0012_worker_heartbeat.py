"""worker heartbeat: each push worker's last cycle, so /health can tell whether one is alive

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_worker_beat",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("beat_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_push_worker_beat")),
    )
    op.create_index(op.f("ix_push_worker_beat_beat_at"), "push_worker_beat", ["beat_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_push_worker_beat_beat_at"), table_name="push_worker_beat")
    op.drop_table("push_worker_beat")
