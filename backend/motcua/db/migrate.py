"""Applying and checking migrations, from the CLI and from tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from motcua.db.engine import make_engine
from motcua.db.models import metadata
from motcua.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def compare_type(
    _context: MigrationContext, _inspected: Any, _column: Any, _inspected_type: Any, metadata_type: Any
) -> bool | None:
    """Compare column types, except advanced-alchemy's decorated types (GUID, DateTimeUTC).

    Those are stored as the dialect's native type (NUMERIC(16) or UUID, DATETIME or
    TIMESTAMPTZ), which reflection cannot tell apart from the decorator; None means "use the
    default comparison".
    """
    return False if isinstance(metadata_type, TypeDecorator) else None


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings), revision)


def make_revision(settings: Settings, message: str) -> None:
    """Autogenerate a new migration from the difference between models and database."""
    command.revision(alembic_config(settings), message=message, autogenerate=True)


def drift(settings: Settings) -> list[Any]:
    """What autogenerate would change: empty when the models and the migrations agree."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": compare_type})
        return list(compare_metadata(context, metadata))

    async def run() -> list[Any]:
        engine = make_engine(settings, pooled=False)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())
