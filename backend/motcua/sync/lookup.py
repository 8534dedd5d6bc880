"""Find a returning resident outside the phone's work on the server, by exact ID number or phone.

Exact match only (a whole 12-digit ID number or a whole mobile number), in the user's
communes, at most :data:`MAX_MATCHES`, at most :data:`LOOKUPS_PER_DAY` a day: it cannot be
used to browse a commune. Every lookup is audited (``sync.lookup``), a miss too, which is
also how lookups are counted. A match joins the user's work (:class:`LookedUp`), so their
phones keep receiving its changes, without the task-only fields (docs/privacy.md).
"""

from __future__ import annotations

import re
from datetime import timedelta

import msgspec
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.audit.models import AuditEvent
from motcua.audit.service import record_access
from motcua.auth.principal import Principal
from motcua.changelog.models import Change
from motcua.db.base import utcnow
from motcua.errors import ApiError
from motcua.identity.service import check_mobile_phone, normalise_personal_id
from motcua.places.models import Commune
from motcua.places.service import commune_filter
from motcua.records.schemas import ChangeOut
from motcua.residents.models import Resident
from motcua.sync.models import LookedUp
from motcua.sync.phone_scope import tasked_ids
from motcua.sync.pull import _residents

MAX_MATCHES = 5
LOOKUPS_PER_DAY = 100  # per user; a volunteer meets far fewer returning residents in a day
_ID_NUMBER = re.compile(r"[0-9]{12}")


class LookupOut(msgspec.Struct, frozen=True):
    """The residents found, each as the pull sends a resident change (docs/sync.md §8)."""

    residents: list[ChangeOut]


def _criterion(q: str) -> tuple[str, str]:
    """("personal_id" or "phone", the value as stored), or 400 ``lookup.query``."""
    compact = normalise_personal_id(q)
    if _ID_NUMBER.fullmatch(compact):
        return "personal_id", compact
    phone = check_mobile_phone(q) if len(q) <= 20 else None
    if isinstance(phone, str):
        return "phone", phone
    raise ApiError(
        400,
        "lookup.query",
        "Nhập đủ 12 số định danh cá nhân hoặc đủ số điện thoại di động.",
        "Type a whole 12-digit personal ID number or a whole mobile phone number.",
    )


async def lookup(db: AsyncSession, principal: Principal, q: str) -> LookupOut:
    """The residents of the user's communes whose ID number or phone is exactly ``q``."""
    by, value = _criterion(q)
    since = utcnow() - timedelta(days=1)
    asked = await db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.user_id == principal.user_id,
            AuditEvent.action == "sync.lookup",
            AuditEvent.created_at >= since,
        )
    )
    if (asked or 0) >= LOOKUPS_PER_DAY:
        raise ApiError(
            429,
            "lookup.too_many",
            f"Đã tra cứu {LOOKUPS_PER_DAY} lần trong 24 giờ; hãy thử lại sau.",
            f"{LOOKUPS_PER_DAY} lookups in 24 hours; try again later.",
        )
    column = Resident.personal_id if by == "personal_id" else Resident.phone
    ids = list(
        await db.scalars(
            select(Resident.id)
            .where(
                column == value,
                Resident.commune_code.in_(select(Commune.code).where(commune_filter(principal))),
            )
            .order_by(Resident.id)
            .limit(MAX_MATCHES)
        )
    )
    detail = {"by": by, "matches": len(ids)}
    if not ids:
        db.add(
            AuditEvent(
                user_id=principal.user_id,
                session_id=principal.session_id,
                action="sync.lookup",
                resident_ids=[],
                detail=detail,
            )
        )
        return LookupOut([])
    record_access(db, principal, "sync.lookup", ids, detail)
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    await db.execute(
        insert(LookedUp)
        .values([{"user_id": principal.user_id, "resident_id": i} for i in ids])
        .on_conflict_do_nothing()
    )
    texts = [str(i) for i in ids]
    _, bodies = await _residents(db, texts, tasked_ids(principal.user_id))
    seqs = dict(
        (
            await db.execute(
                select(Change.record_id, func.max(Change.seq))
                .where(Change.kind == "resident", Change.record_id.in_(texts))
                .group_by(Change.record_id)
            )
        ).all()
    )
    changes = [
        ChangeOut(seqs.get(i, 0), "resident", i, bodies[i][0], bodies[i][1]) for i in texts if i in bodies
    ]
    return LookupOut(changes)
