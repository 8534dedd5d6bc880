"""The migrations build exactly what the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.migrate import drift, upgrade
from motcua.settings import Settings
from tests.conftest import in_db


def test_models_and_migrations_agree(settings: Settings) -> None:
    assert drift(settings) == []


def test_upgrade_again_changes_nothing(settings: Settings) -> None:
    upgrade(settings)
    assert drift(settings) == []


def test_sqlite_runs_with_wal_and_foreign_keys(settings: Settings) -> None:
    if not settings.is_sqlite:
        return

    async def pragmas(db: AsyncSession) -> tuple[str, int, int]:
        journal = (await db.execute(text("PRAGMA journal_mode"))).scalar_one()
        foreign_keys = (await db.execute(text("PRAGMA foreign_keys"))).scalar_one()
        busy = (await db.execute(text("PRAGMA busy_timeout"))).scalar_one()
        return journal, foreign_keys, busy

    assert in_db(settings, pragmas) == ("wal", 1, 10_000)
