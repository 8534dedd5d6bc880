"""Alembic environment: runs migrations on the engine of the current settings."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from motcua.db.engine import make_engine
from motcua.db.migrate import compare_type
from motcua.db.models import metadata
from motcua.settings import Settings, get_settings

config = context.config


def _settings() -> Settings:
    given = config.attributes.get("settings")
    return given if isinstance(given, Settings) else get_settings()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=compare_type,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = make_engine(_settings(), pooled=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_settings().database_url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
