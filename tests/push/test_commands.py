"""``motcua push keys`` and ``motcua worker``, as an operator runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from motcua.push.models import PushOutbox
from motcua.push.vapid import vapid_keys
from motcua.settings import Settings
from tests.conftest import rows
from tests.push.fake_push import FakePushService
from tests.push.test_workers import _fill_outbox


def _env(settings: Settings, data_dir: Path | None = None) -> dict[str, str]:
    return {
        **os.environ,
        "MOTCUA_DATA_DIR": str(data_dir or settings.data_dir),
        "MOTCUA_DATABASE_URL": settings.database_url,
        "MOTCUA_SECRET_KEY": settings.secret_key,
        "MOTCUA_PUSH_INTERVAL_SECONDS": "1",
        "MOTCUA_LOG_LEVEL": "INFO",
    }


def test_the_vapid_key_is_made_once_and_shown(settings: Settings, tmp_path: Path) -> None:
    def keys() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "motcua.cli", "push", "keys"],
            env=_env(settings, tmp_path),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

    first, second = keys(), keys()
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) == 87  # 65 bytes, base64url without padding
    # Kept in the database, so every server process of this database serves the same key.
    assert first.stdout.strip() == vapid_keys(settings).public_key
    assert "private key in the database" in first.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_worker_command_delivers_the_outbox_and_stops_on_sigterm(settings: Settings) -> None:
    with FakePushService() as service:
        total = _fill_outbox(settings, service)
        worker = subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", "worker"],
            env=_env(settings),
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            service.wait_for(total, timeout=60)
        finally:
            time.sleep(0.2)
            worker.send_signal(signal.SIGTERM)
            _, logged = worker.communicate(timeout=30)
    assert worker.returncode == 0, logged
    assert "push worker started" in logged
    assert "push worker stopped" in logged
    assert {row.state for row in rows(settings, select(PushOutbox))} == {"sent"}
    assert service.errors == []
