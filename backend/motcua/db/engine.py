"""One place that builds the engine and opens sessions, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import msgspec
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from motcua.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
T = TypeVar("T")


def make_engine(settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    """The engine for ``settings``; ``pooled=False`` for one-shot commands and migrations."""
    # JSON columns (record envelopes, forms) through msgspec: several times faster than the
    # standard library on every pushed record, and it reads back the same values.
    options: dict[str, Any] = {
        "json_serializer": _json_text,
        "json_deserializer": msgspec.json.decode,
        # A failed statement's error never carries its parameters (names, phone numbers, birth
        # dates) into a traceback or a log line.
        "hide_parameters": True,
    }
    if not pooled:
        options["poolclass"] = NullPool
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    elif pooled:
        options.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_async_engine(settings.database_url, **options)
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
    return engine


_READ_MOSTLY = "motcua_read_mostly"


def read_mostly(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, for work that reads and at most writes in a fresh transaction
    (finding the signed-in user): on SQLite its transactions do not queue for the write lock."""
    return engine.execution_options(**{_READ_MOSTLY: True})


def _json_text(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _sqlite_begin_immediate(connection: Any) -> None:
    # A deferred SQLite transaction that reads and then writes fails at once ("database is
    # locked") when another writer committed in between; the busy timeout does not help.
    # Taking the write lock at BEGIN makes concurrent requests wait their turn instead.
    # Read-mostly work begins deferred: in WAL mode it reads beside the writer.
    deferred = connection.get_execution_options().get(_READ_MOSTLY, False)
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (the driver's own implicit transactions also break
    # SAVEPOINT, which every pushed record uses).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@asynccontextmanager
async def session_scope(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session that commits when the block ends cleanly and rolls back otherwise."""
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


def run_in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one committed transaction on a short-lived engine (commands, tests)."""

    async def main() -> T:
        engine = make_engine(settings, pooled=False)
        try:
            async with session_scope(engine) as db:
                return await work(db)
        finally:
            await engine.dispose()

    return asyncio.run(main())
