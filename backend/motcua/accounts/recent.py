"""Who a token belonged to a moment ago: finding the signed-in user without the database.

Finding the user behind a token costs a transaction and four queries (session and user,
communes, provinces, route communes), about as much CPU as a small request's own work. A
phone that syncs sends several requests in a row with the same token, so each server
process remembers the answer for ``MOTCUA_SIGN_IN_CACHE_SECONDS``. A sign-out or revoked
session is forgotten at once in the process that revoked it; the other processes notice
within that time, and so does a changed scope (a new route) or a disabled account. Only
the SHA-256 of a token is kept, as in the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from motcua.auth.principal import Principal
from motcua.db.base import utcnow

_MOST = 10_000  # entries; more distinct tokens within a few seconds and the oldest go


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    session_expires_at: datetime
    fresh_until: float  # time.monotonic()


class RecentSignIns:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}

    def get(self, token_hash: str, kind: str) -> Principal | None:
        entry = self._entries.get((token_hash, kind))
        if entry is None:
            return None
        if entry.fresh_until <= time.monotonic() or entry.session_expires_at <= utcnow():
            self._entries.pop((token_hash, kind), None)
            return None
        return entry.principal

    def put(
        self, token_hash: str, kind: str, principal: Principal, session_expires_at: datetime, seconds: int
    ) -> None:
        if seconds <= 0:
            return
        if len(self._entries) >= _MOST:
            for key in list(self._entries)[: _MOST // 10]:  # dicts keep insertion order: oldest first
                del self._entries[key]
        self._entries[(token_hash, kind)] = _Entry(principal, session_expires_at, time.monotonic() + seconds)

    def forget_user(self, user_id: UUID) -> None:
        """Forget every token of ``user_id`` (their sessions were revoked or their account changed)."""
        for key in [key for key, entry in self._entries.items() if entry.principal.user_id == user_id]:
            del self._entries[key]


RECENT = RecentSignIns()
