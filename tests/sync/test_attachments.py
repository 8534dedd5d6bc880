"""Attachments: idempotent by content hash, checked by content, limited in size, scoped."""

from __future__ import annotations

from sqlalchemy import select

from motcua.attachments.models import Attachment
from motcua.attachments.storage import attachment_path
from motcua.settings import Settings
from tests.conftest import rows
from tests.sync.conftest import Field
from tests.sync.phone import Phone, sha256


def test_the_limits_are_advertised(field: Field) -> None:
    limits = field.client.get("/api/sync/limits").json()
    assert limits["max_attachment_bytes"] == 5 * 1024 * 1024
    assert set(limits["attachment_types"]) == {"image/jpeg", "image/png", "image/webp", "application/pdf"}


def test_bytes_are_checked_against_their_hash_type_and_need(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    resident = phone_a1.resident(1)
    dossier = phone_a1.dossier(resident)
    signature = dossier["body"]["signature_sha256"]
    jpeg = phone_a1.attachments[signature]
    not_needed = field.client.put(f"/api/attachments/{signature}", content=jpeg, headers=field.volunteer_a1)
    assert not_needed.status_code == 409  # no record names it yet: sync the records first
    assert not_needed.json()["code"] == "attachment.not_expected"
    field.push(field.volunteer_a1, resident, dossier)
    wrong = field.client.put(f"/api/attachments/{signature}", content=jpeg + b"x", headers=field.volunteer_a1)
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "attachment.hash_mismatch"
    text = b"<html>not a photo</html>"
    assert (
        field.client.put(
            f"/api/attachments/{sha256(text)}", content=text, headers=field.volunteer_a1
        ).status_code
        == 415
    )
    other_commune = field.client.put(f"/api/attachments/{signature}", content=jpeg, headers=field.volunteer_b)
    assert other_commune.status_code == 409
    stored = field.client.put(f"/api/attachments/{signature}", content=jpeg, headers=field.volunteer_a1)
    assert stored.json()["outcome"] == "stored"
    assert attachment_path(settings, signature).read_bytes() == jpeg
    (row,) = rows(settings, select(Attachment))
    assert (row.media_type, row.size) == ("image/jpeg", len(jpeg))


def test_pdf_png_and_webp_are_told_by_their_first_bytes() -> None:
    from motcua.attachments.storage import sniff

    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"GIF89a") is None


def test_an_upload_over_the_limit_is_refused(field: Field) -> None:
    big = b"\xff\xd8\xff" + bytes(5 * 1024 * 1024)
    response = field.client.put(f"/api/attachments/{sha256(big)}", content=big, headers=field.volunteer_a1)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_the_receipt_qr_is_drawn_only_for_the_secret_the_phone_made(field: Field, phone_a1: Phone) -> None:
    import hashlib

    resident = phone_a1.resident(5)
    dossier = phone_a1.dossier(resident)
    secret = "bi-mat-cua-bien-nhan-1234"
    dossier["body"]["receipt_secret_hash"] = hashlib.sha256(secret.encode()).hexdigest()
    url = f"/api/dossiers/{dossier['id']}/receipt-qr"
    assert field.client.get(url, params={"secret": secret}, headers=field.volunteer_a1).status_code == 404
    field.push(field.volunteer_a1, resident, dossier)
    answer = field.client.get(url, params={"secret": secret}, headers=field.volunteer_a1)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')  # a valid SVG file
    wrong = field.client.get(url, params={"secret": "doan-bua-mot-ma-khac"}, headers=field.volunteer_a1)
    assert wrong.status_code == 403
    outsider = field.client.get(url, params={"secret": secret}, headers=field.volunteer_b)
    assert outsider.status_code == 404
