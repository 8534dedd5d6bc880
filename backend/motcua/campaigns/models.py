"""Campaigns, routes, their stops and the volunteers assigned to them."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

from sqlalchemy import Date, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db.base import Record, ReferenceRow


class Campaign(Record):
    """A commune's drive with dates and targets, e.g. 1,000 digital citizens in 60 days."""

    __tablename__ = "campaign"

    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    target_digital_citizens: Mapped[int] = mapped_column(Integer, default=0)
    target_dossiers: Mapped[int] = mapped_column(Integer, default=0)
    target_villages: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))


class Route(Record):
    """One day's round for a team of volunteers: an ordered list of stops."""

    __tablename__ = "route"

    commune_code: Mapped[int] = mapped_column(ForeignKey("commune.code"), index=True)
    campaign_id: Mapped[UUID | None] = mapped_column(ForeignKey("campaign.id"), default=None)
    day: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))

    stops: Mapped[list[RouteStop]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RouteStop.position"
    )
    team: Mapped[list[RouteVolunteer]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class RouteStop(Record):
    """A stop on a route: a village, where to meet, and when."""

    __tablename__ = "route_stop"

    route_id: Mapped[UUID] = mapped_column(ForeignKey("route.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    village_id: Mapped[UUID] = mapped_column(ForeignKey("village.id"))
    meeting_point: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[time | None] = mapped_column(Time, default=None)
    ends_at: Mapped[time | None] = mapped_column(Time, default=None)


class RouteVolunteer(ReferenceRow):
    """A volunteer assigned to a route; their scope follows the assignment."""

    __tablename__ = "route_volunteer"

    route_id: Mapped[UUID] = mapped_column(ForeignKey("route.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
