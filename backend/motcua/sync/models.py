"""What each phone (device session) already holds of the villages its routes open to it."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import ReferenceRow


class HeldVillage(ReferenceRow):
    """A village whose residents this device session was sent (docs/privacy.md).

    ``backfill_to`` is the phone's cursor when the village opened to it: the older records of
    the village (change seq at most that) are sent before new changes, ``backfilled`` marking
    how far; a village that closes again is forgotten once its residents were named in ``drop``.
    """

    __tablename__ = "held_village"

    # No foreign key: a row of a session gone is harmless, and the revoked stay in auth_session.
    session_id: Mapped[UUID] = mapped_column(primary_key=True)
    village_id: Mapped[UUID] = mapped_column(ForeignKey("village.id", ondelete="CASCADE"), primary_key=True)
    backfill_to: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    backfilled: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)


class LookedUp(ReferenceRow):
    """A resident outside the user's work that they found by ID number or phone on the server
    (docs/sync.md §8): their phones keep receiving its changes, as for a route's village
    (without ethnicity or signatures, docs/privacy.md)."""

    __tablename__ = "looked_up"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    resident_id: Mapped[UUID] = mapped_column(ForeignKey("resident.id", ondelete="CASCADE"), primary_key=True)
