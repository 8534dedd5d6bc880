"""One place that builds the engine and opens sessions, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from sqlalchemy import event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from motcua.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database is missing, unreachable or not at this code's migration; the message is
    one line that says what is wrong and what to run."""

    @classmethod
    def missing(cls, database_url: str) -> DatabaseUnavailable:
        return cls(
            f"no database at {database_place(database_url)} (run from the project folder, or set "
            "MOTCUA_DATA_DIR or MOTCUA_DATABASE_URL; `motcua db upgrade` creates it)"
        )

    @classmethod
    def no_data_directory(cls, data_dir: Path) -> DatabaseUnavailable:
        return cls(
            f"no data directory at {shown(data_dir)} (run from the project folder, or set "
            "MOTCUA_DATA_DIR; `motcua db upgrade` creates it)"
        )


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL, None for PostgreSQL (or SQLite in memory)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def shown(path: Path) -> str:
    """A path as a person would type it: ./var/motcua.db under the current folder."""
    try:
        return f"./{path.relative_to(Path.cwd())}"
    except ValueError:
        return str(path)


def database_place(database_url: str) -> str:
    """Where the database is, without the password: "./var/motcua.db", "PostgreSQL at db:5432"."""
    path = sqlite_file(database_url)
    if path is not None:
        return shown(path)
    url = make_url(database_url)
    return f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}"


def the_database(database_url: str) -> str:
    """ "the database ./var/motcua.db", "the database motcua on PostgreSQL at db:5432"."""
    if sqlite_file(database_url) is not None:
        return f"the database {database_place(database_url)}"
    return f"the database {make_url(database_url).database} on {database_place(database_url)}"


def explain_connection_error(database_url: str, error: BaseException) -> str | None:
    """One line for the errors of opening a database, None for any other error."""
    place = database_place(database_url)
    if sqlite_file(database_url) is not None:
        if isinstance(error, DBAPIError) and "unable to open" in str(error.orig):
            return (
                f"cannot open the database {place} (unable to open database file); "
                "check that this user may read and write its folder (MOTCUA_DATA_DIR)"
            )
        return None
    if isinstance(error, OSError) and not isinstance(error, PermissionError):
        if isinstance(error, TimeoutError):
            reason = "no answer"
        elif isinstance(error, socket.gaierror) or not error.errno or error.errno < 0:
            reason = error.strerror or str(error) or type(error).__name__
        else:
            reason = os.strerror(error.errno)  # "Connection refused", not the driver's wording
        return f"{place} is unreachable ({reason.lower()}); is it running? check MOTCUA_DATABASE_URL"
    if isinstance(error, DBAPIError) and error.connection_invalidated is False and error.statement is None:
        return f"{place} refused the connection ({error.orig}); check MOTCUA_DATABASE_URL"
    return None


def make_engine(
    settings: Settings, *, pooled: bool = True, connect_timeout: float | None = None
) -> AsyncEngine:
    """The engine for ``settings``; ``pooled=False`` for one-shot commands and migrations;
    ``connect_timeout`` (seconds) to give up sooner than the driver on an unreachable server."""
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
    else:
        if connect_timeout is not None:
            options["connect_args"] = {"timeout": connect_timeout}
        if pooled:
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
