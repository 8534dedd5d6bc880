"""Which held records a batch lets go: what it applied, and parents that arrived meanwhile.

``_free_keys`` reads at most ``limit`` of the keys held records wait for. Under the limit it
knows them all and releases only those; over it, it asks for every key the batch applied.
Either way nothing that waits for an applied record stays held.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from motcua.accounts.models import User
from motcua.records.models import HeldRecord, SyncRecord
from motcua.records.outcomes import waiting_for_record, waiting_for_revision
from motcua.settings import Settings
from motcua.sync.push import _free_keys
from tests.conftest import COMMUNE_A, add_user, in_db

PARENTS = [UUID(int=n) for n in range(1, 5)]


async def _hold_children(db: AsyncSession) -> UUID:
    user = await db.scalar(select(User))
    assert user is not None
    for parent in PARENTS:
        db.add(
            HeldRecord(
                record_id=uuid7(),
                kind="consent",
                content_hash=f"{parent.int:064x}",
                waiting_for=waiting_for_record(parent),
                envelope={},
                user_id=user.id,
                session_id=user.id,
            )
        )
    # A parent that arrived in another push, unseen by the one that held its child.
    db.add(
        SyncRecord(
            id=PARENTS[3],
            kind="resident",
            revision=1,
            content_hash="0" * 64,
            commune_code=COMMUNE_A,
            owner_id=user.id,
        )
    )
    await db.flush()
    return user.id


@pytest.mark.parametrize("limit", [2, 100], ids=["over the limit", "under the limit"])
def test_the_batchs_own_parents_and_arrived_ones_are_let_go(settings: Settings, limit: int) -> None:
    add_user(settings, "0912345678", "volunteer", (COMMUNE_A,))

    async def work(db: AsyncSession) -> set[str]:
        await _hold_children(db)
        applied = {waiting_for_record(PARENTS[0]), waiting_for_revision(PARENTS[0], 1)}
        return await _free_keys(db, applied, limit=limit)

    free = in_db(settings, work)
    assert waiting_for_record(PARENTS[0]) in free
    assert waiting_for_record(PARENTS[1]) not in free
    if limit == 100:
        # All awaited keys were read: only what is awaited, and the parent that arrived.
        assert free == {waiting_for_record(PARENTS[0]), waiting_for_record(PARENTS[3])}


def test_with_nothing_held_nothing_is_let_go(settings: Settings) -> None:
    async def work(db: AsyncSession) -> set[str]:
        return await _free_keys(db, {waiting_for_record(PARENTS[0])})

    assert in_db(settings, work) == set()
