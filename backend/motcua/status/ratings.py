"""Residents rate the service once the result is in their hands; the dashboard counts the ratings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.base import utcnow
from motcua.dossiers.models import Dossier
from motcua.errors import ApiError, FieldError
from motcua.status.models import SCORES, Rating
from motcua.words import Said

SCORE_WORDS: dict[str, Said] = {
    "satisfied": Said("Hài lòng", "Satisfied"),
    "neutral": Said("Bình thường", "Neutral"),
    "dissatisfied": Said("Không hài lòng", "Dissatisfied"),
}
MAX_COMMENT = 500


def may_rate(dossier: Dossier) -> bool:
    return dossier.status == "delivered"


async def rating_of(db: AsyncSession, dossier: Dossier) -> Rating | None:
    found: Rating | None = await db.scalar(select(Rating).where(Rating.dossier_id == dossier.id))
    return found


async def rate(db: AsyncSession, dossier: Dossier, score: str, comment: str = "") -> Rating:
    """Record (or change) the resident's rating of a dossier whose result was handed over."""
    if not may_rate(dossier):
        raise ApiError(
            409,
            "rating.too_early",
            "Chỉ đánh giá được sau khi đã nhận kết quả.",
            "The service can be rated once the result is handed over.",
        )
    if score not in SCORES:
        raise ApiError(
            400,
            "rating.invalid",
            "Vui lòng chọn một mức đánh giá.",
            "Choose one of the ratings.",
            [FieldError("score", "invalid", "Chưa chọn mức đánh giá.", "No rating chosen.")],
        )
    rating = await rating_of(db, dossier)
    if rating is None:
        rating = Rating(
            dossier_id=dossier.id, commune_code=dossier.commune_code, volunteer_id=dossier.volunteer_id
        )
        db.add(rating)
    rating.score = score
    rating.comment = comment.strip()[:MAX_COMMENT]
    rating.rated_at = utcnow()
    await db.flush()
    return rating


async def rating_counts(
    db: AsyncSession, commune_codes: Iterable[int] | None, since: datetime, until: datetime
) -> dict[str, int]:
    """How many ratings of each score were given in ``[since, until)`` in these communes.

    ``commune_codes`` None means every commune. Every score is in the answer, zero included:
    ``{"satisfied": 12, "neutral": 3, "dissatisfied": 1}``. A changed rating counts once,
    at the time it was last given.
    """
    query = (
        select(Rating.score, func.count())
        .where(Rating.rated_at >= since, Rating.rated_at < until)
        .group_by(Rating.score)
    )
    if commune_codes is not None:
        query = query.where(Rating.commune_code.in_(list(commune_codes)))
    counts = dict.fromkeys(SCORES, 0)
    for score, count in await db.execute(query):
        counts[score] = int(count)
    return counts
