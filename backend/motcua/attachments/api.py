"""Attachment upload: idempotent by content hash, checked by content, limited in size."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import anyio.to_thread
import msgspec
from litestar import Controller, Request, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.models import Attachment, AttachmentPlace
from motcua.attachments.service import missing_attachments, refresh_completeness
from motcua.attachments.storage import MAX_ATTACHMENT_BYTES, attachment_store, sha256_of, sniff
from motcua.auth.guards import signed_in
from motcua.auth.principal import Principal
from motcua.changelog.service import append_changes, change
from motcua.dossiers.models import Dossier, DossierAttachment
from motcua.dossiers.service import dossier_in_scope
from motcua.errors import ApiError
from motcua.places.models import Commune
from motcua.places.service import commune_filter
from motcua.residents.models import Consent, Resident
from motcua.settings import Settings


class DossierProgress(msgspec.Struct, frozen=True):
    id: str
    status: str
    missing_attachments: list[str]


class UploadOut(msgspec.Struct, frozen=True):
    sha256: str
    outcome: Literal["stored", "duplicate"]
    dossiers: list[DossierProgress]


async def _places(db: AsyncSession, principal: Principal, sha256: str) -> set[int]:
    """The communes of the user's places where a record names these bytes: only there are
    they expected, and only there do they count once uploaded."""
    in_scope = select(Commune.code).where(commune_filter(principal))
    by_dossier = (
        select(Dossier.commune_code)
        .join(DossierAttachment, DossierAttachment.dossier_id == Dossier.id)
        .where(DossierAttachment.sha256 == sha256, Dossier.commune_code.in_(in_scope))
    )
    by_consent = (
        select(Resident.commune_code)
        .join(Consent, Consent.resident_id == Resident.id)
        .where(Consent.signature_sha256 == sha256, Resident.commune_code.in_(in_scope))
    )
    return set(await db.scalars(union(by_dossier, by_consent)))


async def _keep(
    db: AsyncSession,
    principal: Principal,
    settings: Settings,
    upload: tuple[str, str, bytes],
    places: set[int],
) -> tuple[bool, set[int]]:
    """Store the bytes once and place them in ``places``: whether they were stored already, and
    the places that are new."""
    sha256, media_type, data = upload
    duplicate = await db.scalar(select(Attachment.id).where(Attachment.sha256 == sha256)) is not None
    if not duplicate:
        await attachment_store(settings).put(sha256, data)  # in a worker thread
        db.add(
            Attachment(sha256=sha256, media_type=media_type, size=len(data), uploaded_by=principal.user_id)
        )
    placed = set(
        await db.scalars(select(AttachmentPlace.commune_code).where(AttachmentPlace.sha256 == sha256))
    )
    newly_placed = places - placed
    db.add_all(AttachmentPlace(sha256=sha256, commune_code=code) for code in newly_placed)
    await db.flush()
    return duplicate, newly_placed


class AttachmentController(Controller):
    path = "/api/attachments"
    tags = ["sync"]

    @put(
        "/{sha256:str}",
        guards=[signed_in],
        status_code=200,
        request_max_body_size=MAX_ATTACHMENT_BYTES,
    )
    async def upload(
        self,
        sha256: FromPath[str],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> UploadOut:
        """Send the raw bytes; the path names their SHA-256. Sending the same bytes again is harmless."""
        data = await request.body()
        # Hashing 5 MB takes milliseconds of CPU: not on the event loop.
        if await anyio.to_thread.run_sync(sha256_of, data) != sha256:
            raise ApiError(
                400,
                "attachment.hash_mismatch",
                "Tệp nhận được không khớp mã băm; hãy gửi lại.",
                "The bytes received do not match their hash; send them again.",
            )
        media_type = sniff(data)
        if media_type is None:
            raise ApiError(
                415,
                "attachment.type",
                "Chỉ nhận ảnh JPEG, PNG, WebP hoặc tệp PDF.",
                "Only JPEG, PNG or WebP images and PDF files are accepted.",
            )
        places = await _places(db_session, principal, sha256)
        if not places:
            raise ApiError(
                409,
                "attachment.not_expected",
                "Chưa có hồ sơ nào cần tệp này; hãy đồng bộ hồ sơ trước.",
                "No record needs this file yet; sync the records first.",
            )
        for attempt in (1, 2):
            try:
                async with db_session.begin_nested():
                    duplicate, newly_placed = await _keep(
                        db_session, principal, settings, (sha256, media_type, data), places
                    )
                break
            except IntegrityError:
                # The same bytes arrived for the same place in another request a moment ago:
                # look again at what is stored now.
                if attempt == 2:
                    raise
        dossiers = await db_session.scalars(
            select(Dossier)
            .join(DossierAttachment, DossierAttachment.dossier_id == Dossier.id)
            .where(DossierAttachment.sha256 == sha256, Dossier.commune_code.in_(places))
        )
        progress, changes = [], []
        for dossier in dossiers:
            before = (dossier.status, dossier.supplemented_at)
            missing = await refresh_completeness(db_session, dossier)
            if (dossier.status, dossier.supplemented_at) != before:  # the phone pulls the news
                changes.append(change("dossier", dossier.id, dossier.commune_code, dossier.volunteer_id))
            progress.append(DossierProgress(str(dossier.id), dossier.status, missing))
        await append_changes(db_session, changes)
        # Stored for this user's places now (bytes kept once, placed per commune), or already.
        return UploadOut(sha256, "duplicate" if duplicate and not newly_placed else "stored", progress)


class DossierState(msgspec.Struct, frozen=True):
    id: UUID
    tracking_code: str
    status: str
    missing_attachments: list[str]


class DossierController(Controller):
    path = "/api/dossiers"
    tags = ["sync"]

    @get("/{dossier_id:uuid}/state", guards=[signed_in])
    async def state(
        self,
        dossier_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> DossierState:
        """The server's status of a dossier and the attachments it still lacks."""
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        missing = await missing_attachments(db_session, dossier.id)
        return DossierState(dossier.id, dossier.tracking_code, dossier.status, missing)
