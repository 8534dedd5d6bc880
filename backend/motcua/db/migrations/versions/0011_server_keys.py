"""server keys: the secret and VAPID keys and the database's epoch, shared by every server process

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import advanced_alchemy.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The keys themselves are made (or taken from an older install's files in the data
    # directory) by the first server process that starts: motcua.db.keys.
    table = op.create_table(
        "server_key",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_key")),
    )
    # The database's epoch, which `motcua restore` changes (docs/sync.md, "Start over").
    op.bulk_insert(table, [{"name": "epoch", "value": secrets.token_hex(4), "created_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("server_key")
