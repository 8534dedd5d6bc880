"""Applying and checking migrations, from the CLI and from tests."""

from __future__ import annotations

import asyncio
import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
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


# Any constant of our own: the advisory lock every `motcua db upgrade` of one database takes.
MIGRATION_LOCK_KEY = 0x6D6F74637561  # "motcua"


@contextmanager
def migration_lock(settings: Settings) -> Iterator[None]:
    """Held around ``motcua db upgrade``: of replicas that all migrate as they start, one at
    a time goes through, and the others then find the database at head and change nothing.

    PostgreSQL: a session advisory lock on a connection of its own (freed by the server if
    the process dies). SQLite: an exclusive ``flock`` on a file beside the database.
    """
    path = sqlite_file(settings.database_url)
    if settings.is_sqlite:
        if path is None:  # in memory: one process only
            yield
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.with_name(f"{path.name}.migrating").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    with _advisory_lock(settings):
        yield


@contextmanager
def _advisory_lock(settings: Settings) -> Iterator[None]:
    # The connection lives on an event loop of its own in a thread, so that the migrations
    # (which run their own loops) can go on in this one while it holds the lock.
    acquired, release = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    async def hold() -> None:
        engine = make_engine(settings, pooled=False, connect_timeout=READY_CHECK_TIMEOUT_SECONDS)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                await connection.commit()
                acquired.set()
                await asyncio.to_thread(release.wait)
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                await connection.commit()
        finally:
            await engine.dispose()

    def run() -> None:
        try:
            asyncio.run(hold())
        except BaseException as error:  # handed to the waiting thread
            failed.append(error)
        finally:
            acquired.set()

    holder = threading.Thread(target=run, name="motcua-migration-lock", daemon=True)
    holder.start()
    acquired.wait()
    if failed:
        raise failed[0]
    try:
        yield
    finally:
        release.set()
        holder.join()


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
