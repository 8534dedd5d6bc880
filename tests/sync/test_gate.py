"""Phone batches take turns in arrival order, and one that waits too long hears "busy"."""

from __future__ import annotations

import asyncio

import pytest

from motcua.errors import ApiError
from motcua.sync.gate import RETRY_AFTER_SECONDS, SyncGate
from tests.conftest import run


def test_batches_take_turns_in_the_order_they_arrived() -> None:
    async def scenario() -> list[int]:
        gate = SyncGate(1)
        served: list[int] = []

        async def batch(n: int) -> None:
            async with gate.turn():
                served.append(n)
                await asyncio.sleep(0.01)

        tasks = []
        for n in range(8):
            tasks.append(asyncio.create_task(batch(n)))
            await asyncio.sleep(0)  # arrives after the one before
        await asyncio.gather(*tasks)
        return served

    assert run(scenario()) == list(range(8))


def test_no_more_batches_than_allowed_work_at_once() -> None:
    async def scenario() -> int:
        gate = SyncGate(3)
        working = most = 0

        async def batch() -> None:
            nonlocal working, most
            async with gate.turn():
                working += 1
                most = max(most, working)
                await asyncio.sleep(0.01)
                working -= 1

        await asyncio.gather(*(batch() for _ in range(12)))
        return most

    assert run(scenario()) == 3


def test_a_batch_that_waits_too_long_is_told_to_come_back_and_frees_no_turn() -> None:
    async def scenario() -> ApiError:
        gate = SyncGate(1, patience=0.05)
        async with gate.turn():
            with pytest.raises(ApiError) as refused:
                async with gate.turn():
                    raise AssertionError("the second batch must not get a turn")
        async with gate.turn():  # the turn is free again afterwards
            pass
        return refused.value

    error = run(scenario())
    assert error.status_code == 503
    assert error.body.code == "sync.busy"
    assert error.headers == {"Retry-After": str(RETRY_AFTER_SECONDS)}
    assert "bận" in error.body.message_vi
