"""Password hashing with argon2id, and a bound on how many checks run at once."""

from __future__ import annotations

import asyncio
import weakref

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile
# Verified against when the phone number is unknown, so a wrong number takes as long as a
# wrong password and the timing tells nothing.
_DECOY_HASH = _hasher.hash("motcua-decoy-password")

MIN_PASSWORD_LENGTH = 8

# One limiter per event loop (a server process has one; the tests start many) and per size.
_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, anyio.CapacityLimiter]] = (
    weakref.WeakKeyDictionary()
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DECOY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _limiter(at_once: int) -> anyio.CapacityLimiter:
    by_size = _LIMITERS.setdefault(asyncio.get_running_loop(), {})
    if at_once not in by_size:
        by_size[at_once] = anyio.CapacityLimiter(at_once)
    return by_size[at_once]


async def check_password(password_hash: str | None, password: str, *, at_once: int) -> bool:
    """``verify_password`` off the event loop, at most ``at_once`` at a time in this process.

    Each check holds 64 MiB for its duration: a burst of a hundred sign-ins would need
    6 GiB at once. The rest wait their turn here, holding nothing but a coroutine.
    """
    return await anyio.to_thread.run_sync(
        lambda: verify_password(password_hash, password), limiter=_limiter(at_once)
    )
