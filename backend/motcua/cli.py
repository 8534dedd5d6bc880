"""The ``motcua`` command: serve, migrate, seed the demo, manage users.

A newcomer's mistakes (another folder, a database that is not running or not migrated, a
port in use, a folder they may not write) end in one line on stderr that says what to do,
and a non-zero exit; an unexpected error too, unless ``--debug`` or ``MOTCUA_DEBUG=1`` asks
for its traceback.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from motcua import __version__
from motcua.db.engine import DatabaseUnavailable, explain_connection_error, shown, sqlite_file
from motcua.settings import (
    Settings,
    SettingsError,
    get_settings,
    lan_addresses,
    served_public_url,
    where_data_lives,
)

T = TypeVar("T")


def _fail(line: str, code: int = 1) -> NoReturn:
    click.echo(f"motcua: {line}", err=True)
    sys.exit(code)


def _settings(*, creating: bool = False) -> Settings:
    """The settings. Unless this command creates the database, a data directory or a SQLite
    database that is not there is refused before anything (a secret key) is made in it: run
    from another folder, ./var is not the project's."""
    try:
        data_dir, database_url = where_data_lives()
        if creating:
            data_dir.mkdir(parents=True, exist_ok=True)
        else:
            path = sqlite_file(database_url)
            if path is not None and not path.exists():
                raise DatabaseUnavailable.missing(database_url)
            if not data_dir.is_dir():
                raise DatabaseUnavailable.no_data_directory(data_dir)
        return get_settings()
    except SettingsError as error:
        # One clear line, no traceback: the operator only needs to fix the variable.
        _fail(str(error), 2)


def _ready_settings() -> Settings:
    """The settings of a database that answers and is at this code's migration."""
    from motcua.db.migrate import check_ready

    settings = _settings()
    check_ready(settings)
    return settings


def _with_session(work: Callable[[AsyncSession], Awaitable[T]], settings: Settings | None = None) -> T:
    from motcua.db.engine import run_in_session

    return run_in_session(settings or _ready_settings(), work)


def _one_line(error: Exception) -> str:
    """What went wrong, in one line a person can act on."""
    from alembic.util import CommandError

    from motcua.attachments.storage import StoreUnavailable

    if isinstance(error, DatabaseUnavailable | StoreUnavailable):
        return str(error)
    if isinstance(error, PermissionError):
        return (
            f"permission denied on {error.filename or 'the data directory'}: run as the user who owns "
            "it, or set MOTCUA_DATA_DIR to a folder this user may write"
        )
    if isinstance(error, CommandError):
        return f"migrations: {error}"
    try:
        explained = explain_connection_error(where_data_lives()[1], error)
    except SettingsError:
        explained = None
    if explained is not None:
        return explained
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return (
        f"unexpected error {type(error).__name__}{': ' + first if first else ''} "
        "(run again with `motcua --debug …` or MOTCUA_DEBUG=1 to see the traceback)"
    )


class _OneLineGroup(click.Group):
    """The group whose every command ends in one line on a typical mistake."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            _fail(_one_line(error))


@click.group(cls=_OneLineGroup)
@click.version_option(__version__, prog_name="motcua")
@click.option(
    "--debug",
    is_flag=True,
    envvar="MOTCUA_DEBUG",
    help="Show the traceback of an unexpected error (or set MOTCUA_DEBUG=1).",
)
def main(debug: bool) -> None:
    """motcua: the mobile one-stop desk."""


def _check_port(host: str, port: int) -> None:
    """Refuse, in one line, an address uvicorn could not listen on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                _fail(
                    f"port {port} on {host} is already in use (another motcua serve?): stop it, "
                    "or choose another port with --port"
                )
            _fail(f"cannot listen on {host}:{port} ({error.strerror or error}): check --host and --port")


def _announce(host: str, port: int, settings: Settings) -> None:
    click.echo(f"motcua: serving {settings.public_url} (sign in at {settings.public_url}/login)")
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - compared only
        addresses = lan_addresses()
        if addresses:
            urls = ", ".join(served_public_url(address, port) for address in addresses)
            click.echo(f"motcua: on this network, open {urls} on a phone")
        else:
            click.echo("motcua: this machine has no network address a phone could reach")
        click.echo(
            "motcua: a phone keeps the app offline only over HTTPS (or on localhost): "
            "see the README, Testing with a real phone"
        )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
@click.option(
    "--push-worker/--no-push-worker",
    default=None,
    help="Send push notifications inside the server [default: on with SQLite, off with PostgreSQL].",
)
def serve(host: str, port: int, workers: int, push_worker: bool | None) -> None:
    """Serve the app with uvicorn (several workers need PostgreSQL).

    Links and QR codes use the address it listens on, unless MOTCUA_PUBLIC_URL says another;
    `--host 0.0.0.0` listens on the local network too, for a real phone.
    """
    import uvicorn

    from motcua.attachments.storage import check_store
    from motcua.db.keys import with_keys
    from motcua.db.migrate import check_ready
    from motcua.push.vapid import vapid_keys
    from motcua.telemetry.processes import counted_across

    # Read by this process and by each uvicorn worker process, which inherit the environment.
    os.environ.setdefault("MOTCUA_PUBLIC_URL", served_public_url(host, port))
    settings = _settings()
    if workers > 1 and settings.is_sqlite:
        _fail("several workers need PostgreSQL (MOTCUA_DATABASE_URL); SQLite takes one", 2)
    check_ready(settings)
    check_store(settings)  # a wrong bucket or key stops here, in one line, not at each upload
    _check_port(host, port)
    # Made on first start and kept in the database, before any worker process serves them.
    vapid_keys(with_keys(settings))
    in_process = settings.is_sqlite if push_worker is None else push_worker
    _announce(host, port, settings)
    with counted_across(workers):  # /metrics sums the counts of every worker process
        uvicorn.run(
            "motcua.app:create_app_with_push_worker" if in_process else "motcua.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # Only these proxies' X-Forwarded-For/-Proto are believed; uvicorn then puts the
            # client they name in the request, which is what the sign-in limits count.
            proxy_headers=True,
            forwarded_allow_ips=settings.trusted_proxies,
            server_header=False,
            log_config=None,
            access_log=False,
        )


@main.command()
def worker() -> None:
    """Send push notifications from the outbox, and run the retention schedule hourly, until
    stopped (beside `serve` on PostgreSQL)."""
    from functools import partial

    from motcua.db.keys import with_keys
    from motcua.logs import configure_logging
    from motcua.privacy.retention import run_retention
    from motcua.push.worker import run_worker

    settings = with_keys(_ready_settings())
    configure_logging(settings.log_level, settings.log_format)
    run_worker(settings, beside=[partial(run_retention, settings)])


@main.group()
def push() -> None:
    """Web Push."""


@push.command("keys")
def push_keys() -> None:
    """Show the VAPID public key (made on first use and kept in the database)."""
    from motcua.db.keys import with_keys
    from motcua.push.vapid import vapid_keys

    settings = _ready_settings()
    where = "MOTCUA_VAPID_PRIVATE_KEY" if settings.vapid_private_key else "the database"
    click.echo(vapid_keys(with_keys(settings)).public_key)
    click.echo(f"(private key in {where}; keep it: subscriptions are bound to it)", err=True)


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations, then load or refresh the provinces and communes (under a lock:
    replicas may all run it as they start)."""
    from motcua.catalogue.service import publish
    from motcua.db.migrate import check_ready, migration_lock, upgrade
    from motcua.places.dataset import load_places

    settings = _settings(creating=True)
    # Replicas that all run this as they start go through one at a time: one migrates.
    with migration_lock(settings):
        path = sqlite_file(settings.database_url)
        if path is not None and not path.exists():
            click.echo(f"making a new database at {shown(path)}")
        upgrade(settings, revision)
        try:
            check_ready(settings)
        except DatabaseUnavailable:  # stopped short of this code's newest migration on purpose
            click.echo(
                f"database is at {revision}; places and the catalogue load at the newest migration only"
            )
            return
        provinces, communes = _with_session(load_places, settings)
        click.echo(f"database is at {revision}; places updated: {provinces} provinces, {communes} communes")
        plan = _catalogue_or_exit(publish, settings)
        click.echo(f"catalogue: {len(plan.new)} new procedure version(s), {len(plan.unchanged)} unchanged")


@main.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path | None) -> None:
    """Write one backup file: the database (with its keys) and the attachments on local disk.

    SQLite: the online backup API, safe beside a running server. PostgreSQL: pg_dump -Fc.
    FILE defaults to ./motcua-backup-<UTC time>.tar.
    """
    from motcua.db.backup import BackupError
    from motcua.db.backup import backup as make_backup

    settings = _ready_settings()
    target = file or Path(f"motcua-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar")
    try:
        manifest = make_backup(settings, target)
    except BackupError as error:
        _fail(str(error))
    click.echo(
        f"backed up {manifest.database} at migration {manifest.revision}, change log at "
        f"{manifest.change_seq}, {manifest.attachments} attachment(s) to {shown(target.resolve())}"
    )


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that is not empty.")
def restore(file: Path, force: bool) -> None:
    """Replace the database with a backup's (stop the servers first); phones are then told
    to pull from the start and re-send what the backup lacks."""
    from motcua.db.backup import BackupError
    from motcua.db.backup import restore as restore_backup
    from motcua.db.engine import the_database

    settings = _settings(creating=True)
    try:
        manifest, epoch = restore_backup(settings, file, force=force)
    except BackupError as error:
        _fail(str(error))
    click.echo(
        f"restored {the_database(settings.database_url)} from {file.name} (made {manifest.created_at}, "
        f"migration {manifest.revision}, change log at {manifest.change_seq}); new epoch {epoch}: "
        "phones will pull from the start and re-send what it lacks"
    )
    try:
        from motcua.db.migrate import check_ready

        check_ready(settings)
    except DatabaseUnavailable as error:
        click.echo(f"motcua: {error}", err=True)


@db.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from motcua.db.migrate import make_revision

    make_revision(_settings(), message)


def _catalogue_or_exit(work: Callable[[AsyncSession], Awaitable[T]], settings: Settings | None = None) -> T:
    from motcua.catalogue.documents import CatalogueError

    try:
        return _with_session(work, settings)
    except CatalogueError as error:
        for problem in error.problems:
            click.echo(f"motcua: catalogue: {problem}", err=True)
        sys.exit(1)


@main.group()
def catalogue() -> None:
    """The procedure catalogue."""


@catalogue.command("check")
def catalogue_check() -> None:
    """Validate the procedure files and show what publishing them would change."""
    from motcua.catalogue.documents import load_documents
    from motcua.catalogue.service import PublishPlan, plan_publish

    async def work(db: AsyncSession) -> PublishPlan:
        return await plan_publish(db, load_documents())

    plan = _catalogue_or_exit(work)
    for document in plan.new:
        click.echo(f"new        {document.code} version {document.version}")
    for document in plan.unchanged:
        click.echo(f"unchanged  {document.code} version {document.version}")
    for document in plan.changed:
        click.echo(
            f"REFUSED    {document.code} version {document.version}: published with other content", err=True
        )
    if plan.changed:
        sys.exit(1)


@catalogue.command("close")
@click.argument("code")
@click.argument("version", type=int)
def catalogue_close(code: str, version: int) -> None:
    """Close a version to new dossiers (those already queued on phones stay valid)."""
    from motcua.catalogue.service import close_version

    async def work(db: AsyncSession) -> bool:
        return await close_version(db, code, version) is not None

    if not _with_session(work):
        click.echo(f"motcua: no version {version} of {code}", err=True)
        sys.exit(1)
    click.echo(f"closed {code} version {version}")


@main.command()
def demo() -> None:
    """Seed the demo commune, villages and accounts (safe to run again) and print the logins."""
    from motcua.demo import DEMO_PASSWORD, seed_demo

    commune, accounts = _with_session(seed_demo)
    click.echo(f"Demo: {commune.name} (code {commune.code}) — password for every account: {DEMO_PASSWORD}")
    for account in accounts:
        click.echo(f"  {account.role:<13} {account.phone}  {account.full_name}")


@main.group()
def users() -> None:
    """Accounts."""


@users.command("create")
@click.option("--phone", required=True, help="Vietnamese mobile number, used to sign in.")
@click.option("--name", "full_name", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["admin", "coordinator", "desk_officer", "volunteer"])
)
@click.option("--commune", "communes", multiple=True, type=int, help="Commune code (repeatable).")
@click.option("--province", "provinces", multiple=True, type=int, help="Province code (repeatable).")
@click.password_option(help="Asked for when not given.")
def users_create(
    phone: str,
    full_name: str,
    role: str,
    communes: tuple[int, ...],
    provinces: tuple[int, ...],
    password: str,
) -> None:
    """Create an account."""
    from motcua.accounts.users import create_user
    from motcua.errors import ApiError

    async def work(db: AsyncSession) -> str:
        user = await create_user(
            db,
            phone=phone,
            full_name=full_name,
            role=role,
            password=password,
            commune_codes=communes,
            province_codes=provinces,
        )
        return user.phone

    try:
        created = _with_session(work)
    except ApiError as error:
        for problem in error.body.fields:
            click.echo(f"motcua: {problem.field}: {problem.message_en} ({problem.message_vi})", err=True)
        sys.exit(1)
    click.echo(f"created {role} {created}")


@users.command("revoke-sessions")
@click.option("--phone", required=True)
def users_revoke_sessions(phone: str) -> None:
    """Sign a user out of every phone and browser."""
    from motcua.accounts.sessions import revoke_sessions
    from motcua.accounts.users import find_user_by_phone

    async def work(db: AsyncSession) -> int | None:
        user = await find_user_by_phone(db, phone)
        return None if user is None else await revoke_sessions(db, user.id)

    revoked = _with_session(work)
    if revoked is None:
        click.echo(f"motcua: no user with phone {phone}", err=True)
        sys.exit(1)
    click.echo(f"revoked {revoked} session(s)")


@main.group()
def residents() -> None:
    """A resident's data on request: export it, erase it (docs/privacy.md)."""


def _as_officer(by: str, resident_id: str, work: Callable[[AsyncSession, Any, Any], Awaitable[T]]) -> T:
    """Run ``work(db, principal, resident)`` as the desk officer or admin whose phone is ``by``,
    on a resident of their places; one line and exit 1 otherwise."""
    from uuid import UUID, uuid4

    from motcua.accounts.sessions import principal_of_user
    from motcua.accounts.users import find_user_by_phone
    from motcua.errors import ApiError
    from motcua.privacy.service import resident_in_scope

    try:
        wanted = UUID(resident_id)
    except ValueError:
        _fail(f"{resident_id!r} is not a resident id (a UUID)")

    async def run(db: AsyncSession) -> T:
        user = await find_user_by_phone(db, by)
        if user is None or not user.is_active or user.role not in ("desk_officer", "admin"):
            raise ApiError(403, "auth.forbidden", "", f"{by} is not an active desk officer or admin")
        principal = await principal_of_user(db, user, uuid4(), "cli")
        return await work(db, principal, await resident_in_scope(db, principal, wanted))

    try:
        return _with_session(run)
    except ApiError as error:
        _fail(f"{error.body.message_en} ({error.body.code})")


@residents.command("export")
@click.argument("resident_id")
@click.option("--by", required=True, help="Phone of the desk officer or admin doing it (audited).")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="File to write [stdout].")
def residents_export(resident_id: str, by: str, out: Any) -> None:
    """Write everything held about a resident as JSON (audited)."""
    import json

    from motcua.privacy.export import export_resident

    document = _as_officer(by, resident_id, export_resident)
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


@residents.command("erase")
@click.argument("resident_id")
@click.option("--by", required=True, help="Phone of the desk officer or admin doing it (audited).")
@click.option("--reason", required=True, help="Why: the resident's request, as noted (audited).")
@click.option("--yes", is_flag=True, help="Confirm: an erasure cannot be undone.")
def residents_erase(resident_id: str, by: str, reason: str, yes: bool) -> None:
    """Erase a resident on request: anonymised, photos deleted, audit kept."""
    from motcua.privacy.erasure import erase_resident

    if not yes:
        _fail("erasing cannot be undone: add --yes to confirm")
    report, forgotten = _as_officer(by, resident_id, lambda db, p, r: erase_resident(db, p, r, reason))
    files = asyncio.run(forgotten.delete_files(_settings()))
    click.echo(
        f"erased {report.resident_id}: {report.dossiers_kept} dossier(s) kept without personal data, "
        f"{report.records_scrubbed} record(s) scrubbed, {files} file(s) deleted"
    )


if __name__ == "__main__":
    main()
