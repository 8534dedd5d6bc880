"""A new volunteer's first pull of a whole commune, against its push, on a real ``motcua serve``.

Run from the repository root::

    .venv/bin/python -m bench.pull --db sqlite --residents 20000 --dossiers 5000

It makes a fresh, migrated database (SQLite or PostgreSQL), one village and two volunteers,
and starts the server on loopback. Volunteer 1 pushes the commune through the real push API
in full batches, one after the other (that measures push: records/s): every resident with a
varied Vietnamese name (Kinh names, and Ê Đê, Gia Rai and M'Nông names such as H'Hen Niê or
Y Sol Ksor), their consents and one to three checklist ticks, and ``--dossiers`` of them a
dossier. Volunteer 2 is put on a route through the village today: a phone receives only
the residents of its work (docs/privacy.md), and that route makes it the whole village. Then
``ANALYZE``, as autovacuum would on a live server. Then volunteer 2, who has never synced,
reads the limits and pulls everything from cursor 0 in pages of the advertised
``pull_page_size`` (as the PWA does), twice: once asking for gzip
(``Accept-Encoding: gzip``) and once not, counting the bytes that came over the wire (bodies
as sent, plus the status line and headers) and timing each page.

Pull records/s is changes received / pull time; the pull carries residents, consents,
ticks and the catalogue's versions, not the dossiers (they go to their own volunteer only).
Bytes per resident is all the bytes of the pull / residents: consents and ticks included.
The load generator runs on the same machine as the server and the database.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import count
from typing import Any
from uuid import UUID

import httpx
import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool
from tests.server import ServerProcess
from tests.sync.phone import personal_id

from bench.fresh import fresh_database, log
from bench.sync import (
    COMMUNE,
    TIMEOUT_SECONDS,
    BenchPhone,
    Cpu,
    machine,
    measure_cpu,
    phone_number,
    populate,
    sign_in,
)
from motcua.accounts.models import User
from motcua.campaigns.models import Route, RouteStop, RouteVolunteer
from motcua.db.engine import run_in_session
from motcua.records.schemas import MAX_BATCH_RECORDS
from motcua.rounds.service import today
from motcua.settings import Settings

CONSENT_WORDING = "Tôi đồng ý cho tình nguyện viên ghi thông tin cá nhân của tôi để chuẩn bị hồ sơ và gửi Ủy ban nhân dân xã."
ETHNICITY_WORDING = "Tôi đồng ý cho ghi dân tộc của tôi để được hỗ trợ bằng tiếng mẹ đẻ."

# Kinh names: family, middle and given names, with their diacritics.
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trương",
    "Lương",
    "Mai",
]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Đình", "Trọng", "Quốc"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích", "Hồng", "Diệu", "Thùy"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hiếu",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Lộc",
    "Toàn",
    "Nghĩa",
]
GIVEN_FEMALE = [
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Ngọc",
    "Nhung",
    "Phương",
    "Quyên",
    "Tâm",
    "Thảo",
    "Thủy",
    "Trang",
    "Uyên",
    "Yến",
    "Huệ",
    "Loan",
]
# Ê Đê, Gia Rai and M'Nông names: "Y" before a man's name, "H'" before a woman's, the clan name last.
CLANS = [
    "Niê",
    "Ksor",
    "Mlô",
    "Êban",
    "Byă",
    "Adrơng",
    "Knul",
    "Hđơk",
    "Kbuôr",
    "Siu",
    "Rơ",
    "Châm",
    "Bkrông",
    "Buôn",
    "Yă",
    "Ayŭn",
    "Nay",
]
MINORITY_MALE = [
    "Sol",
    "Jut",
    "Blô",
    "Djhang",
    "Khoa",
    "Bhin",
    "Thuột",
    "Kông",
    "Nguăn",
    "Yơn",
    "Mi",
    "Bhiăo",
]
MINORITY_FEMALE = ["Hen", "Bia", "Nhi", "Ruê", "Juin", "Dlê", "Blik", "Mai", "Hyă", "Rin", "Ñu", "Êlin"]
ETHNICITIES = ["Ê Đê", "Gia Rai", "M'Nông"]
MOBILE_PREFIXES = ["032", "035", "038", "086", "090", "091", "093", "096", "097", "098", "077", "083"]
STEPS = ["vneid_installed", "vneid_level1", "vneid_level2"]


@dataclass
class Pull:
    """One full pull from cursor 0: its pages' times and bytes."""

    gzip: bool  # asked for
    compressed_pages: int = 0
    pages: list[float] = field(default_factory=list)  # seconds each, request to last byte
    body_bytes: int = 0
    wire_bytes: int = 0  # bodies plus status lines and headers
    plain_bytes: int = 0  # the JSON once decoded
    changes: int = 0
    residents: int = 0
    elapsed: float = 0.0
    cpu: Cpu = field(default_factory=Cpu)


@dataclass
class Result:
    database: str
    residents: int
    dossiers: int
    pushed: int = 0
    push_seconds: float = 0.0
    not_applied: dict[str, int] = field(default_factory=dict)
    pulls: list[Pull] = field(default_factory=list)


def resident_records(phone: BenchPhone, serial: int, rng: random.Random) -> list[dict[str, Any]]:
    """A resident with a name drawn from the lists, their consents and ticks."""
    sex = rng.choice(["male", "female"])
    minority = rng.random() < 0.35  # Buôn Đôn is about a third Ê Đê, Gia Rai and M'Nông
    if minority:
        given = rng.choice(MINORITY_MALE if sex == "male" else MINORITY_FEMALE)
        prefix = "Y " if sex == "male" else "H'"
        name = f"{prefix}{given} {rng.choice(CLANS)}"
    else:
        middle = rng.choice(MIDDLE_MALE if sex == "male" else MIDDLE_FEMALE)
        name = f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN_MALE if sex == 'male' else GIVEN_FEMALE)}"
    birth = date(1935 + rng.randrange(70), 1 + rng.randrange(12), 1 + rng.randrange(28))
    body: dict[str, Any] = {
        "village_id": str(phone.village_id),
        "full_name": name,
        "birth_date": birth.isoformat(),
        "sex": sex,
        "personal_id": personal_id(sex, birth, serial),
        "needs": ["elderly"] if birth.year < 1965 else [],
    }
    if rng.random() < 0.5:
        body["phone"] = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
    consents = [("personal_data", CONSENT_WORDING)]
    if minority:
        body["ethnicity"] = rng.choice(ETHNICITIES)
        consents.append(("ethnicity", ETHNICITY_WORDING))
    resident = phone.record("resident", body)
    records = [resident]
    for purpose, wording in consents:
        records.append(
            phone.record(
                "consent",
                {
                    "resident_id": resident["id"],
                    "purpose": purpose,
                    "wording_vi": wording,
                    "given": True,
                    "method": "tick",
                    "signature_sha256": None,
                },
            )
        )
    for step in STEPS[: 1 + rng.randrange(3)]:
        records.append(
            phone.record("checklist", {"resident_id": resident["id"], "step": step, "state": "done"})
        )
    return records


def households(
    phone: BenchPhone, residents: int, dossiers: int, seed: int = 15
) -> list[list[dict[str, Any]]]:
    """Each resident's records, in the order a phone sends them; the first ``dossiers`` have one."""
    rng = random.Random(seed)
    serials = count(1)
    made = []
    for index in range(residents):
        records = resident_records(phone, next(serials), rng)
        if index < dossiers:
            records.append(phone.dossier(records[0]))
        made.append(records)
    return made


def batches(households: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Full batches that never split a household (its consents name a resident of the batch)."""
    out: list[list[dict[str, Any]]] = [[]]
    for records in households:
        if len(out[-1]) + len(records) > MAX_BATCH_RECORDS:
            out.append([])
        out[-1] += records
    return out


async def push_all(
    url: str, headers: dict[str, str], batches: list[list[dict[str, Any]]], result: Result
) -> None:
    not_applied: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT_SECONDS) as client:
        started = time.perf_counter()
        for batch in batches:
            answer = await client.post(
                "/api/sync/push", content=msgspec.json.encode({"records": batch}), headers=headers
            )
            if answer.status_code != 200:
                raise RuntimeError(f"push failed: {answer.status_code} {answer.text[:300]}")
            for outcome in msgspec.json.decode(answer.content)["outcomes"]:
                if outcome["outcome"] == "applied":
                    result.pushed += 1
                else:
                    reason = (outcome.get("reason") or {}).get("code", "")
                    key = f"{outcome['outcome']} {reason}".strip()
                    not_applied[key] = not_applied.get(key, 0) + 1
        result.push_seconds = time.perf_counter() - started
    result.not_applied = not_applied


def _head_bytes(response: httpx.Response) -> int:
    status_line = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    return status_line + sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2


async def pull_all(url: str, headers: dict[str, str], pull: Pull) -> None:
    """Every page from cursor 0, as a phone that never synced pulls them."""
    asked = {**headers, "accept-encoding": "gzip" if pull.gzip else "identity"}
    cursor = "0"
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT_SECONDS) as client:
        started = time.perf_counter()
        limits = await client.get("/api/sync/limits", headers=asked)  # as the PWA does, every sync
        page_size = limits.json()["pull_page_size"]
        pull.wire_bytes += limits.num_bytes_downloaded + _head_bytes(limits)  # counted, small as it is
        while True:
            page_started = time.perf_counter()
            answer = await client.get(
                "/api/sync/pull", params={"cursor": cursor, "limit": page_size}, headers=asked
            )
            pull.pages.append(time.perf_counter() - page_started)
            if answer.status_code != 200:
                raise RuntimeError(f"pull failed: {answer.status_code} {answer.text[:300]}")
            encoded = answer.headers.get("content-encoding") == "gzip"
            if encoded and not pull.gzip:
                raise RuntimeError("gzip came unasked")
            pull.compressed_pages += encoded  # a server before issue 15 never compresses
            pull.body_bytes += answer.num_bytes_downloaded
            pull.wire_bytes += answer.num_bytes_downloaded + _head_bytes(answer)
            pull.plain_bytes += len(answer.content)
            body = msgspec.json.decode(answer.content)
            pull.changes += len(body["changes"])
            pull.residents += sum(change["kind"] == "resident" for change in body["changes"])
            cursor = body["cursor"]
            if not body["more"]:
                break
        pull.elapsed = time.perf_counter() - started


def on_route(settings: Settings, village: UUID, phone: str) -> None:
    """A route through ``village`` today for the volunteer of ``phone``: a phone receives only the
    residents of its work (docs/privacy.md), so this is what makes the whole village theirs."""

    async def work(db: AsyncSession) -> None:
        user = await db.scalar(select(User).where(User.phone == phone))
        assert user is not None
        stop = RouteStop(position=1, village_id=village)
        db.add(
            Route(
                commune_code=COMMUNE,
                day=today(),
                created_by=user.id,
                stops=[stop],
                team=[RouteVolunteer(user_id=user.id)],
            )
        )

    run_in_session(settings, work)


async def analyze(settings: Settings) -> None:
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    finally:
        await engine.dispose()


def bench(database: str, residents: int, dossiers: int) -> Result:
    result = Result(database, residents, dossiers)
    with fresh_database(database, "bench-pull") as env:
        settings = Settings.from_env(env)
        village = populate(settings, 2)
        server = ServerProcess(env).start()
        try:
            assert server.process is not None
            pusher, newcomer = asyncio.run(sign_in(server.url, 2))
            log(f"{database}: making {residents:,} residents and {dossiers:,} dossiers")
            work = batches(households(BenchPhone("P01", village), residents, dossiers))
            log(f"{database}: pushing {sum(map(len, work)):,} records in {len(work)} batches")
            asyncio.run(push_all(server.url, pusher, work, result))
            log(f"{database}: {result.pushed:,} applied in {result.push_seconds:.1f} s; {result.not_applied}")
            on_route(settings, village, phone_number(1))  # the newcomer's route: the whole village
            asyncio.run(analyze(settings))
            for gzip in (True, False):
                pull = Pull(gzip)
                log(f"{database}: a new volunteer pulls everything, gzip={gzip}")
                with measure_cpu(server.process.pid, pull.cpu):
                    asyncio.run(pull_all(server.url, newcomer, pull))
                if not result.not_applied and pull.residents != result.residents:
                    raise RuntimeError(f"the newcomer got {pull.residents} of {result.residents} residents")
                log(describe(result, pull))
                result.pulls.append(pull)
        finally:
            server.stop()
    return result


def _asked(pull: Pull) -> str:
    if not pull.gzip:
        return "plain"
    return (
        "gzip" if pull.compressed_pages == len(pull.pages) else f"gzip asked, {pull.compressed_pages} gzipped"
    )


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.0f}"


def describe(result: Result, pull: Pull) -> str:
    push_rate = result.pushed / result.push_seconds
    pull_rate = pull.changes / pull.elapsed
    pages = sorted(pull.pages)
    return (
        f"{result.database} gzip={pull.gzip}: {pull.changes:,} changes in {len(pages)} pages "
        f"({pull.compressed_pages} gzipped), "
        f"{pull.elapsed:.1f} s = {pull_rate:,.0f} records/s ({pull_rate / push_rate:.1f}x push at "
        f"{push_rate:,.0f} records/s); page median {_ms(statistics.median(pages))} ms, "
        f"max {_ms(pages[-1])} ms; {pull.wire_bytes:,} bytes on the wire "
        f"({pull.wire_bytes / result.residents:.0f} per resident; JSON {pull.plain_bytes:,}); "
        f"server CPU {pull.cpu.server:.0f}%"
    )


def table(results: list[Result]) -> str:
    lines = [
        "| database | push records/s | pull | pages | pull s | pull records/s | pull ÷ push | "
        "page ms median / max | bytes on the wire | bytes per resident | server CPU % |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        push_rate = result.pushed / result.push_seconds
        for pull in result.pulls:
            rate = pull.changes / pull.elapsed
            lines.append(
                f"| {result.database} | {push_rate:,.0f} | {_asked(pull)} | "
                f"{len(pull.pages)} | {pull.elapsed:.1f} | {rate:,.0f} | {rate / push_rate:.1f}× | "
                f"{_ms(statistics.median(pull.pages))} / {_ms(max(pull.pages))} | {pull.wire_bytes:,} | "
                f"{pull.wire_bytes / result.residents:.0f} | {pull.cpu.server:.0f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pull", description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--dossiers", type=int, default=5_000)
    options = parser.parse_args(argv)
    databases = ["sqlite", "postgresql"] if options.db == "both" else [options.db]
    about = machine(databases)
    started = datetime.now(UTC)
    results = [bench(database, options.residents, options.dossiers) for database in databases]
    print(f"# bench/pull, {started:%Y-%m-%d %H:%M} UTC\n\n{about}\n\n{table(results)}\n")
    for result in results:
        print(f"- {result.database}: pushed {result.pushed:,} records in {result.push_seconds:.1f} s")
        for pull in result.pulls:
            print(f"- {describe(result, pull)}")


if __name__ == "__main__":
    main()
