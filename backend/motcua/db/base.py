"""The declarative bases every model uses, sharing one metadata with a naming convention."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from advanced_alchemy.base import DefaultBase, UUIDv7Base, orm_registry
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import Mapped, mapped_column

# advanced-alchemy's registry carries the ix/uq/ck/fk/pk naming convention, so SQLite batch
# migrations can find constraints by name.
metadata: MetaData = orm_registry.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


class Record(UUIDv7Base):
    """A row with a UUIDv7 primary key and a creation time."""

    __abstract__ = True

    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)


class ReferenceRow(DefaultBase):
    """A row keyed by an official code (provinces, communes) rather than a UUID."""

    __abstract__ = True


def table_of(model: type[Any]) -> Table:
    """A model's table, for Core statements that skip the ORM's per-object work."""
    return cast(Table, model.__table__)


__all__ = ["DateTimeUTC", "Record", "ReferenceRow", "metadata", "table_of", "utcnow"]
