"""The resident's status page: opened by the receipt's secret, in plain words, guessing limited,
and its "Nhận thông báo" button (subscribe, follow all of one's dossiers, unsubscribe)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from motcua.app import create_app
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.errors import ApiError
from motcua.i18n import local_date
from motcua.push.models import PushFollow, PushOutbox, PushSubscription
from motcua.push.subscriptions import BrowserSubscription, SubscriptionKeys, check_subscription
from motcua.settings import Settings
from motcua.status.access import MAX_GUESSES_PER_CLIENT, MAX_GUESSES_PER_CODE
from motcua.status.models import StatusGuess
from motcua.status.pages import typed_code_and_secret
from motcua.words import STATUS, day_with_weekday
from tests.accounts.addresses import app_with_addresses, at
from tests.conftest import make_settings, rows
from tests.push.conftest import Synced, csrf_of, drain, open_page, subscribe, synced_dossier, walk
from tests.push.fake_push import FakePushService
from tests.sync.conftest import Field
from tests.sync.phone import Phone, fake_jpeg


def _fresh(settings: Settings) -> TestClient:  # type: ignore[type-arg]
    """Another browser: no cookie of this dossier."""
    return TestClient(app=create_app(settings), base_url="http://testserver.local")


def test_the_receipts_secret_opens_the_page_in_plain_words_and_the_browser_may_come_back(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(1)
    dossier = synced_dossier(field, phone_a1, resident)
    page = field.client.get(dossier.url)
    assert page.status_code == 200
    html = page.text
    assert "Hồ sơ của bà đã đến xã, đang chờ cán bộ tiếp nhận." in html
    assert "Your dossier" not in html, "one language at a time: English only when chosen"
    assert "Đăng ký khai tử" in html
    assert "Nguyễn Thị Lan 1" in html
    assert "Người Thử" in html  # the volunteer, with a number to call
    assert resident["body"]["personal_id"] not in html, "no ID number on a public page"
    # Nor any other twelve-digit number standing alone (the CSRF token is hex and may hold a run).
    assert not re.search(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])", html)
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith(f"hoso_{dossier.code}="))
    assert "Path=/ho-so/" in cookie
    assert "HttpOnly" in cookie

    # From a notification: the same browser opens the page without the secret.
    assert field.client.get(f"/ho-so/{dossier.code}").status_code == 200
    with _fresh(settings) as stranger:
        assert stranger.get(f"/ho-so/{dossier.code}").status_code == 404
        assert stranger.get(f"/ho-so/{dossier.code.lower()}?k={dossier.secret}").status_code == 200


def test_a_wrong_secret_an_unknown_code_and_a_code_alone_look_the_same(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    with _fresh(settings) as stranger:
        wrong = stranger.get(f"/ho-so/{dossier.code}?k=not-the-secret-at-all")
        unknown = stranger.get(f"/ho-so/ZZZ9-99?k={dossier.secret}")
        alone = stranger.get(f"/ho-so/{dossier.code}")
        nonsense = stranger.get("/ho-so/%3Cscript%3E?k=x")
    assert wrong.status_code == unknown.status_code == alone.status_code == nonsense.status_code == 404
    assert wrong.text == unknown.text == alone.text
    assert "Không tìm thấy hồ sơ" in wrong.text
    assert dossier.code not in wrong.text
    assert not any("hoso_" in cookie for cookie in wrong.headers.get_list("set-cookie"))


def test_guessing_a_codes_secret_is_limited_and_logged_without_the_secret(
    field: Field, phone_a1: Phone, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    dossier = synced_dossier(field, phone_a1)
    other = synced_dossier(field, phone_a1, serial=2)
    open_page(field.client, dossier)  # the resident opened it before the guessing began
    guesses = [f"guess-number-{n:03d}-xyz" for n in range(MAX_GUESSES_PER_CODE)]
    with _fresh(settings) as guesser:
        for guess in guesses:
            assert guesser.get(f"/ho-so/{dossier.code}?k={guess}").status_code == 404
        # Past the limit even the right secret is refused, so a lucky guess would tell nothing.
        limited = guesser.get(dossier.url)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "900"
        assert "Vui lòng thử lại sau 15 phút" in limited.text
        # Other dossiers are not locked by guesses at this one, nor the resident who was here before.
        assert guesser.get(other.url).status_code == 200
    assert field.client.get(dossier.url).status_code == 200
    stored = rows(settings, select(StatusGuess))
    assert len(stored) == MAX_GUESSES_PER_CODE
    assert {guess.tracking_code for guess in stored} == {dossier.code}

    # What the server logged (the test's own HTTP client logs its URLs: not the server's doing).
    logged = "\n".join(
        line for line in capsys.readouterr().err.splitlines() if '"logger": "httpx"' not in line
    )
    assert logged.count("status page wrong code or secret") == MAX_GUESSES_PER_CODE
    assert "status page guesses limited" in logged
    assert dossier.code in logged
    for secret in [*guesses, dossier.secret, other.secret]:
        assert secret not in logged
    assert "k=" not in logged  # the access log has paths only, never query strings


def test_guesses_at_a_code_from_elsewhere_never_shut_the_resident_out(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    with TestClient(app=app_with_addresses(settings), base_url="http://testserver.local") as browsers:
        for n in range(MAX_GUESSES_PER_CODE):
            guess = browsers.get(f"/ho-so/{dossier.code}?k=guess-{n:03d}", headers=at("198.51.100.66"))
            assert guess.status_code == 404
        assert browsers.get(dossier.url, headers=at("198.51.100.66")).status_code == 429
        # The resident scans the receipt at home, in a browser that never opened the page.
        browsers.cookies.clear()
        assert browsers.get(dossier.url, headers=at("192.0.2.7")).status_code == 200


def test_guessing_many_codes_from_one_address_is_limited(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    with _fresh(settings) as guesser:
        for n in range(MAX_GUESSES_PER_CLIENT):
            assert guesser.get(f"/ho-so/AB{n:02d}-1?k=secret-{n}").status_code == 404
        assert guesser.get(dossier.url).status_code == 429


def test_a_supplement_says_what_to_bring_where_and_when(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str]
) -> None:
    dossier = synced_dossier(field, phone_a1)
    walk(field, desk_officer, dossier, "accepted", ("needs_supplement", "Bản sao giấy báo tử có chứng thực"))
    html = field.client.get(dossier.url).text
    assert "Hồ sơ cần thêm giấy tờ. Mời bà mang đến Bộ phận một cửa, UBND Xã Buôn Đôn" in html
    assert "Giấy tờ cần mang thêm" in html
    assert "Bản sao giấy báo tử có chứng thực" in html
    assert "Thứ Hai – Thứ Sáu: 07:00–11:30, 13:30–17:00" in html
    assert "Nhớ mang theo thẻ căn cước" in html
    steps = re.findall(r'<span class="step">([^<]+)</span>', html)
    assert steps == ["Cần bổ sung", "Đã tiếp nhận", "Chờ tiếp nhận"]
    # The time runs again from when the supplement is complete: no stale promised day.
    assert "Ngày hẹn mới được tính lại từ khi đủ giấy tờ bổ sung." in html

    walk(field, desk_officer, dossier, "in_progress", "ready")
    html = field.client.get(dossier.url).text
    assert "Có kết quả, mời bà đến nhận tại Bộ phận một cửa, UBND Xã Buôn Đôn." in html


def test_a_supplement_sent_from_the_phone_is_told_with_its_days_and_once_by_push(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    resident = phone_a1.resident(1)
    record = phone_a1.dossier(resident)
    secret = secrets.token_urlsafe(18)
    record["body"]["receipt_secret_hash"] = hashlib.sha256(secret.encode()).hexdigest()
    field.push(field.volunteer_a1, resident, record)
    field.upload(field.volunteer_a1, phone_a1)
    dossier = Synced(record["id"], record["body"]["tracking_code"], secret, resident["id"])
    browser = push_service.browser("grandmother")
    subscribe(field.client, dossier, browser)
    walk(field, desk_officer, dossier, "accepted", ("needs_supplement", "Ảnh mặt sau thẻ căn cước bị mờ"))
    (ask,) = rows(settings, select(DossierEvent).where(DossierEvent.to_status == "needs_supplement"))
    asked_on = local_date(ask.created_at)
    html = field.client.get(dossier.url).text
    assert f"Xã yêu cầu ngày {asked_on}:" in html
    assert "Giấy tờ cần mang thêm" in html
    assert "Đã nhận giấy tờ bổ sung" not in html
    assert f"Asked by the commune on {asked_on}:" in _english(field.client, dossier.url)

    # The volunteer photographs the card's back again: revision 2, its photo not yet sent.
    photo = phone_a1.attach(fake_jpeg(4242))
    papers = [
        {"paper_id": "can-cuoc", "photos": [p["photos"][0], photo]} if p["paper_id"] == "can-cuoc" else p
        for p in record["body"]["papers"]
    ]
    (sent,) = field.push(field.volunteer_a1, phone_a1.edit(record, papers=papers))
    assert sent["missing_attachments"] == [photo]
    html = field.client.get(dossier.url).text
    assert "Tình nguyện viên đã gửi giấy tờ bổ sung ngày" in html
    assert "Đã nhận giấy tờ bổ sung" not in html

    answer = field.client.put(
        f"/api/attachments/{photo}", content=phone_a1.attachments[photo], headers=field.volunteer_a1
    )
    assert answer.status_code == 200, answer.text
    (stored,) = [d for d in rows(settings, select(Dossier)) if str(d.id) == dossier.id]
    arrived_on = local_date(stored.supplemented_at)
    html = field.client.get(dossier.url).text
    assert f"✓ Đã nhận giấy tờ bổ sung ngày {arrived_on}." in html
    assert f"Ngày hẹn mới được tính lại từ ngày {arrived_on}, khi đã đủ giấy tờ bổ sung." in html
    assert "Cán bộ xã đã có đủ giấy tờ bổ sung của bà và sẽ giải quyết tiếp." in html
    assert "Giấy tờ xã đã yêu cầu bổ sung" in html
    assert "Ảnh mặt sau thẻ căn cước bị mờ" in html
    assert "Nhớ mang theo thẻ căn cước" not in html, "nothing left to bring"
    english = _english(field.client, dossier.url)
    assert f"The added papers were received on {arrived_on}." in english
    assert f"A new date is set counting from {arrived_on}" in english
    assert "Đã nhận giấy tờ bổ sung" not in english

    # The same photo sent again tells nothing new: one notification of the supplement.
    field.client.put(
        f"/api/attachments/{photo}", content=phone_a1.attachments[photo], headers=field.volunteer_a1
    )
    queued = rows(settings, select(PushOutbox).where(PushOutbox.kind == "supplement"))
    assert [(row.audience, row.topic, row.urgency) for row in queued] == [
        ("resident", UUID(dossier.id).hex, "normal")
    ]
    drain(settings)
    told = browser.payloads()
    assert [p["status"] for p in told] == ["accepted", "needs_supplement", "needs_supplement"]
    assert told[-1]["body"].startswith("Đã nhận đủ giấy tờ bổ sung.")
    assert told[-1]["url"] == f"/ho-so/{dossier.code}"

    # The desk takes the dossier back: a promised day again, counted from then.
    walk(field, desk_officer, dossier, "in_progress")
    html = field.client.get(dossier.url).text
    assert re.search(r'<strong class="day">[^<]+</strong>', html)
    assert "Đã nhận giấy tờ bổ sung" not in html


def test_a_rejection_gives_its_reason(field: Field, phone_a1: Phone, desk_officer: dict[str, str]) -> None:
    dossier = synced_dossier(field, phone_a1)
    walk(field, desk_officer, dossier, ("rejected", "Người mất không cư trú tại xã"))
    html = field.client.get(dossier.url).text
    assert "Xã không giải quyết được hồ sơ này." in html
    assert "Người mất không cư trú tại xã" in html


def test_subscribing_needs_the_page_opened_and_its_csrf_token(
    field: Field, phone_a1: Phone, settings: Settings, push_service: FakePushService
) -> None:
    dossier = synced_dossier(field, phone_a1)
    browser = push_service.browser("grandmother")
    body = {"subscription": browser.subscription()}
    with _fresh(settings) as stranger:
        token = csrf_of(field.client.get(dossier.url).text)
        stranger.get("/thu-tuc")  # a CSRF cookie of its own, but no access to the dossier
        refused = stranger.post(
            f"/ho-so/{dossier.code}/push",
            json=body,
            headers={"x-csrf-token": stranger.cookies.get("motcua_csrf", "")},
        )
        assert refused.status_code == 404
    assert field.client.post(f"/ho-so/{dossier.code}/push", json=body).status_code == 403  # no CSRF token
    assert field.client.post(
        f"/ho-so/{dossier.code}/push", json=body, headers={"x-csrf-token": token}
    ).json() == {
        "following": True,
        "everything": False,
    }
    assert len(rows(settings, select(PushSubscription))) == 1
    state = field.client.post(
        f"/ho-so/{dossier.code}/push/state",
        json={"endpoint": browser.endpoint},
        headers={"x-csrf-token": token},
    )
    assert state.json() == {"following": True, "everything": False}


def test_unsubscribing_stops_the_news_and_forgets_the_browser(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    dossier = synced_dossier(field, phone_a1)
    browser = push_service.browser("grandmother")
    subscribe(field.client, dossier, browser)
    token = open_page(field.client, dossier)
    removed = field.client.post(
        f"/ho-so/{dossier.code}/push/remove",
        json={"endpoint": browser.endpoint},
        headers={"x-csrf-token": token},
    )
    assert removed.json() == {"following": False, "subscription_removed": True}
    assert rows(settings, select(PushSubscription)) == []
    walk(field, desk_officer, dossier, "accepted")
    assert drain(settings) == 0
    assert browser.received == []


def test_following_all_of_a_residents_dossiers_reaches_a_dossier_made_later(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    resident = phone_a1.resident(5)
    first = synced_dossier(field, phone_a1, resident)
    browser = push_service.browser("grandmother")
    assert subscribe(field.client, first, browser, everything=True) == {"following": True, "everything": True}
    later = synced_dossier(field, phone_a1, resident)
    # The notification will point at a page this browser never had the secret of: it opens.
    assert field.client.get(f"/ho-so/{later.code}").status_code == 200
    walk(field, desk_officer, later, "accepted")
    drain(settings)
    (payload,) = browser.payloads()
    assert payload["url"] == f"/ho-so/{later.code}"
    assert {(f.dossier_id is None, f.resident_id is None) for f in rows(settings, select(PushFollow))} == {
        (True, False),
        (False, True),
    }


def test_the_residents_service_worker_is_served_for_the_status_pages_only(field: Field) -> None:
    worker = field.client.get("/ho-so/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/ho-so/"
    assert worker.headers["cache-control"] == "no-cache"
    assert 'addEventListener("push"' in worker.text
    assert 'addEventListener("notificationclick"' in worker.text
    assert "fetch" not in worker.text  # it caches nothing and never stands between page and server


def test_a_subscription_no_browser_would_make_is_refused(
    field: Field, phone_a1: Phone, push_service: FakePushService
) -> None:
    dossier = synced_dossier(field, phone_a1)
    token = open_page(field.client, dossier)
    bad = push_service.browser("bad").subscription()
    bad["keys"]["p256dh"] = "bm90LWEta2V5"
    answer = field.client.post(
        f"/ho-so/{dossier.code}/push", json={"subscription": bad}, headers={"x-csrf-token": token}
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "push.subscription_invalid"


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/x",
        "https://127.0.0.1:9000/x",
        "https://localhost/x",
        "https://10.0.0.7/x",
        "ftp://x/y",
    ],
)
def test_an_https_deployment_sends_only_to_public_https_push_services(tmp_path: Path, endpoint: str) -> None:
    settings = replace(make_settings(tmp_path), public_url="https://motcua.example")
    with FakePushService() as service:
        keys = service.browser("b").subscription()["keys"]
    given = BrowserSubscription(endpoint, SubscriptionKeys(keys["p256dh"], keys["auth"]))
    with pytest.raises(ApiError):
        check_subscription(settings, given)
    check_subscription(settings, BrowserSubscription("https://fcm.googleapis.com/fcm/send/x", given.keys))


# ---- One language at a time, the promised day, the push box and the rating's faces ----

WEEKDAY_DATE = re.compile(r"(?:Thứ (?:Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ Nhật), \d{2}/\d{2}/\d{4}")


def _english(client: TestClient, url: str) -> str:  # type: ignore[type-arg]
    client.cookies.set("lang", "en")
    try:
        answer = client.get(url)
    finally:
        client.cookies.delete("lang")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_page_speaks_one_language_at_a_time_and_its_link_switches(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    vi = field.client.get(dossier.url).text
    assert '<html lang="vi">' in vi
    assert "Hồ sơ của bà đã đến xã, đang chờ cán bộ tiếp nhận." in vi
    for english in ("Your dossier", "News on this phone", "What has happened", "Applicant", 'lang="en">'):
        assert english not in vi.replace('lang="en" hreflang="en">English', ""), english
    # The switch goes back to the page without its secret: the cookie the secret left opens it.
    switch = re.search(r'<a class="lang-switch" href="([^"]+)"', vi)
    assert switch
    assert switch.group(1) == f"/language/en?next=/ho-so/{dossier.code}"
    assert dossier.secret not in switch.group(1)
    with _fresh(settings) as other:
        assert other.get(dossier.url).status_code == 200
        switched = other.get(switch.group(1), follow_redirects=False)
        assert switched.status_code in (302, 303)
        assert switched.headers["location"] == f"/ho-so/{dossier.code}"
        en = other.get(switched.headers["location"])
        assert en.status_code == 200
        assert '<html lang="en">' in en.text
        assert "Your dossier has reached the commune and is waiting to be accepted." in en.text
        assert "What has happened" in en.text
        assert STATUS["received"].en in en.text
        for vietnamese in ("Hồ sơ của bà", "Các bước đã qua", "Người nộp", STATUS["received"].vi):
            assert vietnamese not in en.text, vietnamese
        assert 'href="/language/vi?next=/ho-so/' in en.text
    # The not-found page's switch names no code (it looks the same for every code).
    with _fresh(settings) as stranger:
        missing = stranger.get(f"/ho-so/{dossier.code}?k=wrong")
        assert 'href="/language/en?next=/ho-so"' in missing.text
        assert dossier.code not in missing.text


def _deadline(settings: Settings, dossier_id: str) -> Any:
    (found,) = [d for d in rows(settings, select(Dossier)) if str(d.id) == dossier_id]
    return found.deadline_at


def test_the_promised_day_shows_from_acceptance_on_with_its_weekday(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str], settings: Settings
) -> None:
    dossier = synced_dossier(field, phone_a1)
    before = field.client.get(dossier.url).text
    assert "Hẹn trả kết quả" not in before
    assert not WEEKDAY_DATE.search(before)

    walk(field, desk_officer, dossier, "accepted")
    promised = day_with_weekday(_deadline(settings, dossier.id))
    assert WEEKDAY_DATE.fullmatch(promised.vi), promised
    assert re.fullmatch(r"[A-Z][a-z]+day, \d{2}/\d{2}/\d{4}", promised.en), promised
    for step in ("accepted", "in_progress", "ready", "delivered"):
        if step != "accepted":
            walk(field, desk_officer, dossier, step)
        html = field.client.get(f"/ho-so/{dossier.code}").text
        shown = re.search(r'<strong class="day">([^<]+)</strong>', html)
        assert shown, step
        assert shown.group(1) == promised.vi, step
        assert "Hẹn trả kết quả" in html
        assert promised.en in _english(field.client, f"/ho-so/{dossier.code}")


def test_the_day_is_read_in_vietnam_time() -> None:
    # 18:00 UTC on Monday 23 November 2026 is already Tuesday the 24th in Vietnam.
    said = day_with_weekday(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    assert said.vi == "Thứ Ba, 24/11/2026"
    assert said.en == "Tuesday, 24/11/2026"


def test_no_push_box_is_left_once_the_dossier_is_finished_and_the_ratings_have_faces(
    field: Field, phone_a1: Phone, desk_officer: dict[str, str]
) -> None:
    dossier = synced_dossier(field, phone_a1)
    walk(field, desk_officer, dossier, "accepted")
    html = field.client.get(dossier.url).text
    assert 'id="thong-bao"' in html
    # Blocked notifications: how to allow them, and a button to try again.
    assert "Điện thoại đang chặn thông báo của trang này. Cách mở lại:" in html
    assert 'id="push-retry"' in html
    walk(field, desk_officer, dossier, "in_progress", "ready", "delivered")
    html = field.client.get(f"/ho-so/{dossier.code}").text
    assert 'id="thong-bao"' not in html
    assert "Nhận thông báo" not in html
    assert '<script src="/static/status.js"' in html  # still takes the secret out of the address
    labels = re.findall(r'<label class="score score-(\w+)">(.*?)</label>', html, re.DOTALL)
    assert [score for score, _ in labels] == ["satisfied", "neutral", "dissatisfied"]
    words = []
    for score, label in labels:
        assert '<svg class="face"' in label, score
        assert 'aria-hidden="true"' in label, score  # the face is not read out…
        word = re.search(r'<span class="score-word">([^<]+)</span>', label)
        assert word, score  # …the word is the radio's accessible name
        words.append(word.group(1))
    assert words == ["Hài lòng", "Bình thường", "Không hài lòng"]

    for serial, stop in ((2, "rejected"), (3, "withdrawn")):
        other = synced_dossier(field, phone_a1, serial=serial)
        walk(field, desk_officer, other, (stop, "Người dân đề nghị"))
        assert 'id="thong-bao"' not in field.client.get(other.url).text, stop


# ---- /ho-so: typing the code and the secret ----


def _form_token(client: TestClient) -> str:  # type: ignore[type-arg]
    page = client.get("/ho-so")
    assert page.status_code == 200
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found, "the look-up form carries no CSRF token"
    return found.group(1)


def _look_up(client: TestClient, code: str, secret: str) -> Any:  # type: ignore[type-arg]
    return client.post(
        "/ho-so", data={"ma": code, "k": secret, "_csrf_token": _form_token(client)}, follow_redirects=False
    )


def test_the_look_up_page_is_a_plain_form_with_big_boxes(field: Field) -> None:
    page = field.client.get("/ho-so")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert '<html lang="vi">' in html
    assert "Tra cứu hồ sơ" in html
    assert '<form method="post" action="/ho-so">' in html
    assert re.search(r'<input class="typed code-input" id="ma" name="ma"', html)
    assert re.search(r'<input class="typed" id="k" name="k"', html)
    assert "<script" not in html  # works without JavaScript
    assert "Find my dossier" not in html
    assert "Find my dossier" in _english(field.client, "/ho-so")


def test_the_typed_code_and_secret_open_the_status_page_without_the_secret_in_any_address(
    field: Field, phone_a1: Phone, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    dossier = synced_dossier(field, phone_a1)
    for code, secret in (
        (dossier.code, dossier.secret),
        (f" {dossier.code.lower()} ", f" {dossier.secret} "),  # small letters and spaces forgiven
        ("", f"http://x.vn/ho-so/{dossier.code}?k={dossier.secret}"),  # the receipt's link pasted
    ):
        with _fresh(settings) as relative:
            found = _look_up(relative, code, secret)
            assert found.status_code == 303, found.text
            assert found.headers["location"] == f"/ho-so/{dossier.code}"
            assert found.headers["cache-control"] == "no-store"
            cookie = next(
                c for c in found.headers.get_list("set-cookie") if c.startswith(f"hoso_{dossier.code}=")
            )
            assert "Path=/ho-so/" in cookie
            assert "HttpOnly" in cookie
            page = relative.get(found.headers["location"])
            assert page.status_code == 200
            assert "Hồ sơ của bà đã đến xã, đang chờ cán bộ tiếp nhận." in page.text
    logged = "\n".join(
        line for line in capsys.readouterr().err.splitlines() if '"logger": "httpx"' not in line
    )
    assert dossier.secret not in logged
    assert rows(settings, select(StatusGuess)) == []


def test_a_wrong_secret_and_an_unknown_code_get_the_same_404_and_count_as_guesses(
    field: Field, phone_a1: Phone, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    dossier = synced_dossier(field, phone_a1)
    with _fresh(settings) as stranger:
        wrong = _look_up(stranger, dossier.code, "not-the-secret-at-all")
        unknown = _look_up(stranger, "ZZZ9-99", dossier.secret)
        assert wrong.status_code == unknown.status_code == 404
        assert wrong.text.replace(dossier.code, "CODE") == unknown.text.replace("ZZZ9-99", "CODE")
        assert "Không tìm thấy hồ sơ." in wrong.text
        for answer in (wrong, unknown):
            assert not any("hoso_" in c for c in answer.headers.get_list("set-cookie"))
        assert "not-the-secret-at-all" not in wrong.text  # the code is typed again for them, never the secret
        assert dossier.secret not in unknown.text
        # Nothing typed is no guess.
        assert _look_up(stranger, dossier.code, "  ").status_code == 400
        stored = rows(settings, select(StatusGuess))
        assert sorted(g.tracking_code for g in stored) == sorted([dossier.code, "ZZZ9-99"])
        # The same limit as the QR code's address: past it, even the right secret is refused.
        for n in range(MAX_GUESSES_PER_CODE - 1):
            assert _look_up(stranger, dossier.code, f"guess-{n:03d}").status_code == 404
        limited = _look_up(stranger, dossier.code, dossier.secret)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "900"
        assert stranger.get(dossier.url).status_code == 429  # one counter for both ways in
    assert len(rows(settings, select(StatusGuess))) == MAX_GUESSES_PER_CODE + 1
    logged = "\n".join(
        line for line in capsys.readouterr().err.splitlines() if '"logger": "httpx"' not in line
    )
    assert "status page wrong code or secret" in logged
    assert "not-the-secret-at-all" not in logged
    assert dossier.secret not in logged


def test_the_look_up_form_needs_its_csrf_token(field: Field, phone_a1: Phone, settings: Settings) -> None:
    dossier = synced_dossier(field, phone_a1)
    with _fresh(settings) as stranger:
        stranger.get("/ho-so")
        refused = stranger.post(
            "/ho-so", data={"ma": dossier.code, "k": dossier.secret}, follow_redirects=False
        )
        assert refused.status_code == 403


@pytest.mark.parametrize(
    ("code", "secret", "read"),
    [
        ("k7qm-12", "abc", ("K7QM-12", "abc")),
        (" K7QM - 12 ", " a b c ", ("K7QM-12", "abc")),
        ("K7QM-12", "https://x.vn/ho-so/K7QM-12?k=abc_D-1", ("K7QM-12", "abc_D-1")),
        ("", "x.vn/ho-so/k7qm-12?a=1&k=abc#x", ("K7QM-12", "abc")),
        ("https://x.vn/ho-so/K7QM-12?k=abc", "", ("K7QM-12", "abc")),
        ("K7QM-12", "k=abc&z=1", ("K7QM-12", "abc")),
        ("K7QM-12", "x" * 400, ("K7QM-12", "x" * 128)),
    ],
)
def test_what_is_typed_is_read_forgivingly(code: str, secret: str, read: tuple[str, str]) -> None:
    assert typed_code_and_secret(code, secret) == read
