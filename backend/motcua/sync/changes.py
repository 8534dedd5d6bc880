"""The change log pull reads: appended in commit order on both databases."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.sync.models import Change

# PostgreSQL hands out sequence numbers before commit, so a reader could see 12 before an
# earlier transaction's 11 commits and skip 11 forever. Appending under this transaction-
# scoped lock makes sequence order commit order. SQLite has one writer at a time anyway.
_CHANGE_LOG_LOCK = 0x6D6F7463  # "motc"


def change(
    kind: str, record_id: object, commune_code: int | None = None, owner_id: UUID | None = None
) -> Change:
    return Change(kind=kind, record_id=str(record_id), commune_code=commune_code, owner_id=owner_id)


async def append_changes(db: AsyncSession, changes: list[Change]) -> None:
    """Add ``changes`` to the log; call last in the transaction, the lock lasts until commit."""
    if not changes:
        return
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHANGE_LOG_LOCK})
    # One executemany: the ORM would insert one row at a time to read back each ``seq``.
    columns = ("kind", "record_id", "commune_code", "owner_id")
    await db.execute(insert(Change), [{name: getattr(row, name) for name in columns} for row in changes])
