"""Birth registration on the phone: a father born after his child is pointed out on the form, and a
witness statement replaces the birth certificate — the papers step lets the volunteer go on, and the
server accepts the dossier when it syncs."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from motcua.demo import DEMO_PASSWORD
from tests.e2e.pwa_phone import (
    draw_signature,
    open_app,
    paper_photos,
    phone_shot,
    register_resident,
    sign_in,
    sync_now,
)

pytestmark = pytest.mark.browser
VOLUNTEER = "0901000013"  # Y Sol Ksor, a demo volunteer of Xã Buôn Đôn


def _fill_birth_form(page: Page, father_birth_year: str) -> None:
    page.locator("[name=requester_full_name]").fill("Y Sol Ksor")
    page.locator("[data-field=requester_relationship] select").select_option("cha")
    page.locator("[name=child_full_name]").fill("H’Lan Ksor")
    page.locator("[name=child_birth_date]").fill("2026-11-02")
    page.locator("[data-field=child_sex]").get_by_text("Nữ", exact=True).click()
    page.locator("[name=child_ethnicity]").fill("Ê Đê")
    page.locator("[name=child_birth_place]").fill("Trạm Y tế xã Buôn Đôn, tỉnh Đắk Lắk")
    page.locator("[name=child_hometown]").fill("Xã Buôn Đôn, tỉnh Đắk Lắk")
    page.locator("[name=mother_full_name]").fill("H’Hen Niê")
    page.locator("[name=mother_birth_year]").fill("1998")
    page.locator("[name=mother_ethnicity]").fill("Ê Đê")
    page.locator("[name=mother_residence]").fill("Buôn Trí A, xã Buôn Đôn, tỉnh Đắk Lắk")
    page.locator("[name=father_full_name]").fill("Y Sol Ksor")
    page.locator("[name=father_birth_year]").fill(father_birth_year)
    page.locator("[name=father_ethnicity]").fill("Ê Đê")
    page.locator("[name=father_residence]").fill("Buôn Trí A, xã Buôn Đôn, tỉnh Đắk Lắk")


def test_a_witness_statement_replaces_the_birth_certificate_and_an_unborn_father_is_refused(
    live_server: str, phone: Page, tmp_path: Path
) -> None:
    photos = paper_photos(tmp_path, 3)
    open_app(phone, live_server, "login")
    sign_in(phone, VOLUNTEER, DEMO_PASSWORD)
    register_resident(phone)

    phone.get_by_role("link", name="Tạo hồ sơ mới").click()
    phone.wait_for_selector("body[data-ready=dossier]")
    phone.get_by_role("searchbox").fill("khai sinh")
    phone.get_by_role("button", name="Đăng ký khai sinh").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Điền tờ khai")

    # A father born in 2028 for a child born in 2026: shown on the child's date of birth.
    _fill_birth_form(phone, "2028")
    phone.get_by_role("button", name="Tiếp tục").click()
    child_date = phone.locator("[data-field=child_birth_date]")
    expect(child_date).to_contain_text("Cha phải hơn con ít nhất 12 tuổi")
    child_date.scroll_into_view_if_needed()
    phone_shot(phone, "birth-father-implausible")

    phone.locator("[name=father_birth_year]").fill("1995")
    phone.get_by_role("button", name="Tiếp tục").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Chụp giấy tờ")

    # The ID card alone is not enough: the message names the certificate or its replacement.
    card = phone.locator("[data-paper=can-cuoc] input[type=file]")
    card.set_input_files(photos[0])
    expect(phone.locator("[data-paper=can-cuoc] .thumb img")).to_have_count(1)
    card.set_input_files(photos[1])
    expect(phone.locator("[data-paper=can-cuoc] .thumb img")).to_have_count(2)
    phone.get_by_role("button", name="Tiếp tục").click()
    error = phone.locator("p.error[role=alert]")
    expect(error).to_have_text(
        "Còn thiếu ảnh: Giấy chứng sinh hoặc Văn bản của người làm chứng hoặc giấy cam đoan về việc sinh."
    )
    expect(phone.locator("[data-paper=giay-chung-sinh] .need")).to_contain_text(
        "Bắt buộc · cần 1 ảnh, hoặc thay bằng ảnh “Văn bản của người làm chứng"
    )
    expect(phone.locator("[data-paper=van-ban-lam-chung-hoac-cam-doan] .need")).to_contain_text(
        "Thay cho “Giấy chứng sinh” khi không có · cần 1 ảnh"
    )
    phone.locator("[data-paper=giay-chung-sinh]").scroll_into_view_if_needed()
    phone_shot(phone, "birth-papers-alternative")

    # The witness statement instead of the certificate: the volunteer may go on.
    phone.locator("[data-paper=van-ban-lam-chung-hoac-cam-doan] input[type=file]").set_input_files(photos[2])
    expect(phone.locator("[data-paper=van-ban-lam-chung-hoac-cam-doan] .thumb img")).to_have_count(1)
    expect(phone.locator("[data-paper=giay-chung-sinh]")).to_have_class("card paper complete")
    phone.locator("[data-paper=van-ban-lam-chung-hoac-cam-doan]").scroll_into_view_if_needed()
    phone_shot(phone, "birth-papers-replaced")
    phone.get_by_role("button", name="Tiếp tục").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Người dân xem lại và ký")
    draw_signature(phone)
    phone.get_by_role("button", name="Lưu hồ sơ").click()
    phone.wait_for_selector("body[data-ready=receipt]")
    receipt = phone.url

    # The server takes it: the certificate's alternative counts there too.
    sync_now(phone)
    phone.goto(receipt)
    phone.wait_for_selector("body[data-ready=receipt]")
    expect(phone.locator(".state-line")).to_contain_text("Đã lên máy chủ")
