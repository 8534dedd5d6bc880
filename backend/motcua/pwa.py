"""Serves the volunteer PWA: the shell at ``/``, the service worker at ``/sw.js``, assets under ``/app``.

There is no build step, so the server does the two things a build would: it stamps the service
worker with a version derived from the content of the shell files (and the list of files to
precache), and it gzips text assets once per file change, since phones load them over slow 3G.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from motcua.resources import resource_dir

# Served at fixed root paths; every other file of pwa/ is served under /app/.
ROOT_FILES = {"index.html": "/", "manifest.webmanifest": "/manifest.webmanifest", "sw.js": "/sw.js"}
MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
COMPRESSIBLE = {".html", ".js", ".css", ".json", ".webmanifest", ".svg"}
# The lines of pwa/sw.js the server fills in.
VERSION_LINE = 'const VERSION = "dev";'
PRECACHE_LINE = "const PRECACHE = [];"


@dataclass(frozen=True)
class _Asset:
    stamp: tuple[int, int]  # (mtime_ns, size): read again when the file changes
    data: bytes
    gzipped: bytes | None
    etag: str


_assets: dict[Path, _Asset] = {}


def _asset(path: Path) -> _Asset:
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _assets.get(path)
    if cached is not None and cached.stamp == stamp:
        return cached
    data = path.read_bytes()
    gzipped = gzip.compress(data, compresslevel=9, mtime=0) if path.suffix in COMPRESSIBLE else None
    asset = _Asset(stamp, data, gzipped, f'"{hashlib.sha256(data).hexdigest()[:32]}"')
    _assets[path] = asset
    return asset


def shell_files(root: Path) -> dict[str, Path]:
    """URL → file of everything the service worker precaches: the whole app but the worker itself."""
    files: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        relative = path.relative_to(root).as_posix()
        if relative == "sw.js":
            continue
        files[ROOT_FILES.get(relative, f"/app/{relative}")] = path
    return files


def shell_version(files: dict[str, Path]) -> str:
    """Changes whenever any shell file's content (or the list of files) changes."""
    digest = hashlib.sha256()
    for url, path in sorted(files.items()):
        digest.update(f"{url}\0{hashlib.sha256(_asset(path).data).hexdigest()}\n".encode())
    return digest.hexdigest()[:20]


def service_worker_source(root: Path) -> str:
    """pwa/sw.js with its version and precache list filled in."""
    source = (root / "sw.js").read_text("utf-8")
    if VERSION_LINE not in source or PRECACHE_LINE not in source:
        raise RuntimeError("pwa/sw.js lost the VERSION or PRECACHE line the server fills in")
    files = shell_files(root)
    return source.replace(VERSION_LINE, f"const VERSION = {json.dumps(shell_version(files))};").replace(
        PRECACHE_LINE, f"const PRECACHE = {json.dumps(sorted(files))};"
    )


def _send(request: Request[Any, Any, Any], path: Path, cache_control: str = "no-cache") -> Response[bytes]:
    asset = _asset(path)
    headers = {"cache-control": cache_control, "etag": asset.etag, "vary": "accept-encoding"}
    media_type = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
    if request.headers.get("if-none-match", "") == asset.etag:
        return Response(b"", status_code=304, headers=headers, media_type=media_type)
    body = asset.data
    if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["content-encoding"] = "gzip"
    return Response(body, headers=headers, media_type=media_type)


def pwa_router() -> Router:
    root = resource_dir("pwa")

    # logs.QUIET: the files a PWA load fetches log at DEBUG; the shell, one line, at INFO
    # when navigated to (logs.FETCHED: not when the service worker precaches it).
    quiet = {"quiet_access_log": True}

    @get("/", include_in_schema=False, opt={"quiet_access_log": "fetched"})
    async def shell(request: Request[Any, Any, Any]) -> Response[bytes]:
        return _send(request, root / "index.html")

    @get("/sw.js", include_in_schema=False, opt=quiet)
    async def service_worker() -> Response[str]:
        # no-cache: a phone must always see a new worker when the app changes.
        return Response(
            service_worker_source(root),
            media_type="text/javascript",
            headers={"cache-control": "no-cache", "service-worker-allowed": "/"},
        )

    @get("/manifest.webmanifest", include_in_schema=False, opt=quiet)
    async def manifest(request: Request[Any, Any, Any]) -> Response[bytes]:
        return _send(request, root / "manifest.webmanifest")

    @get("/app/{path:path}", include_in_schema=False, opt=quiet)
    async def asset(request: Request[Any, Any, Any], path: FromPath[str]) -> Response[bytes]:
        # no-cache + ETag: the worker's cache holds the app offline; the network revalidates cheaply.
        file = shell_files(root).get(f"/app{path}" if path.startswith("/") else f"/app/{path}")
        if file is None:
            raise NotFoundException()
        return _send(request, file)

    return Router(path="/", route_handlers=[shell, service_worker, manifest, asset])
