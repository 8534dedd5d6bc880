"""Applying dossier records pushed by phones, and telling which attachments each one lacks."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from sqlalchemy import delete

from motcua.catalogue.rules import checked_declaration
from motcua.catalogue.validation import normalise_declaration
from motcua.db.base import table_of
from motcua.dossiers.lifecycle import EDITABLE, mark_completeness, note_supplement
from motcua.dossiers.models import Dossier, DossierAttachment
from motcua.errors import ApiError, FieldError
from motcua.records.handlers import (
    SHA256_PATTERN,
    Applied,
    Incoming,
    decode_body,
    ensure_in_scope,
    refuse_fields,
    resident_for_child,
)
from motcua.records.outcomes import Refused

Sha256 = Annotated[str, msgspec.Meta(pattern=SHA256_PATTERN)]
TRACKING_CODE_PATTERN = "^[A-Z0-9]{2,8}-[0-9]{1,8}$"
_PHOTOS = table_of(DossierAttachment)


class PaperPhotos(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    paper_id: str
    photos: list[Sha256]


class DossierBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    resident_id: UUID
    tracking_code: Annotated[str, msgspec.Meta(pattern=TRACKING_CODE_PATTERN)]
    procedure_code: str
    procedure_version: int
    form: dict[str, Any]
    papers: list[PaperPhotos]
    signature_sha256: Sha256
    receipt_secret_hash: Sha256


def _photographed(paper: dict[str, Any], given: dict[str, PaperPhotos]) -> bool:
    return paper["id"] in given and len(given[paper["id"]].photos) >= paper["photos"]


def _missing_group(group: list[dict[str, Any]]) -> FieldError:
    """The error for a required paper (the first of ``group``) that neither it nor an alternative meets."""
    paper = group[0]
    if len(group) == 1:
        needed = paper["photos"]
        vi, en = (
            f"Cần chụp {needed} ảnh “{paper['name']['vi']}”.",
            f"{needed} photo(s) of “{paper['name']['en']}” are needed.",
        )
    else:
        vi = "Cần ảnh " + " hoặc ".join(f"“{member['name']['vi']}”" for member in group) + "."
        en = "Photos of " + " or ".join(f"“{member['name']['en']}”" for member in group) + " are needed."
    return FieldError(f"papers.{paper['id']}", "paper.photos_missing", vi, en)


def _check_papers(content: dict[str, Any], papers: list[PaperPhotos]) -> list[FieldError]:
    """Papers the procedure does not have, and required papers without their photos.

    A required paper with ``alternatives`` is given when it, or any one of them, has its photos.
    pwa/js/formcheck.js's missingPapers says the same on the phone.
    """
    by_id = {paper["id"]: paper for paper in content["required_papers"]}
    given = {paper.paper_id: paper for paper in papers}
    problems = [
        FieldError(
            f"papers.{paper_id}",
            "paper.unknown",
            "Thủ tục không có giấy tờ này.",
            "Not a paper of this procedure.",
        )
        for paper_id in given
        if paper_id not in by_id
    ]
    for paper in by_id.values():
        if not paper.get("required") or not paper.get("photos"):
            continue
        group = [paper, *(by_id[other] for other in paper.get("alternatives", []))]
        if not any(_photographed(member, given) for member in group):
            problems.append(_missing_group(group))
    return problems


async def apply_dossier(incoming: Incoming) -> Applied:
    db, record = incoming.db, incoming.record
    body = decode_body(record, DossierBody)
    resident = await resident_for_child(incoming, body.resident_id)
    try:
        version = await checked_declaration(
            db, body.procedure_code, body.procedure_version, body.form, record.written_time
        )
    except ApiError as error:
        fields = [msgspec.structs.replace(f, field=f"form.{f.field}") for f in error.body.fields]
        raise Refused(error.body.code, error.body.message_vi, error.body.message_en, fields) from None
    refuse_fields(_check_papers(version.content, body.papers))
    taken = await incoming.facts.dossier_with_tracking_code(body.tracking_code)
    if taken is not None and taken != record.id:
        raise Refused(
            "tracking_code.taken",
            "Mã hồ sơ này đã được dùng cho hồ sơ khác.",
            "This tracking code belongs to another dossier.",
            [FieldError("tracking_code", "tracking_code.taken", "Mã đã dùng.", "Code in use.")],
        )
    values = {
        "tracking_code": body.tracking_code,
        "procedure_code": body.procedure_code,
        "procedure_version": body.procedure_version,
        "resident_id": resident.id,
        "commune_code": resident.commune_code,
        "form": normalise_declaration(version.content, body.form),
        "papers": [msgspec.to_builtins(p) for p in body.papers],
        "signature_sha256": body.signature_sha256,
        "receipt_secret_hash": body.receipt_secret_hash,
    }
    dossier = await incoming.facts.dossier(record.id)
    if dossier is not None:
        # An edit is judged where the dossier is now, as well as where its resident lives.
        await ensure_in_scope(incoming, dossier.commune_code)
    if dossier is None:
        if not incoming.is_new:
            raise Refused(
                "record.unknown", "Máy chủ chưa có hồ sơ này.", "The server does not hold this dossier."
            )
        dossier = Dossier(
            id=record.id,
            volunteer_id=incoming.principal.user_id,
            device_session_id=incoming.principal.session_id,
            written_at=record.written_time,
            status="incomplete",  # set now: column defaults only arrive at the flush
            **values,
        )
        db.add(dossier)
    elif dossier.status not in EDITABLE:
        raise Refused(
            "dossier.locked",
            "Bộ phận một cửa đang xử lý hồ sơ này nên không sửa được.",
            "The desk is processing this dossier, so it cannot be changed.",
        )
    else:
        await db.execute(delete(DossierAttachment).where(DossierAttachment.dossier_id == dossier.id))
        incoming.writes.drop_photos_of(dossier.id)  # an earlier revision in this batch, not yet written
        if dossier.tracking_code != body.tracking_code:
            incoming.facts.tracking_codes[dossier.tracking_code] = None
        for key, value in values.items():
            setattr(dossier, key, value)
    incoming.facts.added_dossier(dossier)
    roles = {body.signature_sha256: "signature"}
    for paper in body.papers:
        for photo in paper.photos:
            roles.setdefault(photo, f"paper:{paper.paper_id}")
    incoming.writes.add(
        _PHOTOS, *({"dossier_id": dossier.id, "sha256": sha, "role": role} for sha, role in roles.items())
    )
    missing = await incoming.facts.not_arrived(roles, dossier.commune_code)
    mark_completeness(dossier, missing)
    # An edit while the desk waits for a supplement is the supplement: sent now, complete
    # now or once its photos arrive (attachments/service.py).
    await note_supplement(db, dossier, missing, sent=True)
    return Applied(
        commune_code=dossier.commune_code, owner_id=dossier.volunteer_id, missing_attachments=missing
    )
