"""Finding the signed-in user reads beside a batch that holds SQLite's write lock."""

from __future__ import annotations

from sqlalchemy import func, select, text

from motcua.accounts.models import User
from motcua.db.engine import make_engine, read_mostly, session_scope
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, add_user, run


def test_a_read_mostly_session_reads_while_another_transaction_is_writing(settings: Settings) -> None:
    add_user(settings, "0971000009", "volunteer", (COMMUNE_A,))

    async def scenario() -> int:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as writer:
                # An open write transaction, as a phone batch being applied holds one.
                await writer.execute(text("UPDATE user_account SET full_name = full_name"))
                async with session_scope(read_mostly(engine)) as reader:
                    # On SQLite a plain session would wait here for the writer's lock (and
                    # fail after the busy timeout, since the writer only commits below).
                    return int(await reader.scalar(select(func.count()).select_from(User)) or 0)
        finally:
            await engine.dispose()

    assert run(scenario()) == 1
