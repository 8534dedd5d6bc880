"""Batch push: each record applied exactly once, with an outcome of its own.

Rules (docs/sync.md): the server is idempotent on the phone's record id and the content
hash; a revision must name the revision it edits, and a stale base is a conflict with
both versions kept; a record whose parent has not arrived is held, and applied when it
does; a bad record is refused with its reason and never blocks the rest of the batch.

A batch is applied twice over at most. First all at once: what the server knows of the
batch is read up front, every record is judged against that, and all the writes go to the
database together at the end, inside one savepoint. Handlers refuse or hold a record
before they write anything for it, so judging needs no savepoint of its own. Only the
database can tell that a concurrent push stored the same record, person or tracking code
a moment ago (a unique constraint fails); then the savepoint undoes the batch and it is
applied again carefully, record by record, each in its own savepoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from uuid import UUID

import msgspec
from sqlalchemy import CompoundSelect, bindparam, delete, literal_column, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.accounts.sessions import principal_of_user
from motcua.attachments.service import missing_attachments_of
from motcua.auth.principal import Principal
from motcua.changelog.service import ChangeRow, append_changes, change
from motcua.counters import count_sync_outcomes
from motcua.db.base import table_of
from motcua.errors import FieldError
from motcua.records.dossiers import apply_dossier
from motcua.records.facts import BatchFacts
from motcua.records.handlers import Applied, Incoming, control_characters, refuse_fields
from motcua.records.models import HeldRecord, RecordRevision, RefusedRecord, SyncRecord
from motcua.records.outcomes import Held, Refused, waiting_for_record, waiting_for_revision
from motcua.records.residents import apply_checklist, apply_consent, apply_resident, consent_admissible
from motcua.records.schemas import Outcome, RecordIn
from motcua.records.writes import BatchWrites, Current, Row
from motcua.residents.models import ResidentMerge

_REVISIONS = table_of(RecordRevision)

Handler = Callable[[Incoming], Awaitable[Applied]]
# Parents before children, so a batch in any order applies in one pass.
HANDLERS: dict[str, tuple[int, Handler]] = {
    "resident": (0, apply_resident),
    "consent": (1, apply_consent),
    "checklist": (2, apply_checklist),
    "dossier": (3, apply_dossier),
}
_MAX_RELEASE_DEPTH = 50

# What the server holds of a batch's records. Built once: constructing a statement with an
# IN list of literal values cost more than running it.

# Every version the server keeps of these records, in one query: (where, record id, content
# hash, what): a revision and its state, a held record and what it waits for, a refused one.
_KEPT_OF: CompoundSelect[str, UUID, str, str] = union_all(
    select(
        literal_column("'revision'"),
        RecordRevision.record_id,
        RecordRevision.content_hash,
        RecordRevision.state,
    ).where(RecordRevision.record_id.in_(bindparam("ids", expanding=True))),
    select(
        literal_column("'held'"), HeldRecord.record_id, HeldRecord.content_hash, HeldRecord.waiting_for
    ).where(HeldRecord.record_id.in_(bindparam("ids", expanding=True))),
    select(
        literal_column("'refused'"), RefusedRecord.record_id, RefusedRecord.content_hash, literal_column("''")
    ).where(RefusedRecord.record_id.in_(bindparam("ids", expanding=True))),
)
_CURRENT_OF = select(
    SyncRecord.id,
    SyncRecord.kind,
    SyncRecord.revision,
    SyncRecord.content_hash,
    SyncRecord.commune_code,
    SyncRecord.owner_id,
).where(SyncRecord.id.in_(bindparam("ids", expanding=True)))
# The same, holding each row until the batch commits: a revision is judged against the row as
# it stands, so of two phones editing one record at once the second waits, then sees the first
# one's revision and is a conflict (rule 9). Locked in id order, so two batches never wait for
# each other in a circle. (SQLite has no row locks and needs none: one batch writes at a time.)
_CURRENT_OF_LOCKED = _CURRENT_OF.order_by(SyncRecord.id).with_for_update()
_WAITING_FOR = (
    select(HeldRecord)
    .where(HeldRecord.waiting_for.in_(bindparam("keys", expanding=True)))
    .order_by(HeldRecord.created_at)
)
_AWAITED = select(HeldRecord.waiting_for).distinct().limit(bindparam("most"))
_MERGED_INTO = select(ResidentMerge.resident_id).where(ResidentMerge.duplicate_id == bindparam("id"))

# The most of one record the server keeps: a record is a person, a tick or a declaration, and
# a bigger one is refused rather than stored; a refused one is kept as an excerpt this long.
MAX_RECORD_BYTES = 64 * 1024
REFUSED_EXCERPT_CHARS = 3584  # with its envelope, under 4 KiB


def canonical_json(record: RecordIn) -> bytes:
    """The record as sent, in canonical JSON: the six envelope keys, keys sorted, no spaces,
    non-ASCII as UTF-8 — what JavaScript's ``JSON.stringify`` gives with sorted keys."""
    return msgspec.json.encode(msgspec.to_builtins(record, order="sorted"), order="sorted")


def content_hash(record: RecordIn) -> str:
    """SHA-256 of the canonical JSON of the whole frozen record (docs/sync.md, "content hash")."""
    return hashlib.sha256(canonical_json(record)).hexdigest()


def _envelope(record: RecordIn) -> dict[str, object]:
    return dict(msgspec.to_builtins(record))


def _excerpt(record: RecordIn) -> dict[str, object]:
    """What is kept of a refused record: all of it when small, else its envelope and a bounded
    excerpt — never an unbounded body, nor a NUL that PostgreSQL cannot store."""
    text = msgspec.json.encode(msgspec.to_builtins(record)).decode().replace("\\u0000", "\\ufffd")
    if len(text) <= REFUSED_EXCERPT_CHARS:
        return dict(msgspec.json.decode(text))
    return {
        "kind": record.kind,
        "id": str(record.id),
        "revision": record.revision,
        "base_revision": record.base_revision,
        "written_at": record.written_at,
        "excerpt": text[:REFUSED_EXCERPT_CHARS],
        "truncated": True,
    }


def _check_envelope(record: RecordIn, size: int) -> None:
    """What every record must be, whatever its kind: judged before anything of it is kept."""
    if record.id.version != 7:
        raise Refused(
            "record.id_not_v7",
            "Mã bản ghi phải là UUID phiên bản 7, do điện thoại tạo.",
            "A record id must be a UUID version 7, made on the phone.",
            [FieldError("id", "record.id_not_v7", "Không phải UUIDv7.", "Not a UUIDv7.")],
        )
    if size > MAX_RECORD_BYTES:
        raise Refused(
            "record.too_large",
            f"Bản ghi quá lớn (tối đa {MAX_RECORD_BYTES // 1024} KB).",
            f"The record is too large (at most {MAX_RECORD_BYTES // 1024} KB).",
        )
    try:
        zoned = record.written_time.tzinfo is not None
    except ValueError:
        zoned = False
    if not zoned:
        raise Refused(
            "record.invalid",
            "Thời điểm ghi không hợp lệ.",
            "The time the record was written is not valid.",
            [
                FieldError(
                    "written_at", "invalid", "Không phải thời điểm có múi giờ.", "Not a time with a zone."
                )
            ],
        )
    refuse_fields(control_characters(record.body))


class _Push:
    """One batch. What the server already knows of the batch's records is read once up front
    (revisions, held, refused, current), so each record costs its own writes and little else."""

    def __init__(self, db: AsyncSession, principal: Principal, batch: list[RecordIn], careful: bool) -> None:
        self.db = db
        self.principal = principal
        self.careful = careful  # a savepoint per record, and retry a record that races
        self.facts = BatchFacts(db)
        self.writes = BatchWrites()
        self.changes: list[ChangeRow] = []
        self.applied_keys: set[str] = set()
        self.outcomes: dict[int, Outcome] = {}  # by the record's place in the batch
        self.batch_consents: frozenset[tuple[str, str]] = frozenset()  # set once the batch is learnt
        self.known: set[UUID] = set()
        self.seen: dict[tuple[UUID, str], str] = {}
        self.held: dict[tuple[UUID, str], str] = {}  # → what it waits for
        self.refused: set[tuple[UUID, str]] = set()
        self.duplicate_dossiers: set[UUID] = set()  # sent again: what each still lacks is told
        self.current = self.writes.current  # record id → its current revision

    def admit_consents(self, batch: list[RecordIn]) -> None:
        """The consents of this batch that will be applied: only they may admit a field that
        needs consent (ethnicity) on a resident of the same batch."""
        self.batch_consents = frozenset(
            (str(r.body.get("resident_id")), str(r.body.get("purpose")))
            for r in batch
            if r.kind == "consent"
            and r.body.get("given") is True
            and r.id not in self.current
            and r.revision == 1
            and consent_admissible(r)
            and self._judgeable(r)
        )

    @staticmethod
    def _judgeable(record: RecordIn) -> bool:
        try:
            _check_envelope(record, len(canonical_json(record)))
        except Refused:
            return False
        return True

    async def learn(self, ids: set[UUID]) -> None:
        """Read what the server holds for ``ids``: two queries for the whole batch."""
        db, wanted = self.db, {"ids": sorted(ids)}
        for where, record_id, digest, what in await db.execute(_KEPT_OF, wanted):
            if where == "revision":
                self.seen[(record_id, digest)] = what
            elif where == "held":
                self.held[(record_id, digest)] = what
            else:
                self.refused.add((record_id, digest))
        for record_id, kind, revision, digest, commune_code, owner_id in await db.execute(
            _CURRENT_OF_LOCKED, wanted
        ):
            self.current[record_id] = Current(kind, revision, digest, commune_code, owner_id, stored=True)
        self.known |= ids

    def forget(self, record_id: UUID) -> None:
        self.known.discard(record_id)
        self.current.pop(record_id, None)
        self.refused -= {key for key in self.refused if key[0] == record_id}
        for facts in (self.seen, self.held):
            for key in [key for key in facts if key[0] == record_id]:
                del facts[key]

    async def one(self, record: RecordIn, principal: Principal, depth: int = 0) -> Outcome:
        """Judge and apply one record; carefully: in its own savepoint, retried once if raced."""
        canonical = canonical_json(record)
        digest = hashlib.sha256(canonical).hexdigest()
        for attempt in (1, 2):
            if record.id not in self.known:
                await self.learn({record.id})
            try:
                if not self.careful:
                    return await self._classify(record, digest, len(canonical), principal, depth)
                async with self.db.begin_nested():
                    outcome = await self._classify(record, digest, len(canonical), principal, depth)
                    await self.writes.write(self.db)  # inside the savepoint: a race undoes it
                    return outcome
            except Refused as refusal:
                # Nothing of the record was written; keep it and its reason.
                outcome = await self._refused(record, digest, principal, refusal)
            except Held as held:
                outcome = await self._hold(record, digest, principal, held.waiting_for)
            except IntegrityError:
                if not self.careful or attempt == 2:
                    raise
                # Another phone stored the same record a moment ago: look again.
                self.forget(record.id)
                self.facts.clear()
                continue
            if self.careful:
                await self.db.flush()  # the quarantine or hold row, before the next record
            return outcome
        raise AssertionError("unreachable")

    async def _classify(
        self, record: RecordIn, digest: str, size: int, principal: Principal, depth: int
    ) -> Outcome:
        seen = self.seen.get((record.id, digest))
        current = self.current.get(record.id)
        if seen is not None:
            server_revision = current.revision if current else None
            if seen == "conflict":
                return self._conflict(record, server_revision, "revision.conflict")
            merged: UUID | None = None
            missing: list[str] | None = None
            if record.kind == "resident":
                merged = await self.db.scalar(_MERGED_INTO, {"id": record.id})
            elif record.kind == "dossier":
                missing = []  # told after the batch, for every such dossier in one query
                self.duplicate_dossiers.add(record.id)
            return Outcome(
                record.id,
                record.kind,
                record.revision,
                "duplicate",
                server_revision=server_revision,
                merged_into=merged,
                missing_attachments=missing,
            )
        _check_envelope(record, size)
        waiting_for = self.held.get((record.id, digest))
        if waiting_for is not None and waiting_for not in self.applied_keys:
            return Outcome(record.id, record.kind, record.revision, "held")
        # Held before and sent again in the batch that brought its parent: on now, not after it.
        if current is not None and current.kind != record.kind:
            raise Refused(
                "record.kind_mismatch",
                "Mã bản ghi đã dùng cho loại khác.",
                "This record id belongs to another kind of record.",
            )
        if current is None and record.revision > 1:
            raise Held(waiting_for_revision(record.id, record.base_revision or 1))
        if current is not None:
            if (
                record.revision <= current.revision
                or record.base_revision is None
                or record.base_revision < current.revision
            ):
                # The same revision with other content, or an edit of a revision that is no
                # longer the newest: keep both, apply neither.
                await self._unhold(record.id, digest)
                self.writes.add(_REVISIONS, self._revision(record, digest, principal, "conflict"))
                self.seen[(record.id, digest)] = "conflict"
                # A consent or a tick is never edited: another content under its id is no edit.
                never_edited = record.kind in ("consent", "checklist")
                code = "revision.conflict" if never_edited else "revision.stale_base"
                return self._conflict(record, current.revision, code)
            if record.base_revision > current.revision:
                raise Held(waiting_for_revision(record.id, record.base_revision))
            if record.revision != record.base_revision + 1:
                raise Refused(
                    "revision.gap",
                    "Số phiên bản không liền kề.",
                    "A revision must follow its base by one.",
                )
        return await self._apply(record, digest, principal, depth)

    async def _apply(self, record: RecordIn, digest: str, principal: Principal, depth: int) -> Outcome:
        handler = HANDLERS[record.kind][1]
        applied = await handler(
            Incoming(self.db, self.facts, self.writes, record, digest, principal, self.batch_consents)
        )
        await self._unhold(record.id, digest)
        current = self.current.get(record.id)
        if current is None:
            self.current[record.id] = Current(
                record.kind, record.revision, digest, applied.commune_code, applied.owner_id, stored=False
            )
        else:
            current.revision, current.content_hash, current.commune_code = (
                record.revision,
                digest,
                applied.commune_code,
            )
            current.changed = True
        self.writes.add(_REVISIONS, self._revision(record, digest, principal, "applied"))
        if (record.id, digest) in self.refused:
            await self.db.execute(
                delete(RefusedRecord).where(
                    RefusedRecord.record_id == record.id, RefusedRecord.content_hash == digest
                )
            )
        resident = applied.resident_id
        self.changes.append(change(record.kind, record.id, applied.commune_code, applied.owner_id, resident))
        self.changes += [
            change(kind, rid, applied.commune_code, resident_id=resident) for kind, rid in applied.changes
        ]
        self.seen[(record.id, digest)] = "applied"
        self.refused.discard((record.id, digest))
        self.applied_keys |= {waiting_for_record(record.id), waiting_for_revision(record.id, record.revision)}
        if depth > 0:
            # Applied on release: what waited for this record goes on too.
            await self.release(
                {waiting_for_record(record.id), waiting_for_revision(record.id, record.revision)}, depth
            )
        return Outcome(
            record.id,
            record.kind,
            record.revision,
            "applied",
            server_revision=record.revision,
            merged_into=applied.merged_into,
            missing_attachments=applied.missing_attachments if record.kind == "dossier" else None,
        )

    async def release(self, keys: set[str], depth: int = 0) -> None:
        """Apply the records that were waiting for any of ``keys``, as the user who sent each.

        Called once after the batch (one query, however many records it applied), and again
        for whatever a released record unblocks in turn.
        """
        if not keys or depth >= _MAX_RELEASE_DEPTH:
            return
        waiting = list(await self.db.scalars(_WAITING_FOR, {"keys": list(keys)}))
        for held in waiting:
            await self.db.delete(held)
            await self.db.flush()
            self.held.pop((held.record_id, held.content_hash), None)
            record = msgspec.convert(held.envelope, RecordIn)
            sender = await principal_of(self.db, held.user_id, held.session_id)
            if sender is not None:
                await self.one(record, sender, depth + 1)

    async def _unhold(self, record_id: UUID, digest: str) -> None:
        if self.held.pop((record_id, digest), None) is not None:
            await self.db.execute(
                delete(HeldRecord).where(HeldRecord.record_id == record_id, HeldRecord.content_hash == digest)
            )

    async def _hold(self, record: RecordIn, digest: str, principal: Principal, waiting_for: str) -> Outcome:
        if (record.id, digest) in self.held:
            # Held before, and what it waits for has changed (its parent came, its base did not).
            await self.db.execute(
                update(HeldRecord)
                .where(HeldRecord.record_id == record.id, HeldRecord.content_hash == digest)
                .values(waiting_for=waiting_for)
            )
            self.held[(record.id, digest)] = waiting_for
            return Outcome(record.id, record.kind, record.revision, "held")
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
        self.held[(record.id, digest)] = waiting_for
        return Outcome(record.id, record.kind, record.revision, "held")

    @staticmethod
    def _revision(record: RecordIn, digest: str, principal: Principal, state: str) -> Row:
        return {
            "record_id": record.id,
            "kind": record.kind,
            "revision": record.revision,
            "base_revision": record.base_revision,
            "content_hash": digest,
            "state": state,
            "envelope": _envelope(record),
            "user_id": principal.user_id,
            "session_id": principal.session_id,
        }

    async def _refused(
        self, record: RecordIn, digest: str, principal: Principal, refusal: Refused
    ) -> Outcome:
        """Quarantine the record with its reason (once, however often the phone sends it)."""
        reason = msgspec.to_builtins(refusal.body)
        if (record.id, digest) in self.refused:
            await self.db.execute(
                update(RefusedRecord)
                .where(RefusedRecord.record_id == record.id, RefusedRecord.content_hash == digest)
                .values(reason=reason)
            )
        else:
            self.db.add(
                RefusedRecord(
                    record_id=record.id,
                    kind=record.kind,
                    content_hash=digest,
                    reason=reason,
                    envelope=_excerpt(record),
                    user_id=principal.user_id,
                )
            )
            self.refused.add((record.id, digest))
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
    return await principal_of_user(db, user, session_id, "device")


async def _free_keys(db: AsyncSession, applied: set[str], limit: int = 100) -> set[str]:
    """What held records wait for and now have: the records this batch applied, and any other
    parent that arrived meanwhile.

    Two pushes racing on PostgreSQL can hold a child while its parent commits in the other
    transaction, unseen; the next push of anyone picks it up here, so nothing stays held.
    Usually nothing is held at all, and one small query says so.
    """
    awaited = set(await db.scalars(_AWAITED, {"most": limit + 1}))
    if not awaited:
        return set()
    # All of them when they fit under the limit, so only what is awaited is released.
    free = awaited & applied if len(awaited) <= limit else set(applied)
    others = awaited - applied
    wanted = {UUID(key.split(":")[1]) for key in others}
    present = (
        {row.id: row.revision for row in await db.execute(_CURRENT_OF, {"ids": list(wanted)})}
        if wanted
        else {}
    )
    for key in others:
        _, record_id, *revision = key.split(":")
        have = present.get(UUID(record_id))
        if have is not None and (not revision or have >= int(revision[0])):
            free.add(key)
    return free


async def push(db: AsyncSession, principal: Principal, records: list[RecordIn]) -> list[Outcome]:
    """Apply a batch; the outcomes come back in the order the records were sent."""
    try:
        async with db.begin_nested():
            run = await _push(db, principal, records, careful=False)
    except IntegrityError:
        # A concurrent push stored one of these records, persons or tracking codes meanwhile;
        # the savepoint undid the whole batch. Now record by record, each in its own savepoint.
        run = await _push(db, principal, records, careful=True)
    # Last, after the savepoint: the change log's lock lasts from here to the commit.
    await append_changes(db, run.changes)
    count_sync_outcomes((outcome.kind, outcome.outcome) for outcome in run.outcomes.values())
    return [run.outcomes[i] for i in range(len(records))]


async def _push(db: AsyncSession, principal: Principal, records: list[RecordIn], careful: bool) -> _Push:
    run = _Push(db, principal, records, careful)
    await run.learn({record.id for record in records})
    run.admit_consents(records)
    await run.facts.prefetch(records)
    order = sorted(range(len(records)), key=lambda i: (HANDLERS[records[i].kind][0], records[i].revision))
    for index in order:
        run.outcomes[index] = await run.one(records[index], principal)
    await run.release(await _free_keys(db, run.applied_keys))
    await run.writes.write(db)
    if run.duplicate_dossiers:
        lacking = await missing_attachments_of(db, sorted(run.duplicate_dossiers))
        for index, outcome in run.outcomes.items():
            if outcome.kind == "dossier" and outcome.outcome == "duplicate":
                run.outcomes[index] = msgspec.structs.replace(
                    outcome, missing_attachments=lacking.get(outcome.id, [])
                )
    return run
