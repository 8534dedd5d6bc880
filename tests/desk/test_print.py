"""The printed declaration: addressed to the real office, dated at the commune, dates as
dd/mm/yyyy, dotted lines where nothing was written (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from motcua.catalogue.addressee import addressee
from motcua.i18n import date_in_words, local_date
from motcua.places.dataset import dataset_communes, dataset_provinces
from motcua.places.names import in_sentence, short_name
from motcua.settings import Settings
from tests.conftest import COMMUNE_A, COMMUNE_B, PASSWORD, add_user
from tests.sync.conftest import Field
from tests.sync.phone import Phone, fake_jpeg

PROCEDURES = Path(__file__).resolve().parents[2] / "schemas" / "procedures"


def _sign_in(client: TestClient[Any], phone: str) -> None:
    token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    answer = client.post(
        "/login",
        data={"phone": phone, "password": PASSWORD, "_csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def _dossier(phone: Phone, resident: dict[str, Any], code: str) -> dict[str, Any]:
    """The phone's dossier with a photo of every required paper of the procedure."""
    dossier = phone.dossier(resident, code)
    papers = json.loads((PROCEDURES / f"{code}.json").read_text("utf-8"))["required_papers"]
    dossier["body"]["papers"] = [
        {
            "paper_id": paper["id"],
            "photos": [phone.attach(fake_jpeg(hash((code, paper["id"], i)))) for i in range(paper["photos"])],
        }
        for paper in papers
        if paper["required"]
    ]
    return dossier


def _printed(field: Field, phone: Phone, settings: Settings, code: str, **form: Any) -> tuple[str, str]:
    resident = phone.resident(3)
    dossier = _dossier(phone, resident, code)
    dossier["body"]["form"].update(form)
    dossier["body"]["form"] = {k: v for k, v in dossier["body"]["form"].items() if v is not None}
    outcomes = field.push(field.volunteer_a1, resident, dossier)
    assert [o["outcome"] for o in outcomes] == ["applied", "applied"], outcomes
    add_user(settings, "0961000001", "desk_officer", (COMMUNE_A,), name="Cán Bộ Một Cửa")
    _sign_in(field.client, "0961000001")
    page = field.client.get(f"/desk/dossiers/{dossier['id']}/print")
    assert page.status_code == 200
    return page.text, field.client.get(f"/desk/dossiers/{dossier['id']}").text


def _text(html: str, css_class: str) -> str:
    found = re.search(rf'class="{css_class}">(.*?)</p>', html, flags=re.S)
    assert found, css_class
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


@pytest.mark.parametrize(
    ("code", "office"),
    [
        ("dang-ky-khai-tu", "Ủy ban nhân dân xã Buôn Đôn"),
        ("dang-ky-tam-tru", "Công an xã Buôn Đôn"),
        ("cap-phieu-ly-lich-tu-phap", "Công an tỉnh Đắk Lắk"),
        ("doi-giay-phep-lai-xe", "Phòng Cảnh sát giao thông Công an tỉnh Đắk Lắk"),
    ],
)
def test_the_declaration_is_addressed_to_the_office_of_the_dossiers_commune(
    field: Field, phone_a1: Phone, settings: Settings, code: str, office: str
) -> None:
    printed, _ = _printed(field, phone_a1, settings, code)
    assert _text(printed, "addressee") == f"Kính gửi: {office}"
    assert "(" not in _text(printed, "addressee")  # no history or conditions in brackets


def test_the_date_line_names_the_commune_and_the_day_it_was_written_without_a_time(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    # 20:30 UTC on 30 November is already 1 December in Vietnam.
    phone_a1.written_at = datetime(2026, 11, 30, 20, 30, tzinfo=UTC)
    printed, _ = _printed(field, phone_a1, settings, "dang-ky-khai-tu")
    assert _text(printed, "dateline") == "Buôn Đôn, ngày 01 tháng 12 năm 2026"
    assert "03:30" not in printed


def test_dates_read_dd_mm_yyyy_and_empty_answers_are_dotted_lines(
    field: Field, phone_a1: Phone, settings: Settings
) -> None:
    printed, page = _printed(
        field,
        phone_a1,
        settings,
        "dang-ky-khai-tu",
        deceased_birth_date="1938-03-09",
        death_notice_number=None,
    )
    for html in (printed, page):
        assert "09/03/1938" in html
        assert "1938-03-09" not in html
    answers = re.search(r'<table class="answers">(.*?)</table>', printed, flags=re.S)
    assert answers
    assert "—" not in answers.group(1)
    assert '<td class="blank">……' in answers.group(1)
    assert re.search(r"\d{2}/\d{2}/\d{4}", _text(printed, "note"))


def test_a_commune_of_another_province_gets_its_own_offices(field: Field, settings: Settings) -> None:
    """The commune and province come from the dossier, not from the demo: Hòa Phú's desk."""
    phone = Phone("BB", field.village_b)
    resident = phone.resident(4)
    dossier = _dossier(phone, resident, "cap-ho-chieu-pho-thong")
    field.push(field.volunteer_b, resident, dossier)
    add_user(settings, "0961000009", "desk_officer", (COMMUNE_B,))
    _sign_in(field.client, "0961000009")
    printed = field.client.get(f"/desk/dossiers/{dossier['id']}/print").text
    assert _text(printed, "addressee") == "Kính gửi: Phòng Quản lý xuất nhập cảnh Công an tỉnh Đắk Lắk"
    assert _text(printed, "dateline").startswith("Hòa Phú, ngày ")


def test_every_procedure_of_the_catalogue_names_one_office_without_brackets() -> None:
    for path in PROCEDURES.glob("*.json"):
        authority = json.loads(path.read_text("utf-8"))["authority"]["vi"]
        office = addressee(authority, "xã Buôn Đôn", "tỉnh Đắk Lắk")
        assert office.endswith(("xã Buôn Đôn", "tỉnh Đắk Lắk")), (path.name, office)
        assert not re.search(r"[();]|cấp (xã|tỉnh)", office), (path.name, office)
    assert addressee(None, "xã Buôn Đôn", "tỉnh Đắk Lắk") == "Ủy ban nhân dân xã Buôn Đôn"


def test_place_names_as_papers_write_them() -> None:
    assert short_name("Xã Buôn Đôn", "xã") == "Buôn Đôn"
    assert short_name("Phường Hà Giang 1", "phường") == "Hà Giang 1"
    assert short_name("Đặc khu Cô Tô", "đặc khu") == "Cô Tô"
    assert in_sentence("Đắk Lắk", "tỉnh") == "tỉnh Đắk Lắk"
    assert in_sentence("Thành phố Hà Nội", "thành phố trung ương") == "thành phố Hà Nội"
    assert short_name("Phường 1 Bảo Lộc", "phường") == "Phường 1 Bảo Lộc"  # "1 Bảo Lộc" is no name
    assert in_sentence("Phường 1 Bảo Lộc", "phường") == "phường 1 Bảo Lộc"
    # Every commune and province of the dataset loses its kind and nothing more.
    for place in dataset_communes() + dataset_provinces():
        short = short_name(place["name"], place["division_type"])
        assert short[0].isupper(), place
        assert place["name"].endswith(short), place
        sentence = in_sentence(place["name"], place["division_type"])
        assert sentence[0].islower(), sentence
        assert place["name"].casefold() in (sentence.casefold(), sentence.split(" ", 1)[1].casefold()), (
            sentence
        )


def test_the_date_filters() -> None:
    assert local_date("2026-11-02") == "02/11/2026"
    assert local_date(date(2026, 1, 5)) == "05/01/2026"
    assert local_date(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == "01/12/2026"  # midnight in Vietnam
    assert local_date(datetime(2026, 11, 30, 16, 59, tzinfo=UTC)) == "30/11/2026"
    assert local_date(None) == ""
    assert local_date("2026-02-30") == "2026-02-30"  # not a day: shown as written
    assert local_date("năm 1990") == "năm 1990"
    assert date_in_words(datetime(2026, 11, 30, 20, 30, tzinfo=UTC)) == "ngày 01 tháng 12 năm 2026"
    assert date_in_words(date(2026, 3, 9)) == "ngày 09 tháng 03 năm 2026"
