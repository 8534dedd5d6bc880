"""Device and web sessions: opened at sign-in, found by token hash, listed and revoked."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import AuthSession, User
from motcua.accounts.recent import RECENT
from motcua.auth.principal import Principal
from motcua.db.base import utcnow
from motcua.settings import Settings

# last_seen_at is written at most this often, so reads do not turn into writes.
_TOUCH_EVERY = timedelta(minutes=10)


# Letters and digits a person cannot confuse when reading a code aloud (no 0/O, 1/I/L).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


async def _new_device_code(db: AsyncSession) -> str:
    for length in (4, 4, 4, 5, 6, 8):
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))
        if await db.scalar(select(AuthSession.id).where(AuthSession.device_code == code)) is None:
            return code
    raise RuntimeError("no free device code")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(settings: Settings, kind: str) -> timedelta:
    if kind == "device":
        return timedelta(days=settings.device_session_days)
    return timedelta(hours=settings.web_session_hours)


async def open_session(
    db: AsyncSession, user: User, kind: str, label: str, settings: Settings
) -> tuple[str, AuthSession]:
    """A new session for ``user``; the token is returned once and only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = AuthSession(
        user_id=user.id,
        kind=kind,
        token_hash=hash_token(token),
        label=label[:200],
        device_code=await _new_device_code(db) if kind == "device" else None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime(settings, kind),
    )
    db.add(session)
    await db.flush()
    return token, session


async def principal_for_token(
    db: AsyncSession, token_hash: str, kind: str, settings: Settings
) -> Principal | None:
    """The signed-in user behind the token of ``token_hash``, or None when it is unknown,
    expired, revoked or disabled.

    Remembered for ``settings.sign_in_cache_seconds`` (see accounts.recent).
    """
    row = (
        await db.execute(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_hash == token_hash, AuthSession.kind == kind)
        )
    ).one_or_none()
    if row is None:
        return None
    session, user = row
    now = utcnow()
    if session.revoked_at is not None or session.expires_at <= now or not user.is_active:
        return None
    if now - session.last_seen_at > _TOUCH_EVERY:
        # Sliding expiry: a phone used every few days stays signed in. The write gets a
        # transaction of its own, which on SQLite starts with it (see db.engine.read_mostly).
        await db.commit()
        session.last_seen_at = now
        session.expires_at = now + lifetime(settings, kind)
        await db.commit()
    principal = await principal_of_user(db, user, session.id, session.kind)
    RECENT.put(token_hash, kind, principal, session.expires_at, settings.sign_in_cache_seconds)
    return principal


async def refusal_of_token(db: AsyncSession, token_hash: str, kind: str) -> str | None:
    """Why a known token no longer signs in: ``session.revoked`` or ``account.disabled`` (the
    phone then wipes its data, docs/privacy.md); None for an unknown or merely expired one."""
    row = (
        await db.execute(
            select(AuthSession.revoked_at, User.is_active)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_hash == token_hash, AuthSession.kind == kind)
        )
    ).one_or_none()
    if row is None:
        return None
    if not row.is_active:
        return "account.disabled"
    return "session.revoked" if row.revoked_at is not None else None


# Communes a volunteer's work adds to their account's (the rounds they are on), told by the
# package that knows the work. Registered by the app (app.py), so accounts need not import it.
WorkPlaces = Callable[[AsyncSession, UUID], Awaitable[frozenset[int]]]
_WORK_PLACES: dict[str, WorkPlaces] = {}


def widen_places_with(name: str, places_of: WorkPlaces) -> None:
    """Let ``places_of`` add communes to every volunteer's scope (once per name)."""
    _WORK_PLACES[name] = places_of


async def principal_of_user(db: AsyncSession, user: User, session_id: UUID, session_kind: str) -> Principal:
    """The user's scope: their communes and provinces, and for a volunteer also the communes of
    their rounds (a volunteer's scope follows their assignments)."""
    assigned: frozenset[int] = frozenset()
    if user.role == "volunteer":
        for places_of in _WORK_PLACES.values():
            assigned |= await places_of(db, user.id)
    return Principal(
        user_id=user.id,
        session_id=session_id,
        session_kind=session_kind,
        role=user.role,
        full_name=user.full_name,
        phone=user.phone,
        commune_codes=frozenset(c.commune_code for c in user.communes) | assigned,
        province_codes=frozenset(p.province_code for p in user.provinces),
    )


async def list_sessions(db: AsyncSession, user_id: UUID) -> list[AuthSession]:
    """The user's sessions still in force, newest first."""
    now = utcnow()
    result = await db.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
        .order_by(AuthSession.created_at.desc())
    )
    return list(result)


async def end_sessions(db: AsyncSession, user_id: UUID) -> int:
    """End every session of the user as if it had expired: each phone must sign in again and
    keeps its data. For a new password; :func:`revoke_sessions` is for a lost phone, whose
    data the next contact wipes (``session.revoked``, docs/privacy.md)."""
    now = utcnow()
    result = await db.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
        .values(expires_at=now)
    )
    RECENT.forget_user(user_id)
    return int(getattr(result, "rowcount", 0) or 0)


async def revoke_sessions(db: AsyncSession, user_id: UUID, session_id: UUID | None = None) -> int:
    """Revoke one session of the user, or all of them; returns how many were in force."""
    statement = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if session_id is not None:
        statement = statement.where(AuthSession.id == session_id)
    result = await db.execute(statement.values(revoked_at=utcnow()))
    RECENT.forget_user(user_id)
    return int(getattr(result, "rowcount", 0) or 0)
