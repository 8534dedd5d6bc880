"""Requests from chosen client addresses, for tests of what is counted per address."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from motcua.app import create_app
from motcua.settings import Settings

HEADER = "x-test-client"


class _FromAddress:
    """Takes the request's client address from the ``x-test-client`` header (tests only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            for name, value in scope["headers"]:
                if name == HEADER.encode():
                    scope["client"] = (value.decode(), 50000)
        await self.app(scope, receive, send)


def app_with_addresses(settings: Settings) -> Litestar:
    app = create_app(settings)
    app.asgi_handler = _FromAddress(app.asgi_handler)
    return app


def at(address: str, **headers: Any) -> dict[str, str]:
    """Headers of a request from ``address``, with any others."""
    return {HEADER: address, **headers}
