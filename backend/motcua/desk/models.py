"""What the desk keeps to take a move back: the dossier as it was before the move."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import ReferenceRow


class MoveSnapshot(ReferenceRow):
    """A desk move's "before" (status and the fields a move sets) and "after", and the change
    log's newest entry for the dossier once the move was written: an undo restores "before"
    only while the dossier still is "after" and nothing later reached the change log."""

    __tablename__ = "dossier_move_snapshot"

    event_id: Mapped[UUID] = mapped_column(
        ForeignKey("dossier_event.id", ondelete="CASCADE"), primary_key=True
    )
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    change_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
