"""The secret and VAPID keys: the environment wins, else the database keeps the first made,
shared by every process of that database; an older install's key files are taken into it."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import delete, insert, select

from motcua.db.keys import SECRET_FILE, VAPID_FILE, ServerKey, new_vapid_pem, with_keys
from motcua.push.vapid import vapid_keys
from motcua.settings import Settings
from tests.conftest import execute, rows


def _race(settings: Settings, processes: int = 4) -> set[tuple[str, str]]:
    """Several server processes starting at once, each with its own connection."""
    with ThreadPoolExecutor(processes) as pool:
        started = list(pool.map(lambda _: with_keys(settings), range(processes)))
    return {(s.secret_key, s.vapid_private_key) for s in started}


def test_keys_are_made_once_per_database_and_old_files_are_kept(settings: Settings, tmp_path: Path) -> None:
    kept = [(row.name, row.value, row.created_at) for row in rows(settings, select(ServerKey))]
    unset = dataclasses.replace(settings, data_dir=tmp_path, secret_key="", vapid_private_key="")
    try:
        # The environment wins: nothing is read or written.
        given = dataclasses.replace(unset, secret_key="e" * 40, vapid_private_key=new_vapid_pem())
        assert with_keys(given) is given

        # A fresh database: the first of the racing processes makes them, all share them.
        execute(settings, delete(ServerKey))
        ((secret, pem),) = _race(unset)
        assert len(secret) >= 32
        assert vapid_keys(dataclasses.replace(unset, vapid_private_key=pem)).public_key
        assert _race(unset) == {(secret, pem)}
        assert list(tmp_path.iterdir()) == []  # nothing on this machine's disk

        # An install from before: its files become the database's keys, so cookies and push
        # subscriptions made with them stay valid.
        execute(settings, delete(ServerKey))
        old_pem = new_vapid_pem()
        (tmp_path / SECRET_FILE).write_text("old-secret-" + "o" * 40 + "\n")
        (tmp_path / VAPID_FILE).write_text(old_pem)
        assert _race(unset) == {("old-secret-" + "o" * 40, old_pem.strip())}
        # Then the database's copy rules, whatever the files on another machine say.
        (tmp_path / SECRET_FILE).write_text("another-machine-" + "a" * 40)
        assert with_keys(unset).secret_key == "old-secret-" + "o" * 40
    finally:
        execute(settings, delete(ServerKey))
        for name, value, created_at in kept:
            execute(settings, insert(ServerKey).values(name=name, value=value, created_at=created_at))
