"""The ``motcua`` command: migrate, seed the demo twice, create users, revoke sessions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.accounts.models import User
from motcua.catalogue.documents import load_documents
from motcua.places.models import Village
from motcua.settings import Settings
from tests.conftest import in_db


def motcua(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MOTCUA_DATA_DIR": str(data_dir)}
    env.pop("MOTCUA_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_fresh_install_upgrades_seeds_the_demo_twice_and_manages_users(tmp_path: Path) -> None:
    upgraded = motcua(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "34 provinces, 3321 communes" in upgraded.stdout
    assert f"catalogue: {len(load_documents())} new procedure version(s), 0 unchanged" in upgraded.stdout
    first = motcua(tmp_path, "demo")
    second = motcua(tmp_path, "demo")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    assert "Xã Buôn Đôn" in first.stdout
    assert first.stdout.count("volunteer") == 4

    settings = Settings.from_env({"MOTCUA_DATA_DIR": str(tmp_path)})

    async def counts(db: AsyncSession) -> tuple[int | None, int | None]:
        return await db.scalar(select(func.count()).select_from(User)), await db.scalar(
            select(func.count()).select_from(Village)
        )

    assert in_db(settings, counts) == (7, 5)

    created = motcua(
        tmp_path,
        "users",
        "create",
        "--phone",
        "0977000111",
        "--name",
        "Cán Bộ Mới",
        "--role",
        "desk_officer",
        "--commune",
        "24235",
        "--password",
        "mat-khau-moi-1",
    )
    assert created.returncode == 0, created.stderr
    refused = motcua(
        tmp_path,
        "users",
        "create",
        "--phone",
        "12",
        "--name",
        "X",
        "--role",
        "volunteer",
        "--password",
        "abcdefghi",
    )
    assert refused.returncode == 1
    assert "phone: A mobile number has 10 digits and starts with 0." in refused.stderr

    revoked = motcua(tmp_path, "users", "revoke-sessions", "--phone", "0977000111")
    assert revoked.returncode == 0
    assert revoked.stdout.strip() == "revoked 0 session(s)"
    unknown = motcua(tmp_path, "users", "revoke-sessions", "--phone", "0977000999")
    assert unknown.returncode == 1


def test_catalogue_check_shows_what_would_change_and_close_stops_new_dossiers(tmp_path: Path) -> None:
    assert motcua(tmp_path, "db", "upgrade").returncode == 0
    checked = motcua(tmp_path, "catalogue", "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.count("unchanged  ") == len(load_documents())  # every version of every procedure
    closed = motcua(tmp_path, "catalogue", "close", "dang-ky-khai-tu", "1")
    assert closed.stdout.strip() == "closed dang-ky-khai-tu version 1"
    assert motcua(tmp_path, "catalogue", "close", "khong-co", "1").returncode == 1
