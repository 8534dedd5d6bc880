"""Batch push: each record applied exactly once, with an outcome of its own.

Rules (docs/sync.md): the server is idempotent on the phone's record id and the content
hash; a revision must name the revision it edits, and a stale base is a conflict with
both versions kept; a record whose parent has not arrived is held, and applied when it
does; a bad record is refused with its reason and never blocks the rest of the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from uuid import UUID

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.accounts.principal import Principal
from motcua.dossiers.records import apply_dossier
from motcua.residents.models import ResidentMerge
from motcua.residents.records import apply_checklist, apply_consent, apply_resident
from motcua.sync.changes import append_changes, change
from motcua.sync.handlers import Applied, Incoming
from motcua.sync.models import Change, HeldRecord, RecordRevision, RefusedRecord, SyncRecord
from motcua.sync.outcomes import Held, Refused, waiting_for_record, waiting_for_revision
from motcua.sync.schemas import Outcome, RecordIn

Handler = Callable[[Incoming], Awaitable[Applied]]
# Parents before children, so a batch in any order applies in one pass.
HANDLERS: dict[str, tuple[int, Handler]] = {
    "resident": (0, apply_resident),
    "consent": (1, apply_consent),
    "checklist": (2, apply_checklist),
    "dossier": (3, apply_dossier),
}
_MAX_RELEASE_DEPTH = 50


def content_hash(record: RecordIn) -> str:
    """SHA-256 of the canonical JSON of the whole frozen record."""
    canonical = msgspec.json.encode(msgspec.to_builtins(record, order="sorted"), order="sorted")
    return hashlib.sha256(canonical).hexdigest()


def _envelope(record: RecordIn) -> dict[str, object]:
    return dict(msgspec.to_builtins(record))


class _Push:
    def __init__(self, db: AsyncSession, principal: Principal, batch: list[RecordIn]) -> None:
        self.db = db
        self.principal = principal
        self.changes: list[Change] = []
        self.batch_consents = frozenset(
            (str(r.body.get("resident_id")), str(r.body.get("purpose")))
            for r in batch
            if r.kind == "consent" and r.body.get("given") is True
        )

    async def one(self, record: RecordIn, principal: Principal, depth: int = 0) -> Outcome:
        """Push one record inside its own savepoint, retrying once if a concurrent push raced it."""
        digest = content_hash(record)
        for attempt in (1, 2):
            try:
                async with self.db.begin_nested():
                    return await self._classify(record, digest, principal, depth)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _classify(self, record: RecordIn, digest: str, principal: Principal, depth: int) -> Outcome:
        db = self.db
        seen = await db.scalar(
            select(RecordRevision).where(
                RecordRevision.record_id == record.id, RecordRevision.content_hash == digest
            )
        )
        current = await db.get(SyncRecord, record.id)
        if seen is not None:
            server_revision = current.revision if current else None
            if seen.state == "conflict":
                return self._conflict(record, server_revision, "revision.conflict")
            merged = await db.scalar(
                select(ResidentMerge.resident_id).where(ResidentMerge.duplicate_id == record.id)
            )
            return Outcome(
                record.id,
                record.kind,
                record.revision,
                "duplicate",
                server_revision=server_revision,
                merged_into=merged,
            )
        if await db.scalar(
            select(HeldRecord.id).where(HeldRecord.record_id == record.id, HeldRecord.content_hash == digest)
        ):
            return Outcome(record.id, record.kind, record.revision, "held")
        if current is not None and current.kind != record.kind:
            return await self._refused(
                record,
                digest,
                principal,
                Refused(
                    "record.kind_mismatch",
                    "Mã bản ghi đã dùng cho loại khác.",
                    "This record id belongs to another kind of record.",
                ),
            )
        if current is None and record.revision > 1:
            return await self._hold(
                record, digest, principal, waiting_for_revision(record.id, record.base_revision or 1)
            )
        if current is not None:
            if (
                record.revision <= current.revision
                or record.base_revision is None
                or record.base_revision < current.revision
            ):
                # The same revision with other content, or an edit of a revision that is no
                # longer the newest: keep both, apply neither.
                db.add(self._revision(record, digest, principal, "conflict"))
                return self._conflict(record, current.revision, "revision.stale_base")
            if record.base_revision > current.revision:
                return await self._hold(
                    record, digest, principal, waiting_for_revision(record.id, record.base_revision)
                )
            if record.revision != record.base_revision + 1:
                return await self._refused(
                    record,
                    digest,
                    principal,
                    Refused(
                        "revision.gap",
                        "Số phiên bản không liền kề.",
                        "A revision must follow its base by one.",
                    ),
                )
        return await self._apply(record, digest, principal, depth)

    async def _apply(self, record: RecordIn, digest: str, principal: Principal, depth: int) -> Outcome:
        handler = HANDLERS[record.kind][1]
        incoming = Incoming(self.db, record, digest, principal, self.batch_consents)
        try:
            async with self.db.begin_nested():
                applied = await handler(incoming)
        except Refused as refusal:
            return await self._refused(record, digest, principal, refusal)
        except Held as held:
            return await self._hold(record, digest, principal, held.waiting_for)
        current = await self.db.get(SyncRecord, record.id)
        if current is None:
            self.db.add(
                SyncRecord(
                    id=record.id,
                    kind=record.kind,
                    revision=record.revision,
                    content_hash=digest,
                    commune_code=applied.commune_code,
                    owner_id=applied.owner_id,
                )
            )
        else:
            current.revision, current.content_hash, current.commune_code = (
                record.revision,
                digest,
                applied.commune_code,
            )
        self.db.add(self._revision(record, digest, principal, "applied"))
        await self.db.execute(
            delete(RefusedRecord).where(
                RefusedRecord.record_id == record.id, RefusedRecord.content_hash == digest
            )
        )
        self.changes.append(change(record.kind, record.id, applied.commune_code, applied.owner_id))
        self.changes += [change(kind, rid, applied.commune_code) for kind, rid in applied.changes]
        await self.db.flush()
        await self._release(waiting_for_record(record.id), depth)
        await self._release(waiting_for_revision(record.id, record.revision), depth)
        return Outcome(
            record.id,
            record.kind,
            record.revision,
            "applied",
            server_revision=record.revision,
            merged_into=applied.merged_into,
            missing_attachments=applied.missing_attachments,
        )

    async def _release(self, key: str, depth: int) -> None:
        """Apply the records that were waiting for ``key``, as the user who sent each."""
        if depth >= _MAX_RELEASE_DEPTH:
            return
        waiting = list(
            await self.db.scalars(
                select(HeldRecord).where(HeldRecord.waiting_for == key).order_by(HeldRecord.created_at)
            )
        )
        for held in waiting:
            await self.db.delete(held)
            await self.db.flush()
            record = msgspec.convert(held.envelope, RecordIn)
            sender = await principal_of(self.db, held.user_id, held.session_id)
            if sender is not None:
                await self.one(record, sender, depth + 1)

    async def _hold(self, record: RecordIn, digest: str, principal: Principal, waiting_for: str) -> Outcome:
        self.db.add(
            HeldRecord(
                record_id=record.id,
                kind=record.kind,
                content_hash=digest,
                waiting_for=waiting_for,
                envelope=_envelope(record),
                user_id=principal.user_id,
                session_id=principal.session_id,
            )
        )
        await self.db.flush()
        return Outcome(record.id, record.kind, record.revision, "held")

    def _revision(self, record: RecordIn, digest: str, principal: Principal, state: str) -> RecordRevision:
        return RecordRevision(
            record_id=record.id,
            kind=record.kind,
            revision=record.revision,
            base_revision=record.base_revision,
            content_hash=digest,
            state=state,
            envelope=_envelope(record),
            user_id=principal.user_id,
            session_id=principal.session_id,
        )

    async def _refused(
        self, record: RecordIn, digest: str, principal: Principal, refusal: Refused
    ) -> Outcome:
        """Quarantine the record with its reason (once, however often the phone sends it)."""
        kept = await self.db.scalar(
            select(RefusedRecord).where(
                RefusedRecord.record_id == record.id, RefusedRecord.content_hash == digest
            )
        )
        if kept is None:
            self.db.add(
                RefusedRecord(
                    record_id=record.id,
                    kind=record.kind,
                    content_hash=digest,
                    reason=msgspec.to_builtins(refusal.body),
                    envelope=_envelope(record),
                    user_id=principal.user_id,
                )
            )
        else:
            kept.reason = msgspec.to_builtins(refusal.body)
        return Outcome(record.id, record.kind, record.revision, "rejected", reason=refusal.body)

    @staticmethod
    def _conflict(record: RecordIn, server_revision: int | None, code: str) -> Outcome:
        reason = Refused(
            code,
            "Bản ghi đã được sửa ở nơi khác; máy chủ giữ cả hai phiên bản để xem lại.",
            "The record was changed elsewhere; the server keeps both versions for review.",
        ).body
        return Outcome(
            record.id,
            record.kind,
            record.revision,
            "conflict",
            reason=reason,
            server_revision=server_revision,
        )


async def principal_of(db: AsyncSession, user_id: UUID, session_id: UUID) -> Principal | None:
    """The scope of a user who pushed earlier (for records released from hold)."""
    user = await db.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return Principal(
        user_id=user.id,
        session_id=session_id,
        session_kind="device",
        role=user.role,
        full_name=user.full_name,
        phone=user.phone,
        commune_codes=frozenset(c.commune_code for c in user.communes),
        province_codes=frozenset(p.province_code for p in user.provinces),
    )


async def push(db: AsyncSession, principal: Principal, records: list[RecordIn]) -> list[Outcome]:
    """Apply a batch; the outcomes come back in the order the records were sent."""
    run = _Push(db, principal, records)
    order = sorted(range(len(records)), key=lambda i: (HANDLERS[records[i].kind][0], records[i].revision))
    outcomes: dict[int, Outcome] = {}
    for index in order:
        outcomes[index] = await run.one(records[index], principal)
    await append_changes(db, run.changes)
    return [outcomes[i] for i in range(len(records))]
