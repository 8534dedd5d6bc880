"""Keys every server process of one database shares, kept in the database itself.

The secret key (cookies, CSRF, status-page links) and the VAPID key (push subscriptions are
bound to it) must be the same on every app server of a deployment. An environment setting
wins (``MOTCUA_SECRET_KEY``, ``MOTCUA_VAPID_PRIVATE_KEY``); otherwise the first process to
start makes them and stores them in ``server_key``, and every other process reads them back.
Installs from before keys lived here kept them as files in the data directory: those files
are taken into the database the first time, so existing push subscriptions stay valid.

The table also carries the database's *epoch*: a random id that ``motcua restore`` changes,
so that phones whose change-log cursor belongs to the database before the restore are told
to start over (docs/sync.md, "Start over").
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import String, Text, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db.base import DateTimeUTC, ReferenceRow, utcnow
from motcua.db.engine import make_engine, session_scope
from motcua.settings import Settings

T = TypeVar("T")

SECRET_KEY = "secret_key"  # noqa: S105 - a row's name
VAPID_KEY = "vapid_private_key"
EPOCH = "epoch"
# Where installs before migration 0011 kept the keys; read once, then the database's copy rules.
SECRET_FILE = "secret_key"  # noqa: S105 - a file name
VAPID_FILE = "vapid_private_key.pem"


class ServerKey(ReferenceRow):
    """One named value every server process of this database shares."""

    __tablename__ = "server_key"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)


async def kept(db: AsyncSession | AsyncConnection, name: str, make: Callable[[], str]) -> str:
    """The value named ``name``, made with ``make`` by whoever asks first. Insert-if-absent
    then read back: of processes starting together, every one ends up with the first value."""
    dialect = db.get_bind().dialect.name if isinstance(db, AsyncSession) else db.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    found = await db.scalar(select(ServerKey.value).where(ServerKey.name == name))
    if found is not None:
        return found
    await db.execute(
        insert(ServerKey)
        .values(name=name, value=make(), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["name"])
    )
    value = await db.scalar(select(ServerKey.value).where(ServerKey.name == name))
    assert value is not None  # inserted or found just above
    return value


def new_secret() -> str:
    return secrets.token_urlsafe(48)


def new_vapid_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem.decode("ascii")


def new_epoch() -> str:
    return secrets.token_hex(4)


def _from_file_or(path: Path, make: Callable[[], str]) -> Callable[[], str]:
    """An older install's key file if there is one (so its cookies and push subscriptions stay
    valid), else a new key."""

    def made() -> str:
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return make()
        return text or make()

    return made


async def keys_in(db: AsyncSession, settings: Settings) -> Settings:
    """``settings`` with the keys the environment did not give filled from the database."""
    secret = settings.secret_key or await kept(
        db, SECRET_KEY, _from_file_or(settings.data_dir / SECRET_FILE, new_secret)
    )
    vapid = settings.vapid_private_key or await kept(
        db, VAPID_KEY, _from_file_or(settings.data_dir / VAPID_FILE, new_vapid_pem)
    )
    return dataclasses.replace(settings, secret_key=secret, vapid_private_key=vapid)


async def epoch_of(db: AsyncSession | AsyncConnection) -> str:
    """This database's epoch: changed by every restore."""
    return await kept(db, EPOCH, new_epoch)


async def start_new_epoch(db: AsyncSession | AsyncConnection) -> str:
    """Give a restored database a new epoch; returns it."""
    epoch = await epoch_of(db)
    fresh = new_epoch()
    while fresh == epoch:
        fresh = new_epoch()
    await db.execute(
        update(ServerKey).where(ServerKey.name == EPOCH).values(value=fresh, created_at=utcnow())
    )
    return fresh


def blocking(work: Callable[[], Any]) -> Any:
    """Run ``asyncio.run(work())`` to its end from synchronous code, inside an event loop or
    not (uvicorn calls the app factory from within its loop): in a thread of its own."""
    with ThreadPoolExecutor(1, thread_name_prefix="motcua-keys") as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


def with_keys(settings: Settings) -> Settings:
    """``settings`` with both keys, from the environment or else from the database (made there
    on first start). Read once at start: a few milliseconds."""
    if settings.secret_key and settings.vapid_private_key:
        return settings

    async def read() -> Settings:
        engine = make_engine(settings, pooled=False)
        try:
            async with session_scope(engine) as db:
                return await keys_in(db, settings)
        finally:
            await engine.dispose()

    resolved: Settings = blocking(read)
    return resolved
