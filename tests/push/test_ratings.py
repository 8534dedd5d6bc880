"""Once the result is handed over, the resident rates the service; the dashboard counts ratings."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.db.base import utcnow
from motcua.settings import Settings
from motcua.status.models import Rating
from motcua.status.ratings import rating_counts
from tests.conftest import COMMUNE_A, COMMUNE_B, in_db, rows
from tests.push.conftest import open_page, synced_dossier, walk
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def _counts(
    settings: Settings, communes: list[int] | None, days: tuple[int, int] = (-1, 1)
) -> dict[str, int]:
    now = utcnow()

    async def work(db: AsyncSession) -> dict[str, int]:
        return await rating_counts(db, communes, now + timedelta(days=days[0]), now + timedelta(days=days[1]))

    return in_db(settings, work)


def test_the_resident_rates_the_service_after_the_result_is_handed_over(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    walk(field, desk_officer, dossier, "accepted", "ready")
    token = open_page(field.client, dossier)
    assert "Đánh giá dịch vụ" not in field.client.get(f"/ho-so/{dossier.code}").text
    too_early = field.client.post(
        f"/ho-so/{dossier.code}/rating",
        data={"score": "satisfied", "_csrf_token": token},
        follow_redirects=False,
    )
    assert too_early.status_code == 409

    walk(field, desk_officer, dossier, "delivered")
    page = field.client.get(f"/ho-so/{dossier.code}").text
    assert "Đánh giá dịch vụ" in page
    assert "Bà có hài lòng với sự giúp đỡ không?" in page
    for score in ("Hài lòng", "Bình thường", "Không hài lòng"):
        assert score in page

    rated = field.client.post(
        f"/ho-so/{dossier.code}/rating",
        data={"score": "satisfied", "comment": "Cháu tình nguyện viên rất nhiệt tình.", "_csrf_token": token},
        follow_redirects=False,
    )
    assert rated.status_code == 303
    assert rated.headers["location"] == f"/ho-so/{dossier.code}#danh-gia"
    assert "Cảm ơn bà đã đánh giá: Hài lòng." in field.client.get(f"/ho-so/{dossier.code}").text

    # Changing one's mind changes the one rating.
    field.client.post(
        f"/ho-so/{dossier.code}/rating",
        data={"score": "neutral", "_csrf_token": token},
        follow_redirects=False,
    )
    (rating,) = rows(settings, select(Rating))
    assert (rating.score, rating.comment, rating.commune_code) == ("neutral", "", COMMUNE_A)

    assert _counts(settings, [COMMUNE_A]) == {"satisfied": 0, "neutral": 1, "dissatisfied": 0}
    assert _counts(settings, None) == {"satisfied": 0, "neutral": 1, "dissatisfied": 0}
    assert _counts(settings, [COMMUNE_B]) == {"satisfied": 0, "neutral": 0, "dissatisfied": 0}
    assert _counts(settings, [COMMUNE_A], days=(1, 2)) == {"satisfied": 0, "neutral": 0, "dissatisfied": 0}


def test_a_rating_needs_a_score_and_the_dossiers_page(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    walk(field, desk_officer, dossier, "accepted", "ready", "delivered")
    token = open_page(field.client, dossier)
    no_score = field.client.post(
        f"/ho-so/{dossier.code}/rating", data={"_csrf_token": token}, follow_redirects=False
    )
    assert no_score.status_code == 400
    assert rows(settings, select(Rating)) == []
