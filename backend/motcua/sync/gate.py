"""Phone batches take turns: a few at a time per server process, first come first served.

Without a gate, every push that arrives starts at once: on SQLite they all wait for the one
write lock, polling it, and the unlucky ones wait seconds while later ones slip past; on
PostgreSQL they all hold a pooled connection and a push arriving when the pool is empty
fails after the pool's timeout. With it, pushes queue here in arrival order, hold a
connection only while they work, and one that has waited too long is told to come back
(503 with Retry-After) with nothing applied, which the phone handles like a lost signal.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from motcua.errors import ApiError

PATIENCE_SECONDS = 15.0  # under the phone's own 20-s timeout: it hears "busy" rather than nothing
RETRY_AFTER_SECONDS = 5


class SyncGate:
    def __init__(self, concurrency: int, patience: float = PATIENCE_SECONDS) -> None:
        self.concurrency = concurrency
        self.patience = patience
        self._turns = asyncio.Semaphore(concurrency)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a turn (in arrival order), or raise ``sync.busy`` after ``patience`` seconds."""
        try:
            await asyncio.wait_for(self._turns.acquire(), self.patience)
        except TimeoutError:
            raise ApiError(
                503,
                "sync.busy",
                "Máy chủ đang bận. Máy sẽ tự gửi lại sau ít phút; dữ liệu vẫn nằm an toàn trên máy.",
                "The server is busy. The phone will send again shortly; its records stay safe on it.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from None
        try:
            yield
        finally:
            self._turns.release()
