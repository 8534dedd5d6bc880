"""Push subscriptions, what each one follows, the outbox, and residents told in person."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import DateTimeUTC, Record, ReferenceRow

# pending → sending (claimed, under a lease) → sent | pending again (retry) | failed | gone | expired
OUTBOX_STATES = ("pending", "sending", "sent", "failed", "gone", "expired")
AUDIENCES = ("resident", "volunteer")
CONTACT_METHODS = ("call", "visit")


class PushSubscription(Record):
    """One browser's push endpoint and the keys to encrypt for it.

    A volunteer's subscription names the user; a resident's names nothing and follows
    dossiers (or a resident's every dossier) through :class:`PushFollow`.
    """

    __tablename__ = "push_subscription"

    endpoint: Mapped[str] = mapped_column(String(1000))
    # The endpoint is long; its SHA-256 keeps the unique index small on both databases.
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True, default=None
    )


class PushFollow(Record):
    """A resident's subscription follows one dossier, or every dossier of one resident."""

    __tablename__ = "push_follow"
    __table_args__ = (
        CheckConstraint("(dossier_id IS NULL) <> (resident_id IS NULL)", name="one_target"),
        Index("ix_push_follow_subscription_dossier", "subscription_id", "dossier_id", unique=True),
        Index("ix_push_follow_subscription_resident", "subscription_id", "resident_id", unique=True),
    )

    subscription_id: Mapped[UUID] = mapped_column(ForeignKey("push_subscription.id", ondelete="CASCADE"))
    dossier_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True, default=None
    )
    resident_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), index=True, default=None
    )


class PushOutbox(ReferenceRow):
    """One notification for one subscription, written in the transaction of the change it tells.

    ``seq`` orders the rows: the worker sends the rows of one subscription and topic in that
    order, one at a time, so the phone always ends on the newest status.
    """

    __tablename__ = "push_outbox"
    __table_args__ = (
        CheckConstraint(f"state IN {OUTBOX_STATES!r}", name="state"),
        CheckConstraint(f"audience IN {AUDIENCES!r}", name="audience"),
        Index("ix_push_outbox_due", "state", "next_attempt_at"),
        Index("ix_push_outbox_order", "subscription_id", "topic", "seq"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    subscription_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="SET NULL"), default=None
    )
    audience: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))  # status | supplement | assignment
    dossier_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True, default=None
    )
    event_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("dossier_event.id", ondelete="CASCADE"), index=True, default=None
    )
    route_id: Mapped[UUID | None] = mapped_column(ForeignKey("route.id", ondelete="SET NULL"), default=None)
    topic: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(10))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(40), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str] = mapped_column(String(200), default="")


class ResidentContact(Record):
    """A volunteer told a resident a dossier's news by phone or at their door."""

    __tablename__ = "resident_contact"
    __table_args__ = (CheckConstraint(f"method IN {CONTACT_METHODS!r}", name="method"),)

    dossier_id: Mapped[UUID] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("dossier_event.id", ondelete="CASCADE"), index=True, default=None
    )
    volunteer_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    method: Mapped[str] = mapped_column(String(10))


class PushWorkerBeat(ReferenceRow):
    """A push worker's heartbeat: each worker writes its own row every cycle, so ``/health``
    can tell whether one is alive (docs/push.md)."""

    __tablename__ = "push_worker_beat"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
