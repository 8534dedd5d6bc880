"""What export, erasure and retention share: the resident in the caller's places, and
forgetting a dossier's attachments without touching bytes something else still names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import and_, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.models import Attachment, AttachmentPlace
from motcua.attachments.storage import attachment_store
from motcua.auth.principal import Principal
from motcua.dossiers.models import Dossier, DossierAttachment
from motcua.errors import ApiError
from motcua.places.models import Commune
from motcua.residents.models import Consent, Resident, ResidentMerge
from motcua.settings import Settings


def _not_found() -> ApiError:
    return ApiError(404, "resident.not_found", "Không tìm thấy người dân.", "No such resident.")


async def resident_in_scope(db: AsyncSession, principal: Principal, resident_id: UUID) -> Resident:
    """The resident (a merged registration's id leads to the person), if the caller may act in
    their commune; 404 otherwise, as if they did not exist."""
    merged_into = await db.scalar(
        select(ResidentMerge.resident_id).where(ResidentMerge.duplicate_id == resident_id)
    )
    resident = await db.get(Resident, merged_into or resident_id, with_for_update=True)
    commune = await db.get(Commune, resident.commune_code) if resident else None
    if resident is None or commune is None or not principal.may_act_in(commune):
        raise _not_found()
    return resident


@dataclass
class Forgotten:
    """What forgetting attachments did: rows let go of, and bytes to delete after the commit."""

    dossiers: set[UUID] = field(default_factory=set)
    unplaced: int = 0  # (bytes, commune) places removed
    to_delete: set[str] = field(default_factory=set)

    async def delete_files(self, settings: Settings) -> int:
        """Delete the bytes (on disk or in object storage), after the transaction that forgot
        them committed; deleting bytes already gone is harmless."""
        store = attachment_store(settings)
        for sha256 in sorted(self.to_delete):
            await store.delete(sha256)
        return len(self.to_delete)


async def _still_named(db: AsyncSession, hashes: set[str]) -> set[tuple[str, int]]:
    """(hash, commune) of every dossier or consent that still names one of ``hashes``."""
    by_dossier = await db.execute(
        select(DossierAttachment.sha256, Dossier.commune_code)
        .join(Dossier, Dossier.id == DossierAttachment.dossier_id)
        .where(DossierAttachment.sha256.in_(hashes))
    )
    by_consent = await db.execute(
        select(Consent.signature_sha256, Resident.commune_code)
        .join(Resident, Resident.id == Consent.resident_id)
        .where(Consent.signature_sha256.in_(hashes))
    )
    return {(str(sha), int(code)) for sha, code in [*by_dossier.all(), *by_consent.all()]}


async def forget_attachments(
    db: AsyncSession, dossier_ids: Iterable[UUID], also: Iterable[str] = ()
) -> Forgotten:
    """Let these dossiers stop naming their photos and signature (their ``papers`` keep the
    hashes, as a record of what was given), and let go of bytes nothing names any more: a
    commune's place when no dossier or consent of that commune names them, the bytes when
    nothing anywhere does. ``also``: hashes whose last reference the caller removed itself (a
    consent's signature). The files go after the commit (:meth:`Forgotten.delete_files`)."""
    ids = set(dossier_ids)
    forgotten = Forgotten()
    hashes = set(also)
    if ids:
        named = await db.execute(
            select(DossierAttachment.dossier_id, DossierAttachment.sha256).where(
                DossierAttachment.dossier_id.in_(ids)
            )
        )
        for dossier_id, sha256 in named:
            forgotten.dossiers.add(dossier_id)
            hashes.add(sha256)
        await db.execute(delete(DossierAttachment).where(DossierAttachment.dossier_id.in_(ids)))
    if not hashes:
        return forgotten
    # The bytes rows first, locked: an upload of the same bytes waits for this transaction.
    await db.execute(select(Attachment.id).where(Attachment.sha256.in_(hashes)).with_for_update())
    still = await _still_named(db, hashes)
    placed = await db.execute(
        select(AttachmentPlace.sha256, AttachmentPlace.commune_code).where(AttachmentPlace.sha256.in_(hashes))
    )
    unplace = [(sha, code) for sha, code in placed if (sha, code) not in still]
    if unplace:
        await db.execute(
            delete(AttachmentPlace).where(
                tuple_(AttachmentPlace.sha256, AttachmentPlace.commune_code).in_(unplace)
            )
        )
    forgotten.unplaced = len(unplace)
    named_anywhere = {sha for sha, _ in still}
    gone = hashes - named_anywhere
    if gone:
        stored = set(await db.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(gone))))
        await db.execute(delete(Attachment).where(and_(Attachment.sha256.in_(gone))))
        forgotten.to_delete = stored
    return forgotten
