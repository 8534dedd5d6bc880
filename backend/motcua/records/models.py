"""What the server keeps about every record a phone sent: revisions, held and refused records."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import Record, ReferenceRow

RECORD_KINDS = ("resident", "consent", "checklist", "dossier")


class SyncRecord(ReferenceRow):
    """The current revision of each record, keyed by the id the phone gave it."""

    __tablename__ = "sync_record"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Only ever looked up by id: an index on these would cost every pushed record its upkeep.
    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"))
    owner_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))


class RecordRevision(Record):
    """Every revision the server applied, and every one it refused as a conflict, kept whole."""

    __tablename__ = "record_revision"
    __table_args__ = (UniqueConstraint("record_id", "content_hash"),)

    record_id: Mapped[UUID]  # indexed first in the unique (record_id, content_hash)
    kind: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer)
    base_revision: Mapped[int | None] = mapped_column(Integer, default=None)
    content_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10))  # applied | conflict
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    session_id: Mapped[UUID]


class HeldRecord(Record):
    """A record that arrived before what it depends on; applied as soon as that arrives."""

    __tablename__ = "held_record"
    __table_args__ = (UniqueConstraint("record_id", "content_hash"),)

    record_id: Mapped[UUID]  # indexed first in the unique (record_id, content_hash)
    kind: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    waiting_for: Mapped[str] = mapped_column(String(120), index=True)
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    session_id: Mapped[UUID]


class RefusedRecord(Record):
    """The quarantine: a record the server refused, with its reason, kept for the coordinator."""

    __tablename__ = "refused_record"
    __table_args__ = (UniqueConstraint("record_id", "content_hash"),)

    record_id: Mapped[UUID]  # indexed first in the unique (record_id, content_hash)
    kind: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[dict[str, Any]] = mapped_column(JSON)
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
