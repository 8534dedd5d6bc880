"""Settings read once from the environment (prefix ``MOTCUA_``)."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_SECRET_FILE = "secret_key"  # noqa: S105 - a file name
_MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """A setting is missing or wrong; the message is one line a person can act on."""


@dataclass(frozen=True)
class Setting:
    """One environment variable, documented where it is declared."""

    name: str
    default: str
    help: str


# The single list of environment variables; the README's configuration table mirrors it
# and a test keeps the two in step.
SETTINGS: tuple[Setting, ...] = (
    Setting("MOTCUA_DATA_DIR", "./var", "Directory for the SQLite database, the secret key and uploads."),
    Setting(
        "MOTCUA_DATABASE_URL",
        "sqlite+aiosqlite:///<data dir>/motcua.db",
        "SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db.",
    ),
    Setting(
        "MOTCUA_PUBLIC_URL",
        "where motcua serve listens: http://127.0.0.1:8000",
        "Address residents and phones use to reach the server (QR codes, links, cookie security).",
    ),
    Setting(
        "MOTCUA_SECRET_KEY",
        "generated into <data dir>/secret_key",
        "Signs cookies and CSRF tokens; at least 32 characters. Generated and kept on first start.",
    ),
    Setting("MOTCUA_LOG_LEVEL", "INFO", "One of DEBUG, INFO, WARNING, ERROR. Logs are JSON lines on stderr."),
    Setting(
        "MOTCUA_DEVICE_SESSION_DAYS",
        "30",
        "How long a phone's sign-in lasts after its last use, so volunteers can work offline for days.",
    ),
    Setting("MOTCUA_WEB_SESSION_HOURS", "12", "How long a sign-in to the desk and coordinator pages lasts."),
    Setting(
        "MOTCUA_PUSH_INTERVAL_SECONDS",
        "5",
        "How long the push worker waits before looking again when it has nothing to send.",
    ),
    Setting(
        "MOTCUA_PUSH_CONTACT",
        "the public URL if https, else mailto:push@<its host>",
        "Who push services may contact about this server (the VAPID subject): a mailto: or https: address.",
    ),
    Setting(
        "MOTCUA_SYNC_CONCURRENCY",
        "4",
        "How many phone batches one server process applies at once on PostgreSQL (on SQLite one); "
        "the rest wait their turn, first come first served.",
    ),
    Setting(
        "MOTCUA_SIGN_IN_CACHE_SECONDS",
        "5",
        "How long a server process remembers who a token belongs to, sparing a database lookup per "
        "request; a sign-out, a disabled account or a new route reaches the other processes within "
        "this time. 0 looks every time.",
    ),
    Setting(
        "MOTCUA_PASSWORD_CHECKS",
        "4",
        "How many password checks one server process runs at once (each holds 64 MiB); the rest "
        "wait their turn, so a burst of sign-ins cannot exhaust the memory.",
    ),
    Setting(
        "MOTCUA_PHONE_DAYS_BEFORE_ROUTE",
        "2",
        "How many days before a route's day the phones of its team receive the residents of its "
        "villages (docs/privacy.md).",
    ),
    Setting(
        "MOTCUA_PHONE_DAYS_AFTER_ROUTE",
        "3",
        "How many days after a route's day its team's phones keep those residents; then the next "
        "pull tells each phone to drop them (docs/privacy.md).",
    ),
)


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, validated."""

    data_dir: Path
    database_url: str
    public_url: str
    secret_key: str = field(repr=False)
    log_level: str = "INFO"
    device_session_days: int = 30
    web_session_hours: int = 12
    push_interval_seconds: int = 5
    push_contact: str = ""
    sync_concurrency: int = 4
    sign_in_cache_seconds: int = 5
    password_checks: int = 4
    phone_days_before_route: int = 2
    phone_days_after_route: int = 3

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir, database_url = where_data_lives(env)
        public_url = env.get("MOTCUA_PUBLIC_URL", DEFAULT_PUBLIC_URL).rstrip("/")
        parts = urlsplit(public_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise SettingsError(f"MOTCUA_PUBLIC_URL must be an http(s) address, got {public_url!r}")
        log_level = env.get("MOTCUA_LOG_LEVEL", "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise SettingsError(f"MOTCUA_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            public_url=public_url,
            secret_key=_secret_key(env.get("MOTCUA_SECRET_KEY"), data_dir),
            log_level=log_level,
            device_session_days=_whole_number(env, "MOTCUA_DEVICE_SESSION_DAYS", 30),
            web_session_hours=_whole_number(env, "MOTCUA_WEB_SESSION_HOURS", 12),
            push_interval_seconds=_whole_number(env, "MOTCUA_PUSH_INTERVAL_SECONDS", 5),
            push_contact=_push_contact(env.get("MOTCUA_PUSH_CONTACT"), public_url),
            sync_concurrency=_whole_number(env, "MOTCUA_SYNC_CONCURRENCY", 4),
            sign_in_cache_seconds=_whole_number(env, "MOTCUA_SIGN_IN_CACHE_SECONDS", 5, least=0),
            password_checks=_whole_number(env, "MOTCUA_PASSWORD_CHECKS", 4),
            phone_days_before_route=_whole_number(env, "MOTCUA_PHONE_DAYS_BEFORE_ROUTE", 2, least=0),
            phone_days_after_route=_whole_number(env, "MOTCUA_PHONE_DAYS_AFTER_ROUTE", 3, least=0),
        )


def where_data_lives(environ: dict[str, str] | None = None) -> tuple[Path, str]:
    """The data directory and the database URL, read without creating anything (the secret
    key is made only once a command knows it works on a real database)."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("MOTCUA_DATA_DIR", "./var")).expanduser().resolve()
    database_url = env.get("MOTCUA_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'motcua.db'}"
    _check_database_url(database_url)
    return data_dir, database_url


DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
_EVERY_ADDRESS = {"", "0.0.0.0", "::"}  # noqa: S104 - names of "listen everywhere", compared only


def served_public_url(host: str, port: int) -> str:
    """The public URL when MOTCUA_PUBLIC_URL is not set: where ``motcua serve`` listens, so
    that ``make run PORT=8123`` puts port 8123 in QR codes and links. Listening on every
    address (``--host 0.0.0.0``) means a phone on the local network: its first LAN address."""
    if host in _EVERY_ADDRESS:
        host = next(iter(lan_addresses()), "127.0.0.1")
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses a phone on the same network could reach (no loopback)."""
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            # Connecting a UDP socket sends nothing: the kernel only picks the interface that
            # routes to a private address, and so the address others see.
            probe.connect(("10.255.255.255", 9))
            found.append(probe.getsockname()[0])
        except OSError:
            pass
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    found.extend(str(info[4][0]) for info in infos)
    usable = []
    for address in found:
        ip = ipaddress.ip_address(address)
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified) and address not in usable:
            usable.append(address)
    return usable


def _check_database_url(url: str) -> None:
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise SettingsError(
            "MOTCUA_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://, "
            f"got {url.split('://')[0]!r}"
        )


def _whole_number(env: dict[str, str], name: str, default: int, least: int = 1) -> int:
    raw = env.get(name, str(default))
    if not raw.isdigit() or int(raw) < least:
        above = "above 0" if least == 1 else f"{least} or more"
        raise SettingsError(f"{name} must be a whole number {above}, got {raw!r}")
    return int(raw)


def _push_contact(given: str | None, public_url: str) -> str:
    """The VAPID ``sub`` claim: push services accept only a mailto: or https: address."""
    if given:
        if not given.startswith(("mailto:", "https://")):
            raise SettingsError(f"MOTCUA_PUSH_CONTACT must start with mailto: or https://, got {given!r}")
        return given
    if public_url.startswith("https://"):
        return public_url
    return f"mailto:push@{urlsplit(public_url).hostname or 'localhost'}"


def _secret_key(given: str | None, data_dir: Path) -> str:
    if given:
        if len(given) < _MIN_SECRET_LENGTH:
            raise SettingsError(f"MOTCUA_SECRET_KEY must be at least {_MIN_SECRET_LENGTH} characters long")
        return given
    path = data_dir / _SECRET_FILE
    if not path.exists():
        keep_once(path, secrets.token_urlsafe(48).encode(), "the secret key")
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(f"cannot read the secret key in {path}: {exc.strerror}") from exc


def keep_once(path: Path, content: bytes, what: str) -> None:
    """Write a key file the first time, readable by its owner only. link() is atomic and
    refuses to replace: of two processes starting together, both end up with the first key."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_bytes(content)
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    except OSError as exc:
        raise SettingsError(f"cannot keep {what} in {path}: {exc.strerror}") from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings.from_env()
