"""Two app servers, as behind a load balancer: separate data directories, one PostgreSQL, one
object store, two push workers. A phone pushes and uploads to one server; the desk signs in on
that one and reads, downloads and moves on the other; the resident's browser hears of each
move exactly once. Nothing a server keeps on its own disk is needed by the other.
"""

from __future__ import annotations

import gc
import hashlib
import re
import secrets
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from motcua.push.models import PushOutbox
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, rows
from tests.object_store import ObjectStoreServer
from tests.push.fake_push import FakePushService
from tests.server import ServerProcess, motcua_env
from tests.sync.conftest import add_village
from tests.sync.phone import Phone

VOLUNTEER, OFFICER = "0971000201", "0961000201"
STEPS = ("accepted", "in_progress", "ready")


def _signed_in_desk(url: str) -> httpx.Client:
    """A browser of the desk: signs in with the web form on ``url``; its cookie is then sent to
    either server (cookies are per host, not per port)."""
    desk = httpx.Client(timeout=60)
    form = desk.get(f"{url}/login").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
    assert token
    answer = desk.post(
        f"{url}/login", data={"phone": OFFICER, "password": PASSWORD, "_csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return desk


def _bearer(url: str, phone: str) -> dict[str, str]:
    answer = httpx.post(f"{url}/api/auth/login", json={"phone": phone, "password": PASSWORD}, timeout=60)
    assert answer.status_code == 201, answer.text
    return {"authorization": f"Bearer {answer.json()['token']}"}


def _workers(env: dict[str, str], count: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def _wait_until_sent(settings: Settings, expected: int, timeout: float = 90) -> list[PushOutbox]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        outbox = rows(settings, select(PushOutbox))
        if len(outbox) >= expected and all(row.state == "sent" for row in outbox):
            return outbox
        time.sleep(0.3)
    raise AssertionError(f"the workers did not send {expected} notifications in time: {outbox}")


# Something in the S3 client leaves a pooled socket to be closed by the garbage collector: it
# is collected at the end of this test (gc.collect below), so no later test hears of it.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("migrated", ["postgresql"], indirect=True)
def test_two_servers_one_database_one_object_store_two_workers(
    settings: Settings, object_store_server: ObjectStoreServer, tmp_path: Path
) -> None:
    add_user(settings, VOLUNTEER, "volunteer", (COMMUNE_A,))
    add_user(settings, OFFICER, "desk_officer", (COMMUNE_A,))
    phone = Phone("TWO", add_village(settings, COMMUNE_A, "Buôn Hai Máy"))
    # No key in the environment: both servers and both workers read the same keys from the
    # database (docs/operations.md, Keys); nothing else is shared but the object store.
    shared = {
        "MOTCUA_OBJECT_STORE_URL": object_store_server.fresh_url(),
        "MOTCUA_OBJECT_STORE_ENDPOINT": object_store_server.endpoint,
        "MOTCUA_PUSH_INTERVAL_SECONDS": "1",
    }
    environments = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        env = motcua_env(tmp_path / name, settings.database_url, **shared)
        env.pop("MOTCUA_SECRET_KEY", None)
        environments.append(env)
    one = ServerProcess(environments[0]).start()
    two = ServerProcess(environments[1]).start()
    workers = _workers(environments[0], 1) + _workers(environments[1], 1)
    stack = ExitStack()  # the browsers' clients, closed at the end
    try:
        # The phone talks to server one: a resident and a dossier, then the photos.
        volunteer = _bearer(one.url, VOLUNTEER)
        resident = phone.resident(1)
        dossier = phone.dossier(resident)
        secret = secrets.token_urlsafe(16)
        dossier["body"]["receipt_secret_hash"] = hashlib.sha256(secret.encode()).hexdigest()
        pushed = httpx.post(
            f"{one.url}/api/sync/push", json={"records": [resident, dossier]}, headers=volunteer, timeout=60
        )
        assert [o["outcome"] for o in pushed.json()["outcomes"]] == ["applied", "applied"]
        for digest, data in phone.attachments.items():
            stored = httpx.put(
                f"{one.url}/api/attachments/{digest}", content=data, headers=volunteer, timeout=60
            )
            assert stored.json()["outcome"] == "stored", stored.text
        # The same session token works on server two; the record is there, complete.
        holdings = httpx.post(
            f"{two.url}/api/sync/holdings", json={"ids": [dossier["id"]]}, headers=volunteer, timeout=60
        ).json()["holdings"]
        assert [(h["state"], h["missing_attachments"]) for h in holdings] == [("applied", [])]

        # The resident subscribes on server two's status page; both servers sign with one VAPID key.
        assert httpx.get(f"{one.url}/api/push/key").json() == httpx.get(f"{two.url}/api/push/key").json()
        with FakePushService() as push_service:
            grandmother = push_service.browser("grandmother")
            grandmother.server_key = httpx.get(f"{two.url}/api/push/key").json()["public_key"]
            status = stack.enter_context(httpx.Client(timeout=60))
            page = status.get(f"{two.url}/ho-so/{dossier['body']['tracking_code']}?k={secret}")
            assert page.status_code == 200, page.text
            csrf = re.search(r'data-csrf="([^"]+)"', page.text)
            assert csrf
            subscribed = status.post(
                f"{two.url}/ho-so/{dossier['body']['tracking_code']}/push",
                json={"subscription": grandmother.subscription(), "everything": False},
                headers={"x-csrf-token": csrf.group(1)},
            )
            assert subscribed.status_code == 200, subscribed.text

            # The desk signs in on server one and works on server two: the cookie one signed
            # is good on two (one secret key), the photo comes from the object store.
            desk = _signed_in_desk(one.url)
            stack.callback(desk.close)
            photo = dossier["body"]["papers"][0]["photos"][0]
            image = desk.get(f"{two.url}/desk/dossiers/{dossier['id']}/files/{photo}")
            assert image.status_code == 200, image.text
            assert image.content == phone.attachments[photo]
            assert not (tmp_path / "one" / "attachments").exists()
            assert not (tmp_path / "two" / "attachments").exists()
            officer = _bearer(two.url, OFFICER)
            for step, server in zip(STEPS, (two, one, two), strict=True):
                moved = httpx.post(
                    f"{server.url}/api/desk/dossiers/{dossier['id']}/moves",
                    json={"to": step},
                    headers=officer,
                    timeout=60,
                )
                assert moved.status_code == 200, moved.text

            # Two workers share the outbox: each move reaches the browser once, in order.
            outbox = _wait_until_sent(settings, len(STEPS))
            time.sleep(2)  # a second worker that would send a row again has had two cycles
            assert [p["status"] for p in grandmother.payloads()] == list(STEPS)
            assert len(grandmother.received) == len(outbox) == len(STEPS)
            assert push_service.errors == []
    finally:
        stack.close()
        for process in workers:
            process.terminate()
            process.wait(timeout=30)
        one.stop()
        two.stop()
        gc.collect()
