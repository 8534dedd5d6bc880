"""The catalogue on the server: published once and immutable, polled cheaply, checked per version."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue.documents import CatalogueError, ProcedureDocument, content_hash, load_documents
from motcua.catalogue.service import PublishPlan, current_documents, publish
from motcua.db.base import utcnow
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, add_user, bearer, in_db

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "procedure_samples"
CODES = sorted(path.stem for path in SAMPLES.glob("*.json"))


def _sample(code: str) -> dict[str, Any]:
    sample: dict[str, Any] = json.loads((SAMPLES / f"{code}.json").read_text("utf-8"))
    return sample


@pytest.fixture
def volunteer(client: TestClient[Any], settings: Settings) -> dict[str, str]:
    add_user(settings, "0901111104", "volunteer", (COMMUNE_A,))
    return bearer(client, "0901111104")


def test_the_catalogue_is_published_at_start_and_polled_with_an_etag(client: TestClient[Any]) -> None:
    response = client.get("/api/catalogue")
    assert response.status_code == 200
    index = response.json()
    assert len(index["procedures"]) == 10
    newest: dict[str, int] = {}
    for document in load_documents():
        newest[document.code] = max(newest.get(document.code, 0), document.version)
    assert {p["code"]: p["current_version"] for p in index["procedures"]} == newest
    assert response.headers["etag"] == f'"{index["etag"]}"'
    unchanged = client.get("/api/catalogue", headers={"if-none-match": response.headers["etag"]})
    assert unchanged.status_code == 304
    assert unchanged.content == b""


def test_a_version_is_served_exactly_as_published(client: TestClient[Any]) -> None:
    for document in (d for d in load_documents() if d.code == "dang-ky-khai-sinh"):
        response = client.get(f"/api/catalogue/dang-ky-khai-sinh/versions/{document.version}")
        assert response.json() == document.content
        assert response.headers["etag"] == f'"{document.content_hash}"'
        assert "immutable" in response.headers["cache-control"]
    missing = client.get("/api/catalogue/dang-ky-khai-sinh/versions/9")
    assert missing.status_code == 404
    assert missing.json()["code"] == "procedure.version_unknown"


@pytest.mark.parametrize("code", CODES)
def test_each_procedure_accepts_a_right_declaration_and_names_each_wrong_field(
    client: TestClient[Any], volunteer: dict[str, str], code: str
) -> None:
    sample = _sample(code)
    url = f"/api/catalogue/{code}/versions/1/check"
    accepted = client.post(url, json={"data": sample["valid"]}, headers=volunteer)
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json() == {"code": code, "version": 1, "valid": True}
    refused = client.post(url, json={"data": sample["invalid"]}, headers=volunteer)
    assert refused.status_code == 422
    error = refused.json()
    assert error["code"] == "declaration.invalid"
    assert sorted({f["field"] for f in error["fields"]}) == sorted(sample["invalid_fields"])
    for field in error["fields"]:
        assert field["message_vi"]
        assert field["message_en"]
        assert field["message_vi"] != field["message_en"]


def test_an_id_number_that_contradicts_sex_and_birth_year_is_refused(
    client: TestClient[Any], volunteer: dict[str, str]
) -> None:
    data = dict(_sample("xac-nhan-tinh-trang-hon-nhan")["valid"])
    data["sex"] = "female" if data["sex"] == "male" else "male"
    refused = client.post(
        "/api/catalogue/xac-nhan-tinh-trang-hon-nhan/versions/1/check", json={"data": data}, headers=volunteer
    )
    assert refused.status_code == 422
    assert ("personal_id", "personal_id.sex_mismatch") in {
        (f["field"], f["code"]) for f in refused.json()["fields"]
    }


def test_checking_needs_a_signed_in_phone(client: TestClient[Any]) -> None:
    response = client.post("/api/catalogue/dang-ky-khai-tu/versions/1/check", json={"data": {}})
    assert response.status_code == 401


def test_a_closed_version_still_accepts_what_phones_wrote_before_it_closed(
    client: TestClient[Any], settings: Settings, volunteer: dict[str, str]
) -> None:
    add_user(settings, "0901111100", "admin")
    admin = bearer(client, "0901111100")
    etag = client.get("/api/catalogue").headers["etag"]
    assert (
        client.post("/api/catalogue/dang-ky-khai-tu/versions/1/close", headers=volunteer).status_code == 403
    )
    closed = client.post("/api/catalogue/dang-ky-khai-tu/versions/1/close", headers=admin)
    assert closed.status_code == 200
    closed_at = closed.json()["closed_at"]
    assert (
        client.get("/api/catalogue", headers={"if-none-match": etag}).status_code == 200
    )  # the list changed
    entry = next(
        p for p in client.get("/api/catalogue").json()["procedures"] if p["code"] == "dang-ky-khai-tu"
    )
    assert entry["current_version"] == 2  # the newest version still open
    assert entry["versions"][0]["closed_at"] == closed_at

    data = _sample("dang-ky-khai-tu")["valid"]
    url = "/api/catalogue/dang-ky-khai-tu/versions/1/check"
    queued_earlier = (utcnow() - timedelta(hours=3)).isoformat()
    written_after = (utcnow() + timedelta(minutes=1)).isoformat()
    assert (
        client.post(url, json={"data": data, "written_at": queued_earlier}, headers=volunteer).status_code
        == 200
    )
    late = client.post(url, json={"data": data, "written_at": written_after}, headers=volunteer)
    assert late.status_code == 409
    assert late.json()["code"] == "procedure.version_closed"


def _changed(document: ProcedureDocument, version: int) -> ProcedureDocument:
    content = copy.deepcopy(document.content)
    content["version"] = version
    content["name"]["vi"] += " (sửa)"
    return ProcedureDocument(document.code, version, content, content_hash(content))


def test_a_published_version_cannot_change_but_a_new_version_can_be_added(settings: Settings) -> None:
    (document, *_) = load_documents()
    in_db(settings, publish)
    with pytest.raises(CatalogueError, match="raise its version"):
        in_db(settings, lambda db: publish(db, [_changed(document, document.version)]))
    following = document.version + 1

    async def add_version(db: AsyncSession) -> tuple[PublishPlan, list[ProcedureDocument]]:
        plan = await publish(db, [document, _changed(document, following)])
        return plan, await current_documents(db)

    plan, current = in_db(settings, add_version)
    assert [(d.code, d.version) for d in plan.new] == [(document.code, following)]
    newest = next(d for d in current if d.code == document.code)
    assert newest.version == following
    assert newest.name_vi.endswith("(sửa)")
