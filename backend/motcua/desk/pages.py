"""The desk's pages: the inbox, one dossier with its papers, the moves, the printable declaration."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Stream, Template
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.models import Attachment, AttachmentPlace
from motcua.attachments.storage import MissingAttachment, attachment_store
from motcua.auth.guards import roles
from motcua.auth.principal import Principal
from motcua.desk.service import InboxQuery, dossier_view, inbox, letterhead
from motcua.desk.undo import IRREVERSIBLE, move_undoably, undo, undoable
from motcua.dossiers.lifecycle import FINISHED, OPEN, Move
from motcua.dossiers.models import DossierAttachment
from motcua.dossiers.service import dossier_in_scope
from motcua.errors import ApiError
from motcua.i18n import local_date, translate
from motcua.settings import Settings


def answer_text(spec: dict[str, Any], value: Any, empty: str = "—", lang: str = "vi") -> str:
    """A form answer as a person reads it: the label of a choice, Có/Không for yes-no, a date
    as dd/mm/yyyy; ``empty`` for no answer (the printed form passes a dotted line). In ``lang``:
    the printed form is always Vietnamese; the desk page follows the language switch."""
    if value is None or value == "":
        return empty
    for option in spec.get("oneOf", []):
        if option.get("const") == value:
            return title_of(option, lang) or str(value)
    if isinstance(value, bool):
        return translate("yes" if value else "no", lang)
    if isinstance(value, str) and (spec.get("x-widget") == "date" or spec.get("format") == "date"):
        return local_date(value)
    return str(value)


def title_of(spec: dict[str, Any], lang: str) -> str:
    """A form field's or a choice's title in ``lang`` (the Vietnamese one when there is no other)."""
    title = str(spec.get("title", ""))
    return str(spec.get("x-title-en") or title) if lang == "en" else title


# An empty answer on paper: a dotted line to write on, as printed forms have.
BLANK = "…" * 40


def _filters(query: InboxQuery) -> dict[str, str]:
    """The inbox's query string, without defaults, for links that keep the officer's filters."""
    given = {
        "view": query.view if query.view == "done" else "",
        "q": query.text,
        "status": query.status,
        "procedure": query.procedure,
        "volunteer": str(query.volunteer or ""),
        "overdue": "1" if query.overdue else "",
    }
    return {name: value for name, value in given.items() if value}


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 7 else 1


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
        text: Annotated[str, QueryParameter(name="q", max_length=100)] = "",
        status: Annotated[str, QueryParameter(name="status", max_length=20)] = "",
        procedure: Annotated[str, QueryParameter(name="procedure", max_length=80)] = "",
        volunteer: Annotated[str, QueryParameter(name="volunteer", max_length=40)] = "",
        overdue: Annotated[str, QueryParameter(name="overdue", max_length=5)] = "",
        page: Annotated[str, QueryParameter(name="page", max_length=10)] = "1",
    ) -> Template:
        query = InboxQuery(
            view="done" if view == "done" else "open",
            text=text.strip(),
            status=status,
            procedure=procedure,
            volunteer=_uuid(volunteer),
            overdue=overdue in ("1", "on", "true"),
            page=_page_number(page),
        )
        found = await inbox(db_session, principal, query)
        filters = _filters(query)
        return Template(
            "desk/inbox.html",
            context={
                "found": found,
                "rows": found.rows,
                "query": query,
                "view": query.view,
                "statuses": FINISHED if query.view == "done" else OPEN,
                "page_url": lambda n: "/desk?" + urlencode(filters | ({"page": str(n)} if n > 1 else {})),
                "filtered": bool(set(filters) - {"view"}),
                "principal": principal,
            },
        )

    async def _dossier_page(
        self,
        db: AsyncSession,
        principal: Principal,
        dossier_id: UUID,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        view = await dossier_view(db, principal, dossier_id)
        can_move = principal.role in ("desk_officer", "admin")
        return Template(
            "desk/dossier.html",
            context={
                "view": view,
                "answer_text": answer_text,
                "title_of": title_of,
                "principal": principal,
                "can_move": can_move,
                "irreversible": IRREVERSIBLE,
                "offer": await undoable(db, principal, view.dossier) if can_move else None,
                "error": None,
                "failed": None,
                "posted": {},
                **extra,
            },
            status_code=status_code,
        )

    @get("/dossiers/{dossier_id:uuid}")
    async def dossier(
        self,
        dossier_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        undone: Annotated[str, QueryParameter(name="undone", max_length=5)] = "",
        notified: Annotated[str, QueryParameter(name="notified", max_length=5)] = "",
    ) -> Template:
        return await self._dossier_page(
            db_session, principal, dossier_id, undone=undone == "1", notified=notified == "1"
        )

    @post("/dossiers/{dossier_id:uuid}/move", status_code=303, guards=[roles("desk_officer")])
    async def move(
        self,
        dossier_id: FromPath[UUID],
        data: URLEncodedBody[dict[str, str]],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect | Template:
        """One move from its form; a move that ends the dossier needs its confirm box ticked.
        A refusal shows the page again, the message next to the field, what was typed kept."""
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        to = data.get("to", "")
        step = Move(to, data.get("reason", ""), data.get("portal_code") or None)
        try:
            await move_undoably(db_session, principal, dossier, step, data.get("confirm") in ("1", "on"))
        except ApiError as refusal:
            return await self._dossier_page(
                db_session,
                principal,
                dossier_id,
                refusal.status_code,
                error=refusal.body,
                failed=to,
                posted=data,
            )
        return Redirect(f"/desk/dossiers/{dossier_id}", status_code=303)

    @post("/dossiers/{dossier_id:uuid}/undo", status_code=303, guards=[roles("desk_officer")])
    async def undo(
        self,
        dossier_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> Redirect | Template:
        """Take the officer's latest move back (see ``desk.undo``), or say why not (409)."""
        dossier = await dossier_in_scope(db_session, principal, dossier_id)
        try:
            taken = await undo(db_session, principal, dossier)
        except ApiError as refusal:
            return await self._dossier_page(
                db_session, principal, dossier_id, refusal.status_code, error=refusal.body
            )
        notified = "&notified=1" if taken.resident_notified else ""
        return Redirect(f"/desk/dossiers/{dossier_id}?undone=1{notified}", status_code=303)

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
    ) -> Stream:
        """A photo or the signature of a dossier of the desk's communes (never cached shared),
        streamed from the attachment store without holding it whole in memory."""
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
        try:
            chunks = await attachment_store(settings).get(sha256)
        except MissingAttachment:
            raise ApiError(
                404, "attachment.not_found", "Chưa có tệp này.", "This file has not arrived."
            ) from None
        return Stream(
            chunks,
            media_type=linked.media_type,
            headers={
                "content-disposition": "inline",
                "content-length": str(linked.size),
                "cache-control": "private, max-age=3600",
            },
        )
