"""Signing in with a mobile number and password, slowed down against guessing."""

from __future__ import annotations

from datetime import timedelta

import anyio
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import AuthSession, LoginAttempt, User
from motcua.accounts.passwords import verify_password
from motcua.accounts.phones import normalise_phone
from motcua.accounts.sessions import open_session
from motcua.db.base import utcnow
from motcua.errors import ApiError
from motcua.settings import Settings

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_PHONE = 5
MAX_FAILURES_PER_CLIENT = 30
_KEEP_ATTEMPTS = timedelta(days=1)


def _login_failed() -> ApiError:
    return ApiError(
        401,
        "login_failed",
        "Số điện thoại hoặc mật khẩu không đúng.",
        "The phone number or the password is wrong.",
    )


def _too_many() -> ApiError:
    return ApiError(
        429,
        "too_many_attempts",
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.",
        "Too many failed sign-ins. Try again in 15 minutes.",
        headers={"retry-after": str(int(WINDOW.total_seconds()))},
    )


async def _recent_failures(db: AsyncSession, *conditions: object) -> int:
    since = utcnow() - WINDOW
    count = await db.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.created_at > since, LoginAttempt.succeeded.is_(False), *conditions)  # type: ignore[arg-type]
    )
    return int(count or 0)


async def sign_in(
    db: AsyncSession,
    *,
    phone: str,
    password: str,
    client: str,
    kind: str,
    label: str,
    settings: Settings,
) -> tuple[str, AuthSession, User]:
    """Check the credentials and open a session; one message for every kind of failure.

    The attempt is committed even when sign-in fails, so the limit holds across requests and
    processes.
    """
    key = normalise_phone(phone) or phone.strip()[:32]
    if (
        await _recent_failures(db, LoginAttempt.phone == key) >= MAX_FAILURES_PER_PHONE
        or await _recent_failures(db, LoginAttempt.client == client) >= MAX_FAILURES_PER_CLIENT
    ):
        raise _too_many()
    user = await db.scalar(select(User).where(User.phone == key))
    password_hash = user.password_hash if user else None
    # End the read before the deliberately slow hash check, and run that check off the
    # event loop: neither the database (SQLite's write lock) nor other requests wait on it.
    await db.commit()
    matches = await anyio.to_thread.run_sync(verify_password, password_hash, password)
    ok = matches and user is not None and user.is_active
    db.add(LoginAttempt(phone=key, client=client[:64], succeeded=ok))
    await db.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - _KEEP_ATTEMPTS))
    if not ok or user is None:
        await db.commit()
        raise _login_failed()
    token, session = await open_session(db, user, kind, label, settings)
    await db.commit()
    return token, session, user
