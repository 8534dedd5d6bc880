"""A volunteer prints a procedure poster; a resident scans its QR code and reads the guide on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from motcua.catalogue.documents import load_documents
from tests.e2e.conftest import screenshot, watch_errors

pytestmark = pytest.mark.browser

# A4 at the 96 CSS pixels per inch of a screen: 210 × 297 mm.
A4_VIEWPORT = {"width": 794, "height": 1123}
# Has a same-day cut-off and a fee that is not confirmed: the most a guide shows.
CODE = "chung-thuc-ban-sao-tu-ban-chinh"
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


@pytest.fixture
def sheet(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile whose window is a sheet of A4."""
    context = browser.new_context(viewport=A4_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def test_the_poster_qr_code_opens_the_guide(live_server: str, sheet: Page) -> None:
    errors = watch_errors(sheet)
    sheet.goto(f"{live_server}/thu-tuc/{CODE}/poster")
    expect(sheet.get_by_role("heading", level=1)).to_have_text("Chứng thực bản sao từ bản chính")
    expect(sheet.locator("svg.qr")).to_be_visible()

    with Image.open(screenshot(sheet, "guide-poster")) as image:
        barcodes = zxingcpp.read_barcodes(image)

    guide = f"{live_server}/thu-tuc/{CODE}"
    assert [barcode.text for barcode in barcodes] == [guide]
    sheet.goto(barcodes[0].text)
    expect(sheet.get_by_role("heading", level=1)).to_contain_text("Chứng thực bản sao từ bản chính")
    assert errors == [], errors


def test_every_poster_prints_on_one_a4_page(live_server: str, sheet: Page) -> None:
    errors = watch_errors(sheet)
    for document in load_documents():
        sheet.goto(f"{live_server}/thu-tuc/{document.code}/poster")
        pdf = sheet.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        assert len(PDF_PAGE.findall(pdf)) == 1, f"{document.code} does not print on one page"
    assert errors == [], errors


def test_a_guide_reads_on_a_small_phone(live_server: str, phone: Page) -> None:
    errors = watch_errors(phone)
    phone.goto(f"{live_server}/thu-tuc")
    phone.get_by_role("link", name="Chứng thực bản sao từ bản chính").click()
    expect(phone).to_have_url(f"{live_server}/thu-tuc/{CODE}")
    expect(phone.get_by_role("heading", name="Giấy tờ cần mang")).to_be_visible()
    expect(phone.get_by_text("Nộp sau 15 giờ thì tính từ ngày làm việc tiếp theo.")).to_be_visible()
    expect(phone.get_by_text("Thông tin chưa được xác nhận").first).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling on a 360-pixel phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "guide-phone")

    phone.goto(f"{live_server}/thu-tuc")
    screenshot(phone, "guide-index-phone")
    phone.goto(f"{live_server}/thu-tuc/{CODE}/poster")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "guide-poster-phone")
    assert errors == [], errors
