"""Residents, merges of the same person registered twice, consents and checklist steps.

Each row's ``id`` is the UUID the phone gave the record, so the server is idempotent on it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db.base import DateTimeUTC, Record

# The ``resident`` relationship of a merge (and of a dossier) is never loaded (lazy="raise"):
# it tells the unit of work to insert a resident before the rows that point at it when both
# are new in one flush, as a batch from a phone makes them. Consents and checklist ticks are
# inserted after the flush (records/writes.py) and need none.


# The words of a resident's record, as phones send them (docs/sync.md).
Need = Literal["elderly", "disability", "low_vision", "hard_of_hearing", "interpreter", "bedridden"]
ConsentPurpose = Literal[
    "personal_data", "document_photos", "contact_by_phone", "push_notifications", "ethnicity"
]
ChecklistStepName = Literal[
    "vneid_installed",
    "vneid_level1",
    "vneid_level2",
    "portal_login",
    "sim_standardised",
    "bank_account",
    "first_online_submission",
]


class Resident(Record):
    """A person helped by volunteers. ``personal_id`` is unique: one person, one row."""

    __tablename__ = "resident"

    village_id: Mapped[UUID] = mapped_column(ForeignKey("village.id"), index=True)
    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    personal_id: Mapped[str | None] = mapped_column(String(12), unique=True, default=None)
    phone: Mapped[str | None] = mapped_column(String(10), default=None)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    interpreter_language: Mapped[str | None] = mapped_column(String(60), default=None)
    ethnicity: Mapped[str | None] = mapped_column(String(60), default=None)
    registered_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    written_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ResidentMerge(Record):
    """A second registration of the same person (same ID number), folded into the first.

    The duplicate's own record id stays an alias of the resident, and its body is kept, so
    nothing either volunteer wrote is lost.
    """

    __tablename__ = "resident_merge"

    duplicate_id: Mapped[UUID] = mapped_column(unique=True)
    resident_id: Mapped[UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    resident: Mapped[Resident] = relationship(lazy="raise")
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    registered_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)


class Consent(Record):
    """A resident's consent for one purpose, with the exact wording they were shown."""

    __tablename__ = "consent"

    resident_id: Mapped[UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    wording_vi: Mapped[str] = mapped_column(String(2000))
    given: Mapped[bool] = mapped_column(Boolean)
    method: Mapped[str] = mapped_column(String(20))
    signature_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    volunteer_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    device_session_id: Mapped[UUID | None] = mapped_column(default=None)
    written_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class ChecklistStep(Record):
    """One tick of the digital-citizen checklist; the newest per resident and step counts."""

    __tablename__ = "checklist_step"

    resident_id: Mapped[UUID] = mapped_column(ForeignKey("resident.id"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    appointment_on: Mapped[date | None] = mapped_column(Date, default=None)
    volunteer_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    written_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
