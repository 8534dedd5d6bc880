"""Every dashboard figure, checked against a month of known field work (see conftest.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.metrics.service import Figures, Filters, figures
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, add_user, in_db
from tests.dashboard.conftest import MARCH, Known, sign_in_page


def _figures(settings: Settings, filters: Filters) -> Figures:
    async def work(db: AsyncSession) -> Figures:
        return await figures(db, filters)

    return in_db(settings, work)


def test_march_in_commune_a_gives_every_figure_worked_out_by_hand(known: Known, settings: Settings) -> None:
    march = _figures(settings, Filters((COMMUNE_A,), *MARCH))

    # R1, R2, R3 registered in March (R3 at 00:10 on the 1st); R4 only through its dossier.
    assert march.residents_helped == 4
    assert march.residents_registered == 3
    # R1 completed on 5 March; R6 completed in February; R3's seventh step came in April.
    assert march.digital_citizens == 1
    assert march.digital_citizens_to_date == 2
    steps = {s.step: (s.done, s.not_applicable, s.follow_up, s.not_started) for s in march.checklist}
    assert steps == {
        "vneid_installed": (3, 0, 0, 1),
        "vneid_level1": (2, 0, 1, 1),
        "vneid_level2": (2, 0, 0, 2),
        "portal_login": (2, 0, 0, 2),
        "sim_standardised": (1, 1, 0, 2),
        "bank_account": (2, 0, 0, 2),  # R1's "follow up" of 3 March was overtaken on 5 March
        "first_online_submission": (1, 0, 0, 3),
    }
    assert march.dossiers == 4  # D5 was written in February
    assert march.dossiers_by_status == {"delivered": 1, "ready": 1, "received": 1, "rejected": 1}
    by_procedure = {p.code: (p.name_vi, p.by_status) for p in march.procedures}
    assert by_procedure == {
        "dang-ky-khai-tu": ("Đăng ký khai tử", {"delivered": 1, "ready": 1}),
        "chung-thuc-ban-sao-tu-ban-chinh": (
            "Chứng thực bản sao từ bản chính",
            {"received": 1, "rejected": 1},
        ),
    }
    # Results in March: D1 on time (1.5 h), D2 late (19 h), D4 on time (3 h), D5 late (73 h).
    assert march.results == 4
    assert march.on_time == 2
    assert march.on_time_rate == 0.5
    assert march.median_hours_to_result == 11.0
    assert march.volunteers_active == 2  # A1 and A2; volunteer B works in commune B
    villages = {v.name: v.residents_helped for v in march.villages}
    assert villages == {"Buôn Jang Lành": 1, "Buôn Trí A": 3, "Thôn Hà Bắc": 0}
    assert march.villages_visited == 2
    assert [v.name for v in march.villages_not_visited] == ["Thôn Hà Bắc"]
    timeline = dict(march.timeline)
    assert len(timeline) == 31
    assert timeline[date(2026, 3, 1)] == 1  # R3, ten minutes after midnight Vietnam time
    assert timeline[date(2026, 3, 2)] == 1  # R1 registered and D1 written: one person
    assert timeline[date(2026, 3, 10)] == 1
    assert timeline[date(2026, 3, 12)] == 1
    assert sum(timeline.values()) == 8  # 1, 2, 3, 5, 10, 12, 15, 20 March


def test_the_period_edges_follow_vietnam_time(known: Known, settings: Settings) -> None:
    february = _figures(settings, Filters((COMMUNE_A,), date(2026, 2, 1), date(2026, 2, 28)))
    # R3 was registered at 17:10 UTC on 28 February, which is already 1 March in Vietnam.
    assert february.residents_registered == 2  # R4 and R6
    assert february.digital_citizens == 1  # R6
    assert february.dossiers == 1  # D5
    assert february.results == 0


def test_a_later_end_counts_the_step_finished_after_march(known: Known, settings: Settings) -> None:
    spring = _figures(settings, Filters((COMMUNE_A,), date(2026, 3, 1), date(2026, 4, 30)))
    assert spring.digital_citizens == 2  # R1 and, from 2 April, R3
    assert {s.step: s.done for s in spring.checklist}["first_online_submission"] == 2


def test_one_village_narrows_every_figure(known: Known, settings: Settings) -> None:
    one = _figures(settings, Filters((COMMUNE_A,), *MARCH, village_id=known.village_jang_lanh))
    assert one.residents_helped == 1  # R3
    assert one.digital_citizens == 0
    assert one.dossiers == 0  # D3 is R4's, and R4 lives in Buôn Trí A
    assert one.volunteers_active == 1
    assert [(v.name, v.visited) for v in one.villages] == [("Buôn Jang Lành", True)]


def test_other_communes_stay_out_and_a_province_sees_both(known: Known, settings: Settings) -> None:
    other = _figures(settings, Filters((COMMUNE_B,), *MARCH))
    assert (other.residents_helped, other.digital_citizens, other.volunteers_active) == (1, 1, 1)
    both = _figures(settings, Filters((COMMUNE_A, COMMUNE_B), *MARCH))
    assert (both.residents_helped, both.digital_citizens, both.dossiers) == (5, 2, 4)


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">.*?<strong class="tile-value">([^<]+)</strong>', html, re.S)
    assert match, name
    return match.group(1)


def test_the_dashboard_page_shows_the_same_figures(known: Known, coordinator_page: TestClient[Any]) -> None:
    page = coordinator_page.get("/office/dashboard", params={"from": "2026-03-01", "to": "2026-03-31"})
    assert page.status_code == 200
    html = page.text
    assert _figure(html, "residents_helped") == "4"
    assert _figure(html, "digital_citizens") == "1"
    assert _figure(html, "dossiers") == "4"
    assert _figure(html, "on_time") == "50%"
    assert _figure(html, "median") == "11 giờ"
    assert _figure(html, "volunteers") == "2"
    assert _figure(html, "villages") == "2 / 3"
    assert re.search(r'id="not-visited">\s*<li>Thôn Hà Bắc</li>', html)
    assert 'data-procedure="dang-ky-khai-tu"' in html
    # Charts are inline SVG with a title, text labels and no style attribute (the CSP forbids it).
    assert html.count("<svg") == 4
    assert '<title id="chart-checklist-title">Các bước công dân số</title>' in html
    assert "style=" not in html
    assert "Cài ứng dụng VNeID" in html
    # The footnote says how a digital citizen is counted, and the masking rule.
    assert "cả 7 bước" in html
    assert "điều phối viên chỉ thấy 4 số cuối" in html


def test_filters_outside_the_users_places_are_refused(
    known: Known, coordinator_page: TestClient[Any], settings: Settings
) -> None:
    assert coordinator_page.get("/office/dashboard", params={"commune": COMMUNE_B}).status_code == 403
    # Another commune's village answers as if it did not exist.
    village_b = coordinator_page.get("/office/dashboard", params={"village": str(known.field.village_b)})
    assert village_b.status_code == 404
    nonsense = coordinator_page.get("/office/dashboard", params={"from": "31/03/2026", "to": "2026-03-01"})
    assert nonsense.status_code == 200
    assert "Ngày chưa đúng" in nonsense.text


def test_a_desk_officer_sees_the_dashboard_and_a_volunteer_does_not(known: Known, settings: Settings) -> None:
    client = known.field.client
    add_user(settings, "0961000020", "desk_officer", (COMMUNE_A,))
    add_user(settings, "0961000021", "volunteer", (COMMUNE_A,))
    sign_in_page(client, "0961000020")
    assert client.get("/office/dashboard").status_code == 200
    sign_in_page(client, "0961000021")
    assert client.get("/office/dashboard").status_code == 403


def test_residents_ratings_feed_the_dashboard(known: Known, settings: Settings) -> None:
    from datetime import datetime, timedelta
    from uuid import UUID

    from sqlalchemy import select

    from motcua.dossiers.models import Dossier
    from motcua.i18n import VIETNAM_TIME
    from motcua.status.models import Rating

    async def rate(db: AsyncSession) -> None:
        dossiers = list(await db.scalars(select(Dossier).where(Dossier.commune_code == COMMUNE_A)))
        moment = datetime(2026, 3, 20, 10, 0, tzinfo=VIETNAM_TIME)
        for index, (dossier, score) in enumerate(
            zip(dossiers, ["satisfied", "satisfied", "neutral"], strict=False)
        ):
            db.add(
                Rating(
                    dossier_id=UUID(str(dossier.id)),
                    commune_code=dossier.commune_code,
                    volunteer_id=dossier.volunteer_id,
                    score=score,
                    rated_at=moment + timedelta(minutes=index),
                )
            )

    in_db(settings, rate)
    march = _figures(settings, Filters((COMMUNE_A,), *MARCH))
    assert march.ratings == {"satisfied": 2, "neutral": 1, "dissatisfied": 0}
    elsewhere = _figures(settings, Filters((COMMUNE_B,), *MARCH))
    assert sum(elsewhere.ratings.values()) == 0
