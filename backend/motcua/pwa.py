"""Serves the volunteer PWA: the shell at ``/``, the service worker at ``/sw.js``, assets under ``/app``."""

from __future__ import annotations

from litestar import Router, get
from litestar.response import File
from litestar.static_files import create_static_files_router

from motcua.resources import resource_dir


def pwa_router() -> Router:
    root = resource_dir("pwa")

    @get("/", include_in_schema=False)
    async def shell() -> File:
        return File(
            root / "index.html", content_disposition_type="inline", headers={"cache-control": "no-cache"}
        )

    @get("/sw.js", include_in_schema=False)
    async def service_worker() -> File:
        # no-cache: a phone must always see a new worker when the app changes.
        return File(
            root / "sw.js",
            media_type="text/javascript",
            content_disposition_type="inline",
            headers={"cache-control": "no-cache", "service-worker-allowed": "/"},
        )

    @get("/manifest.webmanifest", include_in_schema=False)
    async def manifest() -> File:
        return File(
            root / "manifest.webmanifest",
            media_type="application/manifest+json",
            content_disposition_type="inline",
            headers={"cache-control": "no-cache"},
        )

    assets = create_static_files_router(path="/app", directories=[root], include_in_schema=False)
    return Router(path="/", route_handlers=[shell, service_worker, manifest, assets])
