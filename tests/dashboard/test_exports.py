"""Exports for the weekly report: CSV and XLSX of dossiers and of the register, masked by role, audited."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

from litestar.testing import TestClient
from sqlalchemy import select, update

from motcua.audit.models import AuditEvent
from motcua.residents.models import Resident
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, add_user, execute, rows
from tests.dashboard.conftest import DESK_OFFICER, Known, sign_in_page

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(body: bytes) -> list[list[str]]:
    """The first sheet's cells as text, read straight from the workbook's XML."""
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        names = book.namelist()
        strings = []
        if "xl/sharedStrings.xml" in names:
            shared = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314 - our own file
            strings = ["".join(t.text or "" for t in si.iter(f"{SHEET}t")) for si in shared]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314 - our own file
    table = []
    for row in sheet.iter(f"{SHEET}row"):
        cells: dict[int, str] = {}
        for cell in row.iter(f"{SHEET}c"):
            letters = re.match(r"[A-Z]+", cell.attrib["r"])
            assert letters
            column = 0
            for letter in letters.group(0):
                column = column * 26 + ord(letter) - 64
            value = cell.find(f"{SHEET}v")
            text = value.text if value is not None and value.text is not None else ""
            cells[column - 1] = strings[int(text)] if cell.attrib.get("t") == "s" else text
        table.append([cells.get(i, "") for i in range(max(cells) + 1 if cells else 0)])
    return table


def _audit(settings: Settings) -> list[AuditEvent]:
    return rows(settings, select(AuditEvent).where(AuditEvent.action.like("export.%")))


def test_a_coordinator_exports_dossiers_as_csv_with_id_numbers_masked(
    known: Known, coordinator_page: TestClient[Any], settings: Settings
) -> None:
    response = coordinator_page.get("/office/exports/dossiers.csv", params=MARCH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="motcua-dossiers-24235-20260301-20260331.csv"' in response.headers["content-disposition"]
    header, *lines = _csv(response.content)
    assert header[:7] == [
        "Mã hồ sơ",
        "Mã hồ sơ trên Cổng DVC",
        "Thủ tục",
        "Mã thủ tục",
        "Trạng thái",
        "Người dân",
        "Số định danh cá nhân",
    ]
    by_code = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert sorted(by_code) == ["KA1-1", "KA1-2", "KA1-3", "KA2-1"]  # the four dossiers of March
    first = by_code["KA1-1"]
    assert first["Thủ tục"] == "Đăng ký khai tử"
    assert first["Trạng thái"] == "Đã trả kết quả"
    assert first["Số định danh cá nhân"] == "********" + known.personal_ids["R1"][-4:]
    assert first["Tiếp nhận lúc"] == "03/03/2026 08:00"  # Vietnam time
    assert first["Đúng hạn"] == "Có"
    assert first["Số giờ đến khi có kết quả"] == "1.5"
    assert by_code["KA1-2"]["Đúng hạn"] == "Không"
    assert by_code["KA2-1"]["Đúng hạn"] == ""
    assert not any(known.personal_ids[r] in response.text for r in known.personal_ids)

    (event,) = _audit(settings)
    assert event.action == "export.dossiers"
    assert set(event.resident_ids) == {known.residents[r] for r in ("R1", "R2", "R4")}
    assert event.detail["from"] == "2026-03-01"
    assert event.detail["to"] == "2026-03-31"
    assert event.detail["communes"] == [COMMUNE_A]
    assert event.detail["format"] == "csv"
    assert event.detail["rows"] == 4
    assert event.detail["personal_ids"] == "masked"


def test_a_desk_officer_exports_the_register_as_xlsx_with_full_id_numbers(
    known: Known, desk_officer: dict[str, str], settings: Settings
) -> None:
    client = known.field.client
    sign_in_page(client, DESK_OFFICER)
    response = client.get("/office/exports/register.xlsx", params=MARCH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    header, *lines = _xlsx(response.content)
    assert header[0] == "Người dân"
    assert header[8:15] == [
        "Cài ứng dụng VNeID",
        "Tài khoản định danh mức 1",
        "Kích hoạt mức 2",
        "Đăng nhập Cổng DVC",
        "Chuẩn hóa thuê bao SIM",
        "Ngân hàng hoặc ví điện tử",
        "Tự nộp hồ sơ trực tuyến",
    ]
    people = {line[0]: dict(zip(header, line, strict=False)) for line in lines}
    assert set(people) == {"H’Linh Niê 103", "Hờ A Dính 101", "Nguyễn Thị Lan 102", "Y Kông Ayun 104"}
    r1 = people["Hờ A Dính 101"]
    assert r1["Số định danh cá nhân"] == known.personal_ids["R1"]  # in full, as text
    assert r1["Chuẩn hóa thuê bao SIM"] == "Không áp dụng"
    assert r1["Ngân hàng hoặc ví điện tử"] == "Đã xong"
    assert r1["Công dân số"] == "Có"
    assert float(r1["Hoàn thành lúc"]) > 46000  # a real spreadsheet date (days since 1900)
    r3 = people["H’Linh Niê 103"]
    assert r3["Tự nộp hồ sơ trực tuyến"] == ""  # done only in April
    assert r3["Công dân số"] == "Không"
    assert people["Nguyễn Thị Lan 102"]["Tài khoản định danh mức 1"] == "Cần theo dõi"

    (event,) = _audit(settings)
    assert event.action == "export.register"
    assert set(event.resident_ids) == {known.residents[r] for r in ("R1", "R2", "R3", "R4")}
    assert event.detail["format"] == "xlsx"
    assert event.detail["personal_ids"] == "full"


def test_a_coordinators_xlsx_is_masked_and_a_desk_officers_csv_is_not(
    known: Known, coordinator_page: TestClient[Any], desk_officer: dict[str, str], settings: Settings
) -> None:
    masked = _xlsx(coordinator_page.get("/office/exports/dossiers.xlsx", params=MARCH).content)
    ids = {line[6] for line in masked[1:]}
    assert ids == {"********" + known.personal_ids[r][-4:] for r in ("R1", "R2", "R4")}
    sign_in_page(coordinator_page, DESK_OFFICER)
    full = _csv(coordinator_page.get("/office/exports/register.csv", params=MARCH).content)
    assert {line[3] for line in full[1:]} == {known.personal_ids[r] for r in ("R1", "R2", "R3", "R4")}
    assert [e.action for e in _audit(settings)] == ["export.dossiers", "export.register"]


def test_the_village_filter_narrows_the_export(known: Known, coordinator_page: TestClient[Any]) -> None:
    params = {**MARCH, "village": str(known.village_jang_lanh)}
    _, *lines = _csv(coordinator_page.get("/office/exports/register.csv", params=params).content)
    assert [line[0] for line in lines] == ["H’Linh Niê 103"]


def test_a_cell_that_looks_like_a_formula_is_written_as_text(
    known: Known, coordinator_page: TestClient[Any], settings: Settings
) -> None:
    execute(
        settings,
        update(Resident).where(Resident.full_name == "Hờ A Dính 101").values(full_name="=HYPERLINK(1)"),
    )
    lines = _csv(coordinator_page.get("/office/exports/register.csv", params=MARCH).content)
    assert "'=HYPERLINK(1)" in [line[0] for line in lines]


def test_volunteers_and_other_communes_get_no_export(
    known: Known, coordinator_page: TestClient[Any], settings: Settings
) -> None:
    assert (
        coordinator_page.get("/office/exports/register.csv", params={"commune": "24175"}).status_code == 403
    )
    assert coordinator_page.get("/office/exports/everything.csv").status_code == 404
    add_user(settings, "0961000021", "volunteer", (COMMUNE_A,))
    sign_in_page(coordinator_page, "0961000021")
    assert coordinator_page.get("/office/exports/dossiers.csv").status_code == 403
    assert _audit(settings) == []
