"""Attachments: idempotent by content hash, checked by content, limited in size, scoped."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from motcua.attachments.models import Attachment, AttachmentPlace
from motcua.attachments.storage import (
    AttachmentStore,
    DiskStore,
    MissingAttachment,
    S3Store,
    attachment_store,
)
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, add_user, make_settings, rows
from tests.desk.test_pages import _sign_in
from tests.object_store import ObjectStoreServer
from tests.sync.conftest import Field
from tests.sync.phone import Phone, sha256

BOTH_STORES = pytest.mark.parametrize("storage", ["disk", "s3"])


def stored_bytes(store: AttachmentStore, digest: str) -> bytes:
    async def read() -> bytes:
        return b"".join([chunk async for chunk in await store.get(digest)])

    return asyncio.run(read())


def test_the_limits_are_advertised(field: Field) -> None:
    limits = field.client.get("/api/sync/limits").json()
    assert limits["max_attachment_bytes"] == 5 * 1024 * 1024
    assert set(limits["attachment_types"]) == {"image/jpeg", "image/png", "image/webp", "application/pdf"}


@BOTH_STORES
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
    assert stored_bytes(attachment_store(settings), signature) == jpeg
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


@pytest.mark.parametrize("storage", ["s3"])
def test_stored_once_read_per_commune_and_deleted_on_s3(
    field: Field, phone_a1: Phone, settings: Settings, storage: str, request: pytest.FixtureRequest
) -> None:
    """Upload, dedupe, the desk's download and its commune's limits, and delete, on S3 (on disk
    the tests of the write scope and the desk's pages do the same)."""
    store = attachment_store(settings)
    resident_a = phone_a1.resident(11)
    dossier_a = phone_a1.dossier(resident_a)
    field.push(field.volunteer_a1, resident_a, dossier_a)
    assert {a["outcome"] for a in field.upload(field.volunteer_a1, phone_a1)} == {"stored"}
    assert {a["outcome"] for a in field.upload(field.volunteer_a2, phone_a1)} == {"duplicate"}
    photo = dossier_a["body"]["papers"][0]["photos"][0]
    assert len(rows(settings, select(Attachment))) == len(phone_a1.attachments)
    # The objects are where the URL says, named by their hash, and nothing is on the disk.
    server: ObjectStoreServer = request.getfixturevalue("object_store_server")
    prefix = settings.object_store_url.split("/", 3)[3]
    listed = server.client().list_objects_v2(Bucket=server.bucket, Prefix=f"{prefix}/")
    assert sorted(o["Key"] for o in listed["Contents"]) == sorted(
        f"{prefix}/{d[:2]}/{d}" for d in phone_a1.attachments
    )
    assert not (settings.data_dir / "attachments" / photo[:2] / photo).exists()

    # The same bytes named by a dossier of commune B count there only once B uploads them.
    phone_b = Phone("BB7", field.village_b)
    resident_b = phone_b.resident(12)
    dossier_b = phone_b.dossier(resident_b)
    dossier_b["body"]["papers"][0]["photos"] = [photo]
    field.push(field.volunteer_b, resident_b, dossier_b)
    add_user(settings, "0961000011", "desk_officer", (COMMUNE_A,))
    add_user(settings, "0961000012", "desk_officer", (COMMUNE_B,))
    a_url = f"/desk/dossiers/{dossier_a['id']}/files/{photo}"
    b_url = f"/desk/dossiers/{dossier_b['id']}/files/{photo}"
    _sign_in(field.client, "0961000012")
    assert field.client.get(a_url).status_code == 404  # another commune's dossier
    assert field.client.get(b_url).json()["code"] == "attachment.not_found"
    placed = field.client.put(
        f"/api/attachments/{photo}", content=phone_a1.attachments[photo], headers=field.volunteer_b
    )
    assert placed.json()["outcome"] == "stored"  # placed in B; the bytes were kept once
    assert sorted(
        rows(settings, select(AttachmentPlace.commune_code).where(AttachmentPlace.sha256 == photo))
    ) == sorted([COMMUNE_A, COMMUNE_B])
    assert field.client.get(b_url).content == phone_a1.attachments[photo]

    _sign_in(field.client, "0961000011")
    image = field.client.get(a_url)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.headers["content-length"] == str(len(phone_a1.attachments[photo]))
    assert image.content == phone_a1.attachments[photo]

    # Data retention deletes by hash: gone from the store, a second delete is harmless, and
    # the desk is told the file is not there rather than given an error.
    asyncio.run(store.delete(photo))
    asyncio.run(store.delete(photo))
    assert asyncio.run(store.exists(photo)) is False
    with pytest.raises(MissingAttachment):
        stored_bytes(store, photo)
    gone = field.client.get(a_url)
    assert (gone.status_code, gone.json()["code"]) == (404, "attachment.not_found")
    assert asyncio.run(store.exists(dossier_a["body"]["signature_sha256"])) is True


@BOTH_STORES
def test_each_store_puts_reads_and_deletes_by_hash(
    storage: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The four calls data retention and the API rely on, on both stores, without a database;
    the blocking ones (the disk's fsync, each S3 request) run off the event loop."""
    settings = make_settings(tmp_path)
    if storage == "s3":
        server: ObjectStoreServer = request.getfixturevalue("object_store_server")
        settings = replace(
            settings, object_store_url=server.fresh_url(), object_store_endpoint=server.endpoint
        )
    store = attachment_store(settings)
    assert isinstance(store, S3Store if storage == "s3" else DiskStore)
    data = b"%PDF-1.7\n" + bytes(range(256)) * 2048  # 512 KiB: read back in several chunks
    digest = sha256(data)
    off_the_loop: set[str] = set()

    def watched(name: str, call: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
            except RuntimeError:  # a worker thread: no loop here
                off_the_loop.add(name)
            else:
                pytest.fail(f"{name} ran on the event loop")
            return call(*args, **kwargs)

        return run

    if isinstance(store, S3Store):
        blocking = ["head_object", "put_object", "get_object", "delete_object"]
        for name in blocking:
            monkeypatch.setattr(store.client, name, watched(name, getattr(store.client, name)))
    else:
        blocking = ["fsync"]
        monkeypatch.setattr(os, "fsync", watched("fsync", os.fsync))

    async def scenario() -> None:
        assert not await store.exists(digest)
        with pytest.raises(MissingAttachment):
            await store.get(digest)
        await store.put(digest, data)
        await store.put(digest, data)  # again: harmless
        assert await store.exists(digest)
        chunks = [chunk async for chunk in await store.get(digest)]
        assert len(chunks) > 1
        assert b"".join(chunks) == data
        await store.delete(digest)
        await store.delete(digest)  # already gone: harmless
        assert not await store.exists(digest)

    asyncio.run(scenario())
    assert off_the_loop == set(blocking)


def test_without_moto_the_s3_tests_fail_in_ci_and_skip_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from tests import object_store

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "moto" else real_find_spec(name, *a)
    )
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"moto\[server\] is needed"):
        next(object_store.run_object_store_server())
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        next(object_store.run_object_store_server())


def test_a_wrong_object_store_stops_serve_with_one_line(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from motcua.attachments.storage import StoreUnavailable, check_store
    from motcua.cli import _one_line
    from tests.server import free_port

    server: ObjectStoreServer = request.getfixturevalue("object_store_server")
    settings = make_settings(tmp_path)
    check_store(settings)  # the disk: nothing to check
    check_store(replace(settings, object_store_url=server.fresh_url(), object_store_endpoint=server.endpoint))
    no_bucket = replace(settings, object_store_url="s3://khong-co/x", object_store_endpoint=server.endpoint)
    with pytest.raises(StoreUnavailable) as missing:
        check_store(no_bucket)
    assert _one_line(missing.value) == (
        f"there is no bucket 'khong-co' at {server.endpoint} (MOTCUA_OBJECT_STORE_ENDPOINT): "
        "create it, or fix MOTCUA_OBJECT_STORE_URL"
    )
    nobody = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnavailable, match=r"^object storage at .* is unreachable: [^\n]*$"):
        check_store(replace(settings, object_store_url=server.fresh_url(), object_store_endpoint=nobody))
