"""``motcua serve`` with the push worker inside the server process (the embedded default on SQLite)."""

from __future__ import annotations

import asyncio
import contextlib

from litestar import Litestar

from motcua.app import create_app as create_base_app
from motcua.push.worker import PushWorker
from motcua.settings import Settings, get_settings


def with_push_worker(app: Litestar, settings: Settings) -> Litestar:
    """Start a :class:`PushWorker` with the app and stop it, politely, when the app stops."""
    stop = asyncio.Event()
    running: list[asyncio.Task[None]] = []

    async def start() -> None:
        worker = PushWorker(settings)

        async def run() -> None:
            async with worker:
                await worker.run(stop)

        running.append(asyncio.create_task(run(), name="push-worker"))

    async def finish() -> None:
        stop.set()
        for task in running:
            try:
                await asyncio.wait_for(task, timeout=15)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.on_startup.append(start)
    app.on_shutdown.insert(0, finish)
    return app


def create_app() -> Litestar:
    """The uvicorn factory ``motcua serve`` uses when the worker runs in process."""
    settings = get_settings()
    return with_push_worker(create_base_app(settings), settings)
