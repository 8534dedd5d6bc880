"""Sync API: push a batch, ask what the server holds, pull changes, read the limits."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.attachments.storage import ACCEPTED_TYPES, MAX_ATTACHMENT_BYTES
from motcua.auth.guards import roles, signed_in
from motcua.auth.principal import Principal
from motcua.errors import ApiError
from motcua.records.schemas import (
    MAX_BATCH_RECORDS,
    HoldingsIn,
    HoldingsOut,
    Limits,
    PullOut,
    PushIn,
    PushOut,
    VersionsOut,
)
from motcua.settings import Settings
from motcua.sync.gate import SyncGate
from motcua.sync.lookup import LookupOut, lookup
from motcua.sync.phone_scope import Window
from motcua.sync.pull import holdings, pull
from motcua.sync.push import push
from motcua.sync.start_over import cursor_for, cursor_position
from motcua.sync.versions import versions_of

# Changes a pull page holds at most, advertised in the limits. A page costs a fixed part (the
# request, its few queries, the audit event) plus a part per change, so a first pull of a
# whole commune goes faster in big pages; 2,000 is about 60 KB gzipped (docs/benchmarks.md).
PULL_PAGE_SIZE = 2000


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]

    @get("/limits")
    async def limits(self) -> Limits:
        """Batch and upload limits, so a phone never meets a bare 413."""
        return Limits(MAX_BATCH_RECORDS, MAX_ATTACHMENT_BYTES, list(ACCEPTED_TYPES), PULL_PAGE_SIZE)

    @post("/push", guards=[roles("volunteer", "coordinator")], status_code=200)
    async def push(
        self,
        data: JSONBody[PushIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        sync_gate: NamedDependency[SyncGate],
    ) -> PushOut:
        """Apply a batch of records; one outcome per record, in the order sent."""
        if len(data.records) > MAX_BATCH_RECORDS:
            raise ApiError(
                413,
                "batch.too_large",
                f"Mỗi lần gửi tối đa {MAX_BATCH_RECORDS} bản ghi.",
                f"Send at most {MAX_BATCH_RECORDS} records at a time.",
            )
        async with sync_gate.turn():
            outcomes = await push(db_session, principal, data.records)
            await db_session.commit()  # within the turn: the next batch finds this one stored
        return PushOut(outcomes)

    @post("/holdings", guards=[signed_in], status_code=200)
    async def holdings(
        self,
        data: JSONBody[HoldingsIn],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
    ) -> HoldingsOut:
        """Which of these ids the server holds; re-send the ``missing`` ones (a restored server)."""
        if len(data.ids) > 5 * MAX_BATCH_RECORDS:
            raise ApiError(413, "batch.too_large", "Hỏi quá nhiều mã một lần.", "Too many ids at once.")
        return await holdings(db_session, principal, data.ids)

    @get("/pull", guards=[signed_in])
    async def pull(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
        cursor: Annotated[str, QueryParameter()] = "0",
        limit: Annotated[int, QueryParameter(ge=1, le=PULL_PAGE_SIZE)] = PULL_PAGE_SIZE,
    ) -> PullOut:
        """Changes after ``cursor`` in the user's places; repeat with the returned cursor while ``more``.

        The cursor is opaque (``"<epoch>.<seq>"``); 409 ``sync.start_over`` when it belongs to
        the database before a restore: pull again from ``"0"`` and check holdings.
        """
        seq, epoch = await cursor_position(db_session, cursor)
        page = await pull(db_session, principal, seq, limit, Window.of(settings))
        return msgspec.structs.replace(page, cursor=cursor_for(epoch, page.cursor))

    @get("/records/{record_id:uuid}/versions", guards=[signed_in])
    async def versions(
        self,
        record_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        settings: NamedDependency[Settings],
    ) -> VersionsOut:
        """Every version the server keeps of a record, oldest first: both sides of a conflict.

        Only of the user's own records and revisions and of the residents their pull sends them
        (docs/privacy.md); 404 ``record.unknown`` for any other, as for an unknown id.
        """
        return await versions_of(db_session, principal, record_id, Window.of(settings))

    @get("/lookup", guards=[signed_in])
    async def lookup(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        q: Annotated[str, QueryParameter(min_length=1, max_length=40)],
    ) -> LookupOut:
        """A returning resident outside the phone's work, by a whole ID number or phone number.

        Exact match only, in the user's communes, at most 5; none elsewhere (an empty list, as
        for no match). Each found resident comes as the pull sends it and keeps reaching the
        user's phones (docs/sync.md §8). Audited; 400 ``lookup.query`` for anything but a
        whole ID number or phone, 429 ``lookup.too_many`` past the day's lookups.
        """
        return await lookup(db_session, principal, q)
