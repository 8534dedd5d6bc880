"""The change log pull reads: rows keep their order, and sequence order is commit order.

A phone pulls "everything after cursor N". If a transaction that took number 11 committed
after one that took 12, a phone that had already read 12 would never see 11. So appending
waits for every earlier appender to commit (PostgreSQL: a transaction-scoped lock; SQLite:
its one writer), and these tests make a second writer arrive while the first is open.
"""

from __future__ import annotations

import asyncio
from uuid import uuid4

from sqlalchemy import select

from motcua.changelog.models import Change
from motcua.changelog.service import ChangeRow, append_changes, change
from motcua.db.engine import make_engine, session_scope
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, rows, run

# How long the second writer is given to reach the point where it waits for the first.
WAIT_FOR_THE_FIRST_SECONDS = 0.5


def _logged(settings: Settings) -> list[tuple[int, str, str, int | None, object]]:
    return [
        (row.seq, row.kind, row.record_id, row.commune_code, row.owner_id)
        for row in rows(settings, select(Change).order_by(Change.seq))
    ]


def test_a_batch_of_changes_is_logged_in_the_order_given_with_every_field(settings: Settings) -> None:
    owner = uuid4()
    given: list[ChangeRow] = [
        change("resident", uuid4(), COMMUNE_A),
        change("dossier", uuid4(), COMMUNE_A, owner),
        change("procedure_version", "KT-01:3"),
        *(change("checklist", uuid4(), COMMUNE_A) for _ in range(40)),
    ]

    async def append() -> None:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as db:
                await append_changes(db, given)
                await append_changes(db, [])  # nothing to add: no statement, no error
        finally:
            await engine.dispose()

    run(append())
    logged = _logged(settings)
    assert [(kind, record_id, commune, owner_id) for _, kind, record_id, commune, owner_id in logged] == [
        (c["kind"], c["record_id"], c["commune_code"], c["owner_id"]) for c in given
    ]
    seqs = [seq for seq, *_ in logged]
    assert seqs == sorted(set(seqs)), "each change its own number, rising"


def test_a_writer_that_comes_second_is_logged_after_the_first_commits(settings: Settings) -> None:
    first = [change("resident", uuid4(), COMMUNE_A) for _ in range(3)]
    second = [change("resident", uuid4(), COMMUNE_A)]

    async def race() -> None:
        engine = make_engine(settings)
        try:

            async def later() -> None:
                async with session_scope(engine) as db:
                    await append_changes(db, second)

            async with session_scope(engine) as db:
                await append_changes(db, first)
                waiting = asyncio.create_task(later())
                await asyncio.sleep(WAIT_FOR_THE_FIRST_SECONDS)
                assert not waiting.done(), "the second writer should wait for the first to commit"
            await waiting
        finally:
            await engine.dispose()

    run(race())
    assert [record_id for _, _, record_id, _, _ in _logged(settings)] == [
        c["record_id"] for c in first + second
    ]
