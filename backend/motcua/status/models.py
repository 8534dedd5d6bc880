"""Failed status-page lookups (kept briefly, to slow guessing) and residents' ratings."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import DateTimeUTC, Record, ReferenceRow

SCORES = ("satisfied", "neutral", "dissatisfied")


class StatusGuess(Record):
    """A status-page lookup whose code and secret did not match (the secret is never kept)."""

    __tablename__ = "status_guess"
    __table_args__ = (
        Index("ix_status_guess_client_created_at", "client", "created_at"),
        Index("ix_status_guess_tracking_code_created_at", "tracking_code", "created_at"),
    )

    client: Mapped[str] = mapped_column(String(64))
    tracking_code: Mapped[str] = mapped_column(String(20))


class Rating(Record):
    """A resident's rating of the service once the result was handed over: one per dossier."""

    __tablename__ = "service_rating"
    __table_args__ = (CheckConstraint(f"score IN {SCORES!r}", name="score"),)

    dossier_id: Mapped[UUID] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), unique=True)
    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"), index=True)
    volunteer_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    score: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(String(500), default="")
    rated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)


class StatusView(ReferenceRow):
    """When the resident last opened the dossier's status page: they have read its news."""

    __tablename__ = "status_view"

    dossier_id: Mapped[UUID] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    viewed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
