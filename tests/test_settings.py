"""Settings come from the environment in one place, and bad ones stop start-up with one line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from motcua.settings import SETTINGS, Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_need_nothing_running(tmp_path: Path) -> None:
    settings = Settings.from_env({"MOTCUA_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'motcua.db'}"
    assert settings.is_sqlite
    assert settings.public_url == "http://127.0.0.1:8000"
    assert not settings.secure_cookies
    assert settings.device_session_days == 30
    assert settings.object_store_url == ""  # attachments on the local disk


def test_object_storage_is_one_url(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "MOTCUA_DATA_DIR": str(tmp_path),
            "MOTCUA_OBJECT_STORE_URL": "s3://motcua/attachments/",
            "MOTCUA_OBJECT_STORE_ENDPOINT": "http://minio:9000/",
        }
    )
    assert (settings.object_store_url, settings.object_store_endpoint) == (
        "s3://motcua/attachments",
        "http://minio:9000",
    )


def test_trusted_proxies_are_addresses_or_networks(tmp_path: Path) -> None:
    given = {"MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_TRUSTED_PROXIES": " 172.16.0.0/12, ::1 ,"}
    assert Settings.from_env(given).trusted_proxies == "172.16.0.0/12,::1"
    assert Settings.from_env({"MOTCUA_DATA_DIR": str(tmp_path)}).trusted_proxies == "127.0.0.1"


def test_keys_come_from_the_environment_or_else_the_database(tmp_path: Path) -> None:
    unset = Settings.from_env({"MOTCUA_DATA_DIR": str(tmp_path)})
    assert unset.secret_key == unset.vapid_private_key == ""  # kept in the database (tests/db)
    assert list(tmp_path.iterdir()) == []  # no key file on this machine
    given = Settings.from_env(
        {
            "MOTCUA_DATA_DIR": str(tmp_path),
            "MOTCUA_SECRET_KEY": "s" * 40,
            "MOTCUA_VAPID_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----",
        }
    )
    assert given.secret_key == "s" * 40
    assert given.vapid_private_key == "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    assert "s" * 40 not in repr(given)
    assert "PRIVATE" not in repr(given)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("MOTCUA_DATABASE_URL", "mysql://x", "MOTCUA_DATABASE_URL must start with"),
        ("MOTCUA_LOG_LEVEL", "LOUD", "MOTCUA_LOG_LEVEL must be one of"),
        ("MOTCUA_PUBLIC_URL", "motcua.local", "MOTCUA_PUBLIC_URL must be an http(s) address"),
        ("MOTCUA_SECRET_KEY", "short", "at least 32 characters"),
        ("MOTCUA_VAPID_PRIVATE_KEY", "abc", "MOTCUA_VAPID_PRIVATE_KEY must be a PEM private key"),
        ("MOTCUA_DEVICE_SESSION_DAYS", "0", "MOTCUA_DEVICE_SESSION_DAYS must be a whole number"),
        ("MOTCUA_SIGN_IN_CACHE_SECONDS", "-1", "MOTCUA_SIGN_IN_CACHE_SECONDS must be a whole number"),
        ("MOTCUA_OBJECT_STORE_URL", "minio:9000/bucket", "MOTCUA_OBJECT_STORE_URL must look like s3://"),
        ("MOTCUA_OBJECT_STORE_ENDPOINT", "minio:9000", "MOTCUA_OBJECT_STORE_ENDPOINT must be an http(s)"),
        ("MOTCUA_TRUSTED_PROXIES", "10.0.0.0/8, caddy", "MOTCUA_TRUSTED_PROXIES must list IP addresses"),
    ],
)
def test_bad_settings_are_refused_with_one_clear_line(
    tmp_path: Path, name: str, value: str, says: str
) -> None:
    with pytest.raises(SettingsError, match=re.escape(says)):
        Settings.from_env({"MOTCUA_DATA_DIR": str(tmp_path), name: value})


def test_the_command_stops_with_one_line_on_a_bad_setting(tmp_path: Path) -> None:
    env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_LOG_LEVEL": "LOUD"}
    result = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "motcua: MOTCUA_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got 'LOUD'"
    ]


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"| `{setting.name}` | `{setting.default}` | {setting.help} |" in readme, setting.name
