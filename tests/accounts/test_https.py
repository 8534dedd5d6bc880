"""HSTS: sent when the public address is https, never over plain http (it would stick)."""

from __future__ import annotations

from dataclasses import replace

from litestar.testing import TestClient

from motcua.app import create_app
from motcua.settings import Settings


def test_strict_transport_security_is_sent_when_the_public_url_is_https(settings: Settings) -> None:
    https = replace(settings, public_url="https://motcua.example.vn")
    with TestClient(app=create_app(https), base_url="https://motcua.example.vn") as client:
        for path in ("/health", "/login", "/no-such-page"):
            assert client.get(path).headers["strict-transport-security"] == "max-age=31536000"


def test_no_strict_transport_security_over_plain_http(settings: Settings) -> None:
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as client:
        assert "strict-transport-security" not in client.get("/health").headers
