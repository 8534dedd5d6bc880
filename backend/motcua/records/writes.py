"""The rows a batch adds to its bookkeeping tables, written with one INSERT per table.

Revisions, the current-revision index, consents, checklist ticks and the photos a dossier
names are written once and never read back while the batch applies, so they need no ORM
object: building one and letting the unit of work flush it cost more than judging the
record. They wait here as plain rows and go to the database together, after the ORM rows
they point at (residents, dossiers), in the order of the foreign keys between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.base import table_of
from motcua.dossiers.models import DossierAttachment
from motcua.records.models import RecordRevision, SyncRecord
from motcua.residents.models import ChecklistStep, Consent

Row = dict[str, Any]

# Parents first: nothing here points at a row of a table after it.
_TABLES = tuple(table_of(m) for m in (SyncRecord, RecordRevision, Consent, ChecklistStep, DossierAttachment))
_SYNC_RECORD = table_of(SyncRecord)
_PHOTOS = table_of(DossierAttachment)
# Executed with many rows: sets the columns each row names, on the row of ``record_id``.
_SYNC_RECORD_UPDATE = update(_SYNC_RECORD).where(_SYNC_RECORD.c.id == bindparam("record_id"))


@dataclass
class Current:
    """A record's current revision, as the ``sync_record`` row says or will say."""

    kind: str
    revision: int
    content_hash: str
    commune_code: int
    owner_id: UUID
    stored: bool  # the row exists in the database (else it is inserted at the write)
    changed: bool = False


class BatchWrites:
    def __init__(self) -> None:
        self.rows: dict[Table, list[Row]] = {}
        self.current: dict[UUID, Current] = {}

    def add(self, table: Table, *rows: Row) -> None:
        self.rows.setdefault(table, []).extend(rows)

    def drop_photos_of(self, dossier_id: UUID) -> None:
        """Forget the photo rows a dossier's earlier revision in this batch named."""
        if _PHOTOS in self.rows:
            self.rows[_PHOTOS] = [row for row in self.rows[_PHOTOS] if row["dossier_id"] != dossier_id]

    async def settle(self, db: AsyncSession, table: Table) -> None:
        """Write now if rows of ``table`` wait: a query is about to read it."""
        if self.rows.get(table):
            await self.write(db)

    async def write(self, db: AsyncSession) -> None:
        """Flush the ORM rows, then write what waits here; forgotten even if it fails
        (a failure rolls back the savepoint these rows belonged to)."""
        rows, self.rows = self.rows, {}
        new: list[Row] = []
        moved: list[Row] = []
        for record_id, c in self.current.items():
            values = {"revision": c.revision, "content_hash": c.content_hash, "commune_code": c.commune_code}
            if not c.stored:
                new.append({"id": record_id, "kind": c.kind, "owner_id": c.owner_id, **values})
            elif c.changed:
                moved.append({"record_id": record_id, **values})
            c.stored, c.changed = True, False
        if new:
            rows[_SYNC_RECORD] = new
        await db.flush()
        if moved:
            await db.execute(_SYNC_RECORD_UPDATE, moved)
        for table in _TABLES:
            if rows.get(table):
                await db.execute(insert(table), rows[table])
