"""The rule every dossier meets: the exact version it was written with, open when it was written."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue.models import ProcedureVersion
from motcua.catalogue.service import get_version
from motcua.catalogue.validation import check_declaration
from motcua.db.base import utcnow
from motcua.errors import ApiError
from motcua.i18n import VIETNAM_TIME


async def checked_declaration(
    db: AsyncSession, code: str, version: int, data: object, written_at: datetime | None = None
) -> ProcedureVersion:
    """The procedure version, once ``data`` passes it; otherwise an error naming every field.

    A closed version refuses dossiers written after it closed and still accepts those a phone
    wrote (and queued) before, so nothing waiting offline is lost to a catalogue change.
    """
    row = await get_version(db, code, version)
    if row is None:
        raise ApiError(
            404,
            "procedure.version_unknown",
            f"Không có thủ tục {code} phiên bản {version}.",
            f"There is no version {version} of procedure {code}.",
        )
    written = written_at or utcnow()
    if row.closed_at is not None and written > row.closed_at:
        raise ApiError(
            409,
            "procedure.version_closed",
            "Mẫu tờ khai này đã ngừng nhận hồ sơ mới. Hãy cập nhật danh mục thủ tục và khai lại.",
            "This form version no longer takes new dossiers. Update the catalogue and fill it again.",
        )
    today: date = written.astimezone(VIETNAM_TIME).date()
    if problems := check_declaration(row.content, data, today=today):
        raise ApiError(
            422,
            "declaration.invalid",
            "Tờ khai còn mục chưa đúng.",
            "Some fields of the declaration are not right.",
            problems,
        )
    return row
