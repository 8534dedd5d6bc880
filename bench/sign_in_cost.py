"""What finding the signed-in user costs the server per request, with and without its memory.

Run from the repository root::

    .venv/bin/python -m bench.sign_in_cost --database postgresql --requests 1000

One volunteer signs in to a real ``motcua serve``; then one client calls
``GET /api/sync/limits`` (no database work of its own) ``--requests`` times without a token,
and as many times with the volunteer's bearer token, first with
``MOTCUA_SIGN_IN_CACHE_SECONDS=0`` (every request looks the token up), then with the
default 5. It prints the server's CPU milliseconds per request (its process group's user +
system time) and the mean wall time of a request.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx
from tests.server import ServerProcess

from bench.fresh import fresh_database, log
from bench.sync import CLOCK_TICKS, group_ticks, populate, sign_in
from motcua.settings import Settings

WARM_UP_REQUESTS = 50


async def _measure(server: ServerProcess, headers: dict[str, str], requests: int) -> tuple[float, float]:
    assert server.process is not None
    async with httpx.AsyncClient(base_url=server.url) as client:
        for _ in range(WARM_UP_REQUESTS):
            await client.get("/api/sync/limits", headers=headers)
        ticks, started = group_ticks(server.process.pid), time.perf_counter()
        for _ in range(requests):
            answer = await client.get("/api/sync/limits", headers=headers)
            answer.raise_for_status()
        cpu = (group_ticks(server.process.pid) - ticks) / CLOCK_TICKS
        return 1000 * cpu / requests, 1000 * (time.perf_counter() - started) / requests


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--requests", type=int, default=1000)
    options = parser.parse_args(argv)
    print("| database | request | server CPU ms / request | wall ms / request |")
    print("|---|---|---:|---:|")
    with fresh_database(options.database, "sign-in-cost") as env:
        populate(Settings.from_env(env), 1)
        for seconds in ("0", "5"):
            server = ServerProcess({**env, "MOTCUA_SIGN_IN_CACHE_SECONDS": seconds}).start()
            try:
                token = asyncio.run(sign_in(server.url, 1))[0]
                cases = [("no token", {}), (f"bearer, cache {seconds} s", token)]
                for label, headers in cases if seconds == "0" else cases[1:]:
                    log(f"{options.database}: {label}")
                    cpu, wall = asyncio.run(_measure(server, headers, options.requests))
                    print(f"| {options.database} | {label} | {cpu:.2f} | {wall:.2f} |", flush=True)
            finally:
                server.stop()


if __name__ == "__main__":
    main()
