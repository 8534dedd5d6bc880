"""Publishing the catalogue files into the database, reading versions, closing them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from motcua.catalogue.documents import CatalogueError, ProcedureDocument, load_documents
from motcua.catalogue.models import ProcedureVersion
from motcua.changelog.service import append_changes, change
from motcua.db.base import utcnow
from motcua.db.engine import session_scope
from motcua.i18n import vietnamese_sort_key

log = logging.getLogger("motcua.catalogue")


@dataclass
class PublishPlan:
    """What publishing the files would do: new versions, and published ones the files contradict."""

    new: list[ProcedureDocument] = field(default_factory=list)
    unchanged: list[ProcedureDocument] = field(default_factory=list)
    changed: list[ProcedureDocument] = field(default_factory=list)


def _document(row: ProcedureVersion) -> ProcedureDocument:
    return ProcedureDocument(row.code, row.version, row.content, row.content_hash)


async def plan_publish(db: AsyncSession, documents: list[ProcedureDocument]) -> PublishPlan:
    published = {(row.code, row.version): row for row in await db.scalars(select(ProcedureVersion))}
    plan = PublishPlan()
    for document in documents:
        row = published.get((document.code, document.version))
        if row is None:
            plan.new.append(document)
        elif row.content_hash == document.content_hash:
            plan.unchanged.append(document)
        else:
            plan.changed.append(document)
    return plan


async def publish(db: AsyncSession, documents: list[ProcedureDocument] | None = None) -> PublishPlan:
    """Store every version not yet published. A published version is immutable: a file that
    changes one without raising its version number is refused, and nothing is written."""
    plan = await plan_publish(db, load_documents() if documents is None else documents)
    if plan.changed:
        raise CatalogueError(
            [
                f"{d.code} version {d.version} is already published with other content: raise its version"
                for d in plan.changed
            ]
        )
    for document in plan.new:
        db.add(
            ProcedureVersion(
                code=document.code,
                version=document.version,
                content=document.content,
                content_hash=document.content_hash,
            )
        )
    await db.flush()
    await append_changes(db, [change("procedure_version", f"{d.code}:{d.version}") for d in plan.new])
    return plan


async def all_versions(db: AsyncSession) -> list[ProcedureVersion]:
    return list(
        await db.scalars(select(ProcedureVersion).order_by(ProcedureVersion.code, ProcedureVersion.version))
    )


async def get_version(db: AsyncSession, code: str, version: int) -> ProcedureVersion | None:
    """One version, read once per session: a batch of dossiers asks for the same few."""
    cache: dict[tuple[str, int], ProcedureVersion | None] = db.info.setdefault("procedure_versions", {})
    if (code, version) not in cache:
        cache[(code, version)] = await db.scalar(
            select(ProcedureVersion).where(ProcedureVersion.code == code, ProcedureVersion.version == version)
        )
    return cache[(code, version)]


async def current_documents(db: AsyncSession) -> list[ProcedureDocument]:
    """The newest open version of each procedure, sorted by Vietnamese name."""
    newest: dict[str, ProcedureVersion] = {}
    for row in await all_versions(db):
        if row.closed_at is None:
            newest[row.code] = row  # rows come in ascending version order
    return sorted((_document(row) for row in newest.values()), key=lambda d: vietnamese_sort_key(d.name_vi))


async def current_document(db: AsyncSession, code: str) -> ProcedureDocument | None:
    return next((d for d in await current_documents(db) if d.code == code), None)


async def close_version(
    db: AsyncSession, code: str, version: int, when: datetime | None = None
) -> ProcedureVersion | None:
    """Close a version to new dossiers; those written on phones before ``when`` stay valid."""
    row = await get_version(db, code, version)
    if row is not None and row.closed_at is None:
        row.closed_at = when or utcnow()
        await append_changes(db, [change("procedure_version", f"{code}:{version}")])
    return row


async def publish_on_start(engine: AsyncEngine) -> None:
    """Publish new catalogue files when the app starts.

    Several app processes may start together: the unique (code, version) makes all but one
    fail to insert, and they then find the versions already there.
    """
    try:
        try:
            async with session_scope(engine) as db:
                await publish(db)
        except IntegrityError:
            async with session_scope(engine) as db:
                await publish(db)
    except (OperationalError, OSError) as error:
        # Serve anyway: /health says the database is down, and the next start publishes.
        log.warning("catalogue not published at start: database unreachable", extra={"error": str(error)})
