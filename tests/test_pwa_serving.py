"""How the server hands out the PWA: a worker stamped with the shell's content version and its
precache list, compressed assets with ETags, a manifest that makes the app installable, and a
shell the CSP can live with."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from motcua.pwa import pwa_router, service_worker_source, shell_files, shell_version
from motcua.resources import resource_dir
from motcua.security_headers import add_security_headers

ROOT = resource_dir("pwa")
BUDGET_BYTES = 100 * 1024  # app code and CSS, gzipped, icons aside (issue 5)


@pytest.fixture(scope="module")
def pwa() -> Iterator[TestClient[Any]]:
    app = Litestar(route_handlers=[pwa_router()], before_send=[add_security_headers])
    with TestClient(app=app) as client:
        yield client


def _worker_constants(source: str) -> tuple[str, list[str]]:
    version = re.search(r'^const VERSION = "([0-9a-f]+)";$', source, re.MULTILINE)
    precache = re.search(r"^const PRECACHE = (\[.*\]);$", source, re.MULTILINE)
    assert version, source[:400]
    assert precache, source[:400]
    return version.group(1), json.loads(precache.group(1))


def test_the_worker_is_stamped_with_the_shell_version_and_what_to_precache(pwa: TestClient[Any]) -> None:
    answer = pwa.get("/sw.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["service-worker-allowed"] == "/"
    version, precache = _worker_constants(answer.text)
    assert version == shell_version(shell_files(ROOT))
    assert {"/", "/manifest.webmanifest", "/app/js/app.js", "/app/css/app.css"} <= set(precache)
    assert "/sw.js" not in precache
    assert {f"/app/icons/{name}" for name in ("icon-192.png", "icon-512.png", "maskable-512.png")} <= set(
        precache
    )
    for url in precache:
        assert pwa.get(url).status_code == 200, url


def test_the_version_changes_with_any_shell_file_and_only_then(tmp_path: Path) -> None:
    copy = tmp_path / "pwa"
    shutil.copytree(ROOT, copy)
    before = _worker_constants(service_worker_source(copy))
    assert _worker_constants(service_worker_source(copy)) == before  # stable
    (copy / "sw.js").write_text((copy / "sw.js").read_text("utf-8") + "\n// a comment\n", "utf-8")
    assert _worker_constants(service_worker_source(copy))[0] == before[0], "the worker is not in its own hash"
    css = copy / "css" / "app.css"
    css.write_text(css.read_text("utf-8") + "\n.new { color: red; }\n", "utf-8")
    changed = _worker_constants(service_worker_source(copy))
    assert changed[0] != before[0]
    (copy / "js" / "extra.js").write_text("export const extra = 1;\n", "utf-8")
    added = _worker_constants(service_worker_source(copy))
    assert added[0] != changed[0]
    assert "/app/js/extra.js" in added[1]


def test_assets_are_gzipped_revalidated_and_confined_to_the_app(pwa: TestClient[Any]) -> None:
    plain = pwa.get("/app/js/app.js", headers={"accept-encoding": "identity"})
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert "content-encoding" not in plain.headers
    zipped = pwa.get("/app/js/app.js", headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # the client undoes the gzip
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
    etag = plain.headers["etag"]
    assert pwa.get("/app/js/app.js", headers={"if-none-match": etag}).status_code == 304
    assert plain.headers["cache-control"] == "no-cache"
    assert pwa.get("/app/js/nothing-here.js").status_code == 404
    assert pwa.get("/app/../backend/motcua/settings.py").status_code == 404
    assert pwa.get("/app/sw.js").status_code == 404  # only at /sw.js, with its version
    shell = pwa.get("/", headers={"accept-encoding": "gzip"})
    assert shell.headers["content-encoding"] == "gzip"
    assert "content-security-policy" in shell.headers


def test_the_manifest_makes_the_app_installable_in_vietnamese(pwa: TestClient[Any]) -> None:
    answer = pwa.get("/manifest.webmanifest")
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = answer.json()
    assert manifest["name"] == "Một cửa lưu động"
    assert manifest["lang"] == "vi"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert manifest["theme_color"] == "#b3261e"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = pwa.get(icon["src"])
        assert image.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(image.content)) as png:
            assert f"{png.width}x{png.height}" == icon["sizes"]


def test_the_shell_has_nothing_inline_for_the_csp_to_block() -> None:
    html = (ROOT / "index.html").read_text("utf-8")
    assert "<style" not in html
    assert " style=" not in html
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", html))
    for module in (ROOT / "js").rglob("*.js"):
        source = module.read_text("utf-8")
        assert "innerHTML" not in source, module
        assert "insertAdjacentHTML" not in source, module
        assert "eval(" not in source, module


def test_app_code_and_css_fit_the_budget() -> None:
    """Issue 5: at most 100 KB gzipped for app code and CSS (docs/benchmarks.md has the figure)."""
    total = 0
    for path in shell_files(ROOT).values():
        if path.suffix in {".js", ".css", ".html", ".webmanifest"}:
            total += len(gzip.compress(path.read_bytes(), compresslevel=9))
    total += len(gzip.compress(service_worker_source(ROOT).encode(), compresslevel=9))
    assert total <= BUDGET_BYTES, f"{total} bytes gzipped"
