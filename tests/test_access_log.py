"""The access log: one line per request (method, route template, status, duration, bytes,
request id), no token or personal data, one line at INFO for a whole PWA load, and the same
as readable text when MOTCUA_LOG_FORMAT=text."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from litestar.testing import TestClient

from motcua.logs import TextFormatter
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, PASSWORD, add_user

PHONE = "0912345678"


def _access(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "motcua.access"]


def test_one_json_line_per_request_and_one_per_pwa_load(
    client: TestClient[Any], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    add_user(settings, PHONE, "volunteer", (COMMUNE_A,))
    capsys.readouterr()
    token = client.post("/api/auth/login", json={"phone": PHONE, "password": PASSWORD}).json()["token"]
    answers = [
        client.get("/health", headers={"x-request-id": "proxy-req-0001"}),
        client.get("/api/me", headers={"authorization": f"Bearer {token}"}),
        client.post("/api/auth/login", json={"phone": PHONE, "password": "sai-" + PASSWORD}),
        client.get(f"/api/places/communes/{COMMUNE_A}?q={PHONE}"),
        client.get(f"/nowhere/{PHONE}"),
    ]
    lines = _access(capsys)
    assert [line["route"] for line in lines] == [
        "/api/auth/login",
        "/health",
        "/api/me",
        "/api/auth/login",
        "/api/places/communes/{code}",
        "(unmatched)",
    ]
    assert [line["status"] for line in lines[1:]] == [answer.status_code for answer in answers]
    for line, answer in zip(lines[1:], answers, strict=True):
        assert set(line) >= {"method", "route", "status", "duration_ms", "bytes", "request_id"}
        assert line["request_id"] == answer.headers["x-request-id"]
        assert line["bytes"] == len(answer.content)
        assert line["level"] == "INFO"
    assert lines[1]["request_id"] == "proxy-req-0001"  # the proxy's, when it sends one
    assert lines[2]["user_id"] is not None
    everything = json.dumps(lines)
    for secret in (token, PASSWORD, PHONE):
        assert secret not in everything

    # A PWA load: the shell, the worker, the manifest and every file the worker precaches.
    worker = client.get("/sw.js").text
    precache = re.search(r"^const PRECACHE = (\[.*\]);$", worker, re.MULTILINE)
    assert precache
    files = json.loads(precache.group(1))
    assert len(files) > 10
    capsys.readouterr()
    assert client.get("/", headers={"sec-fetch-mode": "navigate"}).status_code == 200
    for url in ["/sw.js", "/manifest.webmanifest", *files]:  # the worker's precache: cache.addAll
        assert client.get(url, headers={"sec-fetch-mode": "cors"}).status_code == 200, url
    lines = _access(capsys)
    assert [(line["route"], line["status"]) for line in lines] == [("/", 200)]
    # A missing file is worth a line.
    assert client.get("/app/js/nothing.js").status_code == 404
    assert [line["route"] for line in _access(capsys)] == ["/app/{path}"]


def test_text_format_is_one_readable_line_masked_as_json() -> None:
    record = logging.makeLogRecord(
        {
            "name": "motcua.access",
            "levelname": "INFO",
            "msg": "request",
            "method": "GET",
            "route": "/health",
            "status": 200,
            "token": "abc",
            "note": "id 001204012345",
            "user_id": None,
        }
    )
    line = TextFormatter().format(record)
    assert re.fullmatch(
        r"\S+ INFO motcua\.access request method=GET route=/health status=200 token=\[redacted\] "
        r"note=id \*{8}2345",
        line,
    ), line
