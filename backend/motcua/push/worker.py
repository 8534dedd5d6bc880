"""The push worker: claims due outbox rows, sends them, and records what the push service said.

Several workers may run at once (``motcua worker`` beside ``motcua serve``, or one per
process): a row is claimed by one atomic UPDATE — on PostgreSQL over ``SELECT … FOR UPDATE
SKIP LOCKED``, on SQLite under its single writer — and held under a lease while it is sent.
The rows of one subscription and topic go out one at a time, in order, so a phone that was
offline is left with the newest status. ``docs/push.md`` tells the whole story.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, cast
from uuid import UUID

import httpx
from sqlalchemy import Table, and_, bindparam, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from motcua.db.base import utcnow
from motcua.db.engine import make_engine, session_scope
from motcua.push.heartbeat import beat
from motcua.push.message import MessageBuilder, Subscription, origin, payload_bytes
from motcua.push.models import PushOutbox, PushSubscription
from motcua.push.outbox import TTL_SECONDS
from motcua.push.vapid import vapid_keys
from motcua.settings import Settings, _push_contact

log = logging.getLogger("motcua.push")

BATCH = 64
CONCURRENCY = 16
HTTP_TIMEOUT_SECONDS = 10.0
# Longer than a whole batch can take (BATCH / CONCURRENCY rounds of HTTP_TIMEOUT), so a
# row is only ever taken over from a worker that died.
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 15.0
BACKOFF_CAP_SECONDS = 3600.0
KEEP_FINISHED = timedelta(days=90)
PRUNE_EVERY = timedelta(hours=1)
_UNFINISHED = ("pending", "sending")


def push_contact(settings: Settings) -> str:
    return settings.push_contact or _push_contact(None, settings.public_url)


@dataclass(frozen=True)
class Claimed:
    """An outbox row this worker holds the lease of, with where and how to send it."""

    seq: int
    subscription_id: UUID | None
    subscription: Subscription | None
    topic: str
    urgency: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class Result:
    seq: int
    subscription_id: UUID | None
    state: str  # sent | pending (retry) | failed | gone | expired
    status: int | None = None
    error: str = ""
    retry_at: datetime | None = None


def backoff(
    attempts: int, base: float = BACKOFF_BASE_SECONDS, jitter: Callable[[], float] = random.random
) -> float:
    """Seconds before the next attempt: doubling from ``base``, capped, with "equal jitter"."""
    delay = min(BACKOFF_CAP_SECONDS, base * 2.0 ** max(0, attempts - 1))
    return delay / 2 + delay / 2 * jitter()


def _retry_after(response: httpx.Response, now: datetime) -> float:
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return 0.0


class PushWorker:
    """One worker: ``run_once`` sends one batch; ``run`` keeps going until told to stop."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: AsyncEngine | None = None,
        client: httpx.AsyncClient | None = None,
        batch: int = BATCH,
        concurrency: int = CONCURRENCY,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        name: str | None = None,
    ) -> None:
        self.settings = settings
        self.interval = float(settings.push_interval_seconds)
        self.builder = MessageBuilder(vapid_keys(settings), push_contact(settings))
        self.batch = batch
        self.backoff_base = backoff_base
        self.max_attempts = max_attempts
        self.name = name or f"{socket.gethostname()[:20]}:{os.getpid()}:{secrets.token_hex(3)}"
        self._engine = engine or make_engine(settings)
        self._own_engine = engine is None
        self._client = client or httpx.AsyncClient(
            timeout=HTTP_TIMEOUT_SECONDS,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        self._own_client = client is None
        self._slots = asyncio.Semaphore(concurrency)
        # httpx logs every request's URL at INFO: a push endpoint is a capability, keep it out.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self._pruned_at: datetime | None = None

    async def close(self) -> None:
        if self._own_client:
            await self._client.aclose()
        if self._own_engine:
            await self._engine.dispose()

    async def __aenter__(self) -> PushWorker:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    # -- one cycle ---------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim a batch of due rows, send them, record the outcomes; returns how many were handled."""
        claimed = await self._claim()
        if not claimed:
            await self._prune()
            return 0
        results = await asyncio.gather(*(self._deliver(row) for row in claimed))
        await self._record(results)
        counts: dict[str, int] = {}
        for result in results:
            counts[result.state] = counts.get(result.state, 0) + 1
        log.info("push batch", extra={"worker": self.name, "claimed": len(claimed), **counts})
        return len(claimed)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Send while there is something due; when idle, look again every ``interval`` seconds."""
        stop = stop or asyncio.Event()
        log.info("push worker started", extra={"worker": self.name, "interval_s": self.interval})
        beaten_at = float("-inf")
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                if loop.time() - beaten_at >= self.interval:  # /health: this worker is alive
                    await beat(self._engine, self.name)
                    beaten_at = loop.time()
                handled = await self.run_once()
            except Exception:
                # The database or the network is down: say so, wait, try again.
                log.exception("push worker cycle failed", extra={"worker": self.name})
                handled = 0
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.interval)
        log.info("push worker stopped", extra={"worker": self.name})

    # -- claiming ----------------------------------------------------------------------------

    async def _claim(self) -> list[Claimed]:
        now = utcnow()
        earlier = aliased(PushOutbox)
        waiting_behind = exists().where(
            earlier.subscription_id == PushOutbox.subscription_id,
            earlier.topic == PushOutbox.topic,
            earlier.seq < PushOutbox.seq,
            earlier.state.in_(_UNFINISHED),
        )
        due = or_(
            and_(PushOutbox.state == "pending", PushOutbox.next_attempt_at <= now),
            # A worker that died while sending: its lease ran out, the row is due again.
            and_(PushOutbox.state == "sending", PushOutbox.lease_until < now),
        )
        pick = (
            select(PushOutbox.seq)
            .where(due, ~waiting_behind)
            .order_by(PushOutbox.seq)
            .limit(self.batch)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer anyway
        )
        claim = (
            update(PushOutbox)
            .where(PushOutbox.seq.in_(pick))
            .values(
                state="sending",
                lease_until=now + LEASE,
                claimed_by=self.name,
                attempts=PushOutbox.attempts + 1,
            )
            .returning(PushOutbox.seq)
            .execution_options(synchronize_session=False)
        )
        async with session_scope(self._engine) as db:
            seqs = list((await db.execute(claim)).scalars())
        if not seqs:
            return []
        async with session_scope(self._engine) as db:
            rows = await db.execute(
                select(PushOutbox, PushSubscription)
                .outerjoin(PushSubscription, PushSubscription.id == PushOutbox.subscription_id)
                .where(PushOutbox.seq.in_(seqs), PushOutbox.claimed_by == self.name)
                .order_by(PushOutbox.seq)
            )
            return [
                Claimed(
                    seq=row.seq,
                    subscription_id=row.subscription_id,
                    subscription=Subscription(sub.endpoint, sub.p256dh, sub.auth)
                    if sub is not None
                    else None,
                    topic=row.topic,
                    urgency=row.urgency,
                    payload=row.payload,
                    attempts=row.attempts,
                    created_at=row.created_at,
                )
                for row, sub in rows
            ]

    # -- sending -----------------------------------------------------------------------------

    async def _deliver(self, row: Claimed) -> Result:
        now = utcnow()
        if row.subscription is None:
            return Result(row.seq, None, "gone", error="subscription removed")
        if now - row.created_at > timedelta(seconds=TTL_SECONDS):
            # The push service would have dropped it by now too; a newer status may follow.
            return Result(row.seq, row.subscription_id, "expired", error="older than its TTL")
        try:
            request = self.builder.build(
                row.subscription,
                payload_bytes(row.payload),
                ttl=TTL_SECONDS,
                urgency=row.urgency,
                topic=row.topic,
            )
        except ValueError as error:
            return Result(row.seq, row.subscription_id, "failed", error=str(error)[:200])
        async with self._slots:
            try:
                response = await self._client.post(
                    request.endpoint, content=request.body, headers=request.headers
                )
            except httpx.HTTPError as error:
                return self._retry(row, None, f"{type(error).__name__}: {error}"[:200], 0.0)
        status = response.status_code
        if 200 <= status < 300:
            return Result(row.seq, row.subscription_id, "sent", status)
        if status in (404, 410):
            return Result(row.seq, row.subscription_id, "gone", status, "the subscription has expired")
        if status == 429 or status >= 500:
            return self._retry(row, status, response.reason_phrase[:200], _retry_after(response, now))
        log.warning(
            "push refused",
            extra={"status": status, "push_service": origin(request.endpoint), "reason": response.text[:200]},
        )
        return Result(row.seq, row.subscription_id, "failed", status, response.text[:200])

    def _retry(self, row: Claimed, status: int | None, error: str, retry_after: float) -> Result:
        if row.attempts >= self.max_attempts:
            return Result(row.seq, row.subscription_id, "failed", status, error)
        wait = min(BACKOFF_CAP_SECONDS, max(backoff(row.attempts, self.backoff_base), retry_after))
        return Result(
            row.seq, row.subscription_id, "pending", status, error, utcnow() + timedelta(seconds=wait)
        )

    # -- recording ---------------------------------------------------------------------------

    async def _record(self, results: list[Result]) -> None:
        now = utcnow()
        gone: set[UUID] = set()
        outbox = cast("Table", PushOutbox.__table__)
        # One statement for the whole batch (executemany), guarded so that a row another
        # worker took over after our lease ran out is left to that worker.
        outcome = (
            update(outbox)
            .where(
                outbox.c.seq == bindparam("row"),
                outbox.c.state == "sending",
                outbox.c.claimed_by == self.name,
            )
            .values(
                state=bindparam("new_state"),
                last_status=bindparam("status"),
                last_error=bindparam("error"),
                lease_until=None,
                sent_at=bindparam("sent_at"),
                next_attempt_at=bindparam("next_attempt_at"),
            )
        )
        for result in results:
            if result.state == "gone" and result.status in (404, 410) and result.subscription_id:
                gone.add(result.subscription_id)
        async with session_scope(self._engine) as db:
            await db.execute(
                outcome,
                [
                    {
                        "row": result.seq,
                        "new_state": result.state,
                        "status": result.status,
                        "error": result.error,
                        "sent_at": now if result.state == "sent" else None,
                        "next_attempt_at": result.retry_at or now,
                    }
                    for result in results
                ],
            )
            if gone:
                # The browser unsubscribed or the subscription expired: nothing will ever
                # reach it again, so drop it and what still waited for it.
                await db.execute(
                    update(PushOutbox)
                    .where(PushOutbox.subscription_id.in_(gone), PushOutbox.state == "pending")
                    .values(state="gone", last_error="the subscription has expired")
                    .execution_options(synchronize_session=False)
                )
                await db.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
                log.info("push subscriptions removed", extra={"count": len(gone)})

    async def _prune(self) -> None:
        now = utcnow()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        async with session_scope(self._engine) as db:
            await db.execute(
                delete(PushOutbox).where(
                    PushOutbox.state.not_in(_UNFINISHED), PushOutbox.created_at < now - KEEP_FINISHED
                )
            )


def run_worker(
    settings: Settings,
    stop: asyncio.Event | None = None,
    beside: Sequence[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = (),
) -> None:
    """``motcua worker``: run until SIGINT or SIGTERM, with the loops ``beside`` (the retention
    schedule) running alongside and stopped with it."""
    import signal

    async def main() -> None:
        done = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, done.set)
        others = [asyncio.create_task(other(done)) for other in beside]
        async with PushWorker(settings) as worker:
            await worker.run(done)
        await asyncio.gather(*others)

    asyncio.run(main())
