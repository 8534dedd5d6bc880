"""What a dossier still lacks: the hashes it names that have not arrived for its commune."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.models import AttachmentPlace
from motcua.dossiers.lifecycle import mark_completeness, note_supplement
from motcua.dossiers.models import Dossier, DossierAttachment


async def missing_attachments(db: AsyncSession, dossier_id: UUID) -> list[str]:
    """The content hashes a dossier names that have not arrived for its commune yet."""
    return (await missing_attachments_of(db, [dossier_id])).get(dossier_id, [])


async def missing_attachments_of(db: AsyncSession, dossier_ids: list[UUID]) -> dict[UUID, list[str]]:
    """What each of these dossiers still lacks, in one query; a complete dossier is absent."""
    missing: dict[UUID, list[str]] = {}
    rows = await db.execute(
        select(DossierAttachment.dossier_id, DossierAttachment.sha256)
        .join(Dossier, Dossier.id == DossierAttachment.dossier_id)
        .outerjoin(
            AttachmentPlace,
            and_(
                AttachmentPlace.sha256 == DossierAttachment.sha256,
                AttachmentPlace.commune_code == Dossier.commune_code,
            ),
        )
        .where(DossierAttachment.dossier_id.in_(dossier_ids), AttachmentPlace.sha256.is_(None))
        .order_by(DossierAttachment.sha256)
    )
    for dossier_id, sha256 in rows:
        missing.setdefault(dossier_id, []).append(sha256)
    return missing


async def refresh_completeness(db: AsyncSession, dossier: Dossier) -> list[str]:
    """Look again at what a dossier lacks (an attachment arrived): move it if complete, and
    note a supplement from the phone complete once its last photo is in."""
    missing = await missing_attachments(db, dossier.id)
    mark_completeness(dossier, missing)
    sent = dossier.supplement_sent_at is not None and dossier.supplemented_at is None
    if not missing and dossier.status == "needs_supplement" and sent:
        # Locked as a desk move locks it (dossiers/lifecycle.py), and looked at again: the
        # desk may have taken the dossier back meanwhile.
        await db.refresh(dossier, with_for_update=True)
        await note_supplement(db, dossier, missing, sent=False)
    return missing
