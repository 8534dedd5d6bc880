"""Sync push under load: simulated volunteers pushing batches to a real ``motcua serve``.

Run from the repository root::

    .venv/bin/python -m bench.sync --database both --volunteers 1,50,300 --duration 20

For each database (and, on PostgreSQL, each ``--workers`` count) it makes a fresh data
directory and database, migrates it (``motcua db upgrade``), adds one village and the
volunteers, signs every volunteer in over HTTP and starts the server. Then, for each
concurrency level, every simulated volunteer pushes a batch of new records (resident +
dossier pairs), waits for the answer and pushes the next one, for ``--duration`` seconds
(a closed loop, no think time). With ``--rate`` the volunteers push on a schedule instead
(an open loop): together they offer that many records a second, each volunteer at random
(Poisson) moments, one push at a time, and a push's latency runs from the moment it was
due, so a slow server is not excused by pushes that started late. Only records whose
outcome is ``applied`` count. The same concurrency then hits ``GET /api/sync/limits`` (no
database, no sign-in) for a shorter time: the ceiling of this server and this load
generator on this machine.

The load generator runs on the same machine as the server and the database and competes
with them for the cores; the CPU columns say who used what.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import count
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool
from tests.server import ServerProcess
from tests.sync.phone import Phone, sample_form, sha256

from bench.fresh import fresh_database, log, postgres
from motcua.accounts.models import User, UserCommune
from motcua.accounts.passwords import hash_password
from motcua.db.engine import run_in_session
from motcua.places.models import Village
from motcua.settings import Settings

COMMUNE = 24235  # Xã Buôn Đôn, Đắk Lắk
PASSWORD = "mật-khẩu-đo-tải-1"  # noqa: S105 - the benchmark volunteers' password
PROCEDURE = "dang-ky-khai-tu"
TIMEOUT_SECONDS = 60.0
LOGIN_CONCURRENCY = 4
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Records


class BenchPhone(Phone):
    """A test ``Phone`` whose dossiers name photo hashes without making the photos.

    Attachments are not uploaded in this benchmark, and the test phone's fake JPEGs (and
    the kept bytes) would cost the load generator about 0.7 ms of CPU per dossier on the
    cores the server needs. The records the server sees have the same shape.
    """

    form: dict[str, Any] = sample_form(PROCEDURE)

    def photo(self, n: int) -> str:
        return sha256(f"{self.prefix}-{self.counter}-{n}".encode())

    def dossier(self, resident: dict[str, Any], code: str = PROCEDURE) -> dict[str, Any]:
        self.counter += 1
        body = {
            "resident_id": resident["id"],
            "tracking_code": f"{self.prefix}-{self.counter}",
            "procedure_code": code,
            "procedure_version": 1,
            "form": self.form,
            "papers": [
                {"paper_id": "giay-bao-tu", "photos": [self.photo(1)]},
                {"paper_id": "can-cuoc", "photos": [self.photo(2), self.photo(3)]},
            ],
            "signature_sha256": self.photo(4),
            "receipt_secret_hash": sha256(os.urandom(16)),
        }
        return self.record("dossier", body)

    def batch(self, size: int, serials: Iterator[int]) -> list[dict[str, Any]]:
        """``size // 2`` new residents, each with a dossier, in one batch."""
        records: list[dict[str, Any]] = []
        for _ in range(size // 2):
            resident = self.resident(next(serials))  # a unique serial: a unique ID number
            records += [resident, self.dossier(resident)]
        return records


@dataclass
class Volunteer:
    phone: BenchPhone
    headers: dict[str, str]


# ---------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Cpu:
    """CPU used during a phase, in percent of one core (this machine has ``os.cpu_count()``)."""

    server: float = 0.0
    bench: float = 0.0
    machine: float = 0.0  # everything: server, bench, PostgreSQL, the rest


def group_ticks(group: int) -> int:
    """User + system clock ticks of every process in a process group (the server's workers)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:  # fields after "pid (comm)": state ppid pgrp ...
            ticks += int(fields[11]) + int(fields[12])
    return ticks


def machine_ticks() -> tuple[int, int]:
    """Busy and total clock ticks of all cores, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


@contextmanager
def measure_cpu(server_group: int, cpu: Cpu) -> Iterator[None]:
    started, server0, bench0 = time.perf_counter(), group_ticks(server_group), os.times()
    busy0, total0 = machine_ticks()
    yield
    elapsed, bench1 = time.perf_counter() - started, os.times()
    busy1, total1 = machine_ticks()
    cpu.server = 100 * (group_ticks(server_group) - server0) / CLOCK_TICKS / elapsed
    cpu.bench = 100 * ((bench1.user - bench0.user) + (bench1.system - bench0.system)) / elapsed
    cpu.machine = 100 * (os.cpu_count() or 1) * (busy1 - busy0) / max(total1 - total0, 1)


@dataclass
class Sample:
    """What one phase measured. Latencies are of answered (200) requests only."""

    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    records: int = 0  # outcome "applied"
    errors: Counter[str] = field(default_factory=Counter)  # no answer, or not 200
    not_applied: Counter[str] = field(default_factory=Counter)  # other outcomes, by reason
    elapsed: float = 0.0
    cpu: Cpu = field(default_factory=Cpu)

    def percentile(self, p: float) -> float | None:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return 1000 * ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


@dataclass
class Row:
    database: str
    workers: int
    endpoint: str
    volunteers: int
    batch: int | None
    sample: Sample
    offered: float | None = None  # records/s asked for, in an open loop


def _failure(answer: httpx.Response | httpx.HTTPError) -> str | None:
    """What went wrong with a request, or None for a 200."""
    if isinstance(answer, httpx.TimeoutException):
        return "timeout"
    if isinstance(answer, httpx.HTTPError):
        return type(answer).__name__
    if answer.status_code == 200:
        return None
    body = msgspec.json.decode(answer.content) if answer.content else {}
    return f"HTTP {answer.status_code} {body.get('code', '')}".strip()


async def _push_loop(
    volunteer: Volunteer,
    batch: int,
    serials: Iterator[int],
    retry_after: float,
    client: httpx.AsyncClient,
    deadline: float,
    sample: Sample,
) -> None:
    """Push, wait for the answer, push the next batch.

    Without a 200, the phone keeps the batch and sends the same again after ``retry_after``.
    """
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        answer = await _push_until_stored(
            volunteer, volunteer.phone.batch(batch, serials), retry_after, client, sample, deadline
        )
        if answer is None:
            return
        sample.latencies.append(time.perf_counter() - started)
        _count_outcomes(answer, sample)


async def _push_until_stored(
    volunteer: Volunteer,
    records: list[dict[str, Any]],
    retry_after: float,
    client: httpx.AsyncClient,
    sample: Sample,
    deadline: float,
) -> httpx.Response | None:
    """Send one batch until it gets a 200, as the phone does, or until the phase is over
    (None); count every request and every failure."""
    while True:
        answer: httpx.Response | httpx.HTTPError
        try:
            answer = await client.post(
                "/api/sync/push",
                content=msgspec.json.encode({"records": records}),
                headers=volunteer.headers,
            )
        except httpx.HTTPError as error:
            answer = error
        sample.requests += 1
        if failure := _failure(answer):
            sample.errors[failure] += 1
            if time.perf_counter() + retry_after >= deadline:
                return None
            await asyncio.sleep(retry_after)
            continue
        assert isinstance(answer, httpx.Response)
        return answer


def _count_outcomes(answer: httpx.Response, sample: Sample) -> None:
    for outcome in msgspec.json.decode(answer.content)["outcomes"]:
        if outcome["outcome"] == "applied":
            sample.records += 1
        else:
            reason = outcome.get("reason") or {}
            sample.not_applied[f"{outcome['outcome']} {reason.get('code', '')}".strip()] += 1


async def _scheduled_pushes(
    volunteer: Volunteer,
    batch: int,
    serials: Iterator[int],
    retry_after: float,
    interval: float,
    seed: int,
    client: httpx.AsyncClient,
    deadline: float,
    sample: Sample,
) -> None:
    """Push a batch at random moments, ``interval`` seconds apart on average (an open loop).

    A push due while the previous one is still out waits for it (a phone sends one batch at
    a time), and its latency still counts from when it was due.
    """
    rng = random.Random(seed)
    # Exponential gaps from the start too: a Poisson process has no memory, so the first push
    # is as far off as any other. (A uniform first gap offered half as much again as asked.)
    due = time.perf_counter() + rng.expovariate(1 / interval)
    while due < deadline:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        records = volunteer.phone.batch(batch, serials)
        answer = await _push_until_stored(
            volunteer, records, retry_after, client, sample, deadline + TIMEOUT_SECONDS
        )
        if answer is None:
            return
        sample.latencies.append(time.perf_counter() - due)
        _count_outcomes(answer, sample)
        due += rng.expovariate(1 / interval)


async def _ceiling_loop(client: httpx.AsyncClient, deadline: float, sample: Sample) -> None:
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        answer: httpx.Response | httpx.HTTPError
        try:
            answer = await client.get("/api/sync/limits")
        except httpx.HTTPError as error:
            answer = error
        sample.requests += 1
        if failure := _failure(answer):
            sample.errors[failure] += 1
        else:
            sample.latencies.append(time.perf_counter() - started)


Loop = Callable[[httpx.AsyncClient, float, Sample], Awaitable[None]]


async def run_phase(
    server: ServerProcess, loops: list[Loop], duration: float, shared_pool: bool = False
) -> Sample:
    """The ``loops`` side by side for ``duration`` seconds, each on its own connection.

    Each loop gets a client of its own, as each phone has its own connection. With
    ``shared_pool`` they share one ``httpx.AsyncClient`` whose pool has a connection per loop
    instead: httpx's pool costs CPU that grows with the number of connections, and at 50 or
    300 of them the load generator, not the server, sets the pace of a fast endpoint
    (docs/benchmarks.md).
    """
    assert server.process is not None
    size = len(loops) if shared_pool else 1
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=server.url, limits=limits, timeout=TIMEOUT_SECONDS)
            )
            for _ in range(1 if shared_pool else len(loops))
        ]
        # Open the connections first, so the phase does not measure TCP handshakes.
        await asyncio.gather(*(clients[i % len(clients)].get("/api/sync/limits") for i in range(len(loops))))
        sample = Sample()
        with measure_cpu(server.process.pid, sample.cpu):
            started = time.perf_counter()
            deadline = started + duration
            await asyncio.gather(
                *(loop(clients[i % len(clients)], deadline, sample) for i, loop in enumerate(loops))
            )
            sample.elapsed = time.perf_counter() - started
    return sample


# ---------------------------------------------------------------------------------------------
# Set-up


def phone_number(index: int) -> str:
    return f"0971{index:06d}"


def populate(settings: Settings, volunteers: int) -> UUID:
    """One village and ``volunteers`` volunteer accounts, straight in the database.

    The password is hashed once and the hash shared: argon2 costs ~0.1 s a user, and signing
    up is not what this measures.
    """

    async def work(db: AsyncSession) -> UUID:
        village = Village(commune_code=COMMUNE, name="Buôn Đo Tải")
        db.add(village)
        password_hash = hash_password(PASSWORD)
        db.add_all(
            User(
                phone=phone_number(index),
                full_name=f"Tình nguyện viên {index}",
                role="volunteer",
                password_hash=password_hash,
                communes=[UserCommune(commune_code=COMMUNE)],
            )
            for index in range(volunteers)
        )
        await db.flush()
        return village.id

    return run_in_session(settings, work)


async def sign_in(url: str, volunteers: int) -> list[dict[str, str]]:
    """A bearer token per volunteer, by ``POST /api/auth/login`` as the phone does."""
    gate = asyncio.Semaphore(LOGIN_CONCURRENCY)

    async def one(client: httpx.AsyncClient, index: int) -> dict[str, str]:
        async with gate:
            response = await client.post(
                "/api/auth/login",
                json={"phone": phone_number(index), "password": PASSWORD, "device_label": "bench"},
            )
        if response.status_code != 201:
            raise RuntimeError(f"sign-in of volunteer {index} failed: {response.status_code} {response.text}")
        return {"authorization": f"Bearer {response.json()['token']}", "content-type": "application/json"}

    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT_SECONDS) as client:
        return list(await asyncio.gather(*(one(client, index) for index in range(volunteers))))


# ---------------------------------------------------------------------------------------------
# The run


@dataclass
class Options:
    databases: list[str]
    volunteers: list[int]
    duration: float
    ceiling_duration: float
    batch: int
    workers: list[int]
    retry_after: float
    shared_pool: bool
    rate: float | None  # records a second offered by all volunteers together (open loop)
    warm_up: float  # seconds of pushes before the first phase, then ANALYZE


def bench_database(database: str, options: Options) -> list[Row]:
    rows: list[Row] = []
    most = max(options.volunteers)
    with fresh_database(database, "bench-sync") as env:
        settings = Settings.from_env(env)
        village = populate(settings, most)
        serials = count(1)
        volunteers: list[Volunteer] = []
        for workers in options.workers if database == "postgresql" else [1]:
            server = ServerProcess(env, workers=workers).start()
            try:
                if not volunteers:
                    started = time.perf_counter()
                    tokens = asyncio.run(sign_in(server.url, most))
                    log(f"{database}: {most} volunteers signed in in {time.perf_counter() - started:.1f} s")
                    volunteers = [
                        Volunteer(BenchPhone(f"V{index:03d}", village), headers)
                        for index, headers in enumerate(tokens)
                    ]
                    warm_up(database, server, volunteers, serials, options, settings)
                rows += bench_server(database, workers, server, volunteers, serials, options)
            finally:
                server.stop()
    return rows


def bench_server(
    database: str,
    workers: int,
    server: ServerProcess,
    volunteers: list[Volunteer],
    serials: Iterator[int],
    options: Options,
) -> list[Row]:
    rows = []
    for level in options.volunteers:
        pushes: list[Loop]
        if options.rate:
            interval = level * options.batch / options.rate  # seconds between one volunteer's pushes
            pushes = [
                partial(_scheduled_pushes, v, options.batch, serials, options.retry_after, interval, seed)
                for seed, v in enumerate(volunteers[:level])
            ]
            how = f"offering {options.rate:g} records/s"
        else:
            pushes = [
                partial(_push_loop, v, options.batch, serials, options.retry_after)
                for v in volunteers[:level]
            ]
            how = "pushing back to back"
        log(f"{database} x{workers}: {level} volunteer(s) {how} for {options.duration:g} s")
        sample = asyncio.run(run_phase(server, pushes, options.duration, options.shared_pool))
        rows.append(Row(database, workers, "push", level, options.batch, sample, options.rate))
        log(describe(rows[-1]))
        log(f"{database} x{workers}: ceiling, {level} client(s) for {options.ceiling_duration:g} s")
        sample = asyncio.run(
            run_phase(server, [_ceiling_loop] * level, options.ceiling_duration, options.shared_pool)
        )
        rows.append(Row(database, workers, "GET /api/sync/limits", level, None, sample))
        log(describe(rows[-1]))
    return rows


def warm_up(
    database: str,
    server: ServerProcess,
    volunteers: list[Volunteer],
    serials: Iterator[int],
    options: Options,
    settings: Settings,
) -> None:
    """Put the database in service before measuring: some pushes, then fresh planner statistics.

    A new database has empty tables and no statistics, and PostgreSQL's planner then scans
    whole tables where an index lookup is due; a live server's autovacuum analyzes a table
    within a minute of it growing. The warm-up pushes for ``--warm-up`` seconds (ten
    volunteers back to back, not reported) and runs ``ANALYZE``, as autovacuum would.
    """
    if options.warm_up <= 0:
        return
    log(f"{database}: warming up for {options.warm_up:g} s, then ANALYZE")
    pushes: list[Loop] = [
        partial(_push_loop, v, options.batch, serials, options.retry_after) for v in volunteers[:10]
    ]
    sample = asyncio.run(run_phase(server, pushes, options.warm_up))
    log(f"{database}: warm-up stored {sample.records:,} records")

    async def analyze() -> None:
        engine = create_async_engine(settings.database_url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("ANALYZE"))
                await connection.commit()
        finally:
            await engine.dispose()

    asyncio.run(analyze())


# ---------------------------------------------------------------------------------------------
# Report


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def describe(row: Row) -> str:
    s = row.sample
    errors = ", ".join(f"{n} {what}" for what, n in s.errors.most_common()) or "none"
    other = ", ".join(f"{n} {what}" for what, n in s.not_applied.most_common()) or "none"
    return (
        f"{row.endpoint} x{row.volunteers}: {s.requests} requests in {s.elapsed:.1f} s, "
        f"{s.records / s.elapsed:,.0f} records/s, p50/p95/p99 {_ms(s.percentile(50))}/"
        f"{_ms(s.percentile(95))}/{_ms(s.percentile(99))} ms; errors: {errors}; not applied: {other}"
    )


def table(rows: list[Row]) -> str:
    lines = [
        "| database | workers | endpoint | volunteers | batch | offered records/s | requests | requests/s "
        "| records/s | p50 ms | p95 ms | p99 ms | errors | CPU % server / bench / machine |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        s = row.sample
        records = f"{s.records / s.elapsed:,.0f}" if row.batch else "—"
        lines.append(
            f"| {row.database} | {row.workers} | {row.endpoint} | {row.volunteers} | {row.batch or '—'} "
            f"| {f'{row.offered:,.0f}' if row.offered else '—'} | {s.requests:,} | {s.requests / s.elapsed:,.1f} | {records} | {_ms(s.percentile(50))} "
            f"| {_ms(s.percentile(95))} | {_ms(s.percentile(99))} | {sum(s.errors.values())} "
            f"| {s.cpu.server:.0f} / {s.cpu.bench:.0f} / {s.cpu.machine:.0f} |"
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
    memory = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    parts = [
        f"{os.cpu_count()} cores ({model})",
        f"{memory} RAM",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if "postgresql" in databases:
        parts.append(f"PostgreSQL {asyncio.run(postgres('SHOW server_version'))}")
    return ", ".join(parts)


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--volunteers", type=_numbers, default=[1, 50, 300], help="e.g. 1,50,300")
    parser.add_argument("--duration", type=float, default=20, help="seconds of push per level")
    parser.add_argument(
        "--ceiling-duration", type=float, default=None, help="seconds of GET /api/sync/limits per level"
    )
    parser.add_argument("--batch", type=int, default=20, help="records per push: resident + dossier pairs")
    parser.add_argument(
        "--workers", type=_numbers, default=[1], help="server workers on PostgreSQL, e.g. 1,2"
    )
    parser.add_argument(
        "--retry-after",
        type=float,
        default=1.0,
        help="seconds a volunteer waits after a push without a 200 before sending the same batch again",
    )
    parser.add_argument(
        "--shared-pool",
        action="store_true",
        help="one httpx client with a connection per volunteer instead of a client per volunteer",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="records a second all volunteers offer together, at random moments (an open loop); "
        "without it each volunteer pushes again as soon as answered (a closed loop)",
    )
    parser.add_argument(
        "--warm-up",
        type=float,
        default=10.0,
        help="seconds of pushes before the first phase, followed by ANALYZE (0: none)",
    )
    args = parser.parse_args(argv)
    if args.batch < 2 or args.batch % 2 or args.batch > 200:
        parser.error("--batch must be an even number from 2 to 200")
    return Options(
        databases=["sqlite", "postgresql"] if args.database == "both" else [args.database],
        volunteers=args.volunteers,
        duration=args.duration,
        ceiling_duration=args.ceiling_duration or max(3.0, args.duration / 4),
        batch=args.batch,
        workers=args.workers,
        retry_after=args.retry_after,
        shared_pool=args.shared_pool,
        rate=args.rate,
        warm_up=args.warm_up,
    )


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    about = machine(options.databases)
    started = datetime.now(UTC)
    rows: list[Row] = []
    for database in options.databases:
        rows += bench_database(database, options)
    print(f"# bench/sync, {started:%Y-%m-%d %H:%M} UTC\n\n{about}\n\n{table(rows)}\n")
    for row in rows:
        print(f"- {row.database} x{row.workers} {describe(row)}")


if __name__ == "__main__":
    main()
