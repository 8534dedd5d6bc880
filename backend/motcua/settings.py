"""Settings read once from the environment (prefix ``MOTCUA_``)."""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("json", "text")
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
    Setting("MOTCUA_DATA_DIR", "./var", "Directory for the SQLite database and uploads."),
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
        "made on first start and kept in the database",
        "Signs cookies and CSRF tokens; at least 32 characters. Unset, every server process of one "
        "database shares the one kept there.",
    ),
    Setting(
        "MOTCUA_VAPID_PRIVATE_KEY",
        "made on first start and kept in the database",
        "The P-256 private key (PEM) that signs push notifications; subscriptions are bound to it. "
        "Unset, every server process of one database shares the one kept there.",
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
        "MOTCUA_RETAIN_ATTACHMENTS_DAYS",
        "90",
        "Days after a dossier is delivered, rejected or withdrawn before the worker deletes its "
        "document photos and signature (docs/privacy.md, Retention).",
    ),
    Setting(
        "MOTCUA_RETAIN_REFUSED_DAYS",
        "90",
        "Days the quarantine keeps a refused record; more than the 30 days a phone asks about.",
    ),
    Setting(
        "MOTCUA_RETAIN_REVISIONS_DAYS",
        "365",
        "Days the server keeps a record's earlier revisions and conflicts (the current one stays).",
    ),
    # Object storage for attachments (issue 16).
    Setting(
        "MOTCUA_OBJECT_STORE_URL",
        "empty: <data dir>/attachments on local disk",
        "Keep photos, signatures and PDFs in S3-compatible object storage instead: s3://bucket/prefix "
        "(the bucket must exist). Credentials and region come from the standard AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and AWS_REGION variables, a profile or an instance role.",
    ),
    Setting(
        "MOTCUA_OBJECT_STORE_ENDPOINT",
        "AWS S3 (or AWS_ENDPOINT_URL)",
        "The http(s) address of another S3-compatible service, e.g. http://minio:9000.",
    ),
    Setting(
        "MOTCUA_TRUSTED_PROXIES",
        "127.0.0.1",
        "Addresses or networks (comma-separated, or *) of the reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed: sign-in limits count the client they name. Others' are ignored.",
    ),
    # Seeing what happens (issue 16): /metrics and the log format.
    Setting(
        "MOTCUA_METRICS_TOKEN",
        "unset: /metrics answers 404",
        "Bearer token Prometheus sends to read /metrics; at least 32 characters. Without it there is no /metrics.",
    ),
    Setting(
        "MOTCUA_LOG_FORMAT",
        "json",
        "json: one JSON object per line, for journald, Docker and log shippers; text: one readable line per event.",
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
    # Empty: kept in the database (motcua.db.keys.with_keys fills them in at start).
    secret_key: str = field(repr=False)
    vapid_private_key: str = field(default="", repr=False)
    log_level: str = "INFO"
    device_session_days: int = 30
    web_session_hours: int = 12
    push_interval_seconds: int = 5
    push_contact: str = ""
    sync_concurrency: int = 4
    sign_in_cache_seconds: int = 5
    password_checks: int = 4
    retain_attachments_days: int = 90
    retain_refused_days: int = 90
    retain_revisions_days: int = 365
    object_store_url: str = ""
    object_store_endpoint: str = ""
    trusted_proxies: str = "127.0.0.1"
    metrics_token: str = field(default="", repr=False)
    log_format: str = "json"
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
            secret_key=_secret_key(env.get("MOTCUA_SECRET_KEY")),
            vapid_private_key=_vapid_key(env.get("MOTCUA_VAPID_PRIVATE_KEY")),
            log_level=log_level,
            device_session_days=_whole_number(env, "MOTCUA_DEVICE_SESSION_DAYS", 30),
            web_session_hours=_whole_number(env, "MOTCUA_WEB_SESSION_HOURS", 12),
            push_interval_seconds=_whole_number(env, "MOTCUA_PUSH_INTERVAL_SECONDS", 5),
            push_contact=_push_contact(env.get("MOTCUA_PUSH_CONTACT"), public_url),
            sync_concurrency=_whole_number(env, "MOTCUA_SYNC_CONCURRENCY", 4),
            sign_in_cache_seconds=_whole_number(env, "MOTCUA_SIGN_IN_CACHE_SECONDS", 5, least=0),
            password_checks=_whole_number(env, "MOTCUA_PASSWORD_CHECKS", 4),
            retain_attachments_days=_whole_number(env, "MOTCUA_RETAIN_ATTACHMENTS_DAYS", 90),
            retain_refused_days=_whole_number(env, "MOTCUA_RETAIN_REFUSED_DAYS", 90, least=31),
            retain_revisions_days=_whole_number(env, "MOTCUA_RETAIN_REVISIONS_DAYS", 365),
            object_store_url=_object_store_url(env.get("MOTCUA_OBJECT_STORE_URL", "")),
            object_store_endpoint=_object_store_endpoint(env.get("MOTCUA_OBJECT_STORE_ENDPOINT", "")),
            trusted_proxies=_trusted_proxies(env.get("MOTCUA_TRUSTED_PROXIES", "127.0.0.1")),
            metrics_token=_metrics_token(env.get("MOTCUA_METRICS_TOKEN", "")),
            log_format=_choice(env, "MOTCUA_LOG_FORMAT", LOG_FORMATS),
            phone_days_before_route=_whole_number(env, "MOTCUA_PHONE_DAYS_BEFORE_ROUTE", 2, least=0),
            phone_days_after_route=_whole_number(env, "MOTCUA_PHONE_DAYS_AFTER_ROUTE", 3, least=0),
        )


def where_data_lives(environ: dict[str, str] | None = None) -> tuple[Path, str]:
    """The data directory and the database URL, read without creating anything."""
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


def _object_store_url(given: str) -> str:
    parts = urlsplit(given)
    if given and (parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment):
        raise SettingsError(f"MOTCUA_OBJECT_STORE_URL must look like s3://bucket/prefix, got {given!r}")
    return given.rstrip("/")


def _object_store_endpoint(given: str) -> str:
    parts = urlsplit(given)
    if given and (parts.scheme not in {"http", "https"} or not parts.netloc):
        raise SettingsError(
            f"MOTCUA_OBJECT_STORE_ENDPOINT must be an http(s) address such as http://minio:9000, got {given!r}"
        )
    return given.rstrip("/")


def _trusted_proxies(given: str) -> str:
    """Comma-separated addresses and networks, or ``*`` for any (uvicorn's forwarded_allow_ips)."""
    items = [item.strip() for item in given.split(",") if item.strip()]
    for item in items:
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"MOTCUA_TRUSTED_PROXIES must list IP addresses or networks (or *), got {item!r}"
            ) from None
    return ",".join(items)


def _metrics_token(given: str) -> str:
    given = given.strip()
    if given and len(given) < _MIN_SECRET_LENGTH:
        raise SettingsError(f"MOTCUA_METRICS_TOKEN must be at least {_MIN_SECRET_LENGTH} characters long")
    return given


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, choices[0]).strip().lower()
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _push_contact(given: str | None, public_url: str) -> str:
    """The VAPID ``sub`` claim: push services accept only a mailto: or https: address."""
    if given:
        if not given.startswith(("mailto:", "https://")):
            raise SettingsError(f"MOTCUA_PUSH_CONTACT must start with mailto: or https://, got {given!r}")
        return given
    if public_url.startswith("https://"):
        return public_url
    return f"mailto:push@{urlsplit(public_url).hostname or 'localhost'}"


def _secret_key(given: str | None) -> str:
    if not given:
        return ""
    if len(given) < _MIN_SECRET_LENGTH:
        raise SettingsError(f"MOTCUA_SECRET_KEY must be at least {_MIN_SECRET_LENGTH} characters long")
    return given


def _vapid_key(given: str | None) -> str:
    if not given:
        return ""
    # A PEM in one line of an env file: its line breaks written as \n.
    pem = given.strip().replace("\\n", "\n")
    if not pem.startswith("-----BEGIN"):
        raise SettingsError(
            "MOTCUA_VAPID_PRIVATE_KEY must be a PEM private key (-----BEGIN PRIVATE KEY-----...)"
        )
    return pem + "\n"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings.from_env()
