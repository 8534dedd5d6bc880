"""supplements: when the volunteer's supplement was sent, and when it was complete

A dossier the desk asked more of (``needs_supplement``) records when a new revision from the
phone arrived (``supplement_sent_at``) and when it and every photo it names were in
(``supplemented_at``): the desk's inbox shows it, and the deadline runs again from then.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from advanced_alchemy.types.datetime import DateTimeUTC

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("supplement_sent_at", DateTimeUTC(timezone=True), nullable=True))
        batch.add_column(sa.Column("supplemented_at", DateTimeUTC(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("supplemented_at")
        batch.drop_column("supplement_sent_at")
