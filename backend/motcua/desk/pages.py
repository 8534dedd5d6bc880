"""The desk's pages: the inbox, one dossier with its papers, the moves, the printable declaration."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import File, Redirect, Template
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.models import Attachment, AttachmentPlace
from motcua.attachments.storage import attachment_path
from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.desk.service import dossier_view, inbox, letterhead
from motcua.dossiers.lifecycle import FINISHED, OPEN, Move, move
from motcua.dossiers.models import DossierAttachment
from motcua.dossiers.service import dossier_in_scope
from motcua.errors import ApiError
from motcua.i18n import local_date
from motcua.settings import Settings


def answer_text(spec: dict[str, Any], value: Any, empty: str = "—") -> str:
    """A form answer as a person reads it: the label of a choice, Có/Không for yes-no, a date
    as dd/mm/yyyy; ``empty`` for no answer (the printed form passes a dotted line)."""
    if value is None or value == "":
        return empty
    for option in spec.get("oneOf", []):
        if option.get("const") == value:
            return str(option.get("title", value))
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, str) and (spec.get("x-widget") == "date" or spec.get("format") == "date"):
        return local_date(value)
    return str(value)


# An empty answer on paper: a dotted line to write on, as printed forms have.
BLANK = "…" * 40


class DeskPages(Controller):
    path = "/desk"
    include_in_schema = False
    guards = [roles("desk_officer", "coordinator")]

    @get("/")
    async def inbox(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        view: Annotated[str, QueryParameter(name="view")] = "open",
    ) -> Template:
        statuses = FINISHED if view == "done" else OPEN
        rows = await inbox(db_session, principal, statuses)
        return Template(
            "desk/inbox.html",
            context={"rows": rows, "view": view, "principal": principal},
        )

    @get("/dossiers/{dossier_id:uuid}")
    async def dossier(
        self,
        dossier_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        error: Annotated[str | None, QueryParameter(name="error")] = None,
    ) -> Template:
        view = await dossier_view(db_session, principal, dossier_id)
        return Template(
            "desk/dossier.html",
            context={
                "view": view,
                "answer_text": answer_text,
                "principal": principal,
                "can_move": principal.role in ("desk_officer", "admin"),
                "error": error,
            },
        )

    @post("/dossiers/{dossier_id:uuid}/move", status_code=303, guards=[roles("desk_officer")])
    async def move(
        self,
        dossier_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect | Template:
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        try:
            await move(
                db_session,
                principal,
                dossier,
                Move(data.get("to", ""), data.get("reason", ""), data.get("portal_code") or None),
            )
        except ApiError as refusal:
            view = await dossier_view(db_session, principal, dossier_id)
            return Template(
                "desk/dossier.html",
                context={
                    "view": view,
                    "answer_text": answer_text,
                    "principal": principal,
                    "can_move": True,
                    "error": refusal.body,
                },
                status_code=refusal.status_code,
            )
        return Redirect(f"/desk/dossiers/{dossier_id}", status_code=303)

    @get("/dossiers/{dossier_id:uuid}/print")
    async def print_view(
        self,
        dossier_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Template:
        """The declaration pre-filled, for desks that need paper with a signature."""
        view = await dossier_view(db_session, principal, dossier_id)
        return Template(
            "desk/print.html",
            context={
                "view": view,
                "letterhead": await letterhead(db_session, view),
                "answer_text": answer_text,
                "blank": BLANK,
            },
        )

    @get("/dossiers/{dossier_id:uuid}/files/{sha256:str}")
    async def attachment(
        self,
        dossier_id: FromPath[UUID],
        sha256: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> File:
        """A photo or the signature of a dossier of the desk's communes (never cached shared)."""
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        linked = await db_session.scalar(
            select(Attachment)
            .join(DossierAttachment, DossierAttachment.sha256 == Attachment.sha256)
            .join(
                AttachmentPlace,
                and_(
                    AttachmentPlace.sha256 == Attachment.sha256,
                    AttachmentPlace.commune_code == dossier.commune_code,
                ),
            )
            .where(DossierAttachment.dossier_id == dossier.id, Attachment.sha256 == sha256)
        )
        if linked is None:
            raise ApiError(404, "attachment.not_found", "Chưa có tệp này.", "This file has not arrived.")
        return File(
            attachment_path(settings, sha256),
            media_type=linked.media_type,
            content_disposition_type="inline",
            headers={"cache-control": "private, max-age=3600"},
        )
