"""Answers are gzipped when the client asks, once, and never when they are small or already
compressed (the PWA's own .gz, photos, attachments)."""

from __future__ import annotations

from motcua.resources import resource_dir
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, add_user
from tests.desk.test_pages import _sign_in
from tests.sync.conftest import Field
from tests.sync.phone import Phone


def test_a_pull_is_gzipped_when_asked_and_plain_when_not(field: Field, phone_a1: Phone) -> None:
    field.push(field.volunteer_a1, *[phone_a1.resident(i, name="Hoàng Thị Thu Hương") for i in range(30)])
    # The registering volunteer's phone receives them (docs/privacy.md).
    asked = field.client.get("/api/sync/pull", headers={**field.volunteer_a1, "accept-encoding": "gzip"})
    plain = field.client.get("/api/sync/pull", headers={**field.volunteer_a1, "accept-encoding": "identity"})
    assert asked.status_code == plain.status_code == 200
    assert asked.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in asked.headers["vary"].lower()
    assert "content-encoding" not in plain.headers
    assert asked.json()["changes"] == plain.json()["changes"]  # the client undoes the gzip, once
    assert int(asked.headers["content-length"]) * 4 < int(plain.headers["content-length"])
    small = field.client.get("/api/sync/limits", headers={"accept-encoding": "gzip"})
    assert len(small.content) < 500
    assert "content-encoding" not in small.headers


def test_what_is_compressed_already_is_not_compressed_again(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    script = (resource_dir("pwa") / "js" / "app.js").read_bytes()
    asset = field.client.get("/app/js/app.js", headers={"accept-encoding": "gzip"})
    assert asset.headers["content-encoding"] == "gzip"  # the PWA's own gzip, not a second one
    assert asset.content == script
    resident = phone_a1.resident(1)
    dossier = phone_a1.dossier(resident)
    field.push(field.volunteer_a1, resident, dossier)
    photo = dossier["body"]["papers"][0]["photos"][0]
    uploaded = field.client.put(
        f"/api/attachments/{photo}",
        content=phone_a1.attachments[photo],
        headers={**field.volunteer_a1, "accept-encoding": "gzip"},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert "content-encoding" not in uploaded.headers
    add_user(settings, "0961000001", "desk_officer", (COMMUNE_A,), name="Cán Bộ Một Cửa")
    _sign_in(field.client, "0961000001")
    image = field.client.get(
        f"/desk/dossiers/{dossier['id']}/files/{photo}", headers={"accept-encoding": "gzip"}
    )
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert "content-encoding" not in image.headers
    assert image.content == phone_a1.attachments[photo]
    page = field.client.get(f"/desk/dossiers/{dossier['id']}", headers={"accept-encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"  # an office page is text: it is compressed
