"""``motcua backup`` and ``motcua restore``: one file holds the database, its keys and the
attachments kept on local disk, with a manifest that says what it is.

The file is a tar archive:

- ``manifest.json``: the format, motcua's version, the Alembic revision, when it was made, the
  change log's last sequence number, the database kind and epoch, the attachments it holds;
- ``database.sqlite`` (SQLite's online backup API: a consistent copy while the server runs)
  or ``database.pgdump`` (``pg_dump -Fc`` in the snapshot the manifest was read in);
- ``attachments/<aa>/<sha256>``: the photos and signatures in the data directory, copied
  after the database (content-addressed and never rewritten, so every one the database
  names is there).

The database carries the secret and VAPID keys (table ``server_key``), so the backup does
too: keep it as safe as the database. A restore gives the database a new epoch, which tells
phones whose change-log cursor is newer than the backup to pull again from the start.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import make_url

from motcua import __version__
from motcua.db.engine import database_place, make_engine, sqlite_file
from motcua.db.keys import EPOCH, new_epoch
from motcua.db.migrate import alembic_config
from motcua.settings import Settings

FORMAT = "motcua-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"
ATTACHMENT_FILE = re.compile(r"^[0-9a-f]{64}$")  # not the .upload- drafts beside them
ATTACHMENT_MEMBER = re.compile(r"^attachments/([0-9a-f]{2})/\1[0-9a-f]{62}$")


class BackupError(Exception):
    """What is wrong, in one line a person can act on."""


@dataclass(frozen=True)
class Manifest:
    revision: str
    created_at: str
    change_seq: int
    database: str
    epoch: str
    attachments: int
    motcua_version: str = __version__

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "motcua_version": self.motcua_version,
                "database": self.database,
                "alembic_revision": self.revision,
                "created_at": self.created_at,
                "change_log_max_seq": self.change_seq,
                "epoch": self.epoch,
                "attachments": {"where": "included", "count": self.attachments},
            },
            indent=2,
        ).encode()


# --- reading the state a manifest describes -------------------------------------------------


_STATE_SQL = (
    "SELECT version_num FROM alembic_version",
    "SELECT coalesce(max(seq), 0) FROM change",
    f"SELECT value FROM server_key WHERE name = '{EPOCH}'",  # noqa: S608 - a constant
)


def _sqlite_state(path: Path) -> tuple[str, int, str]:
    with closing(sqlite3.connect(path)) as connection:
        revision, seq, epoch = (connection.execute(sql).fetchone() for sql in _STATE_SQL)
    return str(revision[0]), int(seq[0]), str(epoch[0]) if epoch else ""


def _attachments_dir(settings: Settings) -> Path:
    return settings.data_dir / "attachments"


# --- backup --------------------------------------------------------------------------------


def backup(settings: Settings, target: Path) -> Manifest:
    """Write one backup file of the database, its keys and its attachments to ``target``."""
    target = target.resolve()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".motcua-backup-") as work:
        workdir = Path(work)
        if settings.is_sqlite:
            member, dump = SQLITE_MEMBER, workdir / SQLITE_MEMBER
            revision, seq, epoch = _sqlite_backup(settings, dump)
        else:
            member, dump = PG_MEMBER, workdir / PG_MEMBER
            revision, seq, epoch = asyncio.run(_pg_backup(settings, dump))
        files = sorted(
            path for path in _attachments_dir(settings).glob("??/*") if ATTACHMENT_FILE.match(path.name)
        )
        manifest = Manifest(
            revision=revision,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            change_seq=seq,
            database="sqlite" if settings.is_sqlite else "postgresql",
            epoch=epoch,
            attachments=len(files),
        )
        draft = workdir / "backup.tar"
        with tarfile.open(draft, "w") as archive:
            _add_bytes(archive, MANIFEST, manifest.as_json())
            archive.add(dump, arcname=member)
            for path in files:
                archive.add(path, arcname=f"attachments/{path.parent.name}/{path.name}")
        os.replace(draft, target)  # a half-written backup never takes the name
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def _sqlite_backup(settings: Settings, dump: Path) -> tuple[str, int, str]:
    path = sqlite_file(settings.database_url)
    if path is None or not path.exists():
        raise BackupError(f"no database at {database_place(settings.database_url)} to back up")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(dump)
    try:
        with copy:
            source.backup(copy)  # page by page, consistent, beside a running server
    finally:
        source.close()
        copy.close()
    return _sqlite_state(dump)


def _pg_environment(settings: Settings) -> dict[str, str]:
    """libpq's variables for the tools, so that no password shows in a process list."""
    url = make_url(settings.database_url)
    env = {**os.environ, "PGDATABASE": url.database or "", "PGHOST": url.host or "localhost"}
    env["PGPORT"] = str(url.port or 5432)
    if url.username:
        env["PGUSER"] = url.username
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client tools (the server's major "
            "version or newer, e.g. the postgresql-client package)"
        )
    return found


def _tool_failed(name: str, stderr: str) -> BackupError:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return BackupError(f"{name} failed: {lines[0] if lines else 'no message'}")


async def _pg_connect(env: dict[str, str]) -> Any:
    """A connection of the driver the app already uses, to the database libpq's ``PG*`` name."""
    import asyncpg  # type: ignore[import-untyped]

    return await asyncpg.connect(
        database=env["PGDATABASE"], host=env["PGHOST"], port=int(env["PGPORT"]),
        user=env.get("PGUSER"), password=env.get("PGPASSWORD"),
    )  # fmt: skip


async def _pg_backup(settings: Settings, dump: Path) -> tuple[str, int, str]:
    pg_dump = _tool("pg_dump")
    env = _pg_environment(settings)
    connection = await _pg_connect(env)
    try:
        # The manifest and the dump read the same snapshot: pg_dump joins this transaction's.
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            revision = await connection.fetchval(_STATE_SQL[0])
            seq = await connection.fetchval(_STATE_SQL[1])
            epoch = await connection.fetchval(_STATE_SQL[2])
            process = await asyncio.create_subprocess_exec(
                pg_dump, "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", f"--file={dump}",
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            _, stderr = await process.communicate()
            if process.returncode != 0:
                raise _tool_failed("pg_dump", stderr.decode(errors="replace"))
    finally:
        await connection.close()
    return str(revision), int(seq), str(epoch or "")


# --- restore -------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile, settings: Settings) -> tuple[Manifest, str]:
    """The manifest, checked against this code and the target; its database member's name."""
    try:
        raw = archive.extractfile(MANIFEST)
        data: dict[str, Any] = json.loads(raw.read()) if raw is not None else {}
    except (KeyError, ValueError):
        raise BackupError("this file has no readable manifest.json: it is not a motcua backup") from None
    if data.get("format") != FORMAT:
        raise BackupError("this file's manifest is not a motcua backup's")
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"this backup's format version is {data.get('format_version')!r}; this motcua reads "
            f"{FORMAT_VERSION}: restore it with the motcua that made it ({data.get('motcua_version')})"
        )
    kind = "sqlite" if settings.is_sqlite else "postgresql"
    if data.get("database") != kind:
        raise BackupError(
            f"this backup is of a {data.get('database')} database and MOTCUA_DATABASE_URL points "
            f"at {kind}: restore it onto a {data.get('database')} database"
        )
    script = ScriptDirectory.from_config(alembic_config(settings))
    known = {revision.revision for revision in script.walk_revisions()}
    if data.get("alembic_revision") not in known:
        raise BackupError(
            f"this backup is at migration {data.get('alembic_revision')}, which this code does not "
            f"know: restore it with the motcua that made it ({data.get('motcua_version')})"
        )
    member = SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER
    if member not in archive.getnames():
        raise BackupError(f"this backup lacks its database ({member}): the file is damaged")
    manifest = Manifest(
        revision=str(data["alembic_revision"]),
        created_at=str(data.get("created_at")),
        change_seq=int(data.get("change_log_max_seq", 0)),
        database=kind,
        epoch=str(data.get("epoch", "")),
        attachments=int(data.get("attachments", {}).get("count", 0)),
        motcua_version=str(data.get("motcua_version")),
    )
    return manifest, member


def tables_in(settings: Settings) -> int:
    """How many tables the target database has (0: empty, safe to restore into)."""
    path = sqlite_file(settings.database_url)
    if settings.is_sqlite:
        if path is None or not path.exists():
            return 0
        with closing(sqlite3.connect(path)) as connection:
            return int(
                connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            )

    async def count() -> int:
        from sqlalchemy import text

        engine = make_engine(settings, pooled=False, connect_timeout=10)
        try:
            async with engine.connect() as connection:
                found = await connection.scalar(
                    text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
                )
                return int(found or 0)
        finally:
            await engine.dispose()

    return asyncio.run(count())


def restore(settings: Settings, source: Path, *, force: bool = False) -> tuple[Manifest, str]:
    """Replace the database (and add the attachments) with a backup's; returns its manifest
    and the database's new epoch."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if not tarfile.is_tarfile(source):
        raise BackupError(f"{source} is not a motcua backup (not a tar archive)")
    with tarfile.open(source, "r") as archive:
        manifest, member = read_manifest(archive, settings)
        existing = tables_in(settings)
        if existing and not force:
            raise BackupError(
                f"{database_place(settings.database_url)} is not empty ({existing} tables): restoring "
                "replaces everything in it; stop the servers and add --force to do so"
            )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".motcua-restore-") as work:
            dump = Path(work) / member
            extracted = archive.extractfile(member)
            if extracted is None:
                raise BackupError(f"this backup's {member} is not a file: the file is damaged")
            with dump.open("wb") as out:
                shutil.copyfileobj(extracted, out)
            epoch = new_epoch()
            while epoch == manifest.epoch:
                epoch = new_epoch()
            if settings.is_sqlite:
                _sqlite_restore(settings, dump, epoch)
            else:
                asyncio.run(_pg_restore(settings, dump, epoch, clean=bool(existing)))
        _restore_attachments(settings, archive)
    return manifest, epoch


_NEW_EPOCH_SQL = f"UPDATE server_key SET value = ? WHERE name = '{EPOCH}'"  # noqa: S608 - a constant


def _sqlite_restore(settings: Settings, dump: Path, epoch: str) -> None:
    with closing(sqlite3.connect(dump)) as copy, copy:
        copy.execute(_NEW_EPOCH_SQL, (epoch,))
    path = sqlite_file(settings.database_url)
    assert path is not None  # a SQLite URL with a file, checked by tables_in
    source, target = sqlite3.connect(dump), sqlite3.connect(path)
    try:
        with target:
            source.backup(target)  # every page replaced, WAL included
    finally:
        source.close()
        target.close()


async def _pg_restore(settings: Settings, dump: Path, epoch: str, *, clean: bool) -> None:
    pg_restore = _tool("pg_restore")
    env = _pg_environment(settings)
    connection = await _pg_connect(env)
    try:
        if clean:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        process = await asyncio.create_subprocess_exec(
            pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
            f"--dbname={env['PGDATABASE']}", str(dump),
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await process.communicate()
        if process.returncode != 0:
            raise _tool_failed("pg_restore", stderr.decode(errors="replace"))
        await connection.execute(_NEW_EPOCH_SQL.replace("?", "$1"), epoch)
    finally:
        await connection.close()


def _restore_attachments(settings: Settings, archive: tarfile.TarFile) -> None:
    """Attachments the data directory lacks (content-addressed: one present is the same)."""
    root = _attachments_dir(settings)
    for info in archive.getmembers():
        if not (info.isfile() and ATTACHMENT_MEMBER.match(info.name)):
            continue
        path = root / info.name.removeprefix("attachments/")
        if path.exists():
            continue
        extracted = archive.extractfile(info)
        if extracted is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.restoring")
        with draft.open("wb") as out:
            shutil.copyfileobj(extracted, out)
        os.replace(draft, path)
