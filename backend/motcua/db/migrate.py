"""Applying and checking migrations, from the CLI and from tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from motcua.db.engine import (
    DatabaseUnavailable,
    explain_connection_error,
    make_engine,
    sqlite_file,
    the_database,
)
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


READY_CHECK_TIMEOUT_SECONDS = 10


def check_ready(settings: Settings) -> None:
    """Refuse, in one line, a database that is missing, unreachable or at another migration
    than this code's: commands other than ``db upgrade`` work on a database it made."""
    place = the_database(settings.database_url)
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        raise DatabaseUnavailable.missing(settings.database_url)
    script = ScriptDirectory.from_config(alembic_config(settings))
    heads = set(script.get_heads())

    def current(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async def read() -> set[str]:
        engine = make_engine(settings, pooled=False, connect_timeout=READY_CHECK_TIMEOUT_SECONDS)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(current)
        finally:
            await engine.dispose()

    try:
        at = asyncio.run(read())
    except Exception as error:
        explained = explain_connection_error(settings.database_url, error)
        if explained is None:
            raise
        raise DatabaseUnavailable(explained) from error
    if at == heads:
        return
    if not at:
        raise DatabaseUnavailable(f"{place} was never migrated: run `motcua db upgrade`")
    known = {revision.revision for revision in script.walk_revisions()}
    wanted, found = ", ".join(sorted(heads)), ", ".join(sorted(at))
    if at <= known:
        raise DatabaseUnavailable(
            f"{place} is at migration {found}, older than this code ({wanted}): run `motcua db upgrade`"
        )
    raise DatabaseUnavailable(
        f"{place} is at migration {found}, which this code does not know (its newest "
        f"is {wanted}): a newer motcua migrated it; run that version"
    )


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
