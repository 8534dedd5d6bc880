"""Push delivery: how many notifications per second ``motcua worker`` sends to a push service.

Run from the repository root::

    .venv/bin/python -m bench.push --database both --notifications 10000 --workers 1,2 --latency-ms 0,50

For each database it makes a fresh data directory and database (``motcua db upgrade``) and
``--subscriptions`` browser subscriptions with real P-256 keys. A push service stand-in runs
on loopback (uvicorn, in this process): it answers 201 after ``--latency-ms`` (0 measures
the worker's own ceiling; 50 is closer to a real push service over the internet) and does not
decrypt, so it costs the workers nothing. For each latency and each number of worker
processes (PostgreSQL only takes more than one), it starts the ``motcua worker`` processes,
lets them settle, writes ``--notifications`` outbox rows in one transaction (each its own
topic, as fresh news for many dossiers is) and times from that commit until every row is
``sent``. Each notification is encrypted (aes128gcm) and VAPID-signed, exactly as in
production. The CPU column is the workers' own time per notification.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool
from tests.server import motcua

from bench.fresh import fresh_database, log, postgres
from motcua.db.base import utcnow
from motcua.db.engine import run_in_session
from motcua.db.models import PushOutbox, PushSubscription
from motcua.push.subscriptions import endpoint_hash
from motcua.push.vapid import b64url
from motcua.settings import Settings

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# A status notification as notify_status writes it: about 450 bytes of JSON.
PAYLOAD = {
    "title": "Hồ sơ K7QM-12 · Đăng ký khai tử",
    "title_en": "Dossier K7QM-12 · Death registration",
    "body": "Đã có kết quả, mời bà đến nhận tại Bộ phận một cửa, UBND Xã Buôn Đôn.",
    "body_en": "The result is ready: please collect it at the one-stop desk of Xã Buôn Đôn.",
    "url": "/ho-so/K7QM-12",
    "tag": "0193a5e08a4f7d1c9b523f0c2f6e1a77",
    "status": "ready",
}


# ---------------------------------------------------------------------------------------------
# The push service stand-in


class PushServiceStandIn:
    """An ASGI app on loopback that answers 201 after ``latency`` seconds and counts."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.received = 0
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        config = uvicorn.Config(
            self, host="127.0.0.1", port=self.port, log_config=None, access_log=False, backlog=4096
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        if self.latency:
            await asyncio.sleep(self.latency)
        self.received += 1
        await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def __enter__(self) -> PushServiceStandIn:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


# ---------------------------------------------------------------------------------------------
# The database


def add_subscriptions(settings: Settings, service: PushServiceStandIn, count: int) -> list[uuid.UUID]:
    async def work(db: AsyncSession) -> list[uuid.UUID]:
        subscriptions = []
        for n in range(count):
            point = (
                ec.generate_private_key(ec.SECP256R1())
                .public_key()
                .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            )
            endpoint = f"http://127.0.0.1:{service.port}/push/{n}"
            subscription = PushSubscription(
                endpoint=endpoint,
                endpoint_hash=endpoint_hash(endpoint),
                p256dh=b64url(point),
                auth=b64url(os.urandom(16)),
            )
            db.add(subscription)
            subscriptions.append(subscription)
        await db.flush()
        return [s.id for s in subscriptions]

    return run_in_session(settings, work)


def point_subscriptions_at(settings: Settings, service: PushServiceStandIn) -> None:
    async def work(db: AsyncSession) -> None:
        for subscription in await db.scalars(select(PushSubscription)):
            subscription.endpoint = f"http://127.0.0.1:{service.port}/push/{subscription.id.hex}"
            subscription.endpoint_hash = endpoint_hash(subscription.endpoint)

    run_in_session(settings, work)


def fill_outbox(settings: Settings, subscriptions: list[uuid.UUID], count: int) -> None:
    async def work(db: AsyncSession) -> None:
        now = utcnow()
        db.add_all(
            PushOutbox(
                created_at=now,
                subscription_id=subscriptions[n % len(subscriptions)],
                audience="resident",
                kind="status",
                topic=f"t{n:031d}"[-32:],
                urgency="normal",
                payload=PAYLOAD,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                last_error="",
            )
            for n in range(count)
        )

    run_in_session(settings, work)


async def _count_sent(url: str) -> int:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            sent = await connection.scalar(
                select(func.count()).select_from(PushOutbox).where(PushOutbox.state == "sent")
            )
            return int(sent or 0)
    finally:
        await engine.dispose()


def clear_outbox(settings: Settings) -> None:
    async def work(db: AsyncSession) -> None:
        await db.execute(delete(PushOutbox))

    run_in_session(settings, work)


# ---------------------------------------------------------------------------------------------
# Workers


def _ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


@contextmanager
def workers(env: dict[str, str], count: int) -> Iterator[list[int]]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield [p.pid for p in processes]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass(frozen=True)
class Row:
    database: str
    workers: int
    latency_ms: float
    notifications: int
    seconds: float
    cpu_seconds: float
    received: int

    @property
    def rate(self) -> float:
        return self.notifications / self.seconds

    @property
    def cpu_ms_each(self) -> float:
        return self.cpu_seconds * 1000 / self.notifications


def run_one(
    database: str,
    settings: Settings,
    env: dict[str, str],
    subscriptions: list[uuid.UUID],
    options: Options,
    latency_ms: float,
    count: int,
) -> Row:
    with PushServiceStandIn(latency_ms / 1000) as service:
        point_subscriptions_at(settings, service)
        with workers(env, count) as pids:
            time.sleep(3)  # started, migrated nothing, idle: each looks every second
            before = _ticks(pids)
            fill_outbox(settings, subscriptions, options.notifications)
            started = time.perf_counter()
            deadline = started + options.timeout
            while time.perf_counter() < deadline:
                if asyncio.run(_count_sent(settings.database_url)) >= options.notifications:
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            cpu = (_ticks(pids) - before) / CLOCK_TICKS
        received = service.received
    sent = asyncio.run(_count_sent(settings.database_url))
    clear_outbox(settings)
    if sent < options.notifications:
        log(f"{database}: only {sent} of {options.notifications} sent in {options.timeout:g} s")
    return Row(database, count, latency_ms, sent, elapsed, cpu, received)


def bench_database(database: str, options: Options) -> list[Row]:
    rows: list[Row] = []
    with fresh_database(database, "bench-push", MOTCUA_PUSH_INTERVAL_SECONDS="1") as env:
        motcua(env, "push", "keys")
        settings = Settings.from_env(env)
        with PushServiceStandIn() as placeholder:
            subscriptions = add_subscriptions(settings, placeholder, options.subscriptions)
        for latency in options.latencies:
            for count in options.workers if database == "postgresql" else [1]:
                log(f"{database}: {count} worker(s), push service latency {latency:g} ms")
                rows.append(run_one(database, settings, env, subscriptions, options, latency, count))
                log(describe(rows[-1]))
    return rows


# ---------------------------------------------------------------------------------------------
# Report


def describe(row: Row) -> str:
    return (
        f"{row.database} x{row.workers}, {row.latency_ms:g} ms: {row.notifications:,} notifications in "
        f"{row.seconds:.1f} s = {row.rate:,.0f}/s; worker CPU {row.cpu_ms_each:.2f} ms each; "
        f"the service answered {row.received:,} requests"
    )


def table(rows: list[Row]) -> str:
    lines = [
        "| database | worker processes | push service latency | notifications | seconds "
        "| notifications/s | worker CPU ms / notification |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.database} | {row.workers} | {row.latency_ms:g} ms | {row.notifications:,} "
            f"| {row.seconds:.1f} | {row.rate:,.0f} | {row.cpu_ms_each:.2f} |"
        )
    return "\n".join(lines)


def machine(databases: list[str]) -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    parts = [f"{os.cpu_count()} cores ({model})", f"Python {platform.python_version()}"]
    parts.append(f"SQLite {sqlite3.sqlite_version}")
    if "postgresql" in databases:
        parts.append(f"PostgreSQL {asyncio.run(postgres('SHOW server_version'))}")
    return ", ".join(parts)


@dataclass(frozen=True)
class Options:
    databases: list[str]
    notifications: int
    subscriptions: int
    workers: list[int]
    latencies: list[float]
    timeout: float


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.push", description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--notifications", type=int, default=10_000, help="outbox rows per run")
    parser.add_argument("--subscriptions", type=int, default=1_000, help="browsers they go to")
    parser.add_argument("--workers", type=_numbers, default=[1, 2], help="worker processes on PostgreSQL")
    parser.add_argument("--latency-ms", type=_numbers, default=[0, 50], help="the push service's answer time")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a run gives up")
    args = parser.parse_args(argv)
    return Options(
        databases=["sqlite", "postgresql"] if args.database == "both" else [args.database],
        notifications=args.notifications,
        subscriptions=args.subscriptions,
        workers=args.workers,
        latencies=[float(n) for n in args.latency_ms],
        timeout=args.timeout,
    )


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    about = machine(options.databases)
    started = datetime.now(UTC)
    rows: list[Row] = []
    for database in options.databases:
        rows += bench_database(database, options)
    print(f"# bench/push, {started:%Y-%m-%d %H:%M} UTC\n\n{about}\n\n{table(rows)}\n")
    for row in rows:
        print(f"- {describe(row)}")


if __name__ == "__main__":
    main()
