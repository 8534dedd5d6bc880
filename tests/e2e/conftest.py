"""A real ``motcua serve`` process and a real headless Chromium (Debian's), for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def motcua_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "MOTCUA_DATA_DIR": str(data_dir), "MOTCUA_LOG_LEVEL": "WARNING"}
    env.pop("MOTCUA_DATABASE_URL", None)
    return env


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"motcua serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as response:  # noqa: S310 - our own loopback server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("motcua serve did not become healthy in time")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``make run`` in miniature: migrate, seed the demo, serve on a free loopback port."""
    data_dir = tmp_path_factory.mktemp("live")
    env = motcua_env(data_dir)
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "motcua.cli", *command], env=env, check=True, capture_output=True
        )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "serve", "--port", str(port)],
        env={**env, "MOTCUA_PUBLIC_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module: Playwright's sync API holds an event loop on the main thread while it
    runs, and the database helpers of the other tests need that thread free."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is required in CI and is missing at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile the size of a small Android phone."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Saved under tests/screenshots/ so a person can look at each screen at phone size."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
