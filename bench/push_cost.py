"""What one pushed batch costs the server, in process: CPU, wall time and SQL statements.

Run from the repository root::

    .venv/bin/python -m bench.push_cost --database both --batches 200 --batch 20

It migrates a fresh database, adds one village and one volunteer, and applies ``--batches``
batches of new records (resident + dossier pairs, as ``bench.sync`` sends them) with
:func:`motcua.sync.push.push`, each in its own committed transaction, the way
``POST /api/sync/push`` does, but without HTTP, sign-in and JSON. It prints, per database,
CPU milliseconds of this process per batch (the server's share; PostgreSQL's own work is
in its process), wall milliseconds per batch and SQL statements per batch. The first tenth
of the batches warms caches and is not counted; then the database is analyzed, as
autovacuum does on a live server (see ``bench.sync``'s warm-up).

With ``--profile`` (needs ``pip install pyinstrument`` in the virtualenv; not a project
dependency) it also prints where the time went.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from itertools import count
from typing import Any

import msgspec
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from bench.fresh import fresh_database, log
from bench.sync import CLOCK_TICKS, COMMUNE, BenchPhone, machine_ticks, populate
from motcua.accounts.models import User
from motcua.accounts.sessions import principal_of_user
from motcua.db.engine import make_engine, session_scope
from motcua.places.models import Village
from motcua.records.schemas import RecordIn
from motcua.settings import Settings
from motcua.sync.push import push


class Statements:
    """SQL statements sent, and CPU seconds spent in ORM flushes (the unit of work)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self.flush_cpu = 0.0
        self._flush_started = 0.0
        event.listen(engine.sync_engine, "before_cursor_execute", self._one)
        event.listen(Session, "before_flush", self._flush_starts)
        event.listen(Session, "after_flush_postexec", self._flush_ends)

    def _one(self, *_: Any) -> None:
        self.count += 1

    def _flush_starts(self, *_: Any) -> None:
        self._flush_started = time.process_time()

    def _flush_ends(self, *_: Any) -> None:
        self.flush_cpu += time.process_time() - self._flush_started

    def reset(self) -> None:
        self.count, self.flush_cpu = 0, 0.0


async def measure(settings: Settings, batches: int, size: int, profile: bool) -> dict[str, float]:
    engine = make_engine(settings)
    statements = Statements(engine)
    try:
        async with session_scope(engine) as db:
            user = await db.scalar(select(User))
            assert user is not None
            principal = await principal_of_user(db, user, uuid.uuid4(), "device")
        village = await _village(engine)
        phone = BenchPhone("COST", village)
        serials = count(1)
        warm = max(1, batches // 10)
        cpu = wall = 0.0
        machine = 0
        profiler = None
        for number in range(batches):
            records = msgspec.convert(phone.batch(size, serials), list[RecordIn], str_keys=True)
            if number == warm:
                async with engine.connect() as connection:  # as autovacuum would have by now
                    await connection.execute(text("ANALYZE"))
                    await connection.commit()
                statements.reset()
                profiler = _profiler() if profile else None
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            started_machine = machine_ticks()[0]
            async with session_scope(engine) as db:
                outcomes = await push(db, principal, records)
            if number >= warm:
                cpu += time.process_time() - started_cpu
                wall += time.perf_counter() - started_wall
                machine += machine_ticks()[0] - started_machine
            assert all(o.outcome == "applied" for o in outcomes), outcomes
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)
        counted = batches - warm
        return {
            "cpu_ms": 1000 * cpu / counted,
            "machine_ms": 1000 * machine / CLOCK_TICKS / counted,
            "wall_ms": 1000 * wall / counted,
            "statements": statements.count / counted,
            "flush_ms": 1000 * statements.flush_cpu / counted,
            "records_per_cpu_second": counted * size / cpu,
        }
    finally:
        await engine.dispose()


async def _village(engine: AsyncEngine) -> uuid.UUID:
    async with session_scope(engine) as db:
        village = await db.scalar(select(Village.id).where(Village.commune_code == COMMUNE))
        assert village is not None
        return village


def _profiler() -> Any:
    try:
        from pyinstrument import Profiler  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        sys.exit("--profile needs pyinstrument: .venv/bin/pip install pyinstrument")
    profiler = Profiler(async_mode="enabled")
    profiler.start()
    return profiler


def run(database: str, batches: int, size: int, profile: bool) -> dict[str, float]:
    with fresh_database(database, "push-cost") as env:
        settings = Settings.from_env(env)
        populate(settings, 1)
        log(f"{database}: {batches} batches of {size}")
        return asyncio.run(measure(settings, batches, size, profile))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20, help="records per batch (even)")
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args(argv)
    databases = ["sqlite", "postgresql"] if options.database == "both" else [options.database]
    print(
        "| database | batch | CPU ms / batch | of which ORM flush | machine CPU ms / batch "
        "| wall ms / batch | statements / batch | records / CPU s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for database in databases:
        r = run(database, options.batches, options.batch, options.profile)
        print(
            f"| {database} | {options.batch} | {r['cpu_ms']:.1f} | {r['flush_ms']:.1f} | {r['machine_ms']:.1f} "
            f"| {r['wall_ms']:.1f} "
            f"| {r['statements']:.1f} | {r['records_per_cpu_second']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
