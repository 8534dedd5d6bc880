"""Dossiers and the attachments each one needs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db.base import DateTimeUTC, Record, ReferenceRow

if TYPE_CHECKING:
    from motcua.residents.models import Resident

# A dossier's states and moves: dossiers/lifecycle.py.


class Dossier(Record):
    """One dossier, keyed by the phone's id, with the human tracking code made on the phone."""

    __tablename__ = "dossier"

    tracking_code: Mapped[str] = mapped_column(String(20), unique=True)
    procedure_code: Mapped[str] = mapped_column(String(80))
    procedure_version: Mapped[int]
    resident_id: Mapped[UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    # Never loaded: orders the inserts of one flush (see residents.models).
    resident: Mapped[Resident] = relationship(lazy="raise")
    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"), index=True)
    form: Mapped[dict[str, Any]] = mapped_column(JSON)
    papers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    signature_sha256: Mapped[str] = mapped_column(String(64))
    receipt_secret_hash: Mapped[str] = mapped_column(String(64))
    volunteer_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    device_session_id: Mapped[UUID | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default="incomplete")
    written_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    received_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # The desk's side: the clock starts at acceptance; the national portal's own code.
    accepted_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    result_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    portal_code: Mapped[str | None] = mapped_column(String(40), default=None)
    supplement_needed: Mapped[str | None] = mapped_column(String(1000), default=None)
    # While the desk waits for a supplement: when the phone's new revision arrived, and when it
    # and every photo it names were in (the deadline runs again from then).
    supplement_sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    supplemented_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class DossierAttachment(ReferenceRow):
    """An attachment a dossier names (a paper photo or the signature), by content hash."""

    __tablename__ = "dossier_attachment"

    dossier_id: Mapped[UUID] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(60))


class DossierEvent(Record):
    """One step of a dossier through the desk workflow: who moved it, when, why."""

    __tablename__ = "dossier_event"

    dossier_id: Mapped[UUID] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    reason: Mapped[str] = mapped_column(String(1000), default="")
