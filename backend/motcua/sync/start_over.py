"""Cursors across a restore: a phone whose cursor belongs to the database before it is told
to start over (docs/sync.md, "Start over").

A pull cursor is ``"<epoch>.<seq>"``: the database's epoch (changed by ``motcua restore``) and
the change log's position. A restored database's log is behind what phones pulled after the
backup, and it grows again with new changes under the same numbers, so a cursor from another
epoch could skip them; it is answered ``409 sync.start_over`` and the phone pulls from ``"0"``.
A bare number (phones from before epochs) is accepted while it is not ahead of the log.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.changelog.models import Change
from motcua.db.keys import epoch_of
from motcua.errors import ApiError

_MAX_SEQ = 2**63


def _invalid() -> ApiError:
    return ApiError(400, "cursor.invalid", "Con trỏ đồng bộ không hợp lệ.", "The sync cursor is not valid.")


def start_over() -> ApiError:
    return ApiError(
        409,
        "sync.start_over",
        "Máy chủ đã được khôi phục từ bản sao lưu: máy sẽ tải lại dữ liệu từ đầu và gửi lại những gì máy chủ còn thiếu.",
        "The server was restored from a backup: pull again from cursor 0 and re-send what it lacks.",
    )


def _seq(text: str) -> int:
    # ASCII digits ("²" is a digit to Python) that fit the change log's BIGINT id.
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and int(text) < _MAX_SEQ):
        raise _invalid()
    return int(text)


async def cursor_position(db: AsyncSession, cursor: str) -> tuple[int, str]:
    """The change-log position ``cursor`` points after, and this database's epoch; raises
    400 ``cursor.invalid`` or 409 ``sync.start_over``."""
    epoch = await epoch_of(db)
    given_epoch, dot, position = cursor.rpartition(".")
    seq = _seq(position)
    if not dot:
        if seq and seq > (await db.scalar(select(func.max(Change.seq))) or 0):
            raise start_over()  # a bare cursor ahead of the log: restored
        return seq, epoch
    if given_epoch != epoch:
        raise start_over()
    return seq, epoch


def cursor_for(epoch: str, seq: str) -> str:
    """The cursor a pull answers: its position in this epoch."""
    return f"{epoch}.{seq}"
