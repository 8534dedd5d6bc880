"""A dossier walked through every status is named by schemas/words.json, and only by it, wherever a
person reads it: the desk's inbox and dossier page (in both languages), the resident's status page,
the volunteer's push, the dashboard and the exports."""

from __future__ import annotations

import csv
import html as markup
import io
import json
import re
from typing import Any

from litestar.testing import TestClient

from motcua.resources import resource_dir
from motcua.settings import Settings
from tests.dashboard.conftest import DESK_OFFICER, sign_in_page
from tests.push.conftest import Synced, drain, subscribe_volunteer, synced_dossier, walk
from tests.push.fake_push import Browser, FakePushService
from tests.sync.conftest import Field
from tests.sync.phone import Phone

CATALOGUE = json.loads((resource_dir("schemas") / "words.json").read_text(encoding="utf-8"))
NAMES: dict[str, dict[str, str]] = CATALOGUE["status"]


def _in(client: TestClient[Any], lang: str, url: str) -> str:
    client.cookies.set("lang", lang)
    try:
        answer = client.get(url)
    finally:
        client.cookies.delete("lang")
    assert answer.status_code == 200, answer.text
    return markup.unescape(answer.text)


def _desk_says(client: TestClient[Any], dossier: Synced, lang: str) -> tuple[str, str]:
    """The status beside the dossier's code on its desk page, and on its row of the inbox."""
    page = re.search(
        r"<h1>[^<]*<small>([^<]+)</small></h1>", _in(client, lang, f"/desk/dossiers/{dossier.id}")
    )
    assert page
    inbox = _in(client, lang, "/desk") + _in(client, lang, "/desk?view=done")
    row = re.search(rf'<span class="code">{dossier.code}</span>\s*<span class="badge">([^<]+)</span>', inbox)
    assert row, f"{dossier.code} is in neither tab of the inbox"
    return page.group(1), row.group(1)


def _status_page_steps(client: TestClient[Any], dossier: Synced) -> list[tuple[str, str]]:
    """The timeline's steps as the page names them in Vietnamese and, switched, in English."""
    vi, en = (
        re.findall(r'<span class="step">([^<]+)</span>', _in(client, lang, dossier.url))
        for lang in ("vi", "en")
    )
    assert len(vi) == len(en)
    return list(zip(vi, en, strict=True))


def _check_everywhere(
    field: Field, dossier: Synced, status: str, volunteer: Browser, settings: Settings
) -> None:
    name = NAMES[status]
    assert _desk_says(field.client, dossier, "vi") == (name["vi"], name["vi"])
    assert _desk_says(field.client, dossier, "en") == (name["en"], name["en"])
    steps = _status_page_steps(field.client, dossier)
    assert steps[0] == (name["vi"], name["en"]), "the newest step of the status page"
    assert set(steps) <= {(n["vi"], n["en"]) for n in NAMES.values()}
    if status != "received":
        drain(settings)
        news = volunteer.payloads()[-1]
        assert news["status"] == status
        # The name, then the officer's reason or a call-or-visit line: never another word for it.
        assert re.match(rf"{re.escape(name['vi'])}(?:$|[:.] )", news["body"]), news["body"]
        assert re.match(rf"{re.escape(name['en'])}(?:$|[:.] )", news["body_en"]), news["body_en"]


def test_every_status_is_named_by_the_catalogue_on_every_screen(
    field: Field,
    phone_a1: Phone,
    desk_officer: dict[str, str],
    settings: Settings,
    push_service: FakePushService,
) -> None:
    sign_in_page(field.client, DESK_OFFICER)
    volunteer = push_service.browser("volunteer-phone")
    subscribe_volunteer(field.client, field.volunteer_a1, volunteer)

    # Sent before its photos: on the server, but waiting for them.
    resident = phone_a1.resident(9)
    early = phone_a1.dossier(resident)
    field.push(field.volunteer_a1, resident, early)
    inbox = _in(field.client, "vi", "/desk")
    code = early["body"]["tracking_code"]
    assert re.search(rf'{code}</span>\s*<span class="badge">{NAMES["incomplete"]["vi"]}</span>', inbox)
    field.upload(field.volunteer_a1, phone_a1)

    dossier = synced_dossier(field, phone_a1)
    _check_everywhere(field, dossier, "received", volunteer, settings)
    for step in (
        "accepted",
        "in_progress",
        ("needs_supplement", "Ảnh mặt sau bị mờ"),
        "in_progress",
        "ready",
        "delivered",
    ):
        walk(field, desk_officer, dossier, step)
        _check_everywhere(field, dossier, step if isinstance(step, str) else step[0], volunteer, settings)
    for serial, stop in ((2, "rejected"), (3, "withdrawn")):
        other = synced_dossier(field, phone_a1, serial=serial)
        walk(field, desk_officer, other, (stop, "Người dân đề nghị"))
        _check_everywhere(field, other, stop, volunteer, settings)

    dashboard = _in(field.client, "vi", "/office/dashboard")
    table = re.search(r'<table class="figures" id="dossiers-by-status">.*?</thead>', dashboard, re.DOTALL)
    assert table
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table.group(0))[1:-1]
    assert set(headers) == {NAMES[s]["vi"] for s in ("received", "delivered", "rejected", "withdrawn")}

    for lang in ("vi", "en"):
        field.client.cookies.set("lang", lang)
        exported = field.client.get("/office/exports/dossiers.csv")
        field.client.cookies.delete("lang")
        assert exported.status_code == 200, exported.text
        header, *lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        column = header.index("Trạng thái" if lang == "vi" else "Status")
        assert {line[column] for line in lines} == {
            NAMES[s][lang] for s in ("received", "delivered", "rejected", "withdrawn")
        }
