"""A newcomer's mistakes, made for real with the ``motcua`` command in a child process: each
ends in exactly one line on stderr that says what to do, and a non-zero exit."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from motcua.db.migrate import alembic_config
from motcua.settings import Settings, lan_addresses, served_public_url
from tests.conftest import _postgres_database, make_settings
from tests.server import free_port

UNREACHABLE_POSTGRES = "postgresql+asyncpg://motcua@127.0.0.1:1/motcua"


def run(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``motcua ARGS`` in ``cwd`` with only the ``MOTCUA_…`` variables given here."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("MOTCUA_")}
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line the command wrote to stderr; it must have failed."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("motcua: ")
    return lines[0]


@pytest.fixture(scope="module")
def migrated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory made by ``motcua db upgrade``, as ``make run`` makes ./var."""
    data_dir = tmp_path_factory.mktemp("newcomer")
    upgraded = run(data_dir, "db", "upgrade", MOTCUA_DATA_DIR=str(data_dir))
    assert upgraded.returncode == 0, upgraded.stderr
    return data_dir


@pytest.mark.parametrize(
    "command",
    [["demo"], ["serve"], ["worker"], ["push", "keys"], ["users", "revoke-sessions", "--phone", "1"]],
)
def test_a_command_run_from_another_folder_makes_nothing_and_says_so(
    tmp_path: Path, command: list[str]
) -> None:
    line = one_line(run(tmp_path, *command))
    assert line == (
        "motcua: no database at ./var/motcua.db (run from the project folder, or set MOTCUA_DATA_DIR "
        "or MOTCUA_DATABASE_URL; `motcua db upgrade` creates it)"
    )
    assert list(tmp_path.iterdir()) == []  # no ./var, no new secret key


def test_db_upgrade_is_the_command_that_makes_the_database(tmp_path: Path) -> None:
    made = run(tmp_path, "db", "upgrade")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("making a new database at ./var/motcua.db\n")
    assert (tmp_path / "var" / "motcua.db").exists()
    assert run(tmp_path, "db", "upgrade").stdout.startswith("database is at head")


def test_a_missing_data_directory_is_refused_on_postgresql_too(tmp_path: Path) -> None:
    line = one_line(run(tmp_path, "demo", MOTCUA_DATABASE_URL=UNREACHABLE_POSTGRES))
    assert line.startswith("motcua: no data directory at ./var (run from the project folder")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["demo"], ["db", "upgrade"], ["serve"], ["catalogue", "check"]])
def test_an_unreachable_postgresql_is_one_line(tmp_path: Path, command: list[str]) -> None:
    result = run(tmp_path, *command, MOTCUA_DATA_DIR=str(tmp_path), MOTCUA_DATABASE_URL=UNREACHABLE_POSTGRES)
    assert one_line(result) == (
        "motcua: PostgreSQL at 127.0.0.1:1 is unreachable (connection refused); is it running? "
        "check MOTCUA_DATABASE_URL"
    )
    assert result.returncode == 1


def _previous_revision(data_dir: Path) -> str:
    script = ScriptDirectory.from_config(alembic_config(make_settings(data_dir)))
    head = script.get_revision(script.get_current_head())
    assert head is not None
    assert isinstance(head.down_revision, str)
    return head.down_revision


def _head(data_dir: Path) -> str:
    head = ScriptDirectory.from_config(alembic_config(make_settings(data_dir))).get_current_head()
    assert head is not None
    return head


def test_a_database_older_than_the_code_says_to_upgrade(tmp_path: Path) -> None:
    env = {"MOTCUA_DATA_DIR": str(tmp_path)}
    previous = _previous_revision(tmp_path)
    assert run(tmp_path, "db", "upgrade", "--revision", previous, **env).returncode == 0
    for command in (["demo"], ["serve"], ["users", "revoke-sessions", "--phone", "0901000000"]):
        line = one_line(run(tmp_path, *command, **env))
        assert line.startswith(f"motcua: the database ./motcua.db is at migration {previous}, ")
        assert line.endswith("older than this code (" + _head(tmp_path) + "): run `motcua db upgrade`")
    assert run(tmp_path, "db", "upgrade", **env).returncode == 0
    assert run(tmp_path, "demo", **env).returncode == 0


def test_a_database_newer_than_the_code_says_so(tmp_path: Path) -> None:
    env = {"MOTCUA_DATA_DIR": str(tmp_path)}
    assert run(tmp_path, "db", "upgrade", **env).returncode == 0
    with sqlite3.connect(tmp_path / "motcua.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    line = one_line(run(tmp_path, "serve", **env))
    assert "is at migration 9999, which this code does not know" in line
    assert one_line(run(tmp_path, "db", "upgrade", **env)).startswith("motcua: migrations: ")


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    yield from _postgres_database()


def test_a_postgresql_database_never_migrated_says_to_upgrade(tmp_path: Path, empty_postgres: str) -> None:
    env = {"MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_DATABASE_URL": empty_postgres}
    name = empty_postgres.rsplit("/", 1)[1]
    line = one_line(run(tmp_path, "demo", **env))
    assert line.startswith(f"motcua: the database {name} on PostgreSQL at ")
    assert line.endswith(" was never migrated: run `motcua db upgrade`")
    missing = one_line(run(tmp_path, "demo", **{**env, "MOTCUA_DATABASE_URL": f"{empty_postgres}_gone"}))
    assert "refused the connection" in missing
    assert "does not exist" in missing


def test_a_data_directory_this_user_may_not_write_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        parent = Path("/sys")  # root may write anywhere but there
    else:
        parent = tmp_path / "locked"
        parent.mkdir(mode=0o500)
    line = one_line(run(tmp_path, "db", "upgrade", MOTCUA_DATA_DIR=str(parent / "motcua")))
    assert line.startswith(f"motcua: permission denied on {parent / 'motcua'}: run as the user who owns it")


def test_a_port_in_use_is_one_line(migrated_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(migrated_dir, "serve", "--port", str(port), MOTCUA_DATA_DIR=str(migrated_dir))
    assert one_line(result) == (
        f"motcua: port {port} on 127.0.0.1 is already in use (another motcua serve?): stop it, "
        "or choose another port with --port"
    )


BROKEN_COMMAND = """
import sys
from motcua.cli import main

@main.command()
def broken() -> None:
    raise RuntimeError("something nobody foresaw\\nsecond line")

main()
"""


def test_an_unexpected_error_is_one_line_and_its_traceback_only_on_request(tmp_path: Path) -> None:
    def broken(*options: str, **env: str) -> subprocess.CompletedProcess[str]:
        clean = {name: value for name, value in os.environ.items() if not name.startswith("MOTCUA_")}
        return subprocess.run(
            [sys.executable, "-c", BROKEN_COMMAND, *options, "broken"],
            cwd=tmp_path,
            env={**clean, **env},
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    assert one_line(broken()) == (
        "motcua: unexpected error RuntimeError: something nobody foresaw "
        "(run again with `motcua --debug …` or MOTCUA_DEBUG=1 to see the traceback)"
    )
    for shown in (broken("--debug"), broken(MOTCUA_DEBUG="1")):
        assert shown.returncode != 0
        assert "Traceback (most recent call last)" in shown.stderr
        assert "RuntimeError: something nobody foresaw" in shown.stderr


def test_the_public_url_follows_the_port_and_host_serve_listens_on(tmp_path: Path) -> None:
    assert served_public_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert served_public_url("localhost", 8123) == "http://localhost:8123"
    assert served_public_url("::1", 8123) == "http://[::1]:8123"
    everywhere = served_public_url("0.0.0.0", 8123)  # noqa: S104
    assert everywhere in {f"http://{address}:8123" for address in [*lan_addresses(), "127.0.0.1"]}
    # What `make run PORT=8123` gives the app: serve sets it unless it is set already.
    env = {"MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_SECRET_KEY": "k" * 40}
    assert Settings.from_env(
        {**env, "MOTCUA_PUBLIC_URL": served_public_url("127.0.0.1", 8123)}
    ).public_url == ("http://127.0.0.1:8123")
    assert Settings.from_env(env).public_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])  # noqa: S104
def test_serve_puts_its_own_address_in_links_and_qr_codes(migrated_dir: Path, host: str) -> None:
    port = free_port()
    clean = {name: value for name, value in os.environ.items() if not name.startswith("MOTCUA_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "serve", "--host", host, "--port", str(port)],
        cwd=migrated_dir,
        env={**clean, "MOTCUA_DATA_DIR": str(migrated_dir), "MOTCUA_LOG_LEVEL": "WARNING"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        poster = _get_when_up(process, f"http://127.0.0.1:{port}/thu-tuc/dang-ky-khai-tu/poster")
    finally:
        process.terminate()
        printed, _ = process.communicate(timeout=30)
    public_url = served_public_url(host, port)
    assert f"{public_url}/thu-tuc/dang-ky-khai-tu" in poster
    assert printed.startswith(f"motcua: serving {public_url} (sign in at {public_url}/login)\n")
    if host == "0.0.0.0":  # noqa: S104
        urls = ", ".join(f"http://{address}:{port}" for address in lan_addresses())
        assert (
            f"motcua: on this network, open {urls} on a phone" in printed if urls else "no network" in printed
        )
        assert "only over HTTPS (or on localhost)" in printed


def _get_when_up(process: subprocess.Popen[str], url: str) -> str:
    for _ in range(600):
        assert process.poll() is None, "motcua serve stopped"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                return str(response.read().decode())
        except OSError:
            time.sleep(0.1)
    raise AssertionError("motcua serve did not answer")
