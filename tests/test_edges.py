"""The edges every client meets: health, OpenAPI, the one error shape, security headers, logs."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from litestar.testing import TestClient
from sqlalchemy import update

from motcua import __version__
from motcua.app import create_app
from motcua.db.base import utcnow
from motcua.logs import JsonFormatter, redact
from motcua.push.models import PushWorkerBeat
from motcua.push.worker import PushWorker
from motcua.security_headers import SECURITY_HEADERS
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user, execute, make_settings
from tests.push.conftest import add_outbox_row


def test_health_reports_database_version_and_push_worker_and_sets_no_cookie(
    client: TestClient[Any], settings: Settings
) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "version": __version__,
        "database": "ok",
        "worker": "absent",
        "backlog_oldest_seconds": None,
    }
    assert "set-cookie" not in response.headers

    # A worker runs one cycle (it beats first); then a notification waits since 2 minutes.
    async def one_cycle() -> None:
        stop = asyncio.Event()
        async with PushWorker(settings) as worker:
            cycle = worker.run_once

            async def once() -> int:
                stop.set()
                return await cycle()

            worker.run_once = once  # type: ignore[method-assign]
            await worker.run(stop)

    asyncio.run(one_cycle())
    add_outbox_row(settings, "pending", timedelta(minutes=2))
    body = client.get("/health").json()
    assert body["worker"] == "alive"
    assert body["backlog_oldest_seconds"] >= 119

    # Its last beat was 10 minutes ago: stale, and still 200 (the database answers).
    execute(settings, update(PushWorkerBeat).values(beat_at=utcnow() - timedelta(minutes=10)))
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["worker"] == "stale"
    assert "set-cookie" not in response.headers


def test_health_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    # The keys come from the environment here: without them the app reads them from the
    # database at start, and a server that cannot reach it does not start (one line, cli.py).
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    unreachable = replace(
        make_settings(tmp_path, "postgresql+asyncpg://nobody@127.0.0.1:1/none"),
        vapid_private_key=pem.decode(),
    )
    with TestClient(app=create_app(unreachable)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_openapi_describes_the_api(client: TestClient[Any]) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert schema["info"]["version"] == __version__
    assert {"/api/auth/login", "/api/places/communes/{code}", "/health"} <= set(schema["paths"])
    assert "/login" not in schema["paths"]  # pages are not API


def test_openapi_describes_every_error_in_the_one_shape(client: TestClient[Any]) -> None:
    """A client generated from /schema reads the errors the API sends, not Litestar's default shape."""
    schema = client.get("/schema/openapi.json").json()
    components = schema["components"]["schemas"]
    assert set(components["ErrorBody"]["properties"]) == {"code", "message_vi", "message_en", "fields"}
    statuses: dict[tuple[str, str], set[str]] = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            answers = operation["responses"]
            statuses[(method.upper(), path)] = set(answers)
            assert "400" in answers, (method, path)
            for status, answer in answers.items():
                if int(status) < 400:
                    continue
                expected = "Health" if (path, status) == ("/health", "503") else "ErrorBody"
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref == f"#/components/schemas/{expected}", (method, path, status)
    # No response anywhere in Litestar's own error shape.
    assert not [
        name
        for name, body in components.items()
        if {"status_code", "detail"} <= set(body.get("properties", {}))
    ]
    assert {"401", "403"} <= statuses[("GET", "/api/me")]
    assert {"401", "403", "404"} <= statuses[("GET", "/api/places/communes/{code}")]
    assert "401" not in statuses[("GET", "/api/places/provinces/{code}/communes")]  # public
    assert {"401", "429"} <= statuses[("POST", "/api/auth/login")]
    assert {"413", "503"} <= statuses[("POST", "/api/sync/push")]
    assert {"409", "415"} <= statuses[("PUT", "/api/attachments/{sha256}")]


def test_every_response_carries_security_headers(client: TestClient[Any]) -> None:
    for path in ("/health", "/login", "/api/nowhere", "/"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
    assert "frame-ancestors 'none'" in SECURITY_HEADERS["content-security-policy"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/api/nowhere", None, 404, "not_found"),
        ("PUT", "/api/auth/login", {}, 405, "method_not_allowed"),
        ("POST", "/api/auth/login", {"phone": 912345678}, 400, "invalid_request"),
        ("GET", "/api/places/provinces/99/communes", None, 404, "province.not_found"),
    ],
)
def test_errors_have_one_shape(
    client: TestClient[Any], method: str, path: str, body: Any, status: int, code: str
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == status
    error = response.json()
    assert set(error) == {"code", "message_vi", "message_en", "fields"}
    assert error["code"] == code
    assert error["message_vi"] != error["message_en"]


def test_invalid_body_names_the_field(client: TestClient[Any]) -> None:
    error = client.post("/api/auth/login", json={"phone": 912345678, "password": "x"}).json()
    assert [field["field"] for field in error["fields"]] == ["phone"]


def test_user_form_errors_are_reported_field_by_field(client: TestClient[Any], settings: Settings) -> None:
    add_user(settings, "0901111100", "admin")
    token = client.post("/api/auth/login", json={"phone": "0901111100", "password": PASSWORD}).json()["token"]
    response = client.post(
        "/api/users",
        headers={"authorization": f"Bearer {token}"},
        json={
            "phone": "0241234567",
            "full_name": " ",
            "role": "volunteer",
            "password": "short",
            "commune_codes": [1],
        },
    )
    assert response.status_code == 400
    fields = {(f["field"], f["code"]) for f in response.json()["fields"]}
    assert fields == {
        ("phone", "phone.not_mobile"),
        ("full_name", "required"),
        ("password", "password.too_short"),
        ("communes", "commune.unknown"),
    }


def test_pages_show_errors_as_a_page(client: TestClient[Any]) -> None:
    response = client.get("/no-such-page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Không tìm thấy." in response.text


def test_logs_never_hold_passwords_tokens_or_id_numbers(
    client: TestClient[Any], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    add_user(settings, "0912345678", "volunteer", (COMMUNE_A,))
    token = client.post("/api/auth/login", json={"phone": "0912345678", "password": PASSWORD}).json()["token"]
    client.get("/api/places/communes/066190001234", headers={"authorization": f"Bearer {token}"})
    logging.getLogger("motcua.test").info(
        "resident 066190001234 with Bearer %s", token, extra={"password": PASSWORD, "token": token}
    )
    logged = capsys.readouterr().err
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    # The access log names the route, not the path with the number in it.
    assert any(line.get("route") == "/api/places/communes/{code}" for line in lines)
    assert PASSWORD not in logged
    assert token not in logged
    assert "066190001234" not in logged


def test_redaction_masks_ids_but_keeps_other_numbers() -> None:
    assert redact("id 001204012345 phone 0912345678") == "id ********2345 phone 0912345678"
    record = logging.makeLogRecord({"msg": "x", "authorization": "Bearer abc", "count": 3})
    entry = json.loads(JsonFormatter().format(record))
    assert entry["authorization"] == "[redacted]"
    assert entry["count"] == 3


def test_vietnamese_names_sort_by_letters_before_marks() -> None:
    from motcua.i18n import vietnamese_sort_key

    names = ["Chứng thực bản sao", "Cấp hộ chiếu", "Đăng ký khai sinh", "Đổi giấy phép lái xe", "Xác nhận"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Cấp hộ chiếu",
        "Chứng thực bản sao",
        "Đăng ký khai sinh",
        "Đổi giấy phép lái xe",
        "Xác nhận",
    ]
