"""The "no-writing day" paper: every procedure's declaration prints on one A4 page, addressed
to the real office, dated at the commune, on SQLite and on PostgreSQL.

For each procedure of the catalogue a volunteer syncs a dossier filled with the realistic
sample of tests/fixtures/procedure_samples/ (every paper photographed, a drawn signature);
the desk officer opens its print view in Chromium, which prints it to an A4 PDF.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect

from tests.conftest import _postgres_database
from tests.e2e.conftest import SCREENSHOTS, watch_errors
from tests.server import ServerProcess, motcua, motcua_env
from tests.sync.phone import Phone

pytestmark = pytest.mark.browser

PROCEDURES = Path(__file__).resolve().parents[2] / "schemas" / "procedures"
CODES = sorted(path.stem for path in PROCEDURES.glob("*.json") if "@" not in path.stem)
VIETNAM = timezone(timedelta(hours=7))
# The demo commune is Xã Buôn Đôn, Đắk Lắk: whom each procedure's declaration is addressed to.
ADDRESSEE = {
    "cap-ban-sao-trich-luc-ho-tich": "Ủy ban nhân dân xã Buôn Đôn",
    "cap-ho-chieu-pho-thong": "Phòng Quản lý xuất nhập cảnh Công an tỉnh Đắk Lắk",
    "cap-phieu-ly-lich-tu-phap": "Công an tỉnh Đắk Lắk",
    "chung-thuc-ban-sao-tu-ban-chinh": "Ủy ban nhân dân xã Buôn Đôn",
    "dang-ky-khai-sinh": "Ủy ban nhân dân xã Buôn Đôn",
    "dang-ky-khai-tu": "Ủy ban nhân dân xã Buôn Đôn",
    "dang-ky-tam-tru": "Công an xã Buôn Đôn",
    "dang-ky-thuong-tru": "Công an xã Buôn Đôn",
    "doi-giay-phep-lai-xe": "Phòng Cảnh sát giao thông Công an tỉnh Đắk Lắk",
    "xac-nhan-tinh-trang-hon-nhan": "Ủy ban nhân dân xã Buôn Đôn",
}
A4_POINTS = (595.3, 841.9)  # 210 × 297 mm


def _jpeg(text: str, colour: str) -> bytes:
    image = Image.new("RGB", (480, 640), colour)
    ImageDraw.Draw(image).text((40, 300), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _signature(seed: int) -> bytes:
    """A hand-drawn-looking stroke on white, as the phone's signature pad saves it."""
    image = Image.new("RGB", (600, 220), "white")
    draw = ImageDraw.Draw(image)
    points = [(40 + i * 26, 110 + ((i * 37 + seed) % 90) - 45) for i in range(21)]
    draw.line(points, fill="#1a1a6e", width=5, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The size in points of every page object of a PDF (``/Type /Page``, not ``/Pages``).

    Chromium's PDFs keep their page objects uncompressed, so no PDF library is needed; the
    page tree's ``/Count`` must agree, which proves no page hides in a compressed stream."""
    text = pdf.decode("latin-1")
    objects = re.findall(r"\d+ \d+ obj(.*?)endobj", text, flags=re.S)
    pages = [o for o in objects if re.search(r"/Type\s*/Page(?![a-zA-Z])", o)]
    counts = [int(c) for c in re.findall(r"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", text, flags=re.S)]
    counts += [int(c) for c in re.findall(r"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", text, flags=re.S)]
    assert counts, "no page tree"
    assert max(counts) == len(pages), (counts, len(pages))
    sizes = []
    for page in pages:
        box = re.search(r"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", page)
        assert box, page[:200]
        x0, y0, x1, y1 = (float(v) for v in box.groups())
        sizes.append((x1 - x0, y1 - y0))
    return sizes


def _papers(phone: Phone, code: str) -> list[dict[str, Any]]:
    procedure = json.loads((PROCEDURES / f"{code}.json").read_text("utf-8"))
    return [
        {
            "paper_id": paper["id"],
            "photos": [
                phone.attach(_jpeg(f"{paper['id']} {i + 1}", "#f3e9c6")) for i in range(paper["photos"])
            ],
        }
        for paper in procedure["required_papers"]
        if paper["required"]
    ]


def _off_the_main_thread(steps: Iterator[str | None]) -> Iterator[str | None]:
    """Run each step of a generator in a worker thread: the browser of the SQLite half holds an
    event loop on the main thread, where creating the PostgreSQL database with asyncio.run()
    is refused."""
    with ThreadPoolExecutor(1) as worker:
        try:
            while (step := worker.submit(next, steps, _DONE).result()) is not _DONE:
                yield step
        finally:
            worker.submit(getattr(steps, "close", lambda: None)).result()


_DONE = object()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def print_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str], Phone]]:
    """A server on each database with the demo data and one synced dossier per procedure."""
    urls: Iterator[str | None] = _postgres_database() if request.param == "postgresql" else iter([None])
    for database_url in _off_the_main_thread(urls):
        env = motcua_env(tmp_path_factory.mktemp(f"print-{request.param}"), database_url)
        motcua(env, "db", "upgrade")
        motcua(env, "demo")
        server = ServerProcess(env).start()
        try:
            login = httpx.post(
                f"{server.url}/api/auth/login", json={"phone": "0901000011", "password": "motcua-demo"}
            )
            headers = {"authorization": f"Bearer {login.json()['token']}"}
            villages = httpx.get(f"{server.url}/api/places/communes/24235", headers=headers).json()[
                "villages"
            ]
            phone = Phone("IN", UUID(villages[0]["id"]))
            records = []
            dossiers = {}
            pictures: dict[str, bytes] = {}
            for serial, code in enumerate(CODES, start=1):
                resident = phone.resident(serial + 20, name="H’Blăk Niê")
                dossier = phone.dossier(resident, code)
                form = dossier["body"]["form"]
                # The person who signs is the one the declaration names first.
                resident["body"]["full_name"] = next(v for k, v in form.items() if k.endswith("full_name"))
                phone.attachments.clear()  # real pictures in place of the test bytes
                dossier["body"]["papers"] = _papers(phone, code)
                dossier["body"]["signature_sha256"] = phone.attach(_signature(serial))
                records += [resident, dossier]
                dossiers[code] = dossier["id"]
                pictures |= phone.attachments
            pushed = httpx.post(
                f"{server.url}/api/sync/push", json={"records": records}, headers=headers, timeout=60
            )
            outcomes = pushed.json()["outcomes"]
            assert {o["outcome"] for o in outcomes} == {"applied"}, outcomes
            for digest, data in pictures.items():
                uploaded = httpx.put(f"{server.url}/api/attachments/{digest}", content=data, headers=headers)
                assert uploaded.status_code == 200, uploaded.text
            yield server.url, dossiers, phone
        finally:
            server.stop()


@pytest.fixture(scope="module")
def desk_page(browser: Browser, print_server: tuple[str, dict[str, str], Phone]) -> Iterator[Page]:
    """The desk officer signed in, at the width of an A4 sheet (96 px to the inch)."""
    url = print_server[0]
    context = browser.new_context(viewport={"width": 794, "height": 1123}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{url}/login?next=/desk")
    page.get_by_label("Số điện thoại").fill("0901000002")
    page.get_by_label("Mật khẩu").fill("motcua-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Hồ sơ tiếp nhận")).to_be_visible()
    yield page
    context.close()


@pytest.mark.parametrize("code", CODES)
def test_the_declaration_prints_on_one_a4_page(
    code: str,
    print_server: tuple[str, dict[str, str], Phone],
    desk_page: Page,
    request: pytest.FixtureRequest,
) -> None:
    url, dossiers, phone = print_server
    errors = watch_errors(desk_page)
    desk_page.goto(f"{url}/desk/dossiers/{dossiers[code]}/print")
    desk_page.wait_for_load_state("networkidle")

    expect(desk_page.locator(".addressee")).to_have_text(f"Kính gửi: {ADDRESSEE[code]}")
    day = phone.written_at.astimezone(VIETNAM)
    expect(desk_page.locator(".dateline")).to_have_text(
        f"Buôn Đôn, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    )
    assert desk_page.locator(".signature img").evaluate("img => img.naturalWidth") > 0
    body = desk_page.locator(".answers").inner_text()
    assert "—" not in body
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", body), body  # dates as dd/mm/yyyy

    desk_page.emulate_media(media="print")
    try:
        SCREENSHOTS.mkdir(exist_ok=True)
        database = request.node.callspec.params.get("print_server", "sqlite")
        desk_page.screenshot(path=str(SCREENSHOTS / f"print-{code}-{database}.png"), full_page=True)
        pdf = desk_page.pdf(format="A4")
    finally:
        desk_page.emulate_media(media="screen")
    (SCREENSHOTS / f"print-{code}-{database}.pdf").write_bytes(pdf)
    pages = pdf_pages(pdf)
    assert len(pages) == 1, f"{code}: {len(pages)} pages"
    width, height = pages[0]
    assert abs(width - A4_POINTS[0]) < 2, pages
    assert abs(height - A4_POINTS[1]) < 2, pages
    assert errors == [], errors
