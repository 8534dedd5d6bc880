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

Then the **commune-scale row** (``--residents``, default 20,000; 0 skips it), at 4× CPU slowdown
only, no network throttling: the demo volunteer's own phone pushes that many residents through
the push API (with consents and ticks: ``bench.pull``'s varied Vietnamese names), then a fresh
profile signs in as that volunteer and we time

- **first sync stored**: from the PIN set until every resident is in IndexedDB;
- **search per keystroke**: on "Người dân", each of ``QUERIES`` typed one character at a time
  into the search field; from the ``input`` event until the list is replaced and laid out
  (median and 95th percentile over all keystrokes);
- **reopen offline**, as above but holding the whole commune: until the PIN screen is drawn,
  then from the PIN's submit until "today" is drawn (the data key unwrapped, the day's work
  read from the encrypted store).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, sync_playwright
from tests.server import ServerProcess, motcua, motcua_env

from bench.pull import Result, batches, households, push_all
from bench.sync import BenchPhone

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


def _sign_in_to_pin(page: Page, url: str) -> None:
    """The demo volunteer signs in and types a new PIN twice; the caller submits it."""
    page.goto(url)
    page.wait_for_selector("body[data-ready=login]")
    page.fill("input[name=phone]", VOLUNTEER[0])
    page.fill("input[name=password]", VOLUNTEER[1])
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready=pin]")
    page.fill("input[name=pin]", PIN)
    page.fill("input[name=pin-repeat]", PIN)


def reopen_offline(browser: Browser, url: str, runs: int, cpu: float) -> list[float]:
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    try:
        page = context.new_page()
        _sign_in_to_pin(page, url)
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


# Typed one character at a time: names with and without diacritics, ID number ends, phones.
QUERIES = (
    "nguyen van",
    "Nguyễn Thị",
    "hong",
    "ng thi h",
    "tran",
    "le quang",
    "hhen nie",
    "y sol",
    "ksor",
    "phuong",
    "bui thu",
    "dang",
    "hoa",
    "00123",
    "4567",
    "0912",
    "0986",
    "huynh ngoc",
    "mai",
    "thanh tam",
)
# In the page: type each query into the search field, timing each keystroke.
TYPE_QUERIES = """async (queries) => {
  const input = document.getElementById("resident-search");
  const list = document.querySelector(".people");
  // The residents are encrypted at rest (issue 15): the index lookup alone is no longer timed
  // apart from the app; a keystroke's time below includes it.
  const index = null, build = null;
  const keystrokes = [], lookups = [];
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done)));
  for (const query of queries) {
    input.value = "";
    input.dispatchEvent(new Event("input"));
    await frame();
    for (const char of query) {
      input.value += char;
      const start = performance.now();
      input.dispatchEvent(new Event("input"));
      void list.offsetHeight;  // laid out
      keystrokes.push(performance.now() - start);
      if (index) {
        const again = performance.now();
        index.search(input.value);
        lookups.push(performance.now() - again);
      }
      await frame();
    }
  }
  return { keystrokes, lookups, build, shown: list.children.length };
}"""


def _login(url: str) -> dict[str, str]:
    answer = httpx.post(
        f"{url}/api/auth/login",
        json={"phone": VOLUNTEER[0], "password": VOLUNTEER[1], "device_label": "bench"},
    )
    assert answer.status_code == 201, answer.text
    return {"authorization": f"Bearer {answer.json()['token']}", "content-type": "application/json"}


def seed_residents(url: str, residents: int) -> int:
    """The demo volunteer's phone pushes ``residents`` in the first village of its commune."""
    headers = _login(url)
    with httpx.Client(base_url=url, headers=headers) as client:
        commune = client.get("/api/places/communes").json()[0]["code"]
        village = client.get(f"/api/places/communes/{commune}").json()["villages"][0]["id"]
    result = Result("demo", residents, 0)
    work = batches(households(BenchPhone("PWA", village), residents, 0))
    # In a thread of its own: Playwright's sync API holds this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, push_all(url, headers, work, result)).result()
    assert not result.not_applied, result.not_applied
    return residents


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def commune_scale(browser: Browser, url: str, runs: int, cpu: float, expected: int) -> dict[str, Any]:
    """First sync of the whole commune, search keystrokes, then reopening offline."""
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    try:
        page = context.new_page()
        _sign_in_to_pin(page, url)
        session = _throttle(page, None, cpu)
        started = time.monotonic()
        page.click("button[type=submit]")
        # The user's own (encrypted) database: rows are counted, not read.
        count = (
            "indexedDB.databases().then((all) => new Promise((done) => {"
            " const name = all.map((d) => d.name).find((n) => n.startsWith('motcua-') && n !== 'motcua-phone');"
            " if (!name) return done(0);"
            " const open = indexedDB.open(name); open.onsuccess = () => {"
            " const db = open.result; const r = db.transaction('residents').objectStore('residents').count();"
            " r.onsuccess = () => { db.close(); done(r.result); }; }; }))"
        )
        stored = 0
        while stored < expected:
            assert time.monotonic() - started < 900, f"only {stored} residents stored"
            time.sleep(0.5)
            stored = int(page.evaluate(count))
        first_sync = time.monotonic() - started
        # The residents screen: opening it builds the index; then the keystrokes.
        opened = time.monotonic()
        page.evaluate("location.hash = '#/residents'")
        page.wait_for_selector("body[data-ready=residents]", timeout=600_000)
        residents_screen = time.monotonic() - opened
        typed = page.evaluate(TYPE_QUERIES, list(QUERIES))
        session.detach()
        page.close()
        context.set_offline(True)
        reopen = []
        for _ in range(runs):
            page = context.new_page()
            session = _throttle(page, {**SLOW_3G, "offline": True}, cpu)
            page.goto(url, wait_until="commit")
            locked = _wait_ready(page, "locked")
            # Then the PIN: unwrapping the data key and reading the day's work from the
            # encrypted store, until "today" is drawn (measured from the PIN's submit).
            page.fill("input[name=pin]", PIN)
            typed_at = float(page.evaluate("performance.now()"))
            page.click("button[type=submit]")
            reopen.append((locked, _wait_ready(page, "today", timeout=300) - typed_at))
            session.detach()
            page.close()
        return {
            "first_sync": first_sync,
            "stored": stored,
            "residents_screen": residents_screen,
            **typed,
            "reopen": reopen,
        }
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
    parser.add_argument(
        "--residents", type=int, default=20_000, help="the commune-scale row (default 20000; 0: none)"
    )
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
            big = None
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                try:
                    for cpu in slowdowns:
                        loads = [first_load(browser, server.url, cpu) for _ in range(args.runs)]
                        reopen = reopen_offline(browser, server.url, args.runs, cpu)
                        rows.append((cpu, [t for t, _ in loads], loads[0][1], reopen))
                    if args.residents:
                        pushed = seed_residents(server.url, args.residents)
                        big = commune_scale(browser, server.url, args.runs, 4.0, pushed)
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
    if big:
        _print_commune_scale(args.residents, big)


def _print_commune_scale(residents: int, big: dict[str, Any]) -> None:
    keys, lookups = big["keystrokes"], big["lookups"]
    print(f"\n{residents:,} residents on the phone, 4× CPU slowdown ({big['stored']:,} stored):\n")
    print("| measurement | runs | median ms | p95 / max ms |\n|---|---:|---:|---:|")
    print(f"| first sync stored (sign-in → all in IndexedDB) | 1 | {1000 * big['first_sync']:,.0f} | |")
    print(f"| residents screen opened (index built) | 1 | {1000 * big['residents_screen']:,.0f} | |")
    if big["build"] is not None:
        print(f"| index build alone | 1 | {big['build']:,.0f} | |")
    print(
        f"| search per keystroke (input → list laid out) | {len(keys)} | "
        f"{statistics.median(keys):,.1f} | {_percentile(keys, 95):,.1f} |"
    )
    if lookups:
        print(
            f"| index lookup alone | {len(lookups)} | {statistics.median(lookups):,.2f} | "
            f"{_percentile(lookups, 95):,.2f} |"
        )
    locked = [pin for pin, _ in big["reopen"]]
    unlocked = [today for _, today in big["reopen"]]
    print(
        f"| reopen offline → PIN screen drawn | {len(locked)} | {statistics.median(locked):,.0f} | "
        f"{max(locked):,.0f} |"
    )
    print(
        f"| PIN typed → today drawn (key unwrapped, day's work decrypted) | {len(unlocked)} | "
        f"{statistics.median(unlocked):,.0f} | {max(unlocked):,.0f} |"
    )


if __name__ == "__main__":
    main()
