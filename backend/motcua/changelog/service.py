"""The change log pull reads: appended in commit order on both databases."""

from __future__ import annotations

from typing import TypedDict
from uuid import UUID

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.changelog.models import Change
from motcua.db.base import table_of

# PostgreSQL hands out sequence numbers before commit, so a reader could see 12 before an
# earlier transaction's 11 commits and skip 11 forever. Appending under this transaction-
# scoped lock makes sequence order commit order. SQLite has one writer at a time anyway.
_CHANGE_LOG_LOCK = 0x6D6F7463  # "motc"


class ChangeRow(TypedDict):
    kind: str
    record_id: str
    commune_code: int | None
    owner_id: UUID | None
    resident_id: UUID | None


def change(
    kind: str,
    record_id: object,
    commune_code: int | None = None,
    owner_id: UUID | None = None,
    resident_id: UUID | None = None,
) -> ChangeRow:
    return {
        "kind": kind,
        "record_id": str(record_id),
        "commune_code": commune_code,
        "owner_id": owner_id,
        "resident_id": resident_id,
    }


async def append_changes(db: AsyncSession, changes: list[ChangeRow]) -> None:
    """Add ``changes`` to the log; call last in the transaction, the lock lasts until commit."""
    if not changes:
        return
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHANGE_LOG_LOCK})
    # One executemany: the ORM would insert one row at a time to read back each ``seq``.
    await db.execute(insert(table_of(Change)), changes)
