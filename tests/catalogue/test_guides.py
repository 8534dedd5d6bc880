"""Public procedure guides and posters: every procedure, both databases, no sign-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
import zxingcpp
from litestar.testing import TestClient
from markupsafe import escape
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from motcua.catalogue import service
from motcua.catalogue.documents import ProcedureDocument, content_hash, load_documents
from motcua.catalogue.pages import Bi, cutoff, day_month_year, duration, money, photos
from motcua.i18n import vietnamese_sort_key
from motcua.qr import qr_svg
from motcua.settings import Settings
from tests.conftest import in_db

DOCUMENTS = load_documents()
HTML = {"accept": "text/html,application/xhtml+xml"}


def html(text: str) -> str:
    """``text`` as Jinja writes it into a page."""
    return str(escape(text))


def decode_svg_qr(svg: str) -> list[str]:
    """Draw the dark path of a segno SVG (``M x y h n m dx dy h n …``) and read it with zxing."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg)[1])  # type: ignore[index]
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg)[1]  # type: ignore[index]
    image = Image.new("L", (size, size), 255)
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(x), int(x + float(first))):
                image.putpixel((column, int(y)), 0)
            x += float(first)
    return [barcode.text for barcode in zxingcpp.read_barcodes(image.resize((size * 8, size * 8)))]


def page_svg(text: str) -> str:
    match = re.search(r"<svg[^>]*class=\"qr\".*?</svg>", text, re.S)
    assert match, "the poster has no inline SVG QR code"
    return match[0]


def test_the_index_lists_every_procedure(client: TestClient[Any]) -> None:
    response = client.get("/thu-tuc", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for document in DOCUMENTS:
        assert f'href="/thu-tuc/{document.code}"' in response.text
        assert html(document.name_vi) in response.text
        assert html(document.name_en) in response.text
    # In Vietnamese dictionary order ("Cấp …" before "Chứng …"), as a reader looks for them.
    positions = [response.text.index(f'href="/thu-tuc/{d.code}"') for d in DOCUMENTS]
    names = [d.name_vi for d in sorted(DOCUMENTS, key=lambda d: positions[DOCUMENTS.index(d)])]
    assert names == sorted(names, key=vietnamese_sort_key)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.code)
def test_every_guide_shows_papers_time_fee_and_authority(
    client: TestClient[Any], document: ProcedureDocument
) -> None:
    content = document.content
    response = client.get(f"/thu-tuc/{document.code}", headers=HTML)

    assert response.status_code == 200, response.text
    text = response.text
    assert f'<h1><span class="vi">{html(document.name_vi)}</span>' in text
    assert html(document.name_en) in text
    assert html(content["summary"]["vi"]) in text
    for paper in content["required_papers"]:
        assert html(paper["name"]["vi"]) in text
        assert html(paper["name"]["en"]) in text
    assert html(content["authority"]["vi"]) in text
    for law in content["legal_basis"]:
        assert html(law) in text
    target = content["fast_track_target"]
    assert duration(target["amount"], target["unit"]).vi in text
    assert money(content["fee"]["amount_vnd"]).vi in text
    assert day_month_year(content["last_checked"]) in text
    for item in content["unconfirmed"]:
        assert html(item["note"]["vi"]) in text
    assert ("Thông tin chưa được xác nhận" in text) == bool(content["unconfirmed"])
    assert f'href="/thu-tuc/{document.code}/poster"' in text


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.code)
def test_every_poster_has_the_papers_and_a_qr_code_of_the_guide(
    client: TestClient[Any], settings: Settings, document: ProcedureDocument
) -> None:
    content = document.content
    response = client.get(f"/thu-tuc/{document.code}/poster", headers=HTML)

    assert response.status_code == 200, response.text
    text = response.text
    assert html(document.name_vi) in text
    for paper in content["required_papers"]:
        assert html(paper["name"]["vi"]) in text
    target = content["fast_track_target"]
    assert duration(target["amount"], target["unit"]).vi in text
    assert money(content["fee"]["amount_vnd"]).vi in text
    address = f"{settings.public_url}/thu-tuc/{document.code}"
    assert decode_svg_qr(page_svg(text)) == [address]
    assert '<link rel="stylesheet" href="/static/guide.css">' in text


def test_the_guide_says_time_and_fee_in_plain_vietnamese(client: TestClient[Any]) -> None:
    birth = client.get("/thu-tuc/dang-ky-khai-sinh", headers=HTML).text
    assert "Trong 2 giờ làm việc" in birth
    assert "Giải quyết ngay" in birth
    assert "Miễn phí" in birth
    assert "21/11/2026" in birth

    copy = client.get("/thu-tuc/chung-thuc-ban-sao-tu-ban-chinh", headers=HTML).text
    assert "Nộp sau 15 giờ thì tính từ ngày làm việc tiếp theo." in copy
    assert "Chưa xác nhận" in copy

    residence = client.get("/thu-tuc/dang-ky-tam-tru", headers=HTML).text
    assert "3 ngày làm việc" in residence
    assert 'Bắt buộc <span class="count">(2)</span>' in residence

    record = client.get("/thu-tuc/cap-phieu-ly-lich-tu-phap", headers=HTML).text
    assert "10 ngày (kể cả ngày nghỉ)" in record


def test_an_unconfirmed_paper_is_marked_where_it_is_listed(client: TestClient[Any]) -> None:
    text = client.get("/thu-tuc/doi-giay-phep-lai-xe", headers=HTML).text
    # The health certificate is the only optional paper: its item runs to the end of the list.
    start = text.index(html("Giấy khám sức khỏe của người lái xe"))
    item = text[start : text.index("</ol>", start)]
    assert "Thông tin chưa được xác nhận" in item
    assert html("Yêu cầu giấy khám sức khỏe chưa được xác nhận.") in item


def test_a_fee_in_dong_is_written_the_vietnamese_way(client: TestClient[Any], settings: Settings) -> None:
    # A newer version of a procedure, with a fee: the guide shows the newest open version.
    base = next(d for d in DOCUMENTS if d.code == "dang-ky-tam-tru")
    content = {
        **base.content,
        "version": base.version + 1,
        "fee": {"amount_vnd": 1_234_500, "note": {"vi": "Lệ phí thử.", "en": "A test fee."}},
    }
    newer = ProcedureDocument(base.code, base.version + 1, content, content_hash(content))

    async def publish(db: AsyncSession) -> None:
        await service.publish(db, [newer])

    in_db(settings, publish)
    text = client.get("/thu-tuc/dang-ky-tam-tru", headers=HTML).text
    assert "1.234.500 đ" in text
    assert "1,234,500 dong" in text
    assert "1.234.500 đ" in client.get("/thu-tuc/dang-ky-tam-tru/poster", headers=HTML).text


def test_an_unknown_procedure_is_404_as_a_page_and_in_the_error_shape(client: TestClient[Any]) -> None:
    for path in ("/thu-tuc/khong-co-thu-tuc-nay", "/thu-tuc/khong-co-thu-tuc-nay/poster"):
        page = client.get(path, headers=HTML)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert 'data-code="procedure.not_found"' in page.text
        assert "Không có hướng dẫn cho thủ tục" in page.text

        body = client.get(path).json()
        assert body["code"] == "procedure.not_found"
        assert set(body) == {"code", "message_vi", "message_en", "fields"}


def test_the_pages_are_public_and_keep_to_the_content_security_policy(client: TestClient[Any]) -> None:
    for path in ("/thu-tuc", "/thu-tuc/dang-ky-khai-sinh", "/thu-tuc/dang-ky-khai-sinh/poster"):
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code == 200
        assert "default-src 'self'" in response.headers["content-security-policy"]
        # style-src 'self' and script-src 'self': no inline style or script would be applied.
        assert "style=" not in response.text
        assert "<style" not in response.text
        assert "<script" not in response.text
    assert client.get("/static/guide.css").status_code == 200


def test_a_closed_procedure_has_no_guide(client: TestClient[Any], settings: Settings) -> None:
    async def close(db: AsyncSession) -> None:
        for version in (1, 2):
            await service.close_version(db, "dang-ky-khai-tu", version)

    in_db(settings, close)
    assert client.get("/thu-tuc/dang-ky-khai-tu", headers=HTML).status_code == 404
    assert 'href="/thu-tuc/dang-ky-khai-tu"' not in client.get("/thu-tuc", headers=HTML).text


def test_time_fee_and_photo_wording() -> None:
    assert duration(0, "immediate") == Bi("Giải quyết ngay", "Done at once")
    assert duration(2, "working_hours") == Bi("Trong 2 giờ làm việc", "Within 2 working hours")
    assert duration(1, "working_hours") == Bi("Trong 1 giờ làm việc", "Within 1 working hour")
    assert duration(3, "working_days") == Bi("3 ngày làm việc", "3 working days")
    assert duration(10, "days") == Bi("10 ngày (kể cả ngày nghỉ)", "10 days, days off included")
    with pytest.raises(ValueError, match="weeks"):
        duration(1, "weeks")
    assert cutoff(None) is None
    assert cutoff("15:00") == Bi(
        "Nộp sau 15 giờ thì tính từ ngày làm việc tiếp theo.",
        "Filed after 15:00, it counts from the next working day.",
    )
    assert cutoff("16:30") is not None
    assert cutoff("16:30").vi.startswith("Nộp sau 16 giờ 30 ")  # type: ignore[union-attr]
    assert money(None) == Bi("Chưa xác nhận", "Not confirmed")
    assert money(0) == Bi("Miễn phí", "Free")
    assert money(50_000) == Bi("50.000 đ", "50,000 dong")
    assert money(500) == Bi("500 đ", "500 dong")
    assert day_month_year("2026-03-01") == "01/03/2026"
    assert photos(0).vi == "Mang bản giấy theo, không cần chụp ảnh"
    assert photos(2) == Bi("Tình nguyện viên chụp 2 ảnh", "The volunteer takes 2 photos")


def test_the_qr_svg_has_no_size_of_its_own_and_decodes_to_its_address() -> None:
    address = "https://motcua.example.vn/thu-tuc/dang-ky-khai-sinh"
    svg = qr_svg(address, title="Đăng ký khai sinh <QR>")
    assert svg.startswith("<svg ")
    assert "width=" not in svg.split(">", 1)[0]
    assert "<title>Đăng ký khai sinh &lt;QR&gt;</title>" in svg
    assert decode_svg_qr(svg) == [address]
