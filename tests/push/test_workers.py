"""Several workers share one outbox: no row is sent twice, and each topic stays in order."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.base import utcnow
from motcua.push.models import PushOutbox, PushSubscription
from motcua.push.subscriptions import endpoint_hash
from motcua.push.vapid import vapid_keys
from motcua.settings import Settings
from tests.conftest import in_db, rows
from tests.push.conftest import worker
from tests.push.fake_push import FakePushService

BROWSERS = 20
TOPICS = 3
PER_TOPIC = 5


def _fill_outbox(settings: Settings, service: FakePushService, *, state: str = "pending") -> int:
    """Subscriptions and their outbox rows, written as ``notify_status`` would write them."""
    key = vapid_keys(settings).public_key
    browsers = [service.browser(f"b{n}", server_key=key) for n in range(BROWSERS)]

    async def work(db: AsyncSession) -> int:
        now = utcnow()
        count = 0
        for browser in browsers:
            subscription = PushSubscription(
                endpoint=browser.endpoint,
                endpoint_hash=endpoint_hash(browser.endpoint),
                p256dh=browser.p256dh,
                auth=browser.subscription()["keys"]["auth"],
            )
            db.add(subscription)
            await db.flush()
            for step in range(PER_TOPIC):
                for topic in range(TOPICS):
                    count += 1
                    db.add(
                        PushOutbox(
                            created_at=now,
                            subscription_id=subscription.id,
                            audience="resident",
                            kind="status",
                            topic=f"topic{topic}",
                            urgency="normal",
                            payload={"marker": count, "step": step, "topic": f"topic{topic}"},
                            state=state,
                            attempts=0,
                            next_attempt_at=now,
                            lease_until=now - timedelta(minutes=1) if state == "sending" else None,
                            claimed_by="a-worker-that-died" if state == "sending" else None,
                            last_error="",
                        )
                    )
        return count

    return in_db(settings, work)


def _race(settings: Settings, workers: int, **options: Any) -> list[int]:
    """Start ``workers`` workers at the same moment, each in its own thread and event loop."""
    start = threading.Barrier(workers)
    handled = [0] * workers
    failures: list[BaseException] = []

    def run(index: int) -> None:
        async def main() -> None:
            async with worker(settings, name=f"worker-{index}", **options) as one:
                start.wait()
                while count := await one.run_once():
                    handled[index] += count

        try:
            asyncio.run(main())
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    return handled


def test_two_workers_never_send_the_same_row_twice_and_keep_each_topic_in_order(settings: Settings) -> None:
    with FakePushService(delay=0.003) as service:
        total = _fill_outbox(settings, service)
        handled = _race(settings, 2, batch=16)

    markers = Counter(message.payload["marker"] for message in service.received)
    assert len(service.received) == total
    assert set(markers.values()) == {1}, [m for m, n in markers.items() if n > 1]
    assert sum(handled) == total
    assert all(handled), f"both workers should have sent some rows: {handled}"
    for name in service.browsers:
        for topic in range(TOPICS):
            steps = [
                m.payload["step"]
                for m in service.received
                if m.browser == name and m.payload["topic"] == f"topic{topic}"
            ]
            assert steps == list(range(PER_TOPIC)), (name, topic, steps)
    outbox = rows(settings, select(PushOutbox))
    assert {(row.state, row.attempts) for row in outbox} == {("sent", 1)}
    assert Counter(row.claimed_by for row in outbox).keys() == {"worker-0", "worker-1"}
    assert service.errors == []


def test_rows_of_a_worker_that_died_are_sent_once_its_lease_ran_out(settings: Settings) -> None:
    with FakePushService() as service:
        total = _fill_outbox(settings, service, state="sending")
        _race(settings, 1)
    assert len(service.received) == total
    assert {(row.state, row.claimed_by) for row in rows(settings, select(PushOutbox))} == {
        ("sent", "worker-0")
    }
