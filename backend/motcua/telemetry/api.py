"""``GET /metrics`` (Prometheus text format 0.0.4), and the middleware that counts requests."""

from __future__ import annotations

import hmac
import os
import time
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.counters import LATENCY, REQUESTS
from motcua.errors import ApiError
from motcua.logs import route_of
from motcua.settings import Settings
from motcua.telemetry.gauges import read_figures
from motcua.telemetry.processes import MULTIPROCESS_DIR


def counters() -> Collector:
    """This process's counters; under ``--workers N`` every process's, summed from their files."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def _refused() -> ApiError:
    return ApiError(
        401,
        "metrics.token",
        "Cần mã truy cập số liệu (Authorization: Bearer <MOTCUA_METRICS_TOKEN>).",
        "The metrics token is needed (Authorization: Bearer <MOTCUA_METRICS_TOKEN>).",
        headers={"www-authenticate": 'Bearer realm="metrics"'},
    )


@get("/metrics", include_in_schema=False)
async def metrics(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[bytes]:
    """Prometheus scrapes this with the bearer token; without a token set, there is no such page."""
    if not settings.metrics_token:
        raise NotFoundException()
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), settings.metrics_token.encode()
    ):
        raise _refused()
    figures = await read_figures(db_session, settings)
    body = generate_latest(counters()) + generate_latest(figures)
    # Litestar adds the charset to text types itself.
    media_type = CONTENT_TYPE_PLAIN_0_0_4.removesuffix("; charset=utf-8")
    return Response(body, media_type=media_type, headers={"cache-control": "no-store"})


class RequestMetricsMiddleware:
    """Counts each HTTP request and its duration under its route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = scope.get("method", "")
            route = route_of(scope)
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
