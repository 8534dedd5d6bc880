"""A fresh, migrated database for one benchmark run, on SQLite or PostgreSQL, dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from tests.server import motcua, motcua_env

POSTGRES_URL = os.environ.get(
    "MOTCUA_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


async def postgres(sql: str) -> str:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the server's default database."""
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text(sql))
            return str(result.scalar()) if result.returns_rows else ""
    finally:
        await engine.dispose()


@contextmanager
def fresh_database(database: str, label: str, **settings: str) -> Iterator[dict[str, str]]:
    """The environment of a ``motcua`` with its own data directory and a migrated database.

    On PostgreSQL a ``motcua_bench_…`` database is created at ``MOTCUA_BENCH_POSTGRES_URL``'s
    server and dropped when the block ends. ``settings`` are extra ``MOTCUA_…`` variables.
    """
    with tempfile.TemporaryDirectory(prefix=f"motcua-{label}-{database}-") as tmp:
        database_url = None
        name = f"motcua_bench_{uuid.uuid4().hex[:12]}"
        if database == "postgresql":
            asyncio.run(postgres(f'CREATE DATABASE "{name}"'))
            database_url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
        try:
            env = motcua_env(Path(tmp), database_url, MOTCUA_SECRET_KEY=secrets.token_urlsafe(48), **settings)
            log(f"{database}: migrating")
            motcua(env, "db", "upgrade")
            yield env
        finally:
            if database_url:
                asyncio.run(postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
