"""PWA load: the volunteer app's weight, first load over slow 3G, and reopening offline.

Run from the repository root::

    .venv/bin/python -m bench.pwa_load --runs 5

It makes a fresh data directory, migrates it and seeds the demo (``motcua db upgrade``,
``motcua demo``), starts a real ``motcua serve`` and drives Debian's Chromium (headless, via
Playwright), throttled through the DevTools protocol (``Network.emulateNetworkConditions``):

- **weight**: the bytes the server sends for the app code and CSS (gzipped, as served), the
  shell page, the manifest, the worker, and the icons, from the worker's precache list;
- **first load**: a fresh browser profile on emulated Slow 3G (400 ms round trip, 400 kbit/s
  each way), from navigation start until the sign-in form is on screen and can be typed in;
- **reopen offline**: a profile that signed in once (and set its PIN), then with no network
  at all: from navigation start until the PIN screen is drawn (served by the worker's cache;
  since issue 15 a reopened app always asks the PIN first: its data key is never stored).

Each timing runs ``--runs`` times, with no CPU slowdown and with Chromium's 4× CPU slowdown
(``Emulation.setCPUThrottlingRate``), a rough stand-in for a cheap Android phone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, sync_playwright
from tests.server import ServerProcess, motcua, motcua_env

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
VIEWPORT = {"width": 360, "height": 740}
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
VOLUNTEER = ("0901000011", "motcua-demo")
PIN = "2580"
CODE_SUFFIXES = (".js", ".css")


def _weight(url: str) -> dict[str, int]:
    """Bytes on the wire (gzip accepted) of every file the worker precaches, by kind."""
    source = httpx.get(f"{url}/sw.js").text
    found = re.search(r"^const PRECACHE = (\[.*\]);$", source, re.MULTILINE)
    assert found, "no precache list in /sw.js"
    sizes = {"code_css": 0, "shell_html": 0, "manifest": 0, "worker": 0, "icons": 0, "code_css_raw": 0}
    with httpx.Client(base_url=url, headers={"accept-encoding": "gzip"}) as client:
        for path in json.loads(found.group(1)):
            answer = client.get(path)
            wire = int(answer.headers.get("content-length", len(answer.content)))
            if path.endswith(CODE_SUFFIXES):
                sizes["code_css"] += wire
                sizes["code_css_raw"] += len(answer.content)
            elif path == "/":
                sizes["shell_html"] += wire
            elif path.endswith(".webmanifest"):
                sizes["manifest"] += wire
            elif path.endswith(".png"):
                sizes["icons"] += wire
        worker = client.get("/sw.js")
        sizes["worker"] = len(worker.content)  # served uncompressed: it is small and never cached
    return sizes


def _throttle(page: Page, network: dict[str, Any] | None, cpu: float) -> Any:
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.setCacheDisabled", {"cacheDisabled": False})
    if network:
        session.send("Network.emulateNetworkConditions", network)
    session.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    return session  # keep it: the emulation ends with the session


def _wait_ready(page: Page, screen: str, timeout: float = 60) -> float:
    """Milliseconds from navigation start until ``screen`` was drawn: the app's own User Timing
    mark, set when the screen's elements are in the page (the sign-in form is typeable then)."""
    page.wait_for_selector(f"body[data-ready={screen}]", timeout=timeout * 1000)
    if screen == "login":
        assert page.is_enabled("input[name=phone]")
    marks = page.evaluate(f"performance.getEntriesByName('motcua:ready:{screen}').map(m => m.startTime)")
    return float(marks[0])


def first_load(browser: Browser, url: str, cpu: float) -> tuple[float, int]:
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    try:
        page = context.new_page()
        session = _throttle(page, SLOW_3G, cpu)
        page.goto(url, wait_until="commit")
        usable = _wait_ready(page, "login")
        transferred = int(
            page.evaluate(
                "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                ".reduce((sum, e) => sum + (e.transferSize || 0), 0)"
            )
        )
        session.detach()
        return usable, transferred
    finally:
        context.close()


def reopen_offline(browser: Browser, url: str, runs: int, cpu: float) -> list[float]:
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("body[data-ready=login]")
        page.fill("input[name=phone]", VOLUNTEER[0])
        page.fill("input[name=password]", VOLUNTEER[1])
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-ready=pin]")
        page.fill("input[name=pin]", PIN)
        page.fill("input[name=pin-repeat]", PIN)
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-ready=today]")
        deadline = time.monotonic() + 60
        while not page.evaluate("navigator.serviceWorker.controller !== null"):
            assert time.monotonic() < deadline, "the worker never took control"
            time.sleep(0.1)
        page.close()
        context.set_offline(True)
        timings = []
        for _ in range(runs):
            page = context.new_page()
            session = _throttle(page, {**SLOW_3G, "offline": True}, cpu)
            page.goto(url, wait_until="commit")
            timings.append(_wait_ready(page, "locked"))
            session.detach()
            page.close()
        return timings
    finally:
        context.close()


def _machine() -> str:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = names[0] if names else ""
    chromium = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {chromium}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="timings per measurement (default 5)")
    parser.add_argument("--cpu", default="1,4", help="CPU slowdown factors to try (default 1,4)")
    args = parser.parse_args()
    slowdowns = [float(x) for x in args.cpu.split(",")]

    with tempfile.TemporaryDirectory(prefix="motcua-bench-pwa-") as folder:
        env = motcua_env(Path(folder))
        motcua(env, "db", "upgrade")
        motcua(env, "demo")
        server = ServerProcess(env).start()
        try:
            sizes = _weight(server.url)
            rows = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                try:
                    for cpu in slowdowns:
                        loads = [first_load(browser, server.url, cpu) for _ in range(args.runs)]
                        reopen = reopen_offline(browser, server.url, args.runs, cpu)
                        rows.append((cpu, [t for t, _ in loads], loads[0][1], reopen))
                finally:
                    browser.close()
        finally:
            server.stop()

    print(f"# PWA load — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {_machine()}\n")
    print("| what | bytes on the wire |\n|---|---:|")
    print(f"| app code + CSS (gzipped, {sizes['code_css_raw']:,} B raw) | {sizes['code_css']:,} |")
    for key, label in (
        ("shell_html", "shell page `/` (gzipped)"),
        ("manifest", "manifest (gzipped)"),
        ("worker", "worker `/sw.js` (not compressed)"),
        ("icons", "icons (PNG)"),
    ):
        print(f"| {label} | {sizes[key]:,} |")
    print()
    print("| measurement | CPU slowdown | runs | median ms | max ms | bytes transferred |")
    print("|---|---:|---:|---:|---:|---:|")
    for cpu, loads, transferred, reopen in rows:
        print(
            f"| first load on Slow 3G → sign-in usable | {cpu:g}× | {len(loads)} | "
            f"{statistics.median(loads):,.0f} | {max(loads):,.0f} | {transferred:,} |"
        )
        print(
            f"| reopen offline → PIN screen drawn | {cpu:g}× | {len(reopen)} | "
            f"{statistics.median(reopen):,.0f} | {max(reopen):,.0f} | 0 |"
        )


if __name__ == "__main__":
    main()
