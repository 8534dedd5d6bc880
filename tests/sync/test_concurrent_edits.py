"""Two phones edit the same record at the same moment, through a real server on PostgreSQL.

docs/sync.md §3 "Concurrent edits": of two pushes of revision n+1 on base n, exactly one is
`applied` and the other a `conflict` (`revision.stale_base`, `server_revision` = the stored
revision), whatever the timing; the stored record equals exactly one edit; a re-send of the
losing one answers `conflict` again. Same for dossiers; two contents under one consent id end
with one `applied` and one `conflict` (`revision.conflict`).

Hundreds of pairs go through ``motcua serve`` with two worker processes, each pair's two
requests released together by a barrier. On SQLite (one process, one batch at a time)
the same assertions hold for fewer pairs.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import select, update

from motcua.attachments.models import Attachment
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.residents.models import Consent
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, execute, rows
from tests.server import ServerProcess, motcua_env
from tests.sync.conftest import add_village
from tests.sync.phone import Phone

PAIRS_AT_ONCE = 50
ROUNDS = 8  # 400 resident pairs
DOSSIER_PAIRS = 40
CONSENT_PAIRS = 40
MOVE_PAIRS = 20
UPLOADS_AT_ONCE = 8
ONE, TWO = "0971000001", "0971000002"


@dataclass
class Race:
    server: ServerProcess
    http: httpx.Client
    tokens: dict[str, dict[str, str]]
    village: UUID
    rounds: int  # of PAIRS_AT_ONCE resident pairs

    def push(self, who: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        dropped = False
        for _ in range(10):
            try:
                answer = self.http.post(
                    f"{self.server.url}/api/sync/push", json={"records": records}, headers=self.tokens[who]
                )
            except httpx.TransportError:
                # A dropped connection (under a loaded CI machine uvicorn may replace a worker
                # that misses its health check): as docs/sync.md §3 tells a phone, nothing may
                # be assumed, send the same batch again.
                dropped = True
                continue
            if answer.status_code == 503:  # sync.busy: not applied at all, send again later
                time.sleep(float(answer.headers.get("retry-after", "1")))
                continue
            assert answer.status_code == 200, answer.text
            outcomes: list[dict[str, Any]] = answer.json()["outcomes"]
            assert [o["id"] for o in outcomes] == [r["id"] for r in records]
            if dropped:  # a `duplicate` now means the lost attempt was the one applied
                outcomes = [
                    {**o, "outcome": "applied"} if o["outcome"] == "duplicate" else o for o in outcomes
                ]
            return outcomes
        raise AssertionError("the server stayed busy")

    def push_all(self, who: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        outcomes = []
        for start in range(0, len(records), 200):
            outcomes += self.push(who, records[start : start + 200])
        return outcomes

    def pull_residents(self, who: str) -> dict[str, dict[str, Any]]:
        cursor, newest = "0", {}
        while True:
            page = self.http.get(
                f"{self.server.url}/api/sync/pull",
                params={"cursor": cursor, "limit": 500},
                headers=self.tokens[who],
            )
            assert page.status_code == 200, page.text
            body = page.json()
            for change in body["changes"]:
                if change["kind"] == "resident":
                    newest[change["id"]] = change
            cursor = body["cursor"]
            if not body["more"]:
                return newest

    def simultaneously(
        self, pairs: list[tuple[dict[str, Any], dict[str, Any]]]
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Each pair's first record pushed by ONE and second by TWO, all released at once."""
        results: dict[tuple[int, int], dict[str, Any]] = {}
        errors: list[BaseException] = []
        barrier = threading.Barrier(2 * len(pairs))

        def send(index: int, side: int, record: dict[str, Any]) -> None:
            try:
                barrier.wait(timeout=60)
                (results[index, side],) = self.push((ONE, TWO)[side], [record])
            except BaseException as error:  # reported below, after every thread ended
                errors.append(error)

        threads = [
            threading.Thread(target=send, args=(index, side, pair[side]))
            for index, pair in enumerate(pairs)
            for side in (0, 1)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, f"{errors[:3]}\nthe server said:\n{self.server.log_tail()}"
        return [(results[index, 0], results[index, 1]) for index in range(len(pairs))]


@pytest.fixture
def race(settings: Settings) -> Iterator[Race]:
    for phone in (ONE, TWO):
        add_user(settings, phone, "volunteer", (COMMUNE_A,))
    village = add_village(settings, COMMUNE_A, "Buôn Đôn")
    env = motcua_env(settings.data_dir, settings.database_url, MOTCUA_SECRET_KEY=settings.secret_key)
    # Two processes on PostgreSQL; SQLite takes one batch at a time whatever the processes.
    server = ServerProcess(env, workers=1 if settings.is_sqlite else 2).start()
    limits = httpx.Limits(max_connections=4 * PAIRS_AT_ONCE, max_keepalive_connections=4 * PAIRS_AT_ONCE)
    try:
        with httpx.Client(timeout=60, limits=limits) as http:
            tokens = {}
            for phone in (ONE, TWO):
                answer = http.post(
                    f"{server.url}/api/auth/login", json={"phone": phone, "password": PASSWORD}
                )
                assert answer.status_code == 201, answer.text
                tokens[phone] = {"authorization": f"Bearer {answer.json()['token']}"}
            yield Race(server, http, tokens, village, 1 if settings.is_sqlite else ROUNDS)
    finally:
        server.stop()


def _one_won(pair: tuple[dict[str, Any], dict[str, Any]], code: str, revision: int) -> int | None:
    """Which side was applied, if exactly one was and the other is the conflict the doc names."""
    states = [o["outcome"] for o in pair]
    if sorted(states) != ["applied", "conflict"]:
        return None
    winner = states.index("applied")
    loser = pair[1 - winner]
    if loser["reason"]["code"] != code or loser.get("server_revision", revision) != revision:
        return None
    return winner


def _report(bad: list[Any], total: int, what: str) -> str:
    return f"{len(bad)} of {total} {what} did not end as docs/sync.md says; e.g. {bad[:3]}"


def test_simultaneous_edits_of_one_resident_end_with_one_applied_and_one_conflict(race: Race) -> None:
    one, two = Phone("RC1", race.village), Phone("RC2", race.village)
    residents = [
        one.resident(serial, phone=None, interpreter_language=None, ethnicity=None)
        for serial in range(PAIRS_AT_ONCE * race.rounds)
    ]
    assert {o["outcome"] for o in race.push_all(ONE, residents)} == {"applied"}

    pairs = []
    for serial, resident in enumerate(residents):
        renamed = one.edit(resident, full_name=f"Trần Văn Sửa {serial}")
        reached = two.edit(resident, phone=f"09{serial:08d}", needs=["elderly", "low_vision"])
        pairs.append((renamed, reached))
    outcomes = []
    for start in range(0, len(pairs), PAIRS_AT_ONCE):
        outcomes += race.simultaneously(pairs[start : start + PAIRS_AT_ONCE])

    winners = [_one_won(pair, "revision.stale_base", 2) for pair in outcomes]
    bad = [
        (pairs[i][0]["id"], [o["outcome"] for o in outcomes[i]]) for i, w in enumerate(winners) if w is None
    ]
    assert not bad, _report(bad, len(pairs), "pairs of edits")

    stored = race.pull_residents(ONE)
    mixed = []
    for pair, winner in zip(pairs, winners, strict=True):
        assert winner is not None
        change = stored[pair[0]["id"]]
        if change["revision"] != 2 or change["body"] != pair[winner]["body"]:
            mixed.append((pair[0]["id"], change["body"]))
    assert not mixed, _report(mixed, len(pairs), "stored residents (not exactly the applied edit)")

    losers = {ONE: [], TWO: []}  # type: dict[str, list[dict[str, Any]]]
    for pair, winner in zip(pairs, winners, strict=True):
        assert winner is not None
        losers[(ONE, TWO)[1 - winner]].append(pair[1 - winner])
    for who, records in losers.items():
        again = race.push_all(who, records)
        not_conflict = [(o["id"], o["outcome"]) for o in again if o["outcome"] != "conflict"]
        assert not not_conflict, _report(not_conflict, len(records), "re-sent losing edits")

    for pair, winner in list(zip(pairs, winners, strict=True))[:5]:
        assert winner is not None
        answer = race.http.get(
            f"{race.server.url}/api/sync/records/{pair[0]['id']}/versions", headers=race.tokens[ONE]
        )
        assert answer.status_code == 200, answer.text
        seen = answer.json()
        assert seen["server_revision"] == 2
        second = {v["state"]: v["body"] for v in seen["versions"] if v["revision"] == 2}
        assert second == {"applied": pair[winner]["body"], "conflict": pair[1 - winner]["body"]}


def test_simultaneous_edits_of_one_dossier_end_with_one_applied_and_one_conflict(
    race: Race, settings: Settings
) -> None:
    one, two = Phone("RD1", race.village), Phone("RD2", race.village)
    records, dossiers = [], []
    for serial in range(DOSSIER_PAIRS):
        resident = one.resident(1000 + serial)
        dossier = one.dossier(resident)
        records += [resident, dossier]
        dossiers.append(dossier)
    assert {o["outcome"] for o in race.push_all(ONE, records)} == {"applied"}

    pairs = []
    for serial, dossier in enumerate(dossiers):
        new_secret = one.edit(
            dossier, receipt_secret_hash=hashlib.sha256(f"bí mật {serial}".encode()).hexdigest()
        )
        new_signature = two.edit(
            dossier, signature_sha256=hashlib.sha256(f"chữ ký {serial}".encode()).hexdigest()
        )
        pairs.append((new_secret, new_signature))
    outcomes = race.simultaneously(pairs)

    winners = [_one_won(pair, "revision.stale_base", 2) for pair in outcomes]
    bad = [
        (pairs[i][0]["id"], [o["outcome"] for o in outcomes[i]]) for i, w in enumerate(winners) if w is None
    ]
    assert not bad, _report(bad, len(pairs), "pairs of dossier edits")
    stored = {str(d.id): (d.receipt_secret_hash, d.signature_sha256) for d in rows(settings, select(Dossier))}
    for pair, winner in zip(pairs, winners, strict=True):
        assert winner is not None
        body = pair[winner]["body"]
        assert stored[pair[0]["id"]] == (body["receipt_secret_hash"], body["signature_sha256"])
        again = race.push(((ONE, TWO)[1 - winner]), [pair[1 - winner]])[0]
        assert again["outcome"] == "conflict", again


def test_two_contents_under_one_consent_id_end_with_one_applied_and_one_conflict(
    race: Race, settings: Settings
) -> None:
    one, two = Phone("RK1", race.village), Phone("RK2", race.village)
    residents = [one.resident(2000 + serial) for serial in range(CONSENT_PAIRS)]
    assert {o["outcome"] for o in race.push_all(ONE, residents)} == {"applied"}
    pairs = []
    for resident in residents:
        consent = one.record(
            "consent",
            {
                "resident_id": resident["id"],
                "purpose": "contact_by_phone",
                "wording_vi": "Tôi đồng ý để tình nguyện viên gọi điện cho tôi.",
                "given": True,
                "method": "tick",
                "signature_sha256": None,
            },
        )
        other = two.record("consent", {**consent["body"], "given": False}, record_id=UUID(consent["id"]))
        pairs.append((consent, other))
    outcomes = race.simultaneously(pairs)

    winners = [_one_won(pair, "revision.conflict", 1) for pair in outcomes]
    bad = [
        (pairs[i][0]["id"], [o["outcome"] for o in outcomes[i]]) for i, w in enumerate(winners) if w is None
    ]
    assert not bad, _report(bad, len(pairs), "pairs of consents")
    stored = {str(c.id): c.given for c in rows(settings, select(Consent))}
    for pair, winner in zip(pairs, winners, strict=True):
        assert winner is not None
        assert stored[pair[0]["id"]] is pair[winner]["body"]["given"]
        again = race.push(((ONE, TWO)[1 - winner]), [pair[1 - winner]])[0]
        assert again["outcome"] == "conflict", again


def test_two_officers_moving_one_dossier_at_once_make_one_move(race: Race, settings: Settings) -> None:
    """The desk's moves take the same row lock as a phone's edit: of two officers accepting one
    dossier at the same moment, one moves it and the other is told it already moved."""
    officers = ("0971000011", "0971000012")
    for officer in officers:
        add_user(settings, officer, "desk_officer", (COMMUNE_A,))
        answer = race.http.post(
            f"{race.server.url}/api/auth/login", json={"phone": officer, "password": PASSWORD}
        )
        race.tokens[officer] = {"authorization": f"Bearer {answer.json()['token']}"}
    one = Phone("RM1", race.village)
    dossiers = []
    for serial in range(MOVE_PAIRS):
        resident = one.resident(3000 + serial)
        dossier = one.dossier(resident)
        race.push(ONE, [resident, dossier])
        dossiers.append(dossier["id"])
    execute(settings, update(Dossier).values(status="received"))  # as if every photo had arrived
    answers: dict[tuple[int, int], int] = {}
    barrier = threading.Barrier(2 * len(dossiers))

    def accept(index: int, side: int) -> None:
        barrier.wait(timeout=60)
        answer = race.http.post(
            f"{race.server.url}/api/desk/dossiers/{dossiers[index]}/moves",
            json={"to": "accepted"},
            headers=race.tokens[officers[side]],
        )
        answers[index, side] = answer.status_code

    threads = [
        threading.Thread(target=accept, args=(i, side)) for i in range(len(dossiers)) for side in (0, 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(sorted((answers[i, 0], answers[i, 1])) for i in range(len(dossiers))) == [[200, 409]] * len(
        dossiers
    )
    moves = rows(settings, select(DossierEvent.dossier_id).where(DossierEvent.to_status == "accepted"))
    assert sorted(map(str, moves)) == sorted(dossiers)


def test_the_same_photo_uploaded_many_times_at_once_is_stored_once(race: Race, settings: Settings) -> None:
    """Phones retry uploads whose answer was lost; copies racing each other are all 200."""
    one = Phone("RU1", race.village)
    resident = one.resident(4000)
    dossier = one.dossier(resident)
    race.push(ONE, [resident, dossier])
    uploads = list(one.attachments.items())
    answers: list[int] = []
    barrier = threading.Barrier(UPLOADS_AT_ONCE * len(uploads))

    def upload(digest: str, data: bytes) -> None:
        barrier.wait(timeout=60)
        answer = race.http.put(
            f"{race.server.url}/api/attachments/{digest}", content=data, headers=race.tokens[ONE]
        )
        answers.append(answer.status_code)

    threads = [threading.Thread(target=upload, args=item) for item in uploads for _ in range(UPLOADS_AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert answers == [200] * len(threads)
    assert sorted(rows(settings, select(Attachment.sha256))) == sorted(digest for digest, _ in uploads)
    (status,) = rows(settings, select(Dossier.status))
    assert status == "received"
