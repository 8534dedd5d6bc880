"""attachment places: stored bytes count only in the communes they were uploaded for

Bytes already stored are placed in every commune whose dossiers or consents name them, as
they counted there before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment_place",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("commune_code", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"], ["commune.code"], name=op.f("fk_attachment_place_commune_code_commune")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["attachment.sha256"], name=op.f("fk_attachment_place_sha256_attachment")
        ),
        sa.PrimaryKeyConstraint("sha256", "commune_code", name=op.f("pk_attachment_place")),
    )
    op.execute(
        """
        INSERT INTO attachment_place (sha256, commune_code)
        SELECT DISTINCT a.sha256, d.commune_code
          FROM attachment a
          JOIN dossier_attachment da ON da.sha256 = a.sha256
          JOIN dossier d ON d.id = da.dossier_id
        UNION
        SELECT DISTINCT a.sha256, r.commune_code
          FROM attachment a
          JOIN consent c ON c.signature_sha256 = a.sha256
          JOIN resident r ON r.id = c.resident_id
        """
    )


def downgrade() -> None:
    op.drop_table("attachment_place")
