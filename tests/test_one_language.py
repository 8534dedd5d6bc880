"""Every server-rendered page shows one language at a time: Vietnamese unless English is chosen.

Each office page (and the sign-in, invitation, error and status pages) is fetched with a real
browser session (cookie + CSRF) for the roles that may open it, in Vietnamese and in English,
and must not carry a phrase of the other language: the page words of ``motcua.i18n.TEXT``
longer than three words, the API's standard error messages, the procedures' names, and the
messages of the bad forms sent here. The public guides and their posters are left out: they
are bilingual by design (``motcua.catalogue.pages``). A new page route fails the test until it
is listed here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote
from uuid import uuid4

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from motcua.accounts.models import User
from motcua.catalogue.documents import load_documents
from motcua.errors import _STANDARD
from motcua.i18n import TEXT
from motcua.settings import Settings
from motcua.words import DEADLINE, STATUS
from tests.conftest import COMMUNE_A, PASSWORD, add_user, bearer, rows
from tests.desk.conftest import moved
from tests.sync.conftest import Field, field, phone_a1
from tests.sync.phone import Phone

__all__ = ["field", "phone_a1"]

ADMIN, COORDINATOR, OFFICER, VOLUNTEER = "0901000100", "0901000101", "0901000102", "0971000001"

# The page routes not checked here, and why.
NOT_CHECKED = {
    "/thu-tuc",  # public guides: both languages on the page by design, for residents and volunteers
    "/thu-tuc/{code:str}",
    "/thu-tuc/{code:str}/poster",  # a printed bilingual A4 poster
    "/desk/dossiers/{dossier_id:uuid}/print",  # the printed declaration: Vietnamese paper, always
    "/desk/dossiers/{dossier_id:uuid}/files/{sha256:str}",  # a photo
    "/office/exports/{name:str}",  # a spreadsheet in the reader's language (tests/dashboard)
    "/language/{lang:str}",  # the switch itself: a redirect
    "/",  # the volunteers' phone app and its files (pwa/js/i18n.js)
    "/sw.js",
    "/manifest.webmanifest",
    "/app/{path:path}",
    "/ho-so/sw.js",
    "/health",
    "/metrics",  # Prometheus text for machines (its 401 says both languages, tests/test_metrics.py)
}

SEEN = {"vi": "Tiếng Việt", "en": "English"}


def _phrases(pairs: list[tuple[str, str]], side: int, shortest: int) -> set[str]:
    """The parts between the ``{}`` slots of one side of ``pairs`` with at least ``shortest`` words."""
    found = set()
    for pair in pairs:
        for part in pair[side].split("{}"):
            part = part.strip(" .:·,–-")
            if len(part.split()) >= shortest:
                found.add(part)
    return found


def _catalogue_words(node: Any) -> list[tuple[str, str]]:
    """Every text of the procedure documents said in both languages: ``{vi, en}`` and the form's
    ``title`` / ``x-title-en``."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("vi"), str) and isinstance(node.get("en"), str):
            found.append((node["vi"], node["en"]))
        if isinstance(node.get("title"), str) and isinstance(node.get("x-title-en"), str):
            found.append((node["title"], node["x-title-en"]))
        for value in node.values():
            found += _catalogue_words(value)
    elif isinstance(node, list):
        for value in node:
            found += _catalogue_words(value)
    return found


DOCUMENTS = [doc.content for doc in load_documents()]
NAMES = [(doc["name"]["vi"], doc["name"]["en"]) for doc in DOCUMENTS]
LONGER = list(TEXT.values()) + _catalogue_words(DOCUMENTS)
SHORTER = [(vi, en) for _, vi, en in _STANDARD.values()] + [
    (said.vi, said.en) for said in [*STATUS.values(), *DEADLINE.values()]
]
# What must never show in a page of the given language: the procedures' names, every
# status and standard error message of two words or more, the other page words of four or more.
FOREIGN = {
    lang: _phrases(NAMES, side, 1) | _phrases(SHORTER, side, 2) | _phrases(LONGER, side, 4)
    for side, lang in ((1, "vi"), (0, "en"))
}


class _Reader(HTMLParser):
    """The text a person reads on a page (shown text and the attributes read aloud or shown in
    fields), and the elements marked as being in another language."""

    READ = ("placeholder", "aria-label", "title", "alt", "value")

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.parts: list[str] = []
        self.marked: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        marked = given.get("lang")
        # The language switch names the other language in itself: the one element allowed.
        if (
            tag != "html"
            and marked
            and marked != self.lang
            and not (given.get("href") or "").startswith("/language/")
        ):
            self.marked.append(f"<{tag} lang={marked}>")
        if given.get("type") != "hidden":
            self.parts += [value for name, value in attrs if name in self.READ and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def leaks(html: str, lang: str) -> list[str]:
    """What of the other language a page in ``lang`` shows."""
    reader = _Reader(lang)
    reader.feed(html)
    text = " ".join(" ".join(reader.parts).split())
    return reader.marked + sorted(phrase for phrase in FOREIGN[lang] if phrase in text)


def _csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _switch(html: str, other: str) -> str:
    """Where the page's language switch comes back to."""
    found = re.search(rf'href="/language/{other}\?next=([^"]+)"', html)
    assert found, f"no switch to {other}"
    return unquote(unescape(found.group(1)))


class Browser:
    """One browser: its session cookie, its CSRF token, and the language chosen with the switch."""

    def __init__(self, client: TestClient[Any], lang: str) -> None:
        self.client = client
        self.client.headers["accept"] = "text/html,application/xhtml+xml,*/*;q=0.8"
        self.lang = lang

    def as_(self, phone: str | None) -> Browser:
        self.client.cookies.clear()
        switched = self.client.get(f"/language/{self.lang}?next=/login", follow_redirects=False)
        assert switched.status_code in (302, 303), switched.text
        if phone is not None:
            answer = self.client.post(
                "/login",
                data={
                    "phone": phone,
                    "password": PASSWORD,
                    "_csrf_token": _csrf(self.client.get("/login").text),
                },
                follow_redirects=False,
            )
            assert answer.status_code == 303, answer.text
        return self

    def form(self, page: str, action: str, data: dict[str, str]) -> Any:
        return self.client.post(action, data={**data, "_csrf_token": _csrf(self.client.get(page).text)})


def _set_up(field: Field, phone: Phone, settings: Settings) -> dict[str, str]:
    """A commune with a dossier the desk accepted (so a volunteer must tell the resident), a
    campaign, a route and an open invitation; the ids the page addresses need."""
    resident = phone.resident(1)
    dossier = phone.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    field.upload(field.volunteer_a1, phone)
    add_user(settings, ADMIN, "admin", name="Quản Trị")
    add_user(settings, COORDINATOR, "coordinator", (COMMUNE_A,), name="Điều Phối")
    add_user(settings, OFFICER, "desk_officer", (COMMUNE_A,), name="Cán Bộ Một Cửa")
    officer = bearer(field.client, OFFICER)
    assert moved(field, officer, dossier["id"], "accepted", portal_code="H66-1").status_code == 200
    (volunteer_id,) = rows(settings, select(User.id).where(User.phone == VOLUNTEER))
    today = date.today()
    route = field.client.post(
        "/api/routes",
        json={
            "commune_code": COMMUNE_A,
            "day": today.isoformat(),
            "stops": [{"village_id": str(field.village_a), "meeting_point": "Nhà văn hóa"}],
            "team": [str(volunteer_id)],
        },
        headers=bearer(field.client, COORDINATOR),
    )
    assert route.status_code == 201, route.text
    browser = Browser(field.client, "vi").as_(COORDINATOR)
    campaign = browser.form(
        "/office/campaigns/new",
        "/office/campaigns/new",
        {
            "name": "Chiến dịch thử",
            "commune": str(COMMUNE_A),
            "starts_on": (today - timedelta(days=3)).isoformat(),
            "ends_on": (today + timedelta(days=20)).isoformat(),
            "target_digital_citizens": "10",
            "target_dossiers": "5",
            "target_villages": "1",
        },
    )
    assert campaign.status_code == 200, campaign.text
    assert "/office/campaigns/" in str(campaign.url)
    invited = browser.form(
        "/office/volunteers",
        "/office/volunteers",
        {"full_name": "Ksor Y Nguyên", "phone": "0978111222", "commune": str(COMMUNE_A)},
    )
    invitation = re.search(r'href="http://testserver.local(/moi/[^"]+)"', invited.text)
    assert invitation, invited.text
    return {
        "dossier": dossier["id"],
        "code": dossier["body"]["tracking_code"],
        "campaign": str(campaign.url).rsplit("/", 1)[1],
        "route": route.json()["id"],
        "invitation": invitation.group(1),
    }


STAFF = [
    "/office",
    "/desk",
    "/desk?view=done",
    "/desk/dossiers/{dossier}",
    "/office/dashboard",
    "/office/calendar",
    "/office/reach",
]
COORDINATING = [
    "/office/campaigns",
    "/office/campaigns/new",
    "/office/campaigns/{campaign}",
    "/office/routes",
    f"/office/routes/new?commune={COMMUNE_A}",
    "/office/routes/{route}/edit",
    "/office/volunteers",
]
# Every page each browser opens; None is nobody signed in.
PAGES: dict[str | None, list[str]] = {
    ADMIN: STAFF + COORDINATING,
    COORDINATOR: [*STAFF, *COORDINATING, "/office/dashboard?from=2026-13-40"],  # a date it puts right
    OFFICER: [*STAFF, "/desk/dossiers/" + str(uuid4()), "/office/campaigns"],  # not found, forbidden
    VOLUNTEER: ["/office", "/office/reach/mine", "/office/dashboard"],  # the last one forbidden
    None: ["/login", "{invitation}", "/moi/not-a-token", "/ho-so", "/ho-so/{code}"],
}
# Forms sent wrong, whose error is rendered into the page: (who, page, action, form, the error's words).
BAD_FORMS: list[tuple[str | None, str, str, dict[str, str], tuple[str, str]]] = [
    (
        COORDINATOR,
        "/office/calendar",
        f"/office/calendar/{COMMUNE_A}/overrides",
        {"day": "", "kind": "day_off"},
        ("Ngày chưa hợp lệ.", "The day is not valid."),
    ),
    (
        COORDINATOR,
        "/office/calendar",
        f"/office/calendar/{COMMUNE_A}/hours",
        {"mon": "sáng sớm"},
        ("Giờ làm việc chưa đúng", "Desk hours must read like"),
    ),
    (
        COORDINATOR,
        "/office/volunteers",
        "/office/volunteers",
        {"full_name": "Y Blô", "phone": "12", "commune": str(COMMUNE_A)},
        ("Thông tin tài khoản chưa hợp lệ.", "The account details are not valid."),
    ),
    (
        COORDINATOR,
        "/office/campaigns/new",
        "/office/campaigns/new",
        {"name": ""},
        ("Chưa tạo được chiến dịch", "The campaign was not created"),
    ),
    (
        COORDINATOR,
        f"/office/routes/new?commune={COMMUNE_A}",
        f"/office/routes/new?commune={COMMUNE_A}",
        {"day": ""},
        ("Lộ trình còn mục chưa đúng.", "Some fields of the route are not right."),
    ),
    (
        None,
        "{invitation}",
        "{invitation}",
        {"password": "mat-khau-rieng", "repeated": "khac-han"},
        ("Hai lần nhập không giống nhau.", "The two entries differ."),
    ),
    (
        None,
        "/login",
        "/login",
        {"phone": OFFICER, "password": "sai-mat-khau"},
        ("Số điện thoại hoặc mật khẩu không đúng.", "The phone number or the password is wrong."),
    ),
]


def _page_routes(client: TestClient[Any]) -> set[str]:
    found = set()
    for route in client.app.routes:
        if "GET" in getattr(route, "methods", ()) and not route.path.startswith(
            ("/api/", "/schema", "/static")
        ):
            found.add(route.path)
    return found


def test_every_page_route_is_checked_or_left_out_on_purpose(client: TestClient[Any]) -> None:
    listed = [re.sub(r"\{[a-z]+\}", "x", page.split("?")[0]) for pages in PAGES.values() for page in pages]
    unchecked = [
        path
        for path in sorted(_page_routes(client) - NOT_CHECKED)
        if not any(re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path), page) for page in listed)
    ]
    assert not unchecked, f"pages nobody looks at in both languages: {unchecked}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_page_is_in_one_language(field: Field, phone_a1: Phone, settings: Settings, lang: str) -> None:
    ids = _set_up(field, phone_a1, settings)
    other = "en" if lang == "vi" else "vi"
    browser = Browser(field.client, lang)
    found: dict[str, list[str]] = {}
    for who, pages in PAGES.items():
        browser.as_(who)
        for page in pages:
            answer = field.client.get(page.format(**ids))
            assert answer.status_code < 500, (who, page, answer.text)
            assert "text/html" in answer.headers["content-type"], (who, page)
            assert f'<html lang="{lang}"' in answer.text, (who, page)
            # The switch to the other language is on every page, and comes back to it (a status
            # page it cannot show comes back to the look-up: an address may hold a secret).
            back = _switch(answer.text, other)
            assert back == page.format(**ids) or (page.startswith("/ho-so") and back == "/ho-so"), (who, page)
            if wrong := leaks(answer.text, lang):
                found[f"{who} GET {page} ({answer.status_code})"] = wrong
    for who, page, action, form, (vi, en) in BAD_FORMS:
        answer = browser.as_(who).form(page.format(**ids), action.format(**ids), form)
        assert 400 <= answer.status_code < 500, (who, action, answer.status_code, answer.text)
        assert 'role="alert"' in answer.text, (who, action)
        # The switch comes back to a page that opens, not to the address the form was sent to.
        back = field.client.get(_switch(answer.text, other))
        assert back.status_code == 200, (who, action, back.url)
        said, unsaid = (vi, en) if lang == "vi" else (en, vi)
        assert said in answer.text, (who, action, said)
        if unsaid in answer.text:
            found.setdefault(f"{who} POST {action}", []).append(unsaid)
        if wrong := leaks(answer.text, lang):
            found.setdefault(f"{who} POST {action}", []).extend(wrong)
    assert not found, found
