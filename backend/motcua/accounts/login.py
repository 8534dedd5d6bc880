"""Signing in with a mobile number and password, slowed down against guessing.

Every attempt is written to ``login_attempt`` *before* the password is checked, and only then
are the attempts counted (docs/security-auth.md). Since each request commits its own row
before it counts, of any number of simultaneous guesses at most the allowance get past the
count, on SQLite and PostgreSQL alike, in one process or many. A refused attempt deletes its
row again, so waiting out a delay is never made longer by knocking on the door.

Guessing is slowed, never locked, and counted where it comes from:

- per number *and* client address: 5 failures, then an escalating wait (15 s, 30 s, 1 min …
  up to 15 min) before the next try. Someone guessing elsewhere never slows the real user;
- per client address: 30 failures at any numbers (password spraying), then up to 1 min;
- per number from every address together: 100 failures, then up to 1 min (a botnet).

A phone that already holds a valid device session of the account (the sign-in request
carries its ``Authorization: Bearer`` token) is its own client: only its own failures count.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import AuthSession, LoginAttempt, User
from motcua.accounts.passwords import check_password
from motcua.accounts.phones import normalise_phone
from motcua.accounts.sessions import open_session
from motcua.auth.principal import Principal
from motcua.counters import count_sign_in_failure
from motcua.db.base import utcnow
from motcua.db.tidy import forget_older
from motcua.errors import ApiError
from motcua.settings import Settings

log = logging.getLogger("motcua.accounts")

WINDOW = timedelta(minutes=15)
_KEEP_ATTEMPTS = timedelta(days=1)
_LOOK_AT_MOST = 200  # attempts per scope; more and the longest wait applies anyway


@dataclass(frozen=True)
class Brake:
    """Failures allowed in ``WINDOW`` before each further try must wait ``first``, twice that, …"""

    free: int
    first: timedelta
    longest: timedelta

    def wait(self, failures: list[datetime], now: datetime) -> float:
        """Seconds still to wait, given the times of the counted failures (newest first)."""
        if len(failures) < self.free:
            return 0.0
        doublings = min(len(failures) - self.free, 20)
        wait: timedelta = min(self.longest, self.first * (2**doublings))
        return max(0.0, (wait - (now - failures[0])).total_seconds())


PER_NUMBER_AND_CLIENT = Brake(free=5, first=timedelta(seconds=15), longest=timedelta(minutes=15))
PER_CLIENT = Brake(free=30, first=timedelta(seconds=5), longest=timedelta(minutes=1))
PER_NUMBER = Brake(free=100, first=timedelta(seconds=5), longest=timedelta(minutes=1))
MAX_FAILURES_PER_PHONE = PER_NUMBER_AND_CLIENT.free
MAX_FAILURES_PER_CLIENT = PER_CLIENT.free


def _login_failed() -> ApiError:
    return ApiError(
        401,
        "login_failed",
        "Số điện thoại hoặc mật khẩu không đúng.",
        "The phone number or the password is wrong.",
    )


def _slow_down(seconds: float) -> ApiError:
    wait = max(1, math.ceil(seconds))
    return ApiError(
        429,
        "auth.slow_down",
        f"Đăng nhập sai nhiều lần. Vui lòng đợi {wait} giây rồi thử lại.",
        f"Too many failed sign-ins. Wait {wait} seconds and try again.",
        headers={"retry-after": str(wait)},
    )


async def _failures(
    db: AsyncSession, own: LoginAttempt, *conditions: object, reset_by_success: bool
) -> list[datetime]:
    """When the other attempts of a scope were made, newest first: failed or still being checked.

    With ``reset_by_success`` the count starts after the scope's last sign-in.
    """
    result = await db.execute(
        select(LoginAttempt.created_at, LoginAttempt.succeeded)
        .where(LoginAttempt.created_at > own.created_at - WINDOW, LoginAttempt.id != own.id, *conditions)  # type: ignore[arg-type]
        .order_by(LoginAttempt.created_at.desc())
        .limit(_LOOK_AT_MOST)
    )
    times: list[datetime] = []
    for created_at, succeeded in result:
        if succeeded:
            if reset_by_success:
                break
            continue
        times.append(created_at)
    return times


async def _reserve(db: AsyncSession, phone: str, client: str, trusted: bool) -> LoginAttempt:
    """Write the attempt, then count: raises 429 when it must wait (and takes the row back)."""
    attempt = LoginAttempt(phone=phone, client=client, succeeded=False, created_at=utcnow())
    db.add(attempt)
    await db.commit()  # visible to every other request before this one counts
    now = attempt.created_at
    waits = [
        PER_NUMBER_AND_CLIENT.wait(
            await _failures(
                db, attempt, LoginAttempt.phone == phone, LoginAttempt.client == client, reset_by_success=True
            ),
            now,
        )
    ]
    if not trusted:
        waits.append(
            PER_CLIENT.wait(
                await _failures(db, attempt, LoginAttempt.client == client, reset_by_success=False), now
            )
        )
        waits.append(
            PER_NUMBER.wait(
                await _failures(db, attempt, LoginAttempt.phone == phone, reset_by_success=False), now
            )
        )
    if (longest := max(waits)) > 0:
        await db.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
        await db.commit()
        log.warning("sign-in slowed down", extra={"client": client, "wait_seconds": math.ceil(longest)})
        count_sign_in_failure("slowed_down")
        raise _slow_down(longest)
    await db.commit()
    return attempt


async def sign_in(
    db: AsyncSession,
    *,
    phone: str,
    password: str,
    client: str,
    kind: str,
    label: str,
    settings: Settings,
    device_session: Principal | None = None,
) -> tuple[str, AuthSession, User]:
    """Check the credentials and open a session; one message for every kind of failure.

    ``device_session`` is the signed-in device the request came from, if any: when it is the
    same account's, its own failures alone are counted. The attempt is committed whatever
    the outcome, so the limits hold across requests and processes.
    """
    key = normalise_phone(phone) or phone.strip()[:32]
    trusted = (
        device_session is not None and device_session.session_kind == "device" and device_session.phone == key
    )
    client_key = f"device:{device_session.session_id.hex}" if trusted and device_session else client[:64]
    attempt = await _reserve(db, key, client_key, trusted)
    user = await db.scalar(select(User).where(User.phone == key))
    password_hash = user.password_hash if user else None
    # End the read before the deliberately slow hash check, which runs off the event loop and
    # a few at a time: neither the database (SQLite's write lock) nor other requests wait on it.
    await db.commit()
    matches = await check_password(password_hash, password, at_once=settings.password_checks)
    ok = matches and user is not None and user.is_active
    await forget_older(db, LoginAttempt.created_at, _KEEP_ATTEMPTS)
    if not ok or user is None:
        count_sign_in_failure(
            "unknown_number" if user is None else "wrong_password" if not matches else "disabled"
        )
        raise _login_failed()  # the attempt stays counted as a failure
    await db.execute(update(LoginAttempt).where(LoginAttempt.id == attempt.id).values(succeeded=True))
    token, session = await open_session(db, user, kind, label, settings)
    await db.commit()
    return token, session, user
