"""A coordinator creates a campaign with targets through the form and follows its progress."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.campaigns.models import Campaign
from motcua.campaigns.service import Progress, progress, today
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, COMMUNE_OTHER_PROVINCE, add_user, in_db, rows
from tests.dashboard.conftest import DESK_OFFICER, Known, csrf_token, sign_in_page

GOOD = {
    "name": "1.000 công dân số trong 60 ngày",
    "commune": str(COMMUNE_A),
    "starts_on": "2026-03-01",
    "ends_on": "2026-03-31",
    "target_digital_citizens": "2",
    "target_dossiers": "8",
    "target_villages": "3",
}


def _create(client: TestClient[Any], **changes: str) -> Any:
    token = csrf_token(client.get("/office/campaigns/new").text)
    return client.post(
        "/office/campaigns/new", data={**GOOD, **changes, "_csrf_token": token}, follow_redirects=False
    )


def test_a_coordinator_creates_a_campaign_through_the_form(
    coordinator_page: TestClient[Any], settings: Settings
) -> None:
    form = coordinator_page.get("/office/campaigns/new")
    assert form.status_code == 200
    assert f'<option value="{COMMUNE_A}" selected>Xã Buôn Đôn</option>' in form.text  # their only commune
    created = _create(coordinator_page, target_villages="1")  # the commune has one village
    assert created.status_code == 303
    (campaign,) = rows(settings, select(Campaign))
    assert created.headers["location"] == f"/office/campaigns/{campaign.id}"
    assert (campaign.name, campaign.commune_code) == ("1.000 công dân số trong 60 ngày", COMMUNE_A)
    assert (campaign.starts_on, campaign.ends_on) == (date(2026, 3, 1), date(2026, 3, 31))
    targets = (campaign.target_digital_citizens, campaign.target_dossiers, campaign.target_villages)
    assert targets == (2, 8, 1)
    listed = coordinator_page.get("/office/campaigns")
    assert "1.000 công dân số trong 60 ngày" in listed.text
    assert "Đã kết thúc" in listed.text


def test_the_form_needs_its_csrf_token(coordinator_page: TestClient[Any], settings: Settings) -> None:
    refused = coordinator_page.post("/office/campaigns/new", data=GOOD, follow_redirects=False)
    assert refused.status_code == 403
    assert rows(settings, select(Campaign)) == []


def test_the_form_says_what_is_wrong_field_by_field_vietnamese_first(
    coordinator_page: TestClient[Any], settings: Settings
) -> None:
    answer = _create(
        coordinator_page,
        name="  ",
        commune=str(COMMUNE_B),
        starts_on="2026-03-31",
        ends_on="2026-03-01",
        target_digital_citizens="-5",
        target_dossiers="nhiều",
        target_villages="1",
    )
    assert answer.status_code == 400
    html = answer.text
    errors = dict(re.findall(r'<span class="field-error" id="([a-z_]+)-error">([^<]+)</span>', html))
    assert errors == {
        "name": "Cần nhập tên chiến dịch (tối đa 200 ký tự).",
        "commune": "Chọn một xã trong địa bàn của bạn.",
        "ends_on": "Ngày kết thúc phải từ ngày bắt đầu trở đi.",
        "target_digital_citizens": "Chỉ tiêu là số nguyên từ 0 trở lên.",
        "target_dossiers": "Chỉ tiêu là số nguyên từ 0 trở lên.",
    }
    assert html.count('aria-invalid="true"') == 5
    assert 'value="nhiều"' in html  # what was typed is kept
    assert rows(settings, select(Campaign)) == []
    coordinator_page.get("/language/en", params={"next": "/office"})
    english = _create(coordinator_page, ends_on="2026-02-01")
    assert "The end date must be on or after the start date." in english.text


def test_progress_counts_within_the_campaigns_dates_and_commune(
    known: Known, coordinator_page: TestClient[Any], settings: Settings
) -> None:
    created = _create(coordinator_page)
    page = coordinator_page.get(created.headers["location"])
    assert page.status_code == 200
    targets = {
        key: (done, goal)
        for key, done, goal in re.findall(
            r'<tr data-target="([a-z_]+)"><th scope="row">[^<]+</th><td>([^<]+)</td><td>([^<]+)</td>',
            page.text,
        )
    }
    # March in commune A: R1 became a digital citizen, four dossiers, two of three villages.
    assert targets == {"digital_citizens": ("1", "2"), "dossiers": ("4", "8"), "villages": ("2", "3")}
    assert "Đã kết thúc" in page.text
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert "1 / 2 (50%)" in page.text
    assert re.search(r'id="not-visited"><li>Thôn Hà Bắc</li>', page.text)
    assert "style=" not in page.text


def test_in_the_middle_of_a_campaign_the_pace_and_days_left_are_shown(
    known: Known, coordinator_page: TestClient[Any], settings: Settings
) -> None:
    _create(coordinator_page)
    (campaign,) = rows(settings, select(Campaign))

    async def on_16_march(db: AsyncSession) -> Progress:
        return await progress(db, campaign, on=date(2026, 3, 16))

    middle = in_db(settings, on_16_march)
    assert middle.phase == "running"
    assert middle.days_left == 16  # 16 to 31 March, today included
    expected = {t.key: round(t.expected or 0, 2) for t in middle.targets}
    assert expected == {"digital_citizens": 1.03, "dossiers": 4.13, "villages": 1.55}

    start = today() - timedelta(days=9)
    running = _create(
        coordinator_page, starts_on=start.isoformat(), ends_on=(start + timedelta(days=59)).isoformat()
    )
    page = coordinator_page.get(running.headers["location"]).text
    assert "Còn 51 ngày" in page  # the tenth of sixty days, today included
    assert "Mốc hôm nay: 1" in page  # 10 of 60 days: a sixth of 8 dossiers


def test_the_dashboard_follows_a_chosen_campaign(known: Known, coordinator_page: TestClient[Any]) -> None:
    _create(coordinator_page)
    campaign_id = re.search(
        r'href="/office/campaigns/([0-9a-f-]{36})"', coordinator_page.get("/office/campaigns").text
    )
    assert campaign_id
    page = coordinator_page.get("/office/dashboard", params={"campaign": campaign_id.group(1)})
    assert page.status_code == 200
    assert "01/03/2026 – 31/03/2026" in page.text
    assert 'id="campaign-heading"' in page.text
    assert re.search(r'data-figure="dossiers">.*?<strong class="tile-value">4</strong>', page.text, re.S)


def test_campaigns_stay_within_the_coordinators_places(
    known: Known, coordinator_page: TestClient[Any], desk_officer: dict[str, str], settings: Settings
) -> None:
    location = _create(coordinator_page).headers["location"]
    add_user(settings, "0961000030", "coordinator", (COMMUNE_B,))
    sign_in_page(coordinator_page, "0961000030")
    assert coordinator_page.get(location).status_code == 404
    assert "1.000 công dân số" not in coordinator_page.get("/office/campaigns").text
    sign_in_page(coordinator_page, DESK_OFFICER)
    assert coordinator_page.get("/office/campaigns").status_code == 403
    assert coordinator_page.get(location).status_code == 403


def test_a_campaign_targets_no_more_villages_than_its_commune_has(
    known: Known, coordinator_page: TestClient[Any], settings: Settings
) -> None:
    form = coordinator_page.get("/office/campaigns/new").text
    assert 'name="target_villages" min="0" max="3"' in form  # Buôn Trí A, Buôn Jang Lành, Thôn Hà Bắc
    assert '<span class="muted small block" id="villages-bound">Xã Buôn Đôn có 3 thôn/buôn.</span>' in form
    answer = _create(coordinator_page, target_villages="9", name="Chín thôn")
    assert answer.status_code == 400
    errors = dict(re.findall(r'<span class="field-error" id="([a-z_]+)-error">([^<]+)</span>', answer.text))
    assert errors == {
        "target_villages": "Xã Buôn Đôn có 3 thôn/buôn: chỉ tiêu thôn đã đến tối đa là 3.",
    }
    assert 'aria-describedby="target_villages-error villages-bound"' in answer.text
    # What the coordinator typed stays.
    for kept in ('value="Chín thôn"', 'value="2026-03-01"', 'value="9"', 'value="8"'):
        assert kept in answer.text
    assert rows(settings, select(Campaign)) == []
    assert _create(coordinator_page, target_villages="3").status_code == 303

    coordinator_page.get("/language/en", params={"next": "/office"})
    english = _create(coordinator_page, target_villages="4").text
    assert "Xã Buôn Đôn has 3 villages: the villages target is at most 3." in english
    assert "Xã Buôn Đôn has 3 villages." in english


def test_a_coordinator_of_two_communes_sees_each_communes_villages(
    known: Known, client: TestClient[Any], settings: Settings
) -> None:
    add_user(settings, "0961000031", "coordinator", (COMMUNE_A, COMMUNE_B))
    sign_in_page(client, "0961000031")
    form = client.get("/office/campaigns/new").text
    assert f'<option value="{COMMUNE_A}">Xã Buôn Đôn · 3 thôn/buôn</option>' in form
    assert f'<option value="{COMMUNE_B}">Xã Hòa Phú · 1 thôn/buôn</option>' in form
    assert 'name="target_villages" min="0" max="3"' in form  # no commune chosen yet: the largest
    assert "Không quá số thôn/buôn của xã đã chọn." in form
    # Commune B has one village: two is refused, in the standard error shape of the page.
    answer = _create(client, commune=str(COMMUNE_B), target_villages="2")
    assert answer.status_code == 400
    assert "Xã Hòa Phú có 1 thôn/buôn: chỉ tiêu thôn đã đến tối đa là 1." in answer.text
    assert 'name="target_villages" min="0" max="1"' in answer.text
    assert f'<option value="{COMMUNE_B}" selected>' in answer.text
    # A commune outside the coordinator's places says nothing about its villages.
    outside = _create(client, commune=str(COMMUNE_OTHER_PROVINCE), target_villages="999")
    assert outside.status_code == 400
    errors = dict(re.findall(r'<span class="field-error" id="([a-z_]+)-error">([^<]+)</span>', outside.text))
    assert errors == {"commune": "Chọn một xã trong địa bàn của bạn."}
    too_big = _create(client, commune="9" * 30)
    assert too_big.status_code == 400
    assert 'id="commune-error"' in too_big.text
    assert rows(settings, select(Campaign)) == []
