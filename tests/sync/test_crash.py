"""The real server is killed (SIGKILL) in the middle of a batch; the phone retries; nothing is
lost and nothing is doubled. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from sqlalchemy import func, select

from motcua.dossiers.models import Dossier
from motcua.records.models import RecordRevision
from motcua.residents.models import Resident
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, rows
from tests.server import ServerProcess, motcua_env
from tests.sync.conftest import add_village
from tests.sync.phone import Phone

PEOPLE = 80  # 80 residents and 80 dossiers: a batch the server needs a while to apply


def _server(settings: Settings) -> ServerProcess:
    env = motcua_env(settings.data_dir, settings.database_url, MOTCUA_SECRET_KEY=settings.secret_key)
    return ServerProcess(env).start()


def _token(url: str) -> dict[str, str]:
    answer = httpx.post(
        f"{url}/api/auth/login", json={"phone": "0971000001", "password": PASSWORD}, timeout=30
    )
    return {"authorization": f"Bearer {answer.json()['token']}"}


def _push(url: str, headers: dict[str, str], records: list[dict[str, Any]]) -> httpx.Response:
    return httpx.post(f"{url}/api/sync/push", json={"records": records}, headers=headers, timeout=120)


def test_a_server_killed_mid_batch_loses_nothing_and_doubles_nothing(settings: Settings) -> None:
    add_user(settings, "0971000001", "volunteer", (COMMUNE_A,))
    phone = Phone("KIL", add_village(settings, COMMUNE_A, "Buôn Ko Tam"))
    records = []
    for serial in range(PEOPLE):
        resident = phone.resident(serial)
        records += [resident, phone.dossier(resident)]

    server = _server(settings)
    headers = _token(server.url)
    answers: list[httpx.Response | Exception] = []

    def send() -> None:
        try:
            answers.append(_push(server.url, headers, records))
        except httpx.HTTPError as error:
            answers.append(error)

    interrupted = False
    for delay in (0.4, 0.2, 0.1, 0.05):  # find a moment inside the batch on this machine
        sender = threading.Thread(target=send)
        sender.start()
        threading.Event().wait(delay)
        server.kill()
        sender.join(timeout=60)
        interrupted = isinstance(answers[-1], Exception)
        server = _server(settings)
        if interrupted:
            break
    assert interrupted, "the kill never landed inside a batch"

    # The phone keeps everything queued and sends the same batch again.
    try:
        retried = _push(server.url, headers, records)
    finally:
        server.stop()
    assert retried.status_code == 200
    outcomes = {o["outcome"] for o in retried.json()["outcomes"]}
    assert outcomes <= {"applied", "duplicate"}
    assert rows(settings, select(func.count()).select_from(Resident)) == [PEOPLE]
    assert rows(settings, select(func.count()).select_from(Dossier)) == [PEOPLE]
    applied = rows(settings, select(RecordRevision.record_id).where(RecordRevision.state == "applied"))
    assert sorted(map(str, applied)) == sorted(r["id"] for r in records)
